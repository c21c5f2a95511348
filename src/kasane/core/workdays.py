"""Working days of a Japanese municipality: not Saturday or Sunday, not a national holiday,
not the year-end closure (12/29–1/3, 年末年始)."""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("JP", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    if day.weekday() >= 5:
        return False
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return False
    return day not in _national_holidays(day.year)


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The same time of day, ``days`` working days after ``start`` (local time)."""
    day = start.date()
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return start.replace(year=day.year, month=day.month, day=day.day)
