"""The history of the self-assessment as a line chart drawn on the server (SVG), in the
style of ``kasane.core.charts``: no script, no request leaves the page, and the table
beside it is the accessible version.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from kasane.core.charts import FONT, PALETTE, esc

WIDTH = 680
LEFT = 60
RIGHT = 50
LEGEND_LINE = 18
BOTTOM = 30
PLOT_HEIGHT = 180
# A marker shape per series as well as a colour, so the lines part in grey print.
MARKERS = ("circle", "square", "triangle")


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    title = f"<title>{esc(tip)}</title>"
    if shape == "square":
        return (
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">'
            f"{title}</rect>"
        )
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{title}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}">{title}</circle>'


def score_lines(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[Decimal | None]],
    top: int = 3,
) -> SafeString:
    """One line per series (``values[series][label]``) over the labels (years), on a
    0–``top`` scale; a missing value breaks the line."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = PLOT_HEIGHT
    top_y = 32 + len(series) * LEGEND_LINE + 8
    height = top_y + plot_h + BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x_at(i: int) -> float:
        return LEFT + (i * step if len(labels) > 1 else plot_w / 2)

    def y_at(v: Decimal) -> float:
        return top_y + plot_h * (1 - float(v) / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="history-title" '
        f'font-family="{esc(FONT)}" font-size="13">',
        f'<title id="history-title">{esc(title)}</title>',
        f'<text x="0" y="16" font-weight="bold">{esc(title)}</text>',
    ]
    # The legend: one line per series, so long names never run into each other.
    for s, name in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        ly = 32 + s * LEGEND_LINE
        parts.append(_marker(MARKERS[s % len(MARKERS)], 6, ly, colour, name))
        parts.append(f'<text x="16" y="{ly + 5}">{esc(name)}</text>')
    for level in range(top + 1):
        y = y_at(Decimal(level))
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{"#333" if level == 0 else "#d8dee6"}" stroke-width="1"/>'
        )
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{level}</text>')
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x_at(i):.1f}" y="{height - 8}" text-anchor="middle">{esc(label)}</text>'
        )
    for s, name in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        run: list[str] = []
        for i, value in enumerate([*values[s], None]):
            if value is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                        'stroke-width="2.5"/>'
                    )
                run = []
                continue
            run.append(f"{x_at(i):.1f},{y_at(value):.1f}")
        for i, value in enumerate(values[s]):
            if value is not None:
                parts.append(
                    _marker(
                        MARKERS[s % len(MARKERS)],
                        x_at(i),
                        y_at(value),
                        colour,
                        f"{name} {labels[i]}: {value}",
                    )
                )
    parts.append("</svg>")
    # Every piece of text above went through esc; the numbers are formatted floats.
    return mark_safe("".join(parts))  # noqa: S308
