"""Charts drawn on the server as SVG: no script library, no request leaves the page.

The chart repeats the table beside it (which is the accessible version); it carries a
title and a text alternative all the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

from kasane.core.charts import FONT, PALETTE, esc

BAR = 22
GAP = 10
LABEL_WIDTH = 130
WIDTH = 680


def stacked_bars(
    *, title: str, labels: Sequence[str], series: Sequence[str], values: Sequence[Sequence[int]]
) -> SafeString:
    """A horizontal stacked bar per label (``values[row][series]``), with a legend."""
    rows = len(labels)
    peak = max((sum(v) for v in values), default=0) or 1
    plot = WIDTH - LABEL_WIDTH - 40
    legend_rows = (len(series) + 3) // 4
    top = 28 + legend_rows * 20
    height = top + rows * (BAR + GAP) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-title" '
        f'font-family="{esc(FONT)}" font-size="13">',
        f'<title id="chart-title">{esc(title)}</title>',
        f'<text x="0" y="16" font-weight="bold">{esc(title)}</text>',
    ]
    for s, name in enumerate(series):
        lx = (s % 4) * (WIDTH // 4)
        ly = 28 + (s // 4) * 20
        colour = PALETTE[s % len(PALETTE)]
        parts.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 16}" y="{ly + 11}">{esc(name)}</text>')
    for r, label in enumerate(labels):
        y = top + r * (BAR + GAP)
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR * 0.7:.0f}" text-anchor="end">'
            f"{esc(label)}</text>"
        )
        x = float(LABEL_WIDTH)
        for s, value in enumerate(values[r]):
            if value <= 0:
                continue
            width = plot * value / peak
            colour = PALETTE[s % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{colour}" '
                f'stroke="#fff" stroke-width="1"><title>{esc(label)} {esc(series[s])}: '
                f"{value}</title></rect>"
            )
            x += width
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + BAR * 0.7:.0f}" font-weight="bold">'
            f"{sum(values[r])}</text>"
        )
    axis_y = top + rows * (BAR + GAP)
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{top - 4}" x2="{LABEL_WIDTH}" y2="{axis_y}" '
        'stroke="#333" stroke-width="1"/>'
    )
    parts.append("</svg>")
    # Every piece of text above went through esc; the numbers are ints and floats.
    return mark_safe("".join(parts))  # noqa: S308
