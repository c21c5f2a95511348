"""The dashboard's charts, drawn on the server as SVG (no script library, no request leaves
the page), with the primitives of ``kasane.core.charts``. Each chart repeats a table shown
beside it, which is the accessible version; the chart carries a title all the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.safestring import SafeString

from kasane.core.charts import PALETTE, esc, svg_close, svg_open
from kasane.evaluation.dashboard.selectors import Network

WIDTH = 680


def monthly_bars(
    *,
    title: str,
    ident: str,
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
) -> SafeString:
    """Grouped vertical bars per month (this 年度 beside the previous one). ``None`` is a
    hidden count (a small one or its complement): drawn as a hatched stub of one height
    without a number, so the chart says no more than the table beside it, and the scale
    is set by the shown bars only."""
    height = 260
    left, bottom, top = 40, 40, 48
    plot_w = WIDTH - left - 10
    plot_h = height - top - bottom
    peak = max((v or 0 for _, values in series for v in values), default=0) or 1
    step = plot_w / max(len(months), 1)
    bar = max(4.0, (step - 8) / max(len(series), 1))
    parts = svg_open(WIDTH, height, title, ident)
    for s, (name, _values) in enumerate(series):
        lx = left + s * 160
        parts.append(
            f'<rect x="{lx}" y="26" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{lx + 16}" y="37">{esc(name)}</text>')
    # gridlines: 0, half, peak
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{round(peak * fraction)}</text>"
        )
    for m, label in enumerate(months):
        x0 = left + m * step + 4
        for s, (name, values) in enumerate(series):
            value = values[m] if m < len(values) else 0
            x = x0 + s * bar
            colour = PALETTE[s % len(PALETTE)]
            if value is None:
                parts.append(
                    f'<rect x="{x:.1f}" y="{top + plot_h - 6:.1f}" width="{bar - 1:.1f}" '
                    f'height="6" fill="#fff" stroke="{colour}" stroke-dasharray="2 2">'
                    f"<title>{esc(label)} {esc(name)}: —</title></rect>"
                )
                continue
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{esc(label)} {esc(name)}: '
                f"{value}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + step / 2 - 4:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{esc(label)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 10}" y2="{top + plot_h}" '
        'stroke="#333"/>'
    )
    return svg_close(parts)


def achievement_bars(
    *,
    title: str,
    ident: str,
    rows: Sequence[tuple[str, Decimal | None, Decimal | None]],
    legend: tuple[str, str],
) -> SafeString:
    """One bar per indicator: this 年度's achievement of its target (%), the previous 年度's
    as a thin mark, and the 100% line. ``rows``: (name, achievement, previous achievement)."""
    label_w, bar_h, gap = 220, 16, 10
    plot = WIDTH - label_w - 60
    top = 44
    height = top + len(rows) * (bar_h + gap) + 16
    scale = max([Decimal(120)] + [a for _, a, p in rows for a in (a, p) if a is not None])
    parts = svg_open(WIDTH, height, title, ident)
    parts.append(
        f'<rect x="{label_w}" y="26" width="12" height="12" fill="{PALETTE[1]}"/>'
        f'<text x="{label_w + 16}" y="37">{esc(legend[0])}</text>'
        f'<rect x="{label_w + 120}" y="30" width="12" height="4" fill="#333"/>'
        f'<text x="{label_w + 136}" y="37">{esc(legend[1])}</text>'
    )
    hundred = label_w + plot * 100 / float(scale)
    for r, (name, achieved, previous) in enumerate(rows):
        y = top + r * (bar_h + gap)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end">{esc(name[:18])}</text>'
        )
        if achieved is not None:
            w = plot * float(achieved) / float(scale)
            colour = PALETTE[1] if achieved >= 100 else PALETTE[3]
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{esc(name)}: {achieved}%</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}">{achieved}%</text>'
            )
        else:
            parts.append(f'<text x="{label_w + 4}" y="{y + bar_h - 3}" fill="#666">—</text>')
        if previous is not None:
            px = label_w + plot * float(previous) / float(scale)
            parts.append(
                f'<rect x="{px - 1:.1f}" y="{y - 2}" width="3" height="{bar_h + 4}" fill="#333">'
                f"<title>{esc(name)} {esc(legend[1])}: {previous}%</title></rect>"
            )
    parts.append(
        f'<line x1="{hundred:.1f}" y1="{top - 4}" x2="{hundred:.1f}" y2="{height - 10}" '
        'stroke="#c00" stroke-dasharray="4 3"/>'
        f'<text x="{hundred + 3:.1f}" y="{height - 2}" fill="#c00">100%</text>'
    )
    return svg_close(parts)


def _short(name: str, limit: int = 12) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def network_graph(*, title: str, ident: str, network: Network, names: dict[int, str]) -> SafeString:
    """Agencies on a circle, a line for each pair that shared cases, thicker for more.
    A pair whose count is hidden (1–4, for analysts) is a thin dashed line."""
    size = 520
    height = size + 40
    cx, cy, radius = WIDTH / 2, 40 + size / 2, 170
    parts = svg_open(WIDTH, height, title, ident)
    if not network.agencies:
        parts.append(f'<text x="{cx}" y="{cy}" text-anchor="middle" fill="#666">—</text>')
        return svg_close(parts)
    n = len(network.agencies)
    position = {}
    for i, agency in enumerate(network.agencies):
        angle = 2 * math.pi * i / n - math.pi / 2
        position[agency.pk] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    peak = max((c for _, _, c in network.edges if c is not None), default=1)
    for a, b, count in network.edges:
        if a not in position or b not in position:
            continue
        (x1, y1), (x2, y2) = position[a], position[b]
        label = f"{names.get(a, '')} – {names.get(b, '')}"
        if count is None:
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#9dc3e6" '
                f'stroke-width="1" stroke-dasharray="3 3"><title>{esc(label)}: 1–4</title></line>'
            )
            continue
        width = 1 + 7 * count / peak
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#2e75b6" '
            f'stroke-opacity="0.6" stroke-width="{width:.1f}"><title>{esc(label)}: '
            f"{count}</title></line>"
        )
    for agency in network.agencies:
        x, y = position[agency.pk]
        anchor = "start" if x > cx + 1 else ("end" if x < cx - 1 else "middle")
        dx = 10 if anchor == "start" else (-10 if anchor == "end" else 0)
        dy = 4 if anchor != "middle" else (-10 if y < cy else 18)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#1f4e79"/>'
            f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}">'
            f"{esc(_short(names.get(agency.pk, '')))}</text>"
        )
    return svg_close(parts)
