"""Reading HSDS records back: the parsed values, and a reader that checks each field and
notes every fault with where it is."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kasane.participation.catalogue.hsds.schema import FIELDS, UNSUPPORTED_SCHEDULE
from kasane.participation.catalogue.schedules import schedule_errors


class ImportFileError(ValueError):
    """The file cannot be read at all (not JSON, not a ZIP of CSV files…)."""


@dataclass
class ParsedSchedule:
    public_id: uuid.UUID
    freq: str
    interval: int
    byday: str
    bymonthday: str
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    dtstart: datetime.date | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    description: str


@dataclass
class ParsedResource:
    public_id: uuid.UUID
    name: str
    description: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""


@dataclass
class ParsedService:
    where: str
    public_id: uuid.UUID
    resource: ParsedResource
    values: dict[str, Any] = field(default_factory=dict)  # Opportunity field → value
    kinds: list[str] = field(default_factory=list)
    schedules: list[ParsedSchedule] = field(default_factory=list)


class Faults:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        self.messages.append(
            _("%(where)s, field “%(field)s”: %(message)s")
            % {"where": where, "field": field_name, "message": message}
        )


def where_of(record: Mapping[str, Any], fallback: str) -> str:
    where = str(record.get("_where") or fallback)
    if record.get("id"):
        where = _("%(where)s (id %(id)s)") % {"where": where, "id": record["id"]}
    return where


def text_of(value: Any) -> str:
    return "" if value is None else str(value).strip()


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Reader:
    """Reads the fields of one record, noting each fault against it."""

    def __init__(self, record: Mapping[str, Any], kind: str, where: str, faults: Faults):
        self.record, self.where, self.faults = record, where, faults
        self.ok = True
        if not isinstance(record, Mapping):
            self.fault("", _("is not an object"))
            self.record = {}
            return
        for key in record:
            if key != "_where" and key not in FIELDS[kind]:
                self.fault(key, _("is not a field of an HSDS 3.0 %(object)s") % {"object": kind})

    def fault(self, name: str, message: str) -> None:
        self.ok = False
        self.faults.add(self.where, name, message)

    def text(self, name: str, max_length: int | None = None, required: bool = False) -> str:
        value = text_of(self.record.get(name))
        if required and not value:
            self.fault(name, _("is required"))
        if max_length is not None and len(value) > max_length:
            self.fault(name, _("is longer than %(n)d characters") % {"n": max_length})
        return value

    def uuid(self, name: str, required: bool = True) -> uuid.UUID | None:
        value = text_of(self.record.get(name))
        if not value:
            if required:
                self.fault(name, _("is required"))
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            self.fault(name, _("is not a UUID"))
            return None

    def integer(self, name: str, low: int = 0, high: int = 100_000) -> int | None:
        value = self.record.get(name)
        if is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value():
                raise InvalidOperation
        except InvalidOperation:
            self.fault(name, _("is not a whole number"))
            return None
        if not (low <= number <= high):
            self.fault(name, _("must be between %(low)d and %(high)d") % {"low": low, "high": high})
            return None
        return int(number)

    def decimal(self, name: str, low: int, high: int) -> Decimal | None:
        value = self.record.get(name)
        if is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip()).quantize(Decimal("0.000001"))
        except InvalidOperation:
            self.fault(name, _("is not a number"))
            return None
        if not (low <= number <= high):
            self.fault(name, _("must be between %(low)d and %(high)d") % {"low": low, "high": high})
            return None
        return number

    def date(self, name: str) -> datetime.date | None:
        value = text_of(self.record.get(name))
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            self.fault(name, _("is not a date (YYYY-MM-DD)"))
            return None

    def time(self, name: str) -> datetime.time | None:
        value = text_of(self.record.get(name))
        if not value:
            return None
        try:
            # HSDS allows a UTC offset or Z; the catalogue keeps local wall-clock times.
            return datetime.time.fromisoformat(value.rstrip("Z")[:8]).replace(tzinfo=None)
        except ValueError:
            self.fault(name, _("is not a time (HH:MM)"))
            return None

    def items(self, name: str, kind: str) -> list[tuple[Mapping[str, Any], Reader]]:
        value = self.record.get(name)
        if is_empty(value):
            return []
        if not isinstance(value, list):
            self.fault(name, _("must be a list"))
            return []
        found = []
        for i, item in enumerate(value, start=1):
            fallback = f"{self.where} › {name}[{i}]"
            reader = Reader(
                item,
                kind,
                where_of(item, fallback) if isinstance(item, Mapping) else fallback,
                self.faults,
            )
            if not reader.ok:
                self.ok = False
            found.append((reader.record, reader))
        return found


def parse_schedule(reader: Reader) -> ParsedSchedule | None:
    for name in UNSUPPORTED_SCHEDULE:
        if not is_empty(reader.record.get(name)):
            reader.fault(name, _("is not supported; describe the schedule with freq and byday"))
    sid = reader.uuid("id")
    freq = reader.text("freq").upper()
    interval = reader.integer("interval", 1, 12)
    values: dict[str, Any] = {
        "freq": freq,
        "interval": 1 if interval is None else interval,
        "byday": reader.text("byday", 60).upper().replace(" ", ""),
        "bymonthday": reader.text("bymonthday", 60).replace(" ", ""),
        "opens_at": reader.time("opens_at"),
        "closes_at": reader.time("closes_at"),
        "dtstart": reader.date("dtstart"),
        "valid_from": reader.date("valid_from"),
        "valid_to": reader.date("valid_to") or reader.date("until"),
    }
    for name, messages in schedule_errors(**values).items():
        for message in messages:
            reader.fault(name, message)
    description = reader.text("description", 200) or reader.text("notes", 200)
    if not reader.ok or sid is None:
        return None
    return ParsedSchedule(public_id=sid, description=description, **values)


def known_codes(
    reader: Reader, codes: list[str], choices: type[models.TextChoices], name: str
) -> list[str]:
    for code in codes:
        if code not in choices.values:
            reader.fault(name, _("“%(code)s” is not a known code") % {"code": code})
    return [c for c in codes if c in choices.values]
