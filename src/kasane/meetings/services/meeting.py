"""A meeting: held, its status, its attendees and their confidentiality pledges."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.core.agencies import require_support_agency
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings.builders import build_attendee, build_meeting, build_pledge
from kasane.meetings.error_codes import ErrorCode
from kasane.meetings.models import (
    Attendee,
    ConfidentialityPledge,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kasane.meetings.services.base import (
    _refresh_grants,
    _require_not_cancelled,
    _require_organizer,
)
from kasane.privacy.cases import works_cases


@transaction.atomic
def meeting_create(
    *,
    actor: Staff,
    kind: str,
    held_at: datetime.datetime,
    place: str = "",
    online: bool = False,
    title: str = "",
) -> Meeting:
    """Hold a meeting, organised by the actor's agency and chaired by the actor.

    A 支援会議 is held by the municipality (an agency of type municipality); a 重層的支援会議
    by coordination (a coordinator). The chair is the first attendee.
    """
    if not works_cases(actor):
        raise PermissionDenied
    agency = actor.agency
    assert agency is not None
    if kind not in MeetingKind.values:
        raise ValidationError(_("Choose the kind of meeting."), code=ErrorCode.BAD_KIND)
    if kind == MeetingKind.SUPPORT_MEETING and agency.agency_type != AgencyType.MUNICIPALITY:
        raise ValidationError(
            _("A support meeting (art. 106-6) is held by the municipality."),
            code=ErrorCode.SUPPORT_MEETING_BY_MUNICIPALITY,
        )
    if kind == MeetingKind.INTEGRATED_MEETING and actor.role != Role.COORDINATOR:
        raise ValidationError(
            _("An integrated support meeting is held by multi-agency coordination."),
            code=ErrorCode.INTEGRATED_MEETING_BY_COORDINATION,
        )
    if not place.strip() and not online:
        raise ValidationError(
            {
                "place": ValidationError(
                    _("Write the place, or mark the meeting as online."),
                    code=ErrorCode.PLACE_REQUIRED,
                )
            }
        )
    meeting = build_meeting(
        actor=actor, kind=kind, held_at=held_at, place=place, online=online, title=title
    )
    meeting.full_clean()
    meeting.save()
    build_attendee(meeting=meeting, agency=agency, staff=actor).save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.MEETING,
        object_id=meeting.public_id,
        detail={"kind": kind},
    )
    return meeting


@transaction.atomic
def meeting_status_change(*, actor: Staff, meeting: Meeting, status: str) -> Meeting:
    """Mark a meeting held or cancelled (the organiser)."""
    _require_organizer(actor, meeting)
    if status not in MeetingStatus.values:
        raise ValidationError(_("Choose the status."), code=ErrorCode.BAD_STATUS)
    meeting.status = status
    meeting.save(update_fields=["status", "updated_at"])
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.MEETING,
        object_id=meeting.public_id,
        detail={"fields": ["status"]},
    )
    return meeting


@transaction.atomic
def attendee_add(
    *, actor: Staff, meeting: Meeting, agency: Agency, staff: Staff | None = None
) -> Attendee:
    """Invite an agency (and, if named, its staff member) to the meeting."""
    _require_organizer(actor, meeting)
    _require_not_cancelled(meeting)
    if not agency.is_active:
        raise ValidationError(_("This agency is no longer active."), code=CoreCode.AGENCY_INACTIVE)
    require_support_agency(agency)
    if staff is not None and staff.agency_id != agency.pk:
        raise ValidationError(
            {
                "staff": ValidationError(
                    _("This staff member does not work at that agency."),
                    code=CoreCode.STAFF_NOT_OF_AGENCY,
                )
            }
        )
    if meeting.attendees.filter(agency=agency, staff=staff).exists():
        raise ValidationError(
            _("This attendee is already on the list."), code=ErrorCode.ATTENDEE_DUPLICATE
        )
    try:
        with transaction.atomic():
            attendee = build_attendee(meeting=meeting, agency=agency, staff=staff)
            attendee.save()
    except IntegrityError as exc:  # two organisers adding the same attendee at once
        raise ValidationError(
            _("This attendee is already on the list."), code=ErrorCode.ATTENDEE_DUPLICATE
        ) from exc
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.MEETING_ATTENDEE,
        object_id=attendee.public_id,
        detail={"meeting": str(meeting.public_id)},
    )
    return attendee


@transaction.atomic
def pledge_record(
    *, actor: Staff, attendee: Attendee, at: datetime.datetime | None = None
) -> ConfidentialityPledge:
    """守秘義務の誓約: an attendee's pledge for this 支援会議 (§106-6 (5)).

    Recorded by the organiser (a signed form) or by the attendee's own agency; only at a
    支援会議, whose confidentiality rests on it.
    """
    attendee = Attendee.objects.select_related("meeting").get(pk=attendee.pk)
    meeting = attendee.meeting
    is_organizer = works_cases(actor) and actor.agency_id == meeting.organizer_id
    is_own = (
        works_cases(actor)
        and actor.agency_id == attendee.agency_id
        and attendee.staff_id in (None, actor.pk)
    )
    if not (is_organizer or is_own):
        raise PermissionDenied
    if meeting.kind != MeetingKind.SUPPORT_MEETING:
        raise ValidationError(
            _(
                "A confidentiality pledge is recorded only for a support meeting (art. 106-6); "
                "at this meeting the basis of sharing is the person's consent."
            ),
            code=ErrorCode.PLEDGE_NOT_SUPPORT_MEETING,
        )
    _require_not_cancelled(meeting)
    if ConfidentialityPledge.objects.filter(attendee=attendee).exists():
        raise ValidationError(
            _("This attendee's pledge is already recorded."), code=ErrorCode.PLEDGE_DUPLICATE
        )
    pledge = build_pledge(attendee=attendee, pledged_at=at or timezone.now(), actor=actor)
    pledge.save()
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.SUPPORT_MEETING,
        object_type=ObjectType.MEETING_PLEDGE,
        object_id=attendee.public_id,
        detail={"meeting": str(meeting.public_id)},
    )
    return pledge
