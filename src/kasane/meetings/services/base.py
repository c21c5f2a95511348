"""What the meeting services share: the basis of each kind of meeting, checks, grants."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kasane.accounts.models import Role, Staff
from kasane.audit.models import LegalBasis
from kasane.cases.models import Case
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings.models import (
    NAMED_CASE_KINDS,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kasane.privacy import grants
from kasane.privacy.cases import works_cases


def meeting_basis(kind: str) -> LegalBasis:
    """The basis on which the organiser handles what the meeting shares."""
    if kind == MeetingKind.SUPPORT_MEETING:
        return LegalBasis.SUPPORT_MEETING
    if kind == MeetingKind.INTEGRATED_MEETING:
        return LegalBasis.COORDINATION
    if kind in NAMED_CASE_KINDS:
        return LegalBasis.CASE_TEAM
    return LegalBasis.NONE


def _require_organizer(actor: Staff, meeting: Meeting) -> None:
    """Only the organising agency's case staff run a meeting; others learn nothing (404)."""
    if not works_cases(actor) or actor.agency_id != meeting.organizer_id:
        raise PermissionDenied
    if meeting.kind == MeetingKind.INTEGRATED_MEETING and actor.role != Role.COORDINATOR:
        raise PermissionDenied


def _require_not_cancelled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code=CoreCode.MEETING_CANCELLED)


def _refresh_grants(meeting: Meeting) -> None:
    """A 支援会議's attendance, pledges, agenda or status grant or end access to its cases."""
    if meeting.kind != MeetingKind.SUPPORT_MEETING:
        return
    households = Case.objects.filter(agenda_items__meeting=meeting).values_list(
        "household_id", flat=True
    )
    grants.refresh(households=list(households))
