"""Schedules in HSDS fields: parsing, validation with reasons, and the Japanese rendering."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from kasane.participation.catalogue.schedules import (
    DayRule,
    format_byday,
    parse_byday,
    parse_bymonthday,
    render_ja,
    schedule_errors,
    weekdays,
)


@dataclass
class S:
    freq: str = "MONTHLY"
    interval: int = 1
    byday: str = ""
    bymonthday: str = ""
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None


T10, T12 = datetime.time(10), datetime.time(12)


def test_byday_parses_ordinals_and_round_trips() -> None:
    rules = parse_byday("2tu, 4TU,-1FR")
    assert rules == [DayRule(2, 1), DayRule(4, 1), DayRule(-1, 4)]
    assert format_byday(rules) == "2TU,4TU,-1FR"


@pytest.mark.parametrize("bad", ["TUE", "6TU", "2XX", "TU,TU", "0MO"])
def test_bad_byday_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=bad.split(",")[0].upper()):
        parse_byday(bad)


def test_bymonthday() -> None:
    assert parse_bymonthday("1, 15,-1") == [1, 15, -1]
    with pytest.raises(ValueError):
        parse_bymonthday("32")
    with pytest.raises(ValueError):
        parse_bymonthday("x")


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (S(byday="2TU,4TU", opens_at=T10, closes_at=T12), "毎月第2・第4火曜 10:00〜12:00"),
        (S(freq="WEEKLY", byday="MO,WE", opens_at=T10), "毎週月・水曜 10:00〜"),
        (S(freq="WEEKLY", interval=2, byday="SA"), "隔週土曜"),
        (S(byday="-1FR"), "毎月最終金曜"),
        (S(byday="1MO,3WE"), "毎月第1月曜・第3水曜"),
        (S(bymonthday="1,15"), "毎月1日・15日"),
        (S(bymonthday="-1"), "毎月末日"),
        (S(interval=2, byday="3SU"), "隔月第3日曜"),
        (S(byday="TU"), "毎週火曜"),
    ],
)
def test_japanese_rendering(schedule: S, text: str) -> None:
    assert render_ja(schedule) == text


def fields(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "freq": "MONTHLY",
        "interval": 1,
        "byday": "2TU,4TU",
        "bymonthday": "",
        "opens_at": T10,
        "closes_at": T12,
    }
    values.update(overrides)
    return values


def test_sound_schedule_has_no_errors() -> None:
    assert schedule_errors(**fields()) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"freq": "DAILY"}, "freq"),
        ({"interval": 0}, "interval"),
        ({"byday": "2TUE"}, "byday"),
        ({"freq": "WEEKLY", "byday": "2TU"}, "byday"),
        ({"freq": "WEEKLY", "byday": ""}, "byday"),
        ({"byday": ""}, "byday"),
        ({"interval": 2}, "dtstart"),
        ({"opens_at": T12, "closes_at": T10}, "closes_at"),
        (
            {"valid_from": datetime.date(2026, 5, 1), "valid_to": datetime.date(2026, 4, 1)},
            "valid_to",
        ),
    ],
)
def test_each_fault_names_its_field(overrides: dict[str, object], field: str) -> None:
    assert field in schedule_errors(**fields(**overrides))  # type: ignore[arg-type]


def test_weekdays_for_matching() -> None:
    assert weekdays([S(byday="2TU,4TU"), S(freq="WEEKLY", byday="FR")]) == {1, 4}
    assert weekdays([S(bymonthday="1")]) == frozenset()
