"""Meeting figures for the coordinator's board."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from kasane.cases.models import Triage
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

    # A = meeting held: planned and cancelled meetings do not count. One join from the
    # agenda items of held meetings (not a sub-query per case of the 年度).
    rows = (
        AgendaItem.objects.filter(
            meeting__status=MeetingStatus.HELD,
            meeting__kind__in=[MeetingKind.SUPPORT_MEETING, MeetingKind.INTEGRATED_MEETING],
            case__triage=Triage.A,
            case__sent_to_coordination_at__gte=since,
            case__sent_to_coordination_at__lt=until,
        )
        .values("meeting__kind")
        .annotate(cases=Count("case_id", distinct=True))
        .order_by()
    )
    counts = {row["meeting__kind"]: row["cases"] for row in rows}
    return TriageASplit(
        support_meeting=counts.get(MeetingKind.SUPPORT_MEETING, 0),
        integrated_meeting=counts.get(MeetingKind.INTEGRATED_MEETING, 0),
    )
