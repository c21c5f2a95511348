"""Reading a 住民記録 (resident register) CSV export: decoding, columns, values, rows.

Pure: no database. :func:`parse` turns the bytes of a file into rows ready for
``kasane.registry.import_services.residents_import`` and a list of every fault, each with
the file's line number, so a worker fixes the whole file at once. A file with any fault
is imported not at all.

What a 住民記録 system exports varies by vendor; the columns are found by their Japanese
headings (with the common variants), in any order, extra columns ignored:
世帯番号, 宛名番号 or 住民票コード, 氏名, カナ氏名, 生年月日, 性別, 続柄, 住所, 異動日.
A column of マイナンバー (個人番号) refuses the whole file: Kasane is not a 個人番号利用事務
system and must not hold one.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext as _

from kasane.core import kana
from kasane.core.dates import ERAS
from kasane.registry.models import Relationship, Sex
from kasane.registry.validators import EARLIEST_BIRTH_DATE

Encoding = Literal["utf-8", "cp932"]
ENCODINGS: tuple[Encoding, ...] = ("utf-8", "cp932")

# Column → the headings a register export may give it (after NFKC and removing spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "household_number": ("世帯番号", "世帯コード"),
    "address_number": ("宛名番号", "宛名コード", "個人コード"),
    "resident_code": ("住民票コード",),
    "name": ("氏名", "漢字氏名", "氏名(漢字)"),
    "kana": ("カナ氏名", "氏名カナ", "フリガナ", "ふりがな", "氏名(カナ)"),
    "birth_date": ("生年月日",),
    "sex": ("性別",),
    "relationship": ("続柄", "世帯主との続柄"),
    "address": ("住所",),
    "moved_on": ("異動日", "異動年月日"),
}
REQUIRED = ("household_number", "name", "kana", "birth_date", "relationship")
FORBIDDEN_HEADINGS = ("個人番号", "マイナンバー")

MAX_LENGTH = {
    "household_number": 20,
    "resident_number": 20,
    "name": 100,
    "kana": 100,
    "address": 200,
}

# 続柄 as the register writes it → Relationship. Anything else is refused, not guessed.
RELATIONSHIPS: dict[str, str] = {
    **dict.fromkeys(("世帯主", "本人"), Relationship.HEAD),
    **dict.fromkeys(("妻", "夫", "配偶者", "妻(未届)", "夫(未届)"), Relationship.SPOUSE),
    **dict.fromkeys(
        (
            "子",
            "長男",
            "長女",
            "二男",
            "次男",
            "二女",
            "次女",
            "三男",
            "三女",
            "四男",
            "四女",
            "養子",
            "養女",
            "養男",
        ),
        Relationship.CHILD,
    ),
    **dict.fromkeys(("子の妻", "子の夫", "嫁", "婿"), Relationship.CHILD_IN_LAW),
    **dict.fromkeys(("父", "母", "養父", "養母"), Relationship.PARENT),
    **dict.fromkeys(("祖父", "祖母"), Relationship.GRANDPARENT),
    **dict.fromkeys(("孫",), Relationship.GRANDCHILD),
    **dict.fromkeys(("兄", "弟", "姉", "妹"), Relationship.SIBLING),
    **dict.fromkeys(
        (
            "妻の父",
            "妻の母",
            "夫の父",
            "夫の母",
            "叔父",
            "伯父",
            "叔母",
            "伯母",
            "甥",
            "姪",
            "孫の妻",
            "孫の夫",
            "曾孫",
            "ひ孫",
            "兄の妻",
            "弟の妻",
            "姉の夫",
            "妹の夫",
            "いとこ",
        ),
        Relationship.OTHER_RELATIVE,
    ),
    **dict.fromkeys(("同居人", "縁故者", "使用人"), Relationship.COHABITANT),
}

# 性別 as words, or as the JIS X 0303 code (1 male, 2 female, 0 unknown, 9 not applicable).
SEXES: dict[str, str] = {
    **dict.fromkeys(("男", "男性", "1", "m", "male"), Sex.MALE),
    **dict.fromkeys(("女", "女性", "2", "f", "female"), Sex.FEMALE),
    **dict.fromkeys(("", "0", "9", "不明"), Sex.UNKNOWN),
}

# A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection);
# no name, kana, number or address in a resident register starts so.
_FORMULA_STARTS = tuple("=+-@\t\r")


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, heading, columns)."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass(frozen=True)
class ResidentRow:
    line: int
    household_number: str
    resident_number: str
    name: str
    kana: str
    birth_date: datetime.date
    sex: str
    relationship: str
    address: str
    moved_on: datetime.date | None


@dataclass
class ParseResult:
    encoding: Encoding
    rows: list[ResidentRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# --- decoding ---------------------------------------------------------------------------------


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


# --- rows -------------------------------------------------------------------------------------


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    headings = [_heading(h) for h in header]
    if any(any(f in h for f in FORBIDDEN_HEADINGS) for h in headings):
        raise ImportFileError(
            _(
                "The file has a column of My Number (個人番号). Kasane must not hold it: "
                "export the file again without that column."
            )
        )
    for key, names in COLUMNS.items():
        for index, heading in enumerate(headings):
            if heading in names:
                found.setdefault(key, index)
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in found]
    if "address_number" not in found and "resident_code" not in found:
        missing.append(f"{COLUMNS['address_number'][0]} / {COLUMNS['resident_code'][0]}")
    if missing:
        raise ImportFileError(
            _("The file lacks these columns: %(columns)s. The first line must be the headings.")
            % {"columns": "、".join(missing)}
        )
    return found


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for record in reader:
            # reader.line_num is the line a record ends on; a record with a quoted line
            # break starts earlier, but the worker looks for where the row begins.
            start = reader.line_num - sum(cell.count("\n") for cell in record)
            yield start, record
    except csv.Error as error:
        raise ImportFileError(
            _("The file is not a valid CSV file (line %(line)d): %(reason)s")
            % {"line": reader.line_num, "reason": str(error)}
        ) from None


def _row(line: int, record: list[str], columns: dict[str, int]) -> ResidentRow | list[str]:
    """One row, or the reasons it is refused."""
    raw = {key: record[index] if index < len(record) else "" for key, index in columns.items()}
    problems: list[str] = []
    values = {key: _clean_text(key, value) for key, value in raw.items()}
    for key, value in values.items():
        if value.startswith(_FORMULA_STARTS) and key not in ("birth_date", "moved_on"):
            problems.append(
                _("%(column)s “%(value)s” looks like a spreadsheet formula.")
                % {"column": COLUMNS[key][0], "value": value[:20]}
            )
        elif _bad_characters(raw[key]):
            problems.append(
                _("%(column)s contains control characters.") % {"column": COLUMNS[key][0]}
            )
    resident_number = values.get("address_number") or values.get("resident_code") or ""
    checked = {
        "household_number": values.get("household_number", ""),
        "resident_number": resident_number,
        "name": values.get("name", ""),
        "kana": values.get("kana", ""),
        "address": values.get("address", ""),
    }
    labels = {
        "household_number": COLUMNS["household_number"][0],
        "resident_number": f"{COLUMNS['address_number'][0]} / {COLUMNS['resident_code'][0]}",
        "name": COLUMNS["name"][0],
        "kana": COLUMNS["kana"][0],
        "address": COLUMNS["address"][0],
    }
    for key, value in checked.items():
        if key != "address" and not value:
            problems.append(_("%(column)s is empty.") % {"column": labels[key]})
        elif len(value) > MAX_LENGTH[key]:
            problems.append(
                _("%(column)s is longer than %(max)d characters.")
                % {"column": labels[key], "max": MAX_LENGTH[key]}
            )
    for key in ("household_number", "resident_number"):
        if checked[key] and not re.fullmatch(r"[0-9A-Za-z-]+", checked[key]):
            problems.append(
                _("%(column)s “%(value)s” is not a number or code.")
                % {"column": labels[key], "value": checked[key][:20]}
            )
    if checked["kana"] and not kana.is_kana_name(checked["kana"]):
        problems.append(
            _("%(column)s “%(value)s” is not written in kana.")
            % {"column": labels["kana"], "value": checked["kana"][:20]}
        )
    birth_date: datetime.date | None = None
    try:
        birth_date = parse_date(values.get("birth_date", ""))
    except ValueError as error:
        problems.append(f"{COLUMNS['birth_date'][0]}: {error}")
    else:
        if birth_date < EARLIEST_BIRTH_DATE:
            problems.append(_("The date of birth is before 1900."))
    moved_on: datetime.date | None = None
    if values.get("moved_on"):
        try:
            moved_on = parse_date(values["moved_on"])
        except ValueError as error:
            problems.append(f"{COLUMNS['moved_on'][0]}: {error}")
    sex = SEXES.get(values.get("sex", "").lower())
    if sex is None:
        problems.append(
            _("%(column)s “%(value)s” is neither male nor female (男 / 女 / 1 / 2).")
            % {"column": COLUMNS["sex"][0], "value": values.get("sex", "")[:10]}
        )
    relationship = RELATIONSHIPS.get(values.get("relationship", "").replace(" ", ""))
    if relationship is None:
        problems.append(
            _("%(column)s “%(value)s” is not a relationship Kasane knows.")
            % {"column": COLUMNS["relationship"][0], "value": values.get("relationship", "")[:10]}
        )
    if problems:
        return problems
    assert birth_date is not None and sex is not None and relationship is not None
    return ResidentRow(
        line=line,
        household_number=checked["household_number"],
        resident_number=resident_number,
        name=checked["name"],
        kana=checked["kana"],
        birth_date=birth_date,
        sex=sex,
        relationship=relationship,
        address=checked["address"],
        moved_on=moved_on,
    )


def _cross_checks(rows: list[ResidentRow]) -> list[RowError]:
    """What no single row shows: a person twice, two heads, one household at two addresses."""
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    heads: dict[str, int] = {}
    addresses: dict[str, tuple[int, str]] = {}
    for row in rows:
        if row.resident_number in first_line:
            errors.append(
                RowError(
                    row.line,
                    _("The same resident number is already on line %(line)d.")
                    % {"line": first_line[row.resident_number]},
                )
            )
        else:
            first_line[row.resident_number] = row.line
        if row.relationship == Relationship.HEAD:
            if row.household_number in heads:
                errors.append(
                    RowError(
                        row.line,
                        _("Household %(number)s already has its head on line %(line)d.")
                        % {"number": row.household_number, "line": heads[row.household_number]},
                    )
                )
            else:
                heads[row.household_number] = row.line
        if row.address:
            seen = addresses.setdefault(row.household_number, (row.line, row.address))
            if seen[1] != row.address:
                errors.append(
                    RowError(
                        row.line,
                        _("Household %(number)s has another address on line %(line)d.")
                        % {"number": row.household_number, "line": seen[0]},
                    )
                )
    return errors


def parse(data: bytes, encoding: Encoding | None = None) -> ParseResult:
    """Every row of the file, and every fault found, by line. Raises ImportFileError when
    the file as a whole cannot be read."""
    text, used = decode(data, encoding)
    records = _records(text)
    header = next(records, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    columns = _columns(header[1])
    result = ParseResult(encoding=used)
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue  # a blank line, often the last one
        row = _row(line, record, columns)
        if isinstance(row, list):
            result.errors.extend(RowError(line, problem) for problem in row)
        else:
            result.rows.append(row)
    result.errors.extend(_cross_checks(result.rows))
    result.errors.sort(key=lambda e: e.line)
    if not result.rows and not result.errors:
        raise ImportFileError(_("The file has headings but no rows."))
    return result
