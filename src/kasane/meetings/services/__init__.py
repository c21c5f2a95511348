"""Every change of a meeting: holding it, its attendees and their pledges, the cases on its
agenda, the minutes and the decisions.

The kind of meeting is the legal basis of what is shared in it (DESIGN.md): a 支援会議
(社会福祉法 §106-6) is held by the municipality, takes up any household without consent and
binds each attendee by a pledge recorded for that meeting; a 重層的支援会議 is held by
coordination and takes up only cases with 支援決定 and consent covering it. Each service
validates, saves and writes its audit event in one transaction; errors are
``ValidationError`` with a stable ``code``.
"""

from kasane.meetings.services.agenda import agenda_add, agenda_members_set, minutes_record
from kasane.meetings.services.base import meeting_basis
from kasane.meetings.services.decisions import (
    DEIDENTIFIED_DECISIONS,
    INTEGRATED_ONLY,
    PLAN_PAGES_ONLY,
    decision_add,
)
from kasane.meetings.services.meeting import (
    attendee_add,
    meeting_create,
    meeting_status_change,
    pledge_record,
)

__all__ = [
    "DEIDENTIFIED_DECISIONS",
    "INTEGRATED_ONLY",
    "PLAN_PAGES_ONLY",
    "agenda_add",
    "agenda_members_set",
    "attendee_add",
    "decision_add",
    "meeting_basis",
    "meeting_create",
    "meeting_status_change",
    "minutes_record",
    "pledge_record",
]
