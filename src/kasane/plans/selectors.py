"""Every read of assessments, support plans, reviews and closures: filtered, based, audited.

A case's assessment and plan are its details (DESIGN.md, "Meetings and the legal basis of
sharing"). Each read

- answers 404 when the case is outside ``case_scope`` (the agency may not know it exists);
- answers 403 (``NoDetailBasis``) when the agency knows the case exists but has no recorded
  basis to read its details (``require_case_details``);
- writes an audit event with that basis, in the same transaction.

Lists cost a fixed number of queries however many rows they show.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.cases.models import OPEN_STATUSES, Case
from kasane.meetings.models import AgendaItem, MeetingKind, MeetingStatus
from kasane.plans.models import (
    Assessment,
    AssessmentArea,
    Closure,
    GoalEvaluation,
    LifeArea,
    PlanAction,
    PlanGoal,
    PlanStatus,
    Review,
    Severity,
    SupportPlan,
)
from kasane.privacy.cases import (
    case_scope,
    grants,
    require_case_details,
    works_cases,
)
from kasane.privacy.models import GrantLevel
from kasane.registry.models import Membership, Relationship

# A review is shown in the inbox from this many days before it is due.
DUE_SOON_DAYS = 14
# How long a closure without a support decision stays in the coordinator's inbox.
CLOSURE_NOTICE_DAYS = 30
LIST_LIMIT = 50


def _heads(prefix: str = "") -> Prefetch[Any]:
    return Prefetch(
        f"{prefix}household__memberships",
        queryset=Membership.objects.filter(
            ended_on__isnull=True, relationship=Relationship.HEAD
        ).select_related("person"),
        to_attr="heads",
    )


def is_plan_writer(actor: Staff, case: Case) -> bool:
    """Who writes a case's assessment, plan, reviews and closure (besides holding a basis):
    staff of an agency on the case's team, and the coordinator of a case sent to
    coordination — the holders of the case's grants from those two sources."""
    return (
        grants(actor, GrantLevel.CASE)
        .filter(case_id=case.pk, source__in=("team", "coordination"))
        .exists()
    )


def _case_with_basis(actor: Staff, case_public_id: UUID | str) -> tuple[Case, LegalBasis]:
    """The case (404 outside the actor's scope) and the basis to read its details (403)."""
    scope = case_scope(actor)
    if scope is None:
        raise Http404
    try:
        case = (
            Case.objects.filter(scope)
            .select_related("household", "lead_agency")
            .prefetch_related(_heads())
            .get(public_id=case_public_id)
        )
    except (Case.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    return case, require_case_details(actor, case)


def _in_scope(actor: Staff, queryset: QuerySet[Any], public_id: UUID | str) -> Any:
    scope = case_scope(actor)
    if scope is None:
        raise Http404
    try:
        return queryset.filter(case__in=Case.objects.filter(scope)).get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


# --- the case page's section and the form pages --------------------------------------------


@dataclass
class CaseAccess:
    """A case whose details the actor may read, and whether the actor writes its plan."""

    case: Case
    basis: LegalBasis
    may_write: bool
    members: list[Membership] = field(default_factory=list)
    # The plan in force, and its goals (to evaluate at a review or at closure).
    plan: SupportPlan | None = None
    goals: list[PlanGoal] = field(default_factory=list)


def case_for_plans(actor: Staff, case_public_id: UUID | str) -> CaseAccess:
    """The case behind an assessment / plan / review / closure form, with its current members
    and the plan in force. Only a check: it writes nothing to the audit log. The service
    records the change; a form page that shows the case records its view
    (:func:`record_form_view`)."""
    case, basis = _case_with_basis(actor, case_public_id)
    members = list(
        case.household.memberships.filter(ended_on__isnull=True)
        .select_related("person")
        .order_by("started_on", "id")
    )
    plan = case.plans.filter(status=PlanStatus.APPROVED).first()
    goals = list(plan.goals.order_by("order", "id")) if plan else []
    return CaseAccess(case, basis, is_plan_writer(actor, case), members, plan, goals)


def record_form_view(actor: Staff, access: CaseAccess, *, purpose: Purpose) -> None:
    """Record that a form's page showed the case (its members, the plan in force)."""
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=access.basis,
        object_type=ObjectType.CASE,
        object_id=access.case.public_id,
        purpose=purpose,
    )


@dataclass
class CasePlans:
    case: Case
    basis: LegalBasis
    may_write: bool
    assessments: list[Assessment]
    plans: list[SupportPlan]
    reviews: list[Review]
    closure: Closure | None
    today: datetime.date

    @property
    def approved(self) -> SupportPlan | None:
        return next((p for p in self.plans if p.status == PlanStatus.APPROVED), None)

    @property
    def draft(self) -> SupportPlan | None:
        return next((p for p in self.plans if p.status == PlanStatus.DRAFT), None)

    @property
    def review_overdue(self) -> bool:
        plan = self.approved
        return bool(
            plan and plan.review_due_on and plan.review_due_on < self.today and self.case.is_open
        )


