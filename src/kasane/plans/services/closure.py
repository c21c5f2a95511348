"""終結: closing a case, at a 重層的支援会議 or by its lead agency."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kasane.accounts.models import Role, Staff
from kasane.accounts.notifications import notify
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.cases import services as case_services
from kasane.cases.models import Case, TeamRole
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings import services as meeting_services
from kasane.meetings.models import AgendaItem, DecisionKind
from kasane.plans.builders import build_closure
from kasane.plans.error_codes import ErrorCode
from kasane.plans.models import (
    Closure,
    ClosureReason,
    PlanStatus,
    ReviewKind,
)
from kasane.plans.services.base import (
    NOTIFY_CLOSED_BY_LEAD,
    _integrated_item_for,
    _lock,
    _require_open,
    _require_organizer,
    _require_writer,
    _today,
)
from kasane.plans.services.review import _review_create


def _coordinators_to_tell(case: Case) -> list[Staff]:
    """The coordinators of the coordination agency on the case, or else every coordinator."""
    agencies = list(
        case.team.filter(role=TeamRole.COORDINATION).values_list("agency_id", flat=True)
    )
    staff = Staff.objects.filter(role=Role.COORDINATOR, is_active=True)
    if agencies:
        staff = staff.filter(agency_id__in=agencies)
    return list(staff)


def _reason_label(reason: str, note: str) -> str:
    """The reason's label, once the reason is known (and written out for "other")."""
    if reason not in ClosureReason.values:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Choose why the case is closed."), code=CoreCode.REASON_REQUIRED
                )
            }
        )
    if reason == ClosureReason.OTHER and not note.strip():
        raise ValidationError(
            {
                "note": ValidationError(
                    _("Write the reason when you choose “other”."), code=CoreCode.REASON_REQUIRED
                )
            }
        )
    return str(ClosureReason(reason).label)


def _decided_at(actor: Staff, case: Case, item: AgendaItem | None, text: str) -> AgendaItem | None:
    """The meeting that decides the closure: the 重層的支援会議 of a case with 支援決定 (its
    closure decision recorded), or, for a case without, its lead agency's choice (if any)."""
    if case.accepted_at is not None:
        if item is None:
            raise ValidationError(
                _(
                    "This case has a support decision: its closure is decided at an integrated "
                    "support meeting that took it up. Choose that meeting."
                ),
                code=ErrorCode.CLOSURE_NEEDS_INTEGRATED_MEETING,
            )
        item = _integrated_item_for(
            item,
            case,
            wrong_kind=ErrorCode.CLOSURE_NEEDS_INTEGRATED_MEETING,
            other_case=ErrorCode.CLOSURE_MEETING_OTHER_CASE,
        )
        _require_organizer(actor, item)
        meeting_services.decision_add(
            actor=actor,
            item=item,
            kind=DecisionKind.CLOSURE,
            from_plans=True,
            text=text,
        )
    else:
        if actor.agency_id != case.lead_agency_id:
            raise ValidationError(
                _("A case without a support decision is closed by its lead agency."),
                code=CoreCode.NOT_LEAD,
            )
        if item is not None and item.case_id != case.pk:
            raise ValidationError(
                _(
                    "The meeting you chose did not take up this case. Choose the integrated "
                    "support meeting that discussed it, or put the case on its agenda first."
                ),
                code=ErrorCode.CLOSURE_MEETING_OTHER_CASE,
            )
    return item


@transaction.atomic
def closure_record(
    *,
    actor: Staff,
    case: Case,
    reason: str,
    note: str = "",
    item: AgendaItem | None = None,
    held_on: datetime.date | None = None,
    goal_results: Mapping[int, str] | None = None,
    area_results: Mapping[str, str] | None = None,
    person_view: str = "",
) -> Closure:
    """終結 with its reason and final evaluation (a review of kind closure).

    A case with 支援決定 is closed only by a decision at a 重層的支援会議 that took it up
    (``item``), recorded by the agency that held it, as the meeting's closure decision. A
    case without 支援決定 is closed by its lead agency, and the coordinator is told. The case
    itself is closed by ``cases.services.case_close`` (which also refuses open referrals).
    """
    case = _lock(case)
    basis = _require_writer(actor, case)
    _require_open(case)
    agency = actor.agency
    assert agency is not None
    label = _reason_label(reason, note)
    item = _decided_at(actor, case, item, f"{label}　{note.strip()}".strip())
    plan = case.plans.filter(status=PlanStatus.APPROVED).prefetch_related("goals").first()
    evaluation = _review_create(
        actor=actor,
        case=case,
        kind=ReviewKind.CLOSURE,
        plan=plan,
        held_on=held_on or _today(),
        goal_results=goal_results or {},
        area_results=area_results or {},
        person_view=person_view,
        next_review_on=None,
        meeting_item=item,
    )
    closure = build_closure(
        case=case, actor=actor, reason=reason, note=note, decided_at=item, evaluation=evaluation
    )
    closure.full_clean()
    closure.save()
    case_services.case_close(actor=actor, case=case, reason=f"{label}　{note.strip()}".strip())
    if case.accepted_at is None:
        notify(
            _coordinators_to_tell(case),
            kind=NOTIFY_CLOSED_BY_LEAD,
            message=_(
                "Case %(number)s was closed by its lead agency (%(agency)s) without a "
                "support decision: %(reason)s."
            )
            % {"number": case.number, "agency": agency.name, "reason": label},
            link=reverse("cases:case_detail", args=[case.public_id]),
        )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.CLOSURE,
        object_id=closure.public_id,
        detail={
            "case": str(case.public_id),
            "reason": reason,
            "item": str(item.public_id) if item else None,
        },
    )
    return closure
