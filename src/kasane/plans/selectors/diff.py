"""What changed between two versions of a support plan; audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction
from django.http import Http404

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType, Purpose
from kasane.cases.models import Case
from kasane.plans.models import (
    PlanAction,
    PlanGoal,
    SupportPlan,
)
from kasane.plans.selectors.access import _in_scope
from kasane.plans.selectors.documents import _plans
from kasane.privacy.cases import require_case_details

ACTION_FIELDS = ("what", "agency_id", "staff_id", "due_on")

GOAL_FIELDS = ("term", "text")


@dataclass
class ActionDiff:
    status: str  # added, removed, changed, same
    old: PlanAction | None
    new: PlanAction | None
    changed: list[str] = field(default_factory=list)


@dataclass
class GoalDiff:
    status: str
    old: PlanGoal | None
    new: PlanGoal | None
    changed: list[str] = field(default_factory=list)
    actions: list[ActionDiff] = field(default_factory=list)

    @property
    def any_change(self) -> bool:
        return self.status != "same" or any(a.status != "same" for a in self.actions)


@dataclass
class PlanDiff:
    case: Case
    old: SupportPlan
    new: SupportPlan
    header: list[tuple[str, object, object]]
    goals: list[GoalDiff]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "removed": 0, "changed": 0}
        for goal in self.goals:
            if goal.status in counts:
                counts[goal.status] += 1
            for action in goal.actions:
                if action.status in counts:
                    counts[action.status] += 1
        return counts


def _diff_actions(old: list[PlanAction], new: list[PlanAction]) -> list[ActionDiff]:
    before = {a.lineage: a for a in old}
    rows: list[ActionDiff] = []
    for action in new:
        previous = before.pop(action.lineage, None)
        if previous is None:
            rows.append(ActionDiff("added", None, action))
            continue
        changed = [f for f in ACTION_FIELDS if getattr(previous, f) != getattr(action, f)]
        rows.append(ActionDiff("changed" if changed else "same", previous, action, changed))
    rows.extend(ActionDiff("removed", a, None) for a in before.values())
    return rows


def diff_plans(old: SupportPlan, new: SupportPlan) -> list[GoalDiff]:
    """Goals and actions matched across versions by their lineage (a new version copies
    them with it): added, removed, changed (which fields) or the same."""
    before = {g.lineage: g for g in old.goals.all()}
    rows: list[GoalDiff] = []
    for goal in new.goals.all():
        previous = before.pop(goal.lineage, None)
        if previous is None:
            added = _diff_actions([], list(goal.actions.all()))
            rows.append(GoalDiff("added", None, goal, actions=added))
            continue
        changed = [f for f in GOAL_FIELDS if getattr(previous, f) != getattr(goal, f)]
        rows.append(
            GoalDiff(
                "changed" if changed else "same",
                previous,
                goal,
                changed,
                _diff_actions(list(previous.actions.all()), list(goal.actions.all())),
            )
        )
    rows.extend(
        GoalDiff("removed", g, None, actions=_diff_actions(list(g.actions.all()), []))
        for g in before.values()
    )
    return rows


HEADER_FIELDS = (
    "participation_requested",
    "outreach_requested",
    "agreed_on",
    "agreement_method",
    "review_due_on",
)


@transaction.atomic
def plan_diff_for_user(actor: Staff, public_id: UUID | str, against: int | None) -> PlanDiff:
    """The differences between a version and another version of the same case's plan (the
    one before it unless ``against`` names it)."""
    new: SupportPlan = _in_scope(actor, _plans(), public_id)
    case = new.case
    basis = require_case_details(actor, case)
    version = against if against is not None else new.version - 1
    try:
        old = _plans().get(case=case, version=version)
    except SupportPlan.DoesNotExist as exc:
        raise Http404 from exc
    header = []
    for name in HEADER_FIELDS:
        label = str(getattr(SupportPlan._meta.get_field(name), "verbose_name", name))
        before, after = getattr(old, name), getattr(new, name)
        if name == "agreement_method":
            before, after = old.get_agreement_method_display(), new.get_agreement_method_display()
        header.append((label, before, after))
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=str(new.public_id),
        purpose=Purpose.DIFF,
        detail={"case": str(case.public_id), "against": old.version},
    )
    return PlanDiff(case, old, new, header, diff_plans(old, new))
