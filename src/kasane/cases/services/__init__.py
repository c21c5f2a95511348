"""Every change of a case, its team, its referrals and its notes.

Each service checks the actor's access through ``kasane.privacy.cases``, validates, saves,
writes the timeline line (CaseEvent) and the audit event, all in one transaction. Errors
are ``ValidationError`` with a stable ``code`` (the API returns it) and a message in the
user's language.
"""

from kasane.cases.builders import referral_due
from kasane.cases.services.base import WORK_EVENTS, clock_at
from kasane.cases.services.base import _now as _now  # the clock other apps' services read
from kasane.cases.services.lifecycle import (
    STATUS_MOVES,
    case_accept,
    case_close,
    case_name_lead,
    case_open,
    case_send_to_coordination,
    case_status_change,
    case_triage,
    open_case_of_household,
    record_consultation_event,
)
from kasane.cases.services.notes import api_note_token, case_note_create
from kasane.cases.services.referrals import (
    referral_accept,
    referral_complete,
    referral_create,
    referral_decline,
    referral_decline_acknowledge,
    referrals_escalate,
)
from kasane.cases.services.team import (
    handover_accept,
    handover_decline,
    handover_request,
    team_member_remove,
)

__all__ = [
    "STATUS_MOVES",
    "WORK_EVENTS",
    "api_note_token",
    "case_accept",
    "case_close",
    "case_name_lead",
    "case_note_create",
    "case_open",
    "case_send_to_coordination",
    "case_status_change",
    "case_triage",
    "clock_at",
    "handover_accept",
    "handover_decline",
    "handover_request",
    "open_case_of_household",
    "record_consultation_event",
    "referral_accept",
    "referral_complete",
    "referral_create",
    "referral_decline",
    "referral_decline_acknowledge",
    "referral_due",
    "referrals_escalate",
    "team_member_remove",
]
