"""Chart primitives shared by the apps that draw charts on the server as SVG: no script
library, no request leaves the page. A chart repeats the table beside it (which is the
accessible version); it carries a title and a text alternative all the same.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

FONT = "'Noto Sans CJK JP', sans-serif"
# One colour per series, distinguishable in grey print too (dark → light), with a pattern of
# lightness rather than hue alone.
PALETTE = ("#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#f4b183", "#548235", "#a9a9a9")


def esc(value: str) -> str:
    """Text for an SVG element or attribute."""
    return escape(value, {'"': "&quot;"})


def svg_open(width: int, height: int, title: str, ident: str) -> list[str]:
    """The opening of a chart: its size, its title (named by ``ident``) shown on top."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}" '
        f'font-family="{esc(FONT)}" font-size="12">',
        f'<title id="{ident}">{esc(title)}</title>',
        f'<text x="0" y="16" font-weight="bold" font-size="13">{esc(title)}</text>',
    ]


def svg_close(parts: list[str]) -> SafeString:
    """The chart as safe markup: every piece of text in ``parts`` must have gone through
    ``esc``; the numbers are ints and floats."""
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
