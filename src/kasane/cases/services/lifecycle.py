"""A case from opening to closing: status, coordination, triage, 支援決定, lead, notes."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.error_codes import ErrorCode
from kasane.cases.models import (
    Case,
    CaseStatus,
    EventKind,
    HandoverStatus,
    ReferralStatus,
    TeamRole,
    Triage,
)
from kasane.cases.services.base import (
    _basis_or_denied,
    _event,
    _lock,
    _next_number,
    _now,
    _require_open,
    _set_lead,
    _team_join,
)
from kasane.core.agencies import require_support_agency
from kasane.core.dates import fiscal_year
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.core.row_version import compare_and_set
from kasane.privacy.cases import require_case_worker
from kasane.registry.models import Household

# Status moves staff make by hand; closing and 支援決定 have their own services.
STATUS_MOVES: dict[str, set[str]] = {
    CaseStatus.RECEIVED: {CaseStatus.ASSESSMENT, CaseStatus.WATCHING},
    CaseStatus.ASSESSMENT: {CaseStatus.PLANNING, CaseStatus.WATCHING},
    CaseStatus.PLANNING: {CaseStatus.IN_SUPPORT, CaseStatus.ASSESSMENT},
    CaseStatus.IN_SUPPORT: {CaseStatus.WATCHING, CaseStatus.PLANNING},
    CaseStatus.WATCHING: {CaseStatus.IN_SUPPORT, CaseStatus.ASSESSMENT},
}


@transaction.atomic
def case_open(
    *, actor: Staff, household: Household, opened_at: datetime.datetime | None = None
) -> Case:
    """Open a case for a household, led by the actor's agency, numbered in its 年度."""
    require_case_worker(actor)
    assert actor.agency is not None
    at = opened_at or _now()
    case = Case(
        household=household,
        fiscal_year=fiscal_year(timezone.localtime(at).date()),
        opened_at=at,
        lead_agency=actor.agency,
    )
    case.number = _next_number(case.fiscal_year)
    case.full_clean()
    case.save()
    _team_join(case, actor.agency, TeamRole.LEAD, at)
    _event(case, EventKind.OPENED, actor, at=at)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
    )
    return case


def open_case_of_household(actor: Staff, household: Household) -> Case | None:
    """The open case of this household that the actor's agency is on, if any."""
    return (
        Case.objects.filter(
            household=household,
            status__in=[s for s in CaseStatus if s != CaseStatus.CLOSED],
            team__agency_id=actor.agency_id or 0,
            team__left_at__isnull=True,
        )
        .order_by("-opened_at")
        .first()
    )


def record_consultation_event(case: Case, consultation: object, actor: Staff) -> None:
    """A consultation about the case's household appears on its timeline."""
    _event(
        case,
        EventKind.CONSULTATION,
        actor,
        at=consultation.received_at,  # type: ignore[attr-defined]
        consultation=consultation,
    )


@transaction.atomic
def case_status_change(
    *, actor: Staff, case: Case, status: str, row_version: int | None = None
) -> Case:
    """Move a case along 受付 → アセスメント → プラン作成 → 支援中 (or 見守り); lead agency only.

    With ``row_version`` (the count the editor opened the case at) the save is a
    compare-and-set: if somebody saved the case since, ``EditConflict`` and nothing saved."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    if case.lead_agency_id != actor.agency_id:
        raise ValidationError(
            _("Only the lead agency changes the status of a case."), code=CoreCode.NOT_LEAD
        )
    if status not in STATUS_MOVES.get(case.status, set()):
        raise ValidationError(
            _("A case cannot move from this status to that one."), code=ErrorCode.BAD_STATUS_MOVE
        )
    before = case.status
    case.status = status
    case.row_version = compare_and_set(
        Case, pk=case.pk, expected=row_version, object_type="case", values={"status": status}
    )
    _event(case, EventKind.STATUS, actor, detail={"from": before, "to": status})
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["status"]},
    )
    return case


@transaction.atomic
def case_close(*, actor: Staff, case: Case, reason: str) -> Case:
    """終結: the lead agency closes the case; open referrals must be answered first."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    if case.lead_agency_id != actor.agency_id and actor.role != Role.COORDINATOR:
        raise ValidationError(_("Only the lead agency closes a case."), code=CoreCode.NOT_LEAD)
    if not reason.strip():
        raise ValidationError(_("Say why the case is closed."), code=CoreCode.REASON_REQUIRED)
    if case.referrals.filter(status=ReferralStatus.REQUESTED).exists():
        raise ValidationError(
            _("Answer or withdraw the open referrals before closing the case."),
            code=ErrorCode.OPEN_REFERRALS,
        )
    before = case.status
    case.status = CaseStatus.CLOSED
    case.closed_at = _now()
    case.row_version += 1
    case.save(update_fields=["status", "closed_at", "row_version", "updated_at"])
    case.handovers.filter(status=HandoverStatus.PENDING).update(
        status=HandoverStatus.DECLINED, responded_at=case.closed_at
    )
    _event(
        case, EventKind.STATUS, actor, detail={"from": before, "to": case.status, "reason": reason}
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["status"]},
    )
    return case


