"""Rows of a register file: its columns found, each row checked, the file's cross-checks."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.core import kana
from kasane.registry.models import Relationship
from kasane.registry.resident_import.schema import (
    _FORMULA_STARTS,
    COLUMNS,
    FORBIDDEN_HEADINGS,
    MAX_LENGTH,
    RELATIONSHIPS,
    REQUIRED,
    SEXES,
    Encoding,
    ImportFileError,
    ParseResult,
    ResidentRow,
    RowError,
)
from kasane.registry.resident_import.values import (
    _bad_characters,
    _clean_text,
    _heading,
    decode,
    parse_date,
)
from kasane.registry.validators import EARLIEST_BIRTH_DATE


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


# The checked text columns, by the heading an error names them with.
_LABELS = {
    "household_number": COLUMNS["household_number"][0],
    "resident_number": f"{COLUMNS['address_number'][0]} / {COLUMNS['resident_code'][0]}",
    "name": COLUMNS["name"][0],
    "kana": COLUMNS["kana"][0],
    "address": COLUMNS["address"][0],
}


def _cell_problems(raw: dict[str, str], values: dict[str, str]) -> list[str]:
    """Cells a spreadsheet would run as a formula, or holding control characters."""
    problems: list[str] = []
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
    return problems


def _text_problems(checked: dict[str, str]) -> list[str]:
    """Empty, too long, not a code, not kana: the text columns' faults."""
    problems: list[str] = []
    for key, value in checked.items():
        if key != "address" and not value:
            problems.append(_("%(column)s is empty.") % {"column": _LABELS[key]})
        elif len(value) > MAX_LENGTH[key]:
            problems.append(
                _("%(column)s is longer than %(max)d characters.")
                % {"column": _LABELS[key], "max": MAX_LENGTH[key]}
            )
    for key in ("household_number", "resident_number"):
        if checked[key] and not re.fullmatch(r"[0-9A-Za-z-]+", checked[key]):
            problems.append(
                _("%(column)s “%(value)s” is not a number or code.")
                % {"column": _LABELS[key], "value": checked[key][:20]}
            )
    if checked["kana"] and not kana.is_kana_name(checked["kana"]):
        problems.append(
            _("%(column)s “%(value)s” is not written in kana.")
            % {"column": _LABELS["kana"], "value": checked["kana"][:20]}
        )
    return problems


def _dates(
    values: dict[str, str], problems: list[str], today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """The date of birth and the date moved in, each None when refused (its fault added);
    a date after ``today`` is a fault of the row like any other, named in the same pass."""
    birth_date: datetime.date | None = None
    try:
        birth_date = parse_date(values.get("birth_date", ""))
    except ValueError as error:
        problems.append(f"{COLUMNS['birth_date'][0]}: {error}")
    else:
        if birth_date < EARLIEST_BIRTH_DATE:
            problems.append(_("The date of birth is before 1900."))
        elif birth_date > today:
            problems.append(_("The date of birth cannot be in the future."))
    moved_on: datetime.date | None = None
    if values.get("moved_on"):
        try:
            moved_on = parse_date(values["moved_on"])
        except ValueError as error:
            problems.append(f"{COLUMNS['moved_on'][0]}: {error}")
        else:
            if moved_on > today:
                problems.append(_("The date of the change is in the future."))
    return birth_date, moved_on


def _codes(values: dict[str, str], problems: list[str]) -> tuple[str | None, str | None]:
    """The sex and the relationship, each None when refused (its fault added)."""
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
    return sex, relationship


def _row(
    line: int, record: list[str], columns: dict[str, int], width: int, today: datetime.date
) -> ResidentRow | list[str]:
    """One row, or the reasons it is refused (every one of them, not the first)."""
    raw = {key: record[index] if index < len(record) else "" for key, index in columns.items()}
    values = {key: _clean_text(key, value) for key, value in raw.items()}
    problems: list[str] = []
    if len(record) != width:
        # A shifted row reads one column's value as another's: refused, not guessed at.
        problems.append(
            _("The row has %(found)d columns; the headings have %(expected)d.")
            % {"found": len(record), "expected": width}
        )
    problems += _cell_problems(raw, values)
    resident_number = values.get("address_number") or values.get("resident_code") or ""
    checked = {
        "household_number": values.get("household_number", ""),
        "resident_number": resident_number,
        "name": values.get("name", ""),
        "kana": values.get("kana", ""),
        "address": values.get("address", ""),
    }
    problems += _text_problems(checked)
    birth_date, moved_on = _dates(values, problems, today)
    sex, relationship = _codes(values, problems)
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


def parse(
    data: bytes, encoding: Encoding | None = None, today: datetime.date | None = None
) -> ParseResult:
    """Every row of the file, and every fault found, by line (the household numbers of the
    refused rows in ``refused_households``). Raises ImportFileError when the file as a whole
    cannot be read."""
    today = today or timezone.localdate()
    text, used = decode(data, encoding)
    records = _records(text)
    header = next(records, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    columns = _columns(header[1])
    width = len(header[1])
    result = ParseResult(encoding=used)
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue  # a blank line, often the last one
        row = _row(line, record, columns, width, today)
        if isinstance(row, list):
            result.errors.extend(RowError(line, problem) for problem in row)
            number = columns["household_number"]
            if number < len(record):
                result.refused_households.add(_clean_text("household_number", record[number]))
        else:
            result.rows.append(row)
    result.errors.extend(_cross_checks(result.rows))
    result.errors.sort(key=lambda e: e.line)
    if not result.rows and not result.errors:
        raise ImportFileError(_("The file has headings but no rows."))
    return result
