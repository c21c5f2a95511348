"""Decoding a file, and reading one cell: headings, dates (和暦 included), text."""

from __future__ import annotations

import codecs
import datetime
import re
import unicodedata

from django.utils.translation import gettext as _

from kasane.core.dates import ERAS
from kasane.registry.resident_import.schema import Encoding, ImportFileError


def decode(data: bytes, encoding: Encoding | None = None) -> tuple[str, Encoding]:
    """The file's text and the encoding it was read in.

    Without ``encoding``: UTF-8 (with or without BOM) when the bytes are valid UTF-8, else
    CP932 (Shift_JIS as Windows writes it). Valid UTF-8 that is not meant as UTF-8 is
    vanishingly rare in Japanese text, so the order decides it.
    """
    if encoding is None:
        try:
            return _decode(data, "utf-8"), "utf-8"
        except ImportFileError:
            return _decode(data, "cp932"), "cp932"
    return _decode(data, encoding), encoding


def _decode(data: bytes, encoding: Encoding) -> str:
    try:
        if encoding == "utf-8":
            return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        return data.decode("cp932")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            _("The file cannot be read as %(encoding)s (line %(line)d).")
            % {"encoding": "UTF-8" if encoding == "utf-8" else "Shift_JIS (CP932)", "line": line}
        ) from None


# --- values -----------------------------------------------------------------------------------


def _heading(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).strip("\ufeff")


_KANJI_DIGITS = {"元": 1, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_ERA_BY_KEY = {e.name: e for e in ERAS} | {e.initial: e for e in ERAS}
_WAREKI = re.compile(
    r"^(?P<era>[明大昭平令][治正和成和]|[MTSHR])\s*(?P<y>元|\d{1,2})"
    r"(?:年|[./-])(?P<m>\d{1,2})(?:月|[./-])(?P<d>\d{1,2})日?$",
    re.IGNORECASE,
)
_WESTERN = re.compile(r"^(?P<y>\d{4})(?:年|[./-])(?P<m>\d{1,2})(?:月|[./-])(?P<d>\d{1,2})日?$")
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")


def parse_date(text: str) -> datetime.date:
    """ISO or 西暦 (1975-04-01, 1975/4/1, 19750401, 1975年4月1日) or 和暦 (昭和50年4月1日,
    S50.4.1, 令和元年5月1日). A 和暦 date outside its era (昭和65年) is refused.

    Raises ValueError with a message for the worker.
    """
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    match = _WAREKI.match(value)
    if match:
        era = _ERA_BY_KEY.get(match["era"].upper()) or _ERA_BY_KEY.get(match["era"])
        if era is None:
            raise ValueError(_("Unknown era in the date “%(value)s”.") % {"value": text})
        year_text = match["y"]
        number = 1 if year_text == "元" else int(year_text)
        try:
            date = datetime.date(era.first_year + number - 1, int(match["m"]), int(match["d"]))
        except ValueError:
            raise ValueError(_("There is no such date: “%(value)s”.") % {"value": text}) from None
        newer = [e for e in ERAS if e.start > era.start]
        end = min((e.start for e in newer), default=None)
        if number < 1 or date < era.start or (end is not None and date >= end):
            raise ValueError(
                _("“%(value)s” is not a date of the %(era)s era.")
                % {"value": text, "era": era.name}
            )
        return date
    match = _WESTERN.match(value) or _COMPACT.match(value)
    if match:
        try:
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            raise ValueError(_("There is no such date: “%(value)s”.") % {"value": text}) from None
    raise ValueError(
        _("“%(value)s” is not a date. Write it as 1975-04-01 or 昭和50年4月1日.") % {"value": text}
    )


# Columns of codes and dates, read after NFKC (全角 digits → 半角). Names and addresses keep
# their characters: NFKC would also fold some 異体字 of a registered name into another kanji.
_FOLDED = frozenset(
    (
        "household_number",
        "address_number",
        "resident_code",
        "birth_date",
        "sex",
        "relationship",
        "moved_on",
    )
)


def _clean_text(key: str, value: str) -> str:
    """Trim and fold runs of spaces (the register pads names with 全角 spaces) to one."""
    if key in _FOLDED:
        value = unicodedata.normalize("NFKC", value)
    return " ".join(value.split())


def _bad_characters(value: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in value)
