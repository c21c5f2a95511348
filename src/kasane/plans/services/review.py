"""モニタリング / 評価シート: the review of a case's plan, goal by goal and area by area."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.cases.models import Case
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings.models import AgendaItem
from kasane.plans.builders import build_evaluations, build_review
from kasane.plans.error_codes import ErrorCode
from kasane.plans.models import (
    AreaEvaluation,
    GoalEvaluation,
    GoalResult,
    LifeArea,
    PlanGoal,
    PlanStatus,
    Review,
    ReviewKind,
    SupportPlan,
    Trend,
)
from kasane.plans.services.base import _lock, _not_future, _require_writer


def _evaluations(
    plan: SupportPlan | None,
    goal_results: Mapping[int, str],
    area_results: Mapping[str, str],
    *,
    all_goals: bool,
) -> tuple[list[tuple[PlanGoal, str]], list[tuple[str, str]]]:
    goals = {g.pk: g for g in plan.goals.all()} if plan else {}
    if set(goal_results) - set(goals):
        raise ValidationError(
            _("Evaluate the goals of the plan in force."), code=ErrorCode.GOAL_NOT_IN_PLAN
        )
    if any(r not in GoalResult.values for r in goal_results.values()):
        raise ValidationError(
            _("Choose achieved, partly or not achieved."), code=ErrorCode.BAD_RESULT
        )
    if all_goals and set(goals) - {k for k, v in goal_results.items() if v}:
        raise ValidationError(
            _("Evaluate every goal of the plan: achieved, partly or not achieved."),
            code=ErrorCode.GOALS_NOT_EVALUATED,
        )
    areas = [(a, t) for a, t in area_results.items() if t]
    if any(a not in LifeArea.values or t not in Trend.values for a, t in areas):
        raise ValidationError(_("Choose better, the same or worse."), code=ErrorCode.BAD_TREND)
    return [(goals[k], v) for k, v in goal_results.items() if v], areas


def _review_create(
    *,
    actor: Staff,
    case: Case,
    kind: str,
    plan: SupportPlan | None,
    held_on: datetime.date,
    goal_results: Mapping[int, str],
    area_results: Mapping[str, str],
    person_view: str,
    next_review_on: datetime.date | None,
    meeting_item: AgendaItem | None,
) -> Review:
    assert actor.agency is not None
    _not_future(held_on, "held_on")
    goals, areas = _evaluations(
        plan, goal_results, area_results, all_goals=kind == ReviewKind.REVIEW
    )
    if meeting_item is not None and meeting_item.case_id != case.pk:
        raise ValidationError(
            _(
                "The meeting you chose did not take up this case. Choose the integrated "
                "support meeting that discussed it, or put the case on its agenda first."
            ),
            code=ErrorCode.REVIEW_MEETING_OTHER_CASE,
        )
    review = build_review(
        case=case,
        actor=actor,
        kind=kind,
        plan=plan,
        held_on=held_on,
        person_view=person_view,
        next_review_on=next_review_on,
        meeting_item=meeting_item,
    )
    review.full_clean()
    review.save()
    goal_rows, area_rows = build_evaluations(review, goals, areas)
    GoalEvaluation.objects.bulk_create(goal_rows)
    AreaEvaluation.objects.bulk_create(area_rows)
    return review


@transaction.atomic
def review_record(
    *,
    actor: Staff,
    case: Case,
    held_on: datetime.date,
    goal_results: Mapping[int, str],
    area_results: Mapping[str, str] | None = None,
    person_view: str = "",
    next_review_on: datetime.date | None = None,
    meeting_item: AgendaItem | None = None,
) -> Review:
    """モニタリング of the approved plan (評価シート): each goal achieved / partly / not, each
    life area better / the same / worse, the person's own view, and the next review date,
    which becomes the plan's. A closed case is not reviewed."""
    case = _lock(case)
    basis = _require_writer(actor, case)
    if not case.is_open:
        raise ValidationError(
            _("This case is closed; its plan is no longer reviewed."), code=CoreCode.CASE_CLOSED
        )
    plan = case.plans.filter(status=PlanStatus.APPROVED).prefetch_related("goals").first()
    if plan is None:
        raise ValidationError(
            _("This case has no approved plan to review yet."), code=ErrorCode.NO_APPROVED_PLAN
        )
    if next_review_on is None:
        raise ValidationError(
            {
                "next_review_on": ValidationError(
                    _("Give the date of the next review."), code=CoreCode.REVIEW_DATE_REQUIRED
                )
            }
        )
    if next_review_on <= held_on:
        raise ValidationError(
            {
                "next_review_on": ValidationError(
                    _("The next review comes after this one."), code=CoreCode.REVIEW_IN_PAST
                )
            }
        )
    review = _review_create(
        actor=actor,
        case=case,
        kind=ReviewKind.REVIEW,
        plan=plan,
        held_on=held_on,
        goal_results=goal_results,
        area_results=area_results or {},
        person_view=person_view,
        next_review_on=next_review_on,
        meeting_item=meeting_item,
    )
    # The one field of an approved version that moves: when it is next reviewed.
    SupportPlan.objects.filter(pk=plan.pk).update(
        review_due_on=next_review_on, updated_at=timezone.now(), row_version=F("row_version") + 1
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.REVIEW,
        object_id=review.public_id,
        detail={"case": str(case.public_id), "plan_version": plan.version},
    )
    return review
