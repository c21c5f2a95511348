"""A meeting's agenda: the cases taken up, the members named for each, the minutes."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings.builders import build_agenda_item
from kasane.meetings.error_codes import ErrorCode
from kasane.meetings.models import (
    NAMED_CASE_KINDS,
    AgendaItem,
    Attendee,
    Meeting,
    MeetingKind,
)
from kasane.meetings.services.base import (
    _refresh_grants,
    _require_not_cancelled,
    _require_organizer,
    meeting_basis,
)
from kasane.privacy.cases import case_scope
from kasane.privacy.consent import consents_in_force
from kasane.privacy.models import ConsentPurpose


def _consent_for_integrated_meeting(case: Case) -> bool:
    """A consent in force of a current household member that covers the 重層的支援会議."""
    consents = consents_in_force().filter(
        person__memberships__household_id=case.household_id,
        person__memberships__ended_on__isnull=True,
    )
    # Purposes are a JSON list; SQLite cannot search inside one, so test it here.
    return any(
        ConsentPurpose.INTEGRATED_MEETING in (c.purposes or []) for c in consents.only("purposes")
    )


def _members(meeting: Meeting, members: Iterable[Attendee]) -> list[Attendee]:
    chosen = list(members)
    if any(m.meeting_id != meeting.pk for m in chosen):
        raise ValidationError(
            {
                "members": ValidationError(
                    _("Choose the members among this meeting's attendees."),
                    code=ErrorCode.MEMBER_NOT_ATTENDEE,
                )
            }
        )
    return chosen


@transaction.atomic
def agenda_add(
    *,
    actor: Staff,
    meeting: Meeting,
    case: Case,
    members: Iterable[Attendee] = (),
    deidentified_summary: str = "",
    to_decide_support: bool = False,
) -> AgendaItem:
    """Take a case up at the meeting.

    A 支援会議 may take up any case the organiser knows of, also before 支援決定. A
    重層的支援会議 takes up only cases with 支援決定 — or a case brought to decide it
    (``to_decide_support``) — and always needs a consent in force covering the 重層的支援会議
    from at least one current member of the household. At a 支援会議 the chair names the
    attendees who take part for this case (``members``); nobody else reads its minutes.
    """
    _require_organizer(actor, meeting)
    _require_not_cancelled(meeting)
    scope = case_scope(actor)
    if scope is None or not Case.objects.filter(scope, pk=case.pk).exists():
        raise PermissionDenied
    case = Case.objects.get(pk=case.pk)  # the caller's copy may predate 支援決定 or closing
    if not case.is_open:
        raise ValidationError(_("This case is closed."), code=CoreCode.CASE_CLOSED)
    if meeting.kind == MeetingKind.INTEGRATED_MEETING:
        if case.accepted_at is None and not to_decide_support:
            raise ValidationError(
                _(
                    "An integrated support meeting takes up only cases with a support decision. "
                    "Record the support decision first, or bring the case to decide it; a "
                    "support meeting (art. 106-6) may discuss it before that."
                ),
                code=CoreCode.NOT_ACCEPTED,
            )
        if not _consent_for_integrated_meeting(case):
            raise ValidationError(
                _(
                    "No member of this household has a consent in force that covers the "
                    "integrated support meeting. Obtain and record the consent first, or "
                    "discuss the case at a support meeting (art. 106-6), which needs none."
                ),
                code=ErrorCode.NO_CONSENT,
            )
    chosen = _members(meeting, members)
    if chosen and actor.pk != meeting.chair_id:
        raise ValidationError(
            _("Only the chair names the members for a case."), code=ErrorCode.NOT_CHAIR
        )
    if meeting.agenda.filter(case=case).exists():
        raise ValidationError(
            _("This case is already on the agenda of this meeting."),
            code=ErrorCode.AGENDA_DUPLICATE,
        )
    item = build_agenda_item(meeting=meeting, case=case, deidentified_summary=deidentified_summary)
    item.full_clean()
    item.save()
    if chosen:
        item.members.set(chosen)
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=meeting_basis(meeting.kind),
        object_type=ObjectType.AGENDA_ITEM,
        object_id=item.public_id,
        detail={
            "meeting": str(meeting.public_id),
            "case": str(case.public_id),
            "to_decide_support": to_decide_support,
        },
    )
    return item


@transaction.atomic
def agenda_members_set(
    *, actor: Staff, item: AgendaItem, members: Iterable[Attendee]
) -> AgendaItem:
    """The chair names (or changes) the attendees who take part for this case."""
    meeting = item.meeting
    _require_organizer(actor, meeting)
    if actor.pk != meeting.chair_id:
        raise ValidationError(
            _("Only the chair names the members for a case."), code=ErrorCode.NOT_CHAIR
        )
    item.members.set(_members(meeting, members))
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=meeting_basis(meeting.kind),
        object_type=ObjectType.AGENDA_ITEM,
        object_id=item.public_id,
        detail={"fields": ["members"]},
    )
    return item


def _require_may_write_item(actor: Staff, item: AgendaItem) -> LegalBasis:
    """The organiser writes the minutes, and only of an item it may itself read."""
    from kasane.meetings.selectors import item_basis

    _require_organizer(actor, item.meeting)
    basis = item_basis(actor, item)
    if basis is None:
        raise PermissionDenied
    return basis


@transaction.atomic
def minutes_record(
    *, actor: Staff, item: AgendaItem, minutes: str, deidentified_summary: str | None = None
) -> AgendaItem:
    """議事録 per case: what was discussed, kept closed to everyone who did not attend."""
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    basis = _require_may_write_item(actor, item)
    fields = ["minutes", "updated_at"]
    if item.meeting.kind not in NAMED_CASE_KINDS:
        # A meeting without names keeps only the de-identified summary of what it discussed.
        item.deidentified_summary = minutes.strip()
        fields = ["deidentified_summary", "updated_at"]
    else:
        item.minutes = minutes.strip()
    if deidentified_summary is not None and item.meeting.kind in NAMED_CASE_KINDS:
        item.deidentified_summary = deidentified_summary.strip()
        fields.append("deidentified_summary")
    item.full_clean()
    item.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.AGENDA_ITEM,
        object_id=item.public_id,
        detail={"fields": [f for f in fields if f != "updated_at"]},
    )
    return item
