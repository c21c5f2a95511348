"""Who is on a case's team: hand-overs of the lead and agencies leaving."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.error_codes import ErrorCode
from kasane.cases.models import (
    Case,
    EventKind,
    Handover,
    HandoverStatus,
)
from kasane.cases.services.base import (
    _basis_or_denied,
    _event,
    _lock,
    _now,
    _require_open,
    _set_lead,
)
from kasane.core.agencies import require_support_agency
from kasane.core.error_codes import ErrorCode as CoreCode


@transaction.atomic
def handover_request(*, actor: Staff, case: Case, to_agency: Agency, note: str = "") -> Handover:
    """Ask another agency to take the lead. The lead changes only when it accepts."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    if case.lead_agency_id != actor.agency_id and actor.role != Role.COORDINATOR:
        raise ValidationError(
            _("Only the lead agency or coordination hands a case over."), code=CoreCode.NOT_LEAD
        )
    if to_agency.pk == case.lead_agency_id:
        raise ValidationError(_("This agency already leads the case."), code=ErrorCode.ALREADY_LEAD)
    if not to_agency.is_active:
        raise ValidationError(_("This agency is no longer active."), code=CoreCode.AGENCY_INACTIVE)
    require_support_agency(to_agency)
    if case.handovers.filter(status=HandoverStatus.PENDING).exists():
        raise ValidationError(
            _("A hand-over of this case is already waiting for an answer."),
            code=ErrorCode.HANDOVER_PENDING,
        )
    assert case.lead_agency is not None
    handover = Handover.objects.create(
        case=case,
        from_agency=case.lead_agency,
        to_agency=to_agency,
        requested_by=actor,
        requested_at=_now(),
        note=note,
    )
    # The receiving agency joins the team only when it accepts (``_set_lead``); until then
    # the pending hand-over lets it read the case (``privacy.cases``).
    _event(case, EventKind.HANDOVER_REQUESTED, actor, handover=handover)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.HANDOVER,
        object_id=handover.public_id,
    )
    return handover


def _handover_answer(actor: Staff, handover: Handover, accept: bool, note: str) -> Handover:
    handover = Handover.objects.select_for_update().select_related("case").get(pk=handover.pk)
    case = _lock(handover.case)
    if handover.to_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    if handover.status != HandoverStatus.PENDING:
        raise ValidationError(
            _("This hand-over was already answered."), code=ErrorCode.HANDOVER_ANSWERED
        )
    handover.status = HandoverStatus.ACCEPTED if accept else HandoverStatus.DECLINED
    handover.responded_by = actor
    handover.responded_at = _now()
    handover.response_note = note
    handover.save()
    if accept:
        _require_open(case)
        _set_lead(case, handover.to_agency, handover.responded_at)
    kind = EventKind.HANDOVER_ACCEPTED if accept else EventKind.HANDOVER_DECLINED
    _event(case, kind, actor, handover=handover)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.CASE_TEAM,
        object_type=ObjectType.HANDOVER,
        object_id=handover.public_id,
        detail={"status": handover.status},
    )
    return handover


@transaction.atomic
def handover_accept(*, actor: Staff, handover: Handover, note: str = "") -> Handover:
    """The receiving agency takes the lead; the previous lead stays on the team."""
    return _handover_answer(actor, handover, True, note)


@transaction.atomic
def handover_decline(*, actor: Staff, handover: Handover, note: str) -> Handover:
    """The receiving agency declines; the lead stays where it was."""
    if not note.strip():
        raise ValidationError(_("Say why you decline."), code=CoreCode.REASON_REQUIRED)
    return _handover_answer(actor, handover, False, note)


@transaction.atomic
def team_member_remove(*, actor: Staff, case: Case, agency: Agency) -> None:
    """Take an agency off the team. The lead agency cannot leave: hand the case over first."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    if agency.pk == case.lead_agency_id:
        raise ValidationError(
            _("The lead agency cannot leave the case. Hand the case over first."),
            code=ErrorCode.LAST_LEAD,
        )
    if case.lead_agency_id != actor.agency_id and actor.agency_id != agency.pk:
        raise PermissionDenied
    updated = case.team.filter(agency=agency, left_at__isnull=True).update(left_at=_now())
    if updated:
        _event(case, EventKind.TEAM, actor, detail={"left": agency.name})
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            legal_basis=basis,
            object_type=ObjectType.CASE,
            object_id=case.public_id,
            detail={"fields": ["team"]},
        )