@transaction.atomic
def case_plans_for_user(actor: Staff, case_public_id: UUID | str) -> CasePlans:
    """The case page's section: assessments, plan versions, reviews and the closure."""
    case, basis = _case_with_basis(actor, case_public_id)
    assessments = list(
        case.assessments.select_related("person", "agency", "author").order_by(
            "-assessed_on", "-id"
        )
    )
    plans = list(case.plans.select_related("agency", "approved_at__meeting").order_by("-version"))
    reviews = list(case.reviews.select_related("plan", "agency").order_by("-held_on", "-id"))
    closure = Closure.objects.filter(case=case).select_related("decided_at__meeting").first()
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.CASE_PLANS,
        object_id=str(case.public_id),
    )
    return CasePlans(
        case=case,
        basis=basis,
        may_write=is_plan_writer(actor, case),
        assessments=assessments,
        plans=plans,
        reviews=reviews,
        closure=closure,
        today=timezone.localdate(),
    )


# --- assessments ---------------------------------------------------------------------------


@dataclass
class AreaRow:
    area: str
    label: str
    situation: str
    severity: int
    severity_label: str


@dataclass
class AssessmentView:
    assessment: Assessment
    case: Case
    basis: LegalBasis
    rows: list[AreaRow]
    # The genogram and the ecomap (SVG) for the printed sheet, once drawn.
    diagrams: dict[str, SafeString] = field(default_factory=dict)


def _diagrams(case: Case) -> dict[str, SafeString]:
    """The case's genogram and ecomap, drawn from the household and the team, which this
    read's basis already covers."""
    from kasane.plans.diagrams import ecomap_svg, genogram_svg

    return {"genogram": genogram_svg(case), "ecomap": ecomap_svg(case)}


def area_rows(areas: list[AssessmentArea]) -> list[AreaRow]:
    """Every life area of the sheet in its order, the ones not recorded left blank."""
    by_area = {a.area: a for a in areas}
    rows = []
    for code, label in LifeArea.choices:
        found = by_area.get(code)
        severity = found.severity if found else Severity.NONE
        rows.append(
            AreaRow(
                area=code,
                label=str(label),
                situation=found.situation if found else "",
                severity=severity,
                severity_label=str(Severity(severity).label) if found else "",
            )
        )
    return rows


@transaction.atomic
def get_assessment_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> AssessmentView:
    assessment: Assessment = _in_scope(
        actor,
        Assessment.objects.select_related(
            "case", "case__household", "case__lead_agency", "person", "agency", "author"
        ).prefetch_related("areas", _heads("case__")),
        public_id,
    )
    case = assessment.case
    basis = require_case_details(actor, case)
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.ASSESSMENT,
        object_id=str(assessment.public_id),
        purpose=purpose,
        detail={"case": str(case.public_id)},
    )
    view = AssessmentView(assessment, case, basis, area_rows(list(assessment.areas.all())))
    view.diagrams = _diagrams(case)
    return view


# --- plans ---------------------------------------------------------------------------------


def _plans() -> QuerySet[SupportPlan]:
    return SupportPlan.objects.select_related(
        "case",
        "case__household",
        "case__lead_agency",
        "agency",
        "author",
        "approved_at__meeting__organizer",
        "approval_decision",
    ).prefetch_related(
        _heads("case__"),
        Prefetch(
            "goals",
            queryset=PlanGoal.objects.order_by("order", "id").prefetch_related(
                Prefetch(
                    "actions",
                    queryset=PlanAction.objects.select_related("agency", "staff").order_by("id"),
                )
            ),
        ),
    )


@dataclass
class PlanView:
    plan: SupportPlan
    case: Case
    basis: LegalBasis
    may_write: bool
    versions: list[int]

    @property
    def goals(self) -> list[PlanGoal]:
        return list(self.plan.goals.all())

    @property
    def long_goals(self) -> list[PlanGoal]:
        return [g for g in self.goals if g.term == "long"]

    @property
    def short_goals(self) -> list[PlanGoal]:
        return [g for g in self.goals if g.term == "short"]

    @property
    def is_draft(self) -> bool:
        return self.plan.status == PlanStatus.DRAFT


@transaction.atomic
def get_plan_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> PlanView:
    """One version of a case's plan, with its goals, actions and the meeting that approved
    it."""
    plan: SupportPlan = _in_scope(actor, _plans(), public_id)
    case = plan.case
    basis = require_case_details(actor, case)
    versions = list(case.plans.order_by("version").values_list("version", flat=True))
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=str(plan.public_id),
        purpose=purpose,
        detail={"case": str(case.public_id), "version": plan.version},
    )
    return PlanView(plan, case, basis, is_plan_writer(actor, case), versions)


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


__all__ = [
    "CaseAccess",
    "CasePlans",
    "DueReview",
    "PlanDiff",
    "PlanInbox",
    "PlanView",
    "approval_items",
    "case_for_plans",
    "case_plans_for_user",
    "closures_without_meeting_for",
    "diff_plans",
    "get_assessment_for_user",
    "get_plan_for_user",
    "get_review_for_user",
    "is_plan_writer",
    "plan_diff_for_user",
    "plan_inbox_for",
    "reviews_due_for",
]
