"""Plans API: assessments, plan versions and their approval, reviews and closure. Writes go
through ``kasane.plans.services``; reads through ``kasane.plans.selectors`` — a caller
without a recorded basis to read the case's details gets what the API gives for no access.

Goals are named by ``goal_id``: the goal's lineage, which stays the same across versions of
the plan (a new version copies each goal with it)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kasane.accounts.models import Staff
from kasane.api.auth import case_worker
from kasane.api.lookups import agency_by_id
from kasane.api.schemas import ERRORS, ErrorOut
from kasane.audit.models import Purpose
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings import selectors as meeting_selectors
from kasane.meetings.models import AgendaItem
from kasane.plans import selectors as plan_selectors
from kasane.plans import services
from kasane.plans.api_schemas import (
    ApproveIn,
    AssessmentIn,
    AssessmentOut,
    ClosureIn,
    ClosureOut,
    GoalIn,
    GoalResultIn,
    PlanCreateIn,
    PlanHeaderIn,
    PlanOut,
    ReviewIn,
    ReviewOut,
    _assessment,
    _plan,
    _review,
)
from kasane.plans.error_codes import ErrorCode
from kasane.plans.models import (
    Closure,
    PlanGoal,
    SupportPlan,
)

if TYPE_CHECKING:  # annotations only: pages read persons through the selectors
    from kasane.registry.models import Person

router = Router(tags=["plans"])


def _staff(public_id: UUID | None) -> Staff | None:
    if public_id is None:
        return None
    staff = Staff.objects.filter(public_id=public_id, is_active=True).first()
    if staff is None:
        raise ValidationError(
            {
                "staff_id": ValidationError(
                    _("There is no staff member with this id."), code=CoreCode.UNKNOWN_STAFF
                )
            }
        )
    return staff


def _person(access: plan_selectors.CaseAccess, public_id: UUID | None) -> Person | None:
    if public_id is None:
        return None
    person = next((m.person for m in access.members if m.person.public_id == public_id), None)
    if person is None:
        raise ValidationError(
            {
                "person_id": ValidationError(
                    _("Choose a current member of this household."),
                    code=ErrorCode.PERSON_NOT_MEMBER,
                )
            }
        )
    return person


def _item(actor: Staff, public_id: UUID | None, purpose: Purpose) -> AgendaItem | None:
    if public_id is None:
        return None
    return meeting_selectors.get_item_for_user(actor, public_id, purpose=purpose).item


def _goal_results(goals: list[PlanGoal], results: list[GoalResultIn]) -> dict[int, str]:
    by_lineage = {g.lineage: g.pk for g in goals}
    if any(r.goal_id not in by_lineage for r in results):
        raise ValidationError(
            {
                "goals": ValidationError(
                    _("Evaluate the goals of the plan in force."), code=ErrorCode.GOAL_NOT_IN_PLAN
                )
            }
        )
    return {by_lineage[r.goal_id]: r.result for r in results}


def _add_goals(actor: Staff, plan: SupportPlan, goals: list[GoalIn]) -> None:
    for goal_in in goals:
        goal = services.goal_add(actor=actor, plan=plan, term=goal_in.term, text=goal_in.text)
        for action in goal_in.actions:
            services.action_add(
                actor=actor,
                goal=goal,
                what=action.what,
                agency=agency_by_id(action.agency_id, "agency_id"),
                staff=_staff(action.staff_id),
                due_on=action.due_on,
            )


def _header(actor: Staff, plan: SupportPlan, header: PlanHeaderIn) -> None:
    services.plan_update(
        actor=actor,
        plan=plan,
        participation_requested=header.participation_requested,
        outreach_requested=header.outreach_requested,
        agreed_on=header.agreed_on,
        agreement_method=header.agreement_method or "",
        review_due_on=header.review_due_on,
        row_version=header.row_version,
    )


@router.post(
    "/cases/{case_id}/assessments",
    response={201: AssessmentOut, **ERRORS},
    operation_id="assessment_create",
    summary="Record an assessment of the household or of one member, per life area",
)
def assessment_create(
    request: HttpRequest, case_id: UUID, payload: AssessmentIn
) -> Status[AssessmentOut]:
    actor = case_worker(request)
    access = plan_selectors.case_for_plans(actor, case_id)
    assessment = services.assessment_create(
        actor=actor,
        case=access.case,
        person=_person(access, payload.person_id),
        assessed_on=payload.assessed_on,
        areas=[services.AreaInput(a.area, a.situation, a.severity) for a in payload.areas],
        strengths=payload.strengths,
        interests=payload.interests,
        wishes=payload.wishes,
    )
    return Status(
        201, _assessment(plan_selectors.get_assessment_for_user(actor, assessment.public_id))
    )


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, **ERRORS},
    operation_id="assessment_get",
    summary="An assessment of a case whose details you may read",
)
def assessment_get(request: HttpRequest, assessment_id: UUID) -> AssessmentOut:
    actor = case_worker(request)
    return _assessment(plan_selectors.get_assessment_for_user(actor, assessment_id))


@router.post(
    "/cases/{case_id}/plans",
    response={201: PlanOut, **ERRORS},
    operation_id="plan_version_create",
    summary="Start a new version of the case's plan (a draft copying the previous version)",
)
def plan_create(request: HttpRequest, case_id: UUID, payload: PlanCreateIn) -> Status[PlanOut]:
    actor = case_worker(request)
    access = plan_selectors.case_for_plans(actor, case_id)
    with transaction.atomic():  # the version with all its goals, or nothing
        plan = services.plan_create(actor=actor, case=access.case)
        _add_goals(actor, plan, payload.goals)
        if payload.header is not None:
            _header(actor, plan, payload.header)
    return Status(201, _plan(plan_selectors.get_plan_for_user(actor, plan.public_id)))


@router.get(
    "/plans/{plan_id}",
    response={200: PlanOut, **ERRORS},
    operation_id="plan_get",
    summary="One version of a case's plan, with the meeting that approved it",
)
def plan_get(request: HttpRequest, plan_id: UUID) -> PlanOut:
    actor = case_worker(request)
    return _plan(plan_selectors.get_plan_for_user(actor, plan_id))


@router.put(
    "/plans/{plan_id}",
    response={200: PlanOut, **ERRORS, 409: ErrorOut},
    operation_id="plan_update",
    summary="A draft's requests, the person's agreement and the first review date",
)
def plan_update(request: HttpRequest, plan_id: UUID, payload: PlanHeaderIn) -> PlanOut:
    actor = case_worker(request)
    view = plan_selectors.get_plan_for_user(actor, plan_id, purpose=Purpose.UPDATE)
    _header(actor, view.plan, payload)
    return _plan(plan_selectors.get_plan_for_user(actor, plan_id))


@router.post(
    "/plans/{plan_id}/goals",
    response={201: PlanOut, **ERRORS},
    operation_id="plan_goal_add",
    summary="Add a goal, with its actions, to a draft",
)
def plan_goal_add(request: HttpRequest, plan_id: UUID, payload: GoalIn) -> Status[PlanOut]:
    actor = case_worker(request)
    view = plan_selectors.get_plan_for_user(actor, plan_id, purpose=Purpose.UPDATE)
    with transaction.atomic():  # the goal with all its actions, or nothing
        _add_goals(actor, view.plan, [payload])
    return Status(201, _plan(plan_selectors.get_plan_for_user(actor, plan_id)))


@router.post(
    "/plans/{plan_id}/approve",
    response={200: PlanOut, **ERRORS},
    operation_id="plan_approve",
    summary="Approve a draft at the integrated support meeting that took up the case",
)
def plan_approve(request: HttpRequest, plan_id: UUID, payload: ApproveIn) -> PlanOut:
    actor = case_worker(request)
    view = plan_selectors.get_plan_for_user(actor, plan_id, purpose=Purpose.APPROVE)
    item = _item(actor, payload.agenda_item_id, Purpose.PLAN_APPROVAL)
    assert item is not None
    services.plan_approve(
        actor=actor, plan=view.plan, item=item, review_due_on=payload.review_due_on
    )
    return _plan(plan_selectors.get_plan_for_user(actor, plan_id))


@router.post(
    "/cases/{case_id}/reviews",
    response={201: ReviewOut, **ERRORS},
    operation_id="review_create",
    summary="Record a review (モニタリング) of the approved plan",
)
def review_create(request: HttpRequest, case_id: UUID, payload: ReviewIn) -> Status[ReviewOut]:
    actor = case_worker(request)
    access = plan_selectors.case_for_plans(actor, case_id)
    review = services.review_record(
        actor=actor,
        case=access.case,
        held_on=payload.held_on,
        goal_results=_goal_results(access.goals, payload.goals),
        area_results={a.area: a.trend for a in payload.areas},
        person_view=payload.person_view,
        next_review_on=payload.next_review_on,
    )
    return Status(201, _review(review))


@router.post(
    "/cases/{case_id}/closure",
    response={201: ClosureOut, **ERRORS},
    operation_id="closure_create",
    summary="Close the case (終結) with its reason and final evaluation",
)
def closure_create(request: HttpRequest, case_id: UUID, payload: ClosureIn) -> Status[ClosureOut]:
    actor = case_worker(request)
    access = plan_selectors.case_for_plans(actor, case_id)
    closure: Closure = services.closure_record(
        actor=actor,
        case=access.case,
        reason=payload.reason,
        note=payload.note,
        item=_item(actor, payload.agenda_item_id, Purpose.CLOSURE),
        held_on=payload.held_on,
        goal_results=_goal_results(access.goals, payload.goals),
        area_results={a.area: a.trend for a in payload.areas},
        person_view=payload.person_view,
    )
    return Status(
        201,
        ClosureOut(
            id=closure.public_id,
            case_id=access.case.public_id,
            reason=closure.reason,
            note=closure.note,
            agenda_item_id=closure.decided_at.public_id if closure.decided_at else None,
            evaluation=_review(closure.evaluation) if closure.evaluation else None,
        ),
    )
