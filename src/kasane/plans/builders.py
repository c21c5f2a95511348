"""Plan records as the plan services fill them, unsaved: アセスメント, a plan version with its
goals and actions, a review (モニタリング or the closing evaluation) and a closure (終結).

``kasane.plans.services`` checks the writer, validates, saves and audits what these build;
the demo's bulk loader writes the same records in batches.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kasane.plans.models import (
    AreaEvaluation,
    Assessment,
    AssessmentArea,
    Closure,
    GoalEvaluation,
    PlanAction,
    PlanGoal,
    Review,
    SupportPlan,
)

if TYPE_CHECKING:
    from kasane.accounts.models import Agency, Staff
    from kasane.cases.models import Case
    from kasane.meetings.models import AgendaItem
    from kasane.registry.models import Person


def build_assessment(
    *,
    case: Case,
    actor: Staff,
    assessed_on: datetime.date,
    person: Person | None = None,
    strengths: str = "",
    interests: str = "",
    wishes: str = "",
) -> Assessment:
    """An assessment by the actor for their agency."""
    return Assessment(
        case=case,
        person=person,
        assessed_on=assessed_on,
        author=actor,
        agency=actor.agency,
        strengths=strengths.strip(),
        interests=interests.strip(),
        wishes=wishes.strip(),
    )


def build_assessment_areas(
    assessment: Assessment, rows: Iterable[tuple[str, str, int]]
) -> list[AssessmentArea]:
    """One row per life area: (area, situation, severity)."""
    return [
        AssessmentArea(assessment=assessment, area=area, situation=situation, severity=severity)
        for area, situation, severity in rows
    ]


def build_plan(
    *,
    case: Case,
    actor: Staff,
    version: int,
    participation_requested: bool = False,
    outreach_requested: bool = False,
) -> SupportPlan:
    """A version of the case's plan, drafted by the actor for their agency."""
    return SupportPlan(
        case=case,
        version=version,
        author=actor,
        agency=actor.agency,
        participation_requested=participation_requested,
        outreach_requested=outreach_requested,
    )


def build_goal(*, plan: SupportPlan, term: str, text: str, order: int) -> PlanGoal:
    return PlanGoal(plan=plan, term=term, text=text, order=order)


def build_action(
    *,
    goal: PlanGoal,
    what: str,
    agency: Agency,
    staff: Staff | None = None,
    due_on: datetime.date | None = None,
) -> PlanAction:
    return PlanAction(goal=goal, what=what.strip(), agency=agency, staff=staff, due_on=due_on)


def build_review(
    *,
    case: Case,
    actor: Staff,
    kind: str,
    plan: SupportPlan | None,
    held_on: datetime.date,
    person_view: str,
    next_review_on: datetime.date | None,
    meeting_item: AgendaItem | None,
) -> Review:
    """A review by the actor for their agency, due when the plan's review was due."""
    return Review(
        case=case,
        plan=plan,
        kind=kind,
        due_on=plan.review_due_on if plan else None,
        held_on=held_on,
        author=actor,
        agency=actor.agency,
        person_view=person_view.strip(),
        next_review_on=next_review_on,
        meeting_item=meeting_item,
    )


def build_evaluations(
    review: Review,
    goals: Iterable[tuple[PlanGoal, str]],
    areas: Iterable[tuple[str, str]],
) -> tuple[list[GoalEvaluation], list[AreaEvaluation]]:
    """The review's result for each goal and its trend for each life area."""
    return (
        [GoalEvaluation(review=review, goal=goal, result=result) for goal, result in goals],
        [AreaEvaluation(review=review, area=area, trend=trend) for area, trend in areas],
    )


def build_closure(
    *,
    case: Case,
    actor: Staff,
    reason: str,
    note: str,
    decided_at: AgendaItem | None,
    evaluation: Review | None,
) -> Closure:
    """終結 decided by the actor, at a meeting's item or by the lead agency alone."""
    return Closure(
        case=case,
        reason=reason,
        note=note.strip(),
        decided_at=decided_at,
        decided_by=actor,
        evaluation=evaluation,
    )
