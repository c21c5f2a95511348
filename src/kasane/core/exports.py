"""CSV exports of lists: UTF-8 with BOM (Excel opens it as UTF-8) or CP932 (older Excel).

Every cell goes through :func:`neutralise`, which defuses spreadsheet formula injection the
way OWASP recommends: a text cell that a spreadsheet would read as a formula (it starts with
``= + - @``, a tab or a carriage return, even after leading spaces) gets a leading ``'``.

Numbers stay numbers: an ``int``, ``float`` or ``Decimal`` *object* is written as is, so
``-3`` exported from a count is still ``-3``. The *string* ``"-3"`` is neutralised to
``'-3``, because a string that looks like a number may as well be ``-3+cmd|...``; the
caller who means a number passes a number.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Literal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

Encoding = Literal["utf-8-sig", "cp932"]

# Characters a spreadsheet reads as the start of a formula (OWASP "CSV Injection"), with the
# full-width forms some Japanese spreadsheets also accept, and the MINUS SIGN (U+2212),
# which the CP932 export writes as the full-width －.
_FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠\u2212")
_LEADING_SPACE = " \u3000\n\u00a0"

# Where a character has a CP932 twin under another code point (the WAVE DASH problem: text
# typed on a Mac or pasted from the web), write the twin rather than 〓.
_CP932_TWINS = str.maketrans(
    {
        "\u301c": "\uff5e",  # 〜 WAVE DASH → ～
        "\u2212": "\uff0d",  # − MINUS SIGN → －
        "\u2016": "\u2225",  # ‖ → ∥
        "\u2014": "\u2015",  # — EM DASH → ―
        "\u00a2": "\uffe0",  # ¢ → ￠
        "\u00a3": "\uffe1",  # £ → ￡
        "\u00ac": "\uffe2",  # ¬ → ￢
    }
)
GETA = "〓"


def _geta(error: UnicodeError) -> tuple[str, int]:
    """Replace each character CP932 cannot hold with 〓 (the printer's mark for a missing
    glyph), so an export never fails on one unusual kanji or emoji."""
    assert isinstance(error, UnicodeEncodeError)
    return GETA * (error.end - error.start), error.end


codecs.register_error("kasane_geta", _geta)

ENCODING_LABELS: dict[Encoding, tuple[str, str]] = {
    # suffix in the file name, charset in Content-Type
    "utf-8-sig": ("UTF-8", "utf-8"),
    "cp932": ("SJIS", "Windows-31J"),
}


def neutralise(value: object) -> str:
    """One cell as text: None is empty, dates are ISO in local time, formulas are defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        # Local wall-clock time with no offset: what the worker saw on the screen.
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    stripped = text.lstrip(_LEADING_SPACE)
    if text[:1] in _FORMULA_STARTS or stripped[:1] in _FORMULA_STARTS:
        return "'" + text
    return text


def encode(text: str, encoding: Encoding) -> bytes:
    if encoding == "cp932":
        return text.translate(_CP932_TWINS).encode("cp932", errors="kasane_geta")
    return text.encode("utf-8-sig")


def content_disposition(filename: str) -> str:
    """``filename`` for old clients (ASCII only), ``filename*`` (RFC 5987/6266) for the rest."""
    safe = re.sub(r'[\x00-\x1f\x7f"\\/]', "_", filename)
    fallback = safe.encode("ascii", "ignore").decode().strip(" _-")
    if not fallback or fallback.startswith("."):
        fallback = "export" + fallback
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: Encoding,
) -> HttpResponse:
    """A downloadable CSV; the file name gets the encoding before ``.csv`` (``_UTF-8``,
    ``_SJIS``) and Content-Type names the charset, so the worker knows what they hold."""
    suffix, charset = ENCODING_LABELS[encoding]
    stem = filename.removesuffix(".csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    response = HttpResponse(
        encode(buffer.getvalue(), encoding), content_type=f"text/csv; charset={charset}"
    )
    response["Content-Disposition"] = content_disposition(f"{stem}_{suffix}.csv")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def requested_encoding(query: Mapping[str, str]) -> Encoding:
    """``?encoding=cp932`` asks for Shift_JIS (older Excel); anything else is UTF-8 with BOM."""
    return "cp932" if query.get("encoding") == "cp932" else "utf-8-sig"
