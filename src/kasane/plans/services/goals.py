"""The goals of a draft plan and the actions (役割分担) given to agencies for each."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.core.agencies import require_support_agency
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.plans.error_codes import ErrorCode
from kasane.plans.models import (
    GoalTerm,
    PlanAction,
    PlanGoal,
    SupportPlan,
)
from kasane.plans.services.plan import _count_a_change, _not_on_team, _on_team, _writable_plan


def _goal_text(term: str, text: str) -> str:
    if term not in GoalTerm.values:
        raise ValidationError(
            {"term": ValidationError(_("Choose long or short term."), code=ErrorCode.BAD_TERM)}
        )
    if not text.strip():
        raise ValidationError(
            {
                "text": ValidationError(
                    _("Write the goal in the person's words."), code=CoreCode.REQUIRED
                )
            }
        )
    return text.strip()


@transaction.atomic
def goal_add(*, actor: Staff, plan: SupportPlan, term: str, text: str) -> PlanGoal:
    """A long- or short-term goal of the draft, in the person's words."""
    plan, basis = _writable_plan(actor, plan)
    text = _goal_text(term, text)
    last = plan.goals.aggregate(last=Max("order"))["last"]
    goal = PlanGoal(plan=plan, term=term, text=text, order=(last or 0) + 1)
    goal.full_clean()
    goal.save()
    _count_a_change(plan)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=plan.public_id,
        detail={"fields": ["goals"]},
    )
    return goal


@transaction.atomic
def goal_update(*, actor: Staff, goal: PlanGoal, term: str, text: str) -> PlanGoal:
    """Reword a goal of the draft (it keeps its lineage: the diff shows it as changed)."""
    plan, basis = _writable_plan(actor, goal.plan)
    goal = PlanGoal.objects.get(pk=goal.pk, plan=plan)
    goal.term = term
    goal.text = _goal_text(term, text)
    goal.full_clean()
    goal.save()
    _count_a_change(plan)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=plan.public_id,
        detail={"fields": ["goals"]},
    )
    return goal


@transaction.atomic
def goal_remove(*, actor: Staff, goal: PlanGoal) -> None:
    """Take a goal, with its actions, off the draft. Older versions keep theirs."""
    plan, basis = _writable_plan(actor, goal.plan)
    PlanGoal.objects.filter(pk=goal.pk, plan=plan).delete()
    _count_a_change(plan)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=plan.public_id,
        detail={"fields": ["goals"]},
    )


@transaction.atomic
def action_add(
    *,
    actor: Staff,
    goal: PlanGoal,
    what: str,
    agency: Agency,
    staff: Staff | None = None,
    due_on: datetime.date | None = None,
) -> PlanAction:
    """役割分担: what is done, by which agency on the case's team (and which of its staff),
    by when. An agency not on the team is refused: refer the household to it first."""
    plan, basis = _writable_plan(actor, goal.plan)
    goal = PlanGoal.objects.get(pk=goal.pk, plan=plan)
    if not what.strip():
        raise ValidationError(
            {"what": ValidationError(_("Write what is to be done."), code=CoreCode.REQUIRED)}
        )
    require_support_agency(agency)
    if not _on_team(plan.case, agency):
        raise _not_on_team(agency)
    if staff is not None and staff.agency_id != agency.pk:
        raise ValidationError(
            {
                "staff": ValidationError(
                    _("This staff member does not work at that agency."),
                    code=CoreCode.STAFF_NOT_OF_AGENCY,
                )
            }
        )
    action = PlanAction(goal=goal, what=what.strip(), agency=agency, staff=staff, due_on=due_on)
    action.full_clean()
    action.save()
    _count_a_change(plan)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=plan.public_id,
        detail={"fields": ["actions"]},
    )
    return action


@transaction.atomic
def action_remove(*, actor: Staff, action: PlanAction) -> None:
    """Take an action off the draft. Older versions keep theirs."""
    plan, basis = _writable_plan(actor, action.goal.plan)
    PlanAction.objects.filter(pk=action.pk, goal__plan=plan).delete()
    _count_a_change(plan)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=plan.public_id,
        detail={"fields": ["actions"]},
    )