@transaction.atomic
def case_send_to_coordination(*, actor: Staff, case: Case, reason: str) -> Case:
    """Ask the municipal coordinator to take the case up; the lead stays where it is."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    if not reason.strip():
        raise ValidationError(
            _("Say why the case needs multi-agency coordination."), code=CoreCode.REASON_REQUIRED
        )
    if case.sent_to_coordination_at is not None:
        raise ValidationError(
            _("This case is already with coordination."), code=ErrorCode.ALREADY_IN_COORDINATION
        )
    case.sent_to_coordination_at = _now()
    case.coordination_reason = reason.strip()
    case.row_version += 1
    case.save(
        update_fields=[
            "sent_to_coordination_at",
            "coordination_reason",
            "row_version",
            "updated_at",
        ]
    )
    _event(case, EventKind.COORDINATION, actor)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["coordination"]},
    )
    return case


def _require_coordinator(actor: Staff, case: Case) -> None:
    if actor.role != Role.COORDINATOR or not actor.is_active:
        raise PermissionDenied
    if case.sent_to_coordination_at is None:
        raise PermissionDenied


@transaction.atomic
def case_triage(
    *, actor: Staff, case: Case, triage: str, advice: str = "", row_version: int | None = None
) -> Case:
    """Triage A (meeting held) / B (meeting planned) / C (existing network, with advice).

    With ``row_version`` the save is a compare-and-set, as ``case_status_change``: two
    coordinators triaging from the same page cannot overwrite each other."""
    case = _lock(case)
    _require_coordinator(actor, case)
    _require_open(case)
    if triage not in Triage.values:
        raise ValidationError(_("Choose A, B or C."), code=ErrorCode.BAD_TRIAGE)
    if triage == Triage.C and not advice.strip():
        raise ValidationError(
            _("For C, write the advice given to the agencies."), code=ErrorCode.ADVICE_REQUIRED
        )
    case.triage = triage
    case.triage_advice = advice.strip()
    case.triaged_at = _now()
    case.row_version = compare_and_set(
        Case,
        pk=case.pk,
        expected=row_version,
        object_type="case",
        values={
            "triage": case.triage,
            "triage_advice": case.triage_advice,
            "triaged_at": case.triaged_at,
        },
    )
    assert actor.agency is not None
    _team_join(case, actor.agency, TeamRole.COORDINATION, case.triaged_at)
    _event(case, EventKind.TRIAGED, actor, detail={"triage": triage})
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.COORDINATION,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["triage"]},
    )
    return case


@transaction.atomic
def case_accept(*, actor: Staff, case: Case, at: datetime.datetime | None = None) -> Case:
    """支援決定: the municipality takes the case on (recorded by the coordinator)."""
    case = _lock(case)
    _require_coordinator(actor, case)
    _require_open(case)
    if case.accepted_at is not None:
        raise ValidationError(_("Support was already decided."), code=ErrorCode.ALREADY_ACCEPTED)
    case.accepted_at = at or _now()
    case.row_version += 1
    case.save(update_fields=["accepted_at", "row_version", "updated_at"])
    _event(case, EventKind.ACCEPTED, actor, at=case.accepted_at)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.COORDINATION,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["accepted_at"]},
    )
    return case


@transaction.atomic
def case_name_lead(*, actor: Staff, case: Case, agency: Agency) -> Case:
    """Coordination hands the ball back by naming the lead agency (主担当) directly."""
    case = _lock(case)
    _require_coordinator(actor, case)
    _require_open(case)
    if not agency.is_active:
        raise ValidationError(_("This agency is no longer active."), code=CoreCode.AGENCY_INACTIVE)
    require_support_agency(agency)
    at = _now()
    case.handovers.filter(status=HandoverStatus.PENDING).update(
        status=HandoverStatus.DECLINED,
        responded_by=actor,
        responded_at=at,
        response_note=_("Coordination named the lead agency."),
    )
    _set_lead(case, agency, at)
    _event(case, EventKind.LEAD_NAMED, actor, at=at, detail={"agency": agency.name})
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.COORDINATION,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["lead_agency"]},
    )
    return case
