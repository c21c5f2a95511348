"""When the demo's meetings are held, and the story of one case triaged A."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kasane.cases.models import Case

if TYPE_CHECKING:
    from kasane.demo.household_profiles import HouseholdInfo
from kasane.demo.casework_texts import DAY


def month_day(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日"


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + ((weekday - first.weekday()) % 7 + 7 * (n - 1)) * DAY


class MeetingCalendar:
    """The city's meeting days: the 支援会議 on the second Tuesday of each month, the
    重層的支援会議 on the fourth Thursday; from a year and a month ago to two months ahead."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.support: list[datetime.date] = []
        self.integrated: list[datetime.date] = []
        year, month = (today - 400 * DAY).year, (today - 400 * DAY).month
        while (year, month) <= ((today + 62 * DAY).year, (today + 62 * DAY).month):
            self.support.append(nth_weekday(year, month, 1, 2))
            self.integrated.append(nth_weekday(year, month, 3, 4))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    @staticmethod
    def _after(days: list[datetime.date], day: datetime.date) -> datetime.date | None:
        return next((d for d in days if d >= day), None)

    def support_after(self, day: datetime.date) -> datetime.date | None:
        return self._after(self.support, day)

    def integrated_after(self, day: datetime.date) -> datetime.date | None:
        return self._after(self.integrated, day)

    def held_support_after(self, day: datetime.date) -> datetime.date | None:
        """The first 支援会議 on or after ``day`` that was held before today."""
        found = self.support_after(day)
        return found if found is not None and found < self.today else None

    def held_integrated_after(self, day: datetime.date) -> datetime.date | None:
        found = self.integrated_after(day)
        return found if found is not None and found < self.today else None


@dataclass
class Story:
    """What happens to one case triaged A after its 支援会議; ``None`` knobs are drawn."""

    case: Case
    info: HouseholdInfo
    theme: str
    support_on: datetime.date
    invite: dict[str, str] = field(default_factory=dict)  # agency key → what is asked
    later_consent: bool | None = None
    integrated: bool | None = None
    reviews: list[str] | None = None  # forced outcomes: on_time, late, overdue
    revise_after: int | None = None  # v2 after this review (0 = the first)
    close_after: int | None = None
    close_reason: str = ""
    consent_method: str | None = None
    review_every: int | None = None  # days to the next review; drawn when None
    drawn: bool = True  # knobs left None are drawn at random
