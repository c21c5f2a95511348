"""Text and frames shared by the drawings: escaping, widths of Japanese text, labels and
the SVG document."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

FONT = "'Noto Sans CJK JP', sans-serif"
INK = "#111"
# What fits the printable width of A4 portrait (180 mm at 96 dpi) without scaling down.
A4_WIDTH = 680

# --- text ----------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(value: str) -> str:
    """Names are typed by people: escaped for text and attributes alike."""
    return escape(_NOT_XML.sub("", value), {'"': "&quot;", "'": "&#39;"})


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, size: float) -> float:
    """A rough width: CJK and full-width characters one em, the rest a little over half."""
    return sum(
        size * (1.0 if ord(ch) >= 0x2E80 and not 0xFF61 <= ord(ch) <= 0xFF9F else 0.6)
        for ch in text
    )


def _label(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 12,
    max_width: float | None = None,
    bold: bool = False,
    anchor: str = "middle",
) -> str:
    """A line of text with a white halo, so that a line passing behind it stays readable."""
    fit = ""
    if max_width is not None and _text_width(text, size) > max_width:
        fit = f' textLength="{_n(max_width)}" lengthAdjust="spacingAndGlyphs"'
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}"'
        f'{weight}{fit} fill="{INK}" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
        f' paint-order="stroke">{_esc(text)}</text>'
    )


def _svg(kind: str, width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" role="img"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}"'
        f' font-family="{FONT}">'
        f"<title>{_esc(title)}</title><desc>{_esc(desc)}</desc>"
        f'<rect width="100%" height="100%" fill="#fff"/>' + "".join(body) + "</svg>"
    )
