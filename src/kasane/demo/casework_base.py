"""What every part of the demo's casework shares: the activity it belongs to, its meetings
so far, and small helpers."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from kasane.cases.models import Case
from kasane.meetings.models import (
    Attendee,
    Meeting,
)
from kasane.registry.models import Membership, Relationship

if TYPE_CHECKING:
    from kasane.demo.activity import DemoActivity
from kasane.demo.casework_texts import DAY, SHORT, TASKS


class CaseworkBase:
    def __init__(self, activity: DemoActivity) -> None:
        self.a = activity
        self.rng = activity.rng
        self.today = activity.today
        self.coordinator = activity.coordinator
        self.calendar = activity.calendar
        self.meetings: dict[tuple[str, datetime.date], Meeting] = {}
        self.rows: dict[tuple[int, str], Attendee] = {}
        self.protected: set[int] = set()  # households whose consent must stay in force
        self.forced_overdue = False

    # --- helpers -------------------------------------------------------------------------

    def key(self, agency_id: int | None) -> str:
        assert agency_id is not None
        return self.a.key_of[agency_id]

    def short(self, key: str) -> str:
        if key.startswith("houkatsu"):
            return self.a.agencies[key].name.replace("地域包括支援センター", "包括")
        return SHORT.get(key, self.a.agencies[key].name)

    def task(self, key: str) -> str:
        return TASKS["houkatsu" if key.startswith("houkatsu") else key]

    def clock(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        return self.a.at(min(day, self.today - DAY), hour)

    def team_keys(self, case: Case) -> list[str]:
        return [
            self.key(agency_id)
            for agency_id in case.team.filter(left_at__isnull=True)
            .order_by("joined_at", "id")
            .values_list("agency_id", flat=True)
        ]

    @staticmethod
    def head(household_id: int) -> Membership | None:
        return (
            Membership.objects.filter(
                household_id=household_id, ended_on__isnull=True, relationship=Relationship.HEAD
            )
            .select_related("person")
            .first()
        )

    # --- consents ------------------------------------------------------------------------
