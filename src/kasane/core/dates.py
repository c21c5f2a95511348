"""和暦 and 年度: how Japanese public administration writes dates and counts years.

Every aggregate in Kasane is by 年度 (fiscal year, April to March); every date a user sees
shows its 和暦 beside the ISO date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Era:
    name: str
    initial: str
    start: datetime.date
    first_year: int  # the calendar year that is the era's 元年


# Newest first. Meiji counts from the adoption of the Gregorian calendar in Japan (1873);
# earlier dates are shown without an era.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", datetime.date(2019, 5, 1), 2019),
    Era("平成", "H", datetime.date(1989, 1, 8), 1989),
    Era("昭和", "S", datetime.date(1926, 12, 25), 1926),
    Era("大正", "T", datetime.date(1912, 7, 30), 1912),
    Era("明治", "M", datetime.date(1873, 1, 1), 1868),
)

FISCAL_YEAR_START_MONTH = 4


def era_of(value: datetime.date) -> Era | None:
    for era in ERAS:
        if value >= era.start:
            return era
    return None


def _era_year(era: Era, year: int) -> int:
    return year - era.first_year + 1


def _year_text(number: int) -> str:
    return "元" if number == 1 else str(number)


def wareki(value: datetime.date) -> str:
    """2024-05-01 → 令和6年5月1日; 2019-05-01 → 令和元年5月1日."""
    era = era_of(value)
    if era is None:
        return f"{value.year}年{value.month}月{value.day}日"
    number = _era_year(era, value.year)
    return f"{era.name}{_year_text(number)}年{value.month}月{value.day}日"


def fiscal_year(value: datetime.date) -> int:
    """The 年度 a date falls in, named by the calendar year it starts in: 2025-03-31 → 2024."""
    return value.year if value.month >= FISCAL_YEAR_START_MONTH else value.year - 1


def current_fiscal_year() -> int:
    """The 年度 of today in Japan."""
    return fiscal_year(timezone.localdate())


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a 年度: 2024 → (2024-04-01, 2025-03-31)."""
    return (
        datetime.date(year, FISCAL_YEAR_START_MONTH, 1),
        datetime.date(year + 1, FISCAL_YEAR_START_MONTH, 1) - datetime.timedelta(days=1),
    )


def _fiscal_era(year: int) -> tuple[Era, int] | None:
    """The era a 年度 is named in: the newest era begun by its last day (令和元年度 = 2019).

    A 年度 that would be year 0 of the newer era keeps the older one: 1988 (ending
    1989-03-31, after 平成 began) is 昭和63年度, as municipalities wrote it.
    """
    _, last = fiscal_year_bounds(year)
    for era in ERAS:
        if last >= era.start:
            number = _era_year(era, year)
            if number >= 1:
                return era, number
    return None


def fiscal_year_label(year: int) -> str:
    """2024 → 令和6年度; 2019 → 令和元年度; 1988 → 昭和63年度."""
    found = _fiscal_era(year)
    if found is None:
        return f"{year}年度"
    era, number = found
    return f"{era.name}{_year_text(number)}年度"


def fiscal_year_short(year: int) -> str:
    """The short form used in case numbers: 2024 → R6, 2019 → R1."""
    found = _fiscal_era(year)
    if found is None:
        return str(year)
    era, number = found
    return f"{era.initial}{number}"


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """満年齢 on a day: completed years since birth."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return max(years, 0)


def local_date(value: datetime.datetime | None) -> datetime.date | None:
    """The date in Japan of a stored moment (None stays None), as a list or an export shows it."""
    return timezone.localdate(value) if value else None
