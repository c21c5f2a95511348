"""Recurring schedules in HSDS (RFC 5545 RRULE-style) fields: parse, validate, render.

A place to take part meets "every 2nd and 4th Tuesday, 10:00–12:00": HSDS stores that as
``freq=MONTHLY, interval=1, byday="2TU,4TU", opens_at=10:00, closes_at=12:00``. The parser
turns ``byday`` / ``bymonthday`` into structured rules, the validator explains in the user's
language what is wrong with a field, and the renderer writes the schedule the way a Japanese
leaflet does ("毎月第2・第4火曜 10:00〜12:00"). The rendering is Japanese whatever the UI
language: it is catalogue content, like a 和暦 date.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_JA = "月火水木金土日"
FREQUENCIES = ("WEEKLY", "MONTHLY")

_DAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True, order=True)
class DayRule:
    """One BYDAY item: a weekday (0 = Monday), with its occurrence in the month if any
    (2 = the second, -1 = the last)."""

    ordinal: int | None
    weekday: int


def _items(text: str) -> list[str]:
    return [part.strip().upper() for part in (text or "").split(",") if part.strip()]


def parse_byday(text: str) -> list[DayRule]:
    """``"2TU,4TU"`` → the rules; ValueError with a message for the user on bad input."""
    rules: list[DayRule] = []
    for item in _items(text):
        match = _DAY.match(item)
        if not match:
            raise ValueError(
                _("“%(item)s” is not a day: write MO, TU, WE, TH, FR, SA or SU, e.g. 2TU.")
                % {"item": item}
            )
        ordinal = int(match.group(1)) if match.group(1) else None
        if ordinal is not None and not (1 <= abs(ordinal) <= 5):
            raise ValueError(
                _("“%(item)s”: the week of the month must be 1 to 5, or -1 for the last.")
                % {"item": item}
            )
        rule = DayRule(ordinal, WEEKDAY_CODES.index(match.group(2)))
        if rule in rules:
            raise ValueError(_("“%(item)s” is given twice.") % {"item": item})
        rules.append(rule)
    return rules


def parse_bymonthday(text: str) -> list[int]:
    """``"1,15,-1"`` → the days of the month (-1 = the last day)."""
    days: list[int] = []
    for item in _items(text):
        try:
            day = int(item)
        except ValueError:
            raise ValueError(
                _("“%(item)s” is not a day of the month (1 to 31, or -1 for the last day).")
                % {"item": item}
            ) from None
        if not (1 <= abs(day) <= 31):
            raise ValueError(
                _("“%(item)s” is not a day of the month (1 to 31, or -1 for the last day).")
                % {"item": item}
            )
        if day not in days:
            days.append(day)
    return days


def format_byday(rules: Iterable[DayRule]) -> str:
    return ",".join(
        f"{'' if r.ordinal is None else r.ordinal}{WEEKDAY_CODES[r.weekday]}" for r in rules
    )


def schedule_errors(
    *,
    freq: str,
    interval: int | None,
    byday: str,
    bymonthday: str,
    opens_at: datetime.time | None,
    closes_at: datetime.time | None,
    dtstart: datetime.date | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> dict[str, list[str]]:
    """What is wrong with a schedule, per HSDS field name; empty when it is sound."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if freq not in FREQUENCIES:
        add("freq", _("The frequency must be WEEKLY or MONTHLY."))
    if interval is None or interval < 1:
        add("interval", _("The interval must be a whole number of 1 or more."))
    elif interval > 12:
        add("interval", _("The interval must be 12 or less."))
    rules: list[DayRule] = []
    try:
        rules = parse_byday(byday)
    except ValueError as error:
        add("byday", str(error))
    monthdays: list[int] = []
    try:
        monthdays = parse_bymonthday(bymonthday)
    except ValueError as error:
        add("bymonthday", str(error))
    if freq == "WEEKLY":
        if any(r.ordinal is not None for r in rules):
            add("byday", _("A weekly schedule takes days without a week number, e.g. TU,FR."))
        if monthdays:
            add("bymonthday", _("Days of the month need a monthly schedule."))
        if not rules and "byday" not in errors:
            add("byday", _("Give the days of the week, e.g. TU or MO,TH."))
    if (
        freq == "MONTHLY"
        and not rules
        and not monthdays
        and not errors.keys() & {"byday", "bymonthday"}
    ):
        add("byday", _("Give the days, e.g. 2TU,4TU (2nd and 4th Tuesday), or days of the month."))
    if interval is not None and interval > 1 and dtstart is None:
        add("dtstart", _("A schedule that skips weeks or months needs its first date."))
    if opens_at and closes_at and opens_at >= closes_at:
        add("closes_at", _("The closing time must be after the opening time."))
    if closes_at and not opens_at:
        add("opens_at", _("Give the opening time too."))
    if valid_from and valid_to and valid_from > valid_to:
        add("valid_to", _("The end of validity must not be before its start."))
    return errors


