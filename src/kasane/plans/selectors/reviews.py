"""Reviews (モニタリング), plan approvals and closures: the pages and the inbox lists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import OPEN_STATUSES, Case
from kasane.meetings.models import AgendaItem, MeetingKind, MeetingStatus
from kasane.plans.models import Closure, GoalEvaluation, PlanStatus, Review, SupportPlan
from kasane.plans.selectors.access import _heads, _in_scope
from kasane.privacy.cases import require_case_details, works_cases

# A review is shown in the inbox from this many days before it is due.
DUE_SOON_DAYS = 14
# How long a closure without a support decision stays in the coordinator's inbox.
CLOSURE_NOTICE_DAYS = 30
LIST_LIMIT = 50


def approval_items(actor: Staff, case: Case) -> list[AgendaItem]:
    """The integrated support meetings the actor's agency held that took up this case: where
    its plan can be approved, or its closure decided. Dates and kinds only."""
    if not works_cases(actor):
        return []
    return list(
        AgendaItem.objects.filter(
            case=case,
            meeting__kind=MeetingKind.INTEGRATED_MEETING,
            meeting__organizer_id=actor.agency_id,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
        .order_by("-meeting__held_at")
    )


# --- reviews -------------------------------------------------------------------------------


@dataclass
class ReviewView:
    review: Review
    case: Case
    basis: LegalBasis
    goals: list[GoalEvaluation]
    areas: list[Any]


@transaction.atomic
def get_review_for_user(actor: Staff, public_id: UUID | str) -> ReviewView:
    review: Review = _in_scope(
        actor,
        Review.objects.select_related(
            "case", "case__household", "case__lead_agency", "plan", "agency", "author"
        ).prefetch_related(
            _heads("case__"),
            Prefetch("goal_results", queryset=GoalEvaluation.objects.select_related("goal")),
            "area_results",
        ),
        public_id,
    )
    case = review.case
    basis = require_case_details(actor, case)
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.REVIEW,
        object_id=str(review.public_id),
        detail={"case": str(case.public_id)},
    )
    return ReviewView(
        review,
        case,
        basis,
        sorted(review.goal_results.all(), key=lambda g: (g.goal.term != "long", g.goal.order)),
        list(review.area_results.all()),
    )


@dataclass
class DueReview:
    plan: SupportPlan
    due_on: datetime.date
    today: datetime.date

    @property
    def case(self) -> Case:
        return self.plan.case

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days(self) -> int:
        return (self.due_on - self.today).days


@transaction.atomic
def reviews_due_for(actor: Staff, today: datetime.date | None = None) -> list[DueReview]:
    """モニタリング due within ``DUE_SOON_DAYS`` or overdue, on open cases with an approved
    plan: for the lead agency's staff, and for the coordinator the cases sent to
    coordination. Overdue first. Three queries however many rows; audited."""
    today = today or timezone.localdate()
    if not works_cases(actor):
        return []
    led = Q(case__lead_agency_id=actor.agency_id)
    coordinating = actor.role == Role.COORDINATOR
    scope = led | Q(case__sent_to_coordination_at__isnull=False) if coordinating else led
    plans = list(
        SupportPlan.objects.filter(
            scope,
            status=PlanStatus.APPROVED,
            case__status__in=OPEN_STATUSES,
            review_due_on__isnull=False,
            review_due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("case", "case__household", "case__lead_agency")
        .prefetch_related(_heads("case__"))
        .order_by("review_due_on", "case__number")[:LIST_LIMIT]
    )
    due = [DueReview(p, p.review_due_on, today) for p in plans if p.review_due_on]
    own = [str(d.case.public_id) for d in due if d.case.lead_agency_id == actor.agency_id]
    others = [str(d.case.public_id) for d in due if d.case.lead_agency_id != actor.agency_id]
    if own:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.REVIEWS_DUE,
            object_id="",
            detail={"cases": own},
        )
    if others:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.COORDINATION,
            object_type=ObjectType.REVIEWS_DUE,
            object_id="",
            detail={"cases": others},
        )
    return due


@dataclass
class PlanInbox:
    """The home page's part of the plans: reviews due or overdue, and for the coordinator the
    cases closed by their lead agency without a support decision."""

    due: list[DueReview]
    closures: list[Closure]

    @property
    def overdue(self) -> int:
        return sum(1 for d in self.due if d.overdue)


@transaction.atomic
def plan_inbox_for(actor: Staff, today: datetime.date | None = None) -> PlanInbox:
    return PlanInbox(reviews_due_for(actor, today), closures_without_meeting_for(actor, today))


@transaction.atomic
def closures_without_meeting_for(actor: Staff, today: datetime.date | None = None) -> list[Closure]:
    """For the coordinator: cases closed lately by their lead agency without a support
    decision (and so without a meeting). Case number, agency and reason only."""
    if actor.role != Role.COORDINATOR or not works_cases(actor):
        return []
    today = today or timezone.localdate()
    since = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=CLOSURE_NOTICE_DAYS), datetime.time.min
        )
    )
    closures = list(
        Closure.objects.filter(
            decided_at__isnull=True, case__accepted_at__isnull=True, case__closed_at__gte=since
        )
        .select_related("case", "decided_by__agency")
        .order_by("-case__closed_at")[:LIST_LIMIT]
    )
    if closures:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.COORDINATION,
            object_type=ObjectType.CLOSURES_BY_LEAD,
            object_id="",
            detail={"cases": [str(c.case.public_id) for c in closures]},
        )
    return closures
