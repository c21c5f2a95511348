"""The shapes of the plans API: assessments, plans, reviews and closures, in and out."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from kasane.api.schemas import AgencyRef, agency_ref
from kasane.plans import selectors as plan_selectors
from kasane.plans.models import (
    AgreementMethod,
    ClosureReason,
    GoalResult,
    GoalTerm,
    LifeArea,
    Review,
    Severity,
    Trend,
)


class AreaIn(Schema):
    area: LifeArea
    situation: str = Field(default="", max_length=4000)
    severity: Severity = Severity.NONE


class AssessmentIn(Schema):
    """インテーク・アセスメントシート. ``person_id`` a current member; omitted, the household."""

    person_id: UUID | None = None
    assessed_on: datetime.date
    areas: list[AreaIn] = Field(default_factory=list, max_length=len(LifeArea.values))
    strengths: str = Field(default="", max_length=4000)
    interests: str = Field(default="", max_length=4000)
    wishes: str = Field(default="", max_length=4000)


class ActionIn(Schema):
    what: str = Field(max_length=2000)
    agency_id: UUID = Field(description="an agency on the case's team")
    staff_id: UUID | None = Field(default=None, description="a staff member of that agency")
    due_on: datetime.date | None = None


class GoalIn(Schema):
    term: GoalTerm
    text: str = Field(max_length=2000, description="in the person's words")
    actions: list[ActionIn] = Field(default_factory=list, max_length=30)


class PlanHeaderIn(Schema):
    participation_requested: bool = False
    outreach_requested: bool = False
    agreed_on: datetime.date | None = None
    agreement_method: AgreementMethod | None = None
    review_due_on: datetime.date | None = None
    row_version: int | None = Field(
        default=None,
        ge=0,
        description=(
            "the plan's row_version as you read it: if somebody saved the plan since, "
            "nothing is saved and the answer is 409 edit_conflict. Omitted, the save is "
            "unconditional (not recommended)"
        ),
    )


class PlanCreateIn(Schema):
    """A new version, copying the previous one's goals and actions; ``goals`` are added to
    them, ``header`` replaces its requests, agreement and review date."""

    header: PlanHeaderIn | None = None
    goals: list[GoalIn] = Field(default_factory=list, max_length=30)


class ApproveIn(Schema):
    agenda_item_id: UUID = Field(description="the integrated support meeting's item of the case")
    review_due_on: datetime.date | None = None


class GoalResultIn(Schema):
    goal_id: UUID
    result: GoalResult


class AreaTrendIn(Schema):
    area: LifeArea
    trend: Trend


class EvaluationIn(Schema):
    held_on: datetime.date
    goals: list[GoalResultIn] = Field(default_factory=list, max_length=60)
    areas: list[AreaTrendIn] = Field(default_factory=list, max_length=len(LifeArea.values))
    person_view: str = Field(default="", max_length=4000)


class ReviewIn(EvaluationIn):
    next_review_on: datetime.date


class ClosureIn(EvaluationIn):
    reason: ClosureReason
    note: str = Field(default="", max_length=2000)
    agenda_item_id: UUID | None = Field(
        default=None, description="required for a case with a support decision"
    )


class AreaOut(Schema):
    area: str
    situation: str
    severity: int


class AssessmentOut(Schema):
    id: UUID
    case_id: UUID
    person_id: UUID | None
    assessed_on: datetime.date
    agency: AgencyRef
    areas: list[AreaOut]
    strengths: str
    interests: str
    wishes: str


class ActionOut(Schema):
    what: str
    agency: AgencyRef
    staff: str | None
    due_on: datetime.date | None


class GoalOut(Schema):
    goal_id: UUID
    term: str
    text: str
    actions: list[ActionOut]


class ApprovalOut(Schema):
    agenda_item_id: UUID
    meeting_id: UUID
    meeting_kind: str
    held_at: datetime.datetime
    decision_id: UUID | None


class PlanOut(Schema):
    id: UUID
    case_id: UUID
    version: int
    row_version: int = Field(description="counts the saves; send it back with plan_update")
    status: str
    participation_requested: bool
    outreach_requested: bool
    agreed_on: datetime.date | None
    agreement_method: str
    review_due_on: datetime.date | None
    approved_at: ApprovalOut | None
    goals: list[GoalOut]


class ReviewOut(Schema):
    id: UUID
    case_id: UUID
    kind: str
    plan_version: int | None
    held_on: datetime.date
    due_on: datetime.date | None
    next_review_on: datetime.date | None


class ClosureOut(Schema):
    id: UUID
    case_id: UUID
    reason: str
    note: str
    agenda_item_id: UUID | None
    evaluation: ReviewOut | None


def _ref(agency: Any) -> AgencyRef:
    ref = agency_ref(agency)
    assert ref is not None
    return ref


def _assessment(view: plan_selectors.AssessmentView) -> AssessmentOut:
    a = view.assessment
    return AssessmentOut(
        id=a.public_id,
        case_id=view.case.public_id,
        person_id=a.person.public_id if a.person else None,
        assessed_on=a.assessed_on,
        agency=_ref(a.agency),
        areas=[
            AreaOut(area=r.area, situation=r.situation, severity=r.severity)
            for r in view.rows
            if r.severity_label
        ],
        strengths=a.strengths,
        interests=a.interests,
        wishes=a.wishes,
    )


def _plan(view: plan_selectors.PlanView) -> PlanOut:
    plan = view.plan
    item = plan.approved_at
    return PlanOut(
        id=plan.public_id,
        case_id=view.case.public_id,
        version=plan.version,
        row_version=plan.row_version,
        status=plan.status,
        participation_requested=plan.participation_requested,
        outreach_requested=plan.outreach_requested,
        agreed_on=plan.agreed_on,
        agreement_method=plan.agreement_method,
        review_due_on=plan.review_due_on,
        approved_at=ApprovalOut(
            agenda_item_id=item.public_id,
            meeting_id=item.meeting.public_id,
            meeting_kind=item.meeting.kind,
            held_at=item.meeting.held_at,
            decision_id=plan.approval_decision.public_id if plan.approval_decision else None,
        )
        if item
        else None,
        goals=[
            GoalOut(
                goal_id=g.lineage,
                term=g.term,
                text=g.text,
                actions=[
                    ActionOut(
                        what=a.what,
                        agency=_ref(a.agency),
                        staff=str(a.staff) if a.staff else None,
                        due_on=a.due_on,
                    )
                    for a in g.actions.all()
                ],
            )
            for g in view.goals
        ],
    )


def _review(review: Review) -> ReviewOut:
    return ReviewOut(
        id=review.public_id,
        case_id=review.case.public_id,
        kind=review.kind,
        plan_version=review.plan.version if review.plan else None,
        held_on=review.held_on,
        due_on=review.due_on,
        next_review_on=review.next_review_on,
    )