def validate_schedule(**fields: object) -> None:
    """Raise a ValidationError keyed by field when :func:`schedule_errors` finds anything."""
    errors = schedule_errors(**fields)  # type: ignore[arg-type]
    if errors:
        raise ValidationError(errors)


class ScheduleLike(Protocol):
    freq: str
    interval: int
    byday: str
    bymonthday: str
    opens_at: datetime.time | None
    closes_at: datetime.time | None


def _every(freq: str, interval: int) -> str:
    if freq == "WEEKLY":
        return {1: "毎週", 2: "隔週"}.get(interval, f"{interval}週ごと")
    return {1: "毎月", 2: "隔月"}.get(interval, f"{interval}か月ごと")


def _ordinal(n: int) -> str:
    return "最終" if n == -1 else (f"最後から{-n}番目の" if n < 0 else f"第{n}")


def _days_ja(freq: str, interval: int, rules: list[DayRule], monthdays: list[int]) -> str:
    parts: list[str] = []
    plain = sorted(r.weekday for r in rules if r.ordinal is None)
    numbered = sorted(
        (r for r in rules if r.ordinal is not None),
        key=lambda r: (r.weekday, r.ordinal if r.ordinal and r.ordinal > 0 else 99),
    )
    if plain:
        days = "・".join(WEEKDAY_JA[d] for d in plain) + "曜"
        # A monthly rule without week numbers means every such weekday of the month.
        parts.append(days if freq == "WEEKLY" else f"毎週{days}")
    by_weekday: dict[int, list[int]] = {}
    for rule in numbered:
        assert rule.ordinal is not None
        by_weekday.setdefault(rule.weekday, []).append(rule.ordinal)
    for weekday, ordinals in by_weekday.items():
        parts.append("・".join(_ordinal(n) for n in ordinals) + f"{WEEKDAY_JA[weekday]}曜")
    if monthdays:
        ordered = sorted(d for d in monthdays if d > 0) + sorted(
            (d for d in monthdays if d < 0), reverse=True
        )
        parts.append(
            "・".join(
                "末日" if d == -1 else (f"末日の{-d - 1}日前" if d < 0 else f"{d}日")
                for d in ordered
            )
        )
    text = "・".join(parts)
    if freq == "MONTHLY" and plain and not numbered and not monthdays and interval == 1:
        return text  # "毎週火曜"
    return _every(freq, interval) + text


def render_ja(schedule: ScheduleLike) -> str:
    """``MONTHLY 2TU,4TU 10:00–12:00`` → "毎月第2・第4火曜 10:00〜12:00"."""
    try:
        rules = parse_byday(schedule.byday)
        monthdays = parse_bymonthday(schedule.bymonthday)
    except ValueError:
        return ""
    text = _days_ja(schedule.freq, schedule.interval or 1, rules, monthdays)
    if schedule.opens_at:
        hours = f"{schedule.opens_at:%H:%M}〜"
        if schedule.closes_at:
            hours += f"{schedule.closes_at:%H:%M}"
        text = f"{text} {hours}"
    return text


def weekdays(schedules: Iterable[ScheduleLike]) -> frozenset[int]:
    """The weekdays (0 = Monday) on which any of the schedules meets; empty = not fixed."""
    found: set[int] = set()
    for schedule in schedules:
        try:
            found.update(r.weekday for r in parse_byday(schedule.byday))
        except ValueError:
            continue
    return frozenset(found)
