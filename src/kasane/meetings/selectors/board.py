"""Meeting figures for the coordinator's board."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from kasane.cases.models import Case, Triage
from kasane.core.dates import fiscal_year_bounds
from kasane.meetings.models import AgendaItem, MeetingKind, MeetingStatus


@dataclass
class TriageASplit:
    """Cases triaged A in the 年度, by the kind of meeting that took them up."""

    support_meeting: int
    integrated_meeting: int


def triage_a_by_meeting_kind(fiscal_year: int) -> TriageASplit:
    """Seed 003 splits A (meeting held) by meeting: 支援会議 or 重層的支援会議. A case taken up
    at both counts in both columns. Counts only: no name, no audit."""
    start, end = fiscal_year_bounds(fiscal_year)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )

    def at(kind: str) -> Exists:
        # A = meeting held: planned and cancelled meetings do not count.
        return Exists(
            AgendaItem.objects.filter(
                case_id=OuterRef("pk"), meeting__kind=kind, meeting__status=MeetingStatus.HELD
            )
        )

    row = Case.objects.filter(
        triage=Triage.A, sent_to_coordination_at__gte=since, sent_to_coordination_at__lt=until
    ).aggregate(
        support=Count("id", filter=at(MeetingKind.SUPPORT_MEETING)),
        integrated=Count("id", filter=at(MeetingKind.INTEGRATED_MEETING)),
    )
    return TriageASplit(support_meeting=row["support"], integrated_meeting=row["integrated"])
