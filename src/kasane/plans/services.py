"""Every change of a case's assessment, support plan, reviews and closure.

課題整理 → プラン作成 → モニタリング → 終結 (DESIGN.md). The rules:

- Only staff of an agency on the case's team, or the coordinator of a case sent to
  coordination, write — and only with a recorded basis to read the case's details
  (``require_case_details``). Nothing is written on a closed case.
- A plan is versioned: a new version copies the previous one's goals and actions as a draft;
  an approved or superseded version never changes.
- Each action (役割分担) is given to an agency on the case's team.
- A plan is approved at a 重層的支援会議 that took up this case, by the agency that held it;
  the approval is also the meeting's plan-approval decision.
- A closed case is not reviewed.
- 終結 of a case with 支援決定 is decided at a 重層的支援会議 that took it up; a case
  without 支援決定 is closed by its lead agency and the coordinator is told.

Each service validates, saves and writes its audit event with the basis in one transaction;
errors are ``ValidationError`` with a stable ``code``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Role, Staff
from kasane.cases import services as case_services
from kasane.cases.models import Case, CaseStatus, TeamRole
from kasane.core.row_version import EditConflict, compare_and_set
from kasane.core.services import notify
from kasane.meetings import services as meeting_services
from kasane.meetings.models import AgendaItem, DecisionKind, MeetingKind, MeetingStatus
from kasane.plans.models import (
    AgreementMethod,
    AreaEvaluation,
    Assessment,
    AssessmentArea,
    Closure,
    ClosureReason,
    GoalEvaluation,
    GoalResult,
    GoalTerm,
    LifeArea,
    PlanAction,
    PlanGoal,
    PlanStatus,
    Review,
    ReviewKind,
    Severity,
    SupportPlan,
    Trend,
)
from kasane.plans.selectors import is_plan_writer
from kasane.privacy.audit import audit_record
from kasane.privacy.cases import case_scope, require_case_details
from kasane.privacy.models import AuditAction, LegalBasis
from kasane.registry.models import Person

NOTIFY_CLOSED_BY_LEAD = "case_closed_by_lead"


def _audit(
    actor: Staff,
    action: AuditAction,
    basis: LegalBasis,
    object_type: str,
    object_id: object,
    **detail: object,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        legal_basis=basis,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
    )


def _today() -> datetime.date:
    # The demo loader sets the clock the case services read; follow it.
    return timezone.localdate(case_services._now())


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("household").get(pk=case.pk)


def _require_writer(actor: Staff, case: Case) -> LegalBasis:
    """The basis on which the actor writes this case's plan, or an error: outsiders learn
    nothing (PermissionDenied), a team agency without a basis gets ``NoDetailBasis``."""
    scope = case_scope(actor)
    if scope is None or not Case.objects.filter(scope, pk=case.pk).exists():
        raise PermissionDenied
    basis = require_case_details(actor, case)
    if not is_plan_writer(actor, case):
        raise PermissionDenied
    return basis


def _advance(case: Case, status: CaseStatus) -> None:
    """Move the case forward in the cycle (受付 → アセスメント → プラン作成 → 支援中), never back:
    a case already further on, watching over or closed keeps its status."""
    order = [CaseStatus.RECEIVED, CaseStatus.ASSESSMENT, CaseStatus.PLANNING, CaseStatus.IN_SUPPORT]
    earlier = order[: order.index(status)]
    if Case.objects.filter(pk=case.pk, status__in=earlier).update(
        status=status, row_version=F("row_version") + 1
    ):
        case.status = status
        case.refresh_from_db(fields=["row_version"])


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed."), code="case_closed")


def _not_future(day: datetime.date, field: str) -> None:
    if day > _today():
        raise ValidationError(
            {field: ValidationError(_("The date cannot be in the future."), code="future")}
        )


# --- assessment (課題整理) -------------------------------------------------------------------


@dataclass(frozen=True)
class AreaInput:
    """One life area of the インテーク・アセスメントシート: the situation and its severity."""

    area: str
    situation: str = ""
    severity: int = Severity.NONE


@transaction.atomic
def assessment_create(
    *,
    actor: Staff,
    case: Case,
    assessed_on: datetime.date,
    areas: Iterable[AreaInput],
    person: Person | None = None,
    strengths: str = "",
    interests: str = "",
    wishes: str = "",
) -> Assessment:
    """アセスメント of the household, or of one current member (``person``), per life area,
    with strengths, interests and wishes in the person's words."""
    case = _lock(case)
    basis = _require_writer(actor, case)
    _require_open(case)
    assert actor.agency is not None
    if (
        person is not None
        and not case.household.memberships.filter(person=person, ended_on__isnull=True).exists()
    ):
        raise ValidationError(
            {
                "person": ValidationError(
                    _("Choose a current member of this household."), code="person_not_member"
                )
            }
        )
    _not_future(assessed_on, "assessed_on")
    rows = [
        AreaInput(a.area, a.situation.strip(), int(a.severity))
        for a in areas
        if a.situation.strip() or int(a.severity) != Severity.NONE
    ]
    if any(r.area not in LifeArea.values or r.severity not in Severity.values for r in rows):
        raise ValidationError(_("Choose the life area and its severity."), code="bad_area")
    if len({r.area for r in rows}) != len(rows):
        raise ValidationError(_("Each life area is assessed once."), code="area_duplicate")
    if not rows and not (strengths.strip() or interests.strip() or wishes.strip()):
        raise ValidationError(
            _(
                "Record the situation of at least one life area, or the person's strengths, "
                "interests or wishes."
            ),
            code="empty_assessment",
        )
    assessment = Assessment(
        case=case,
        person=person,
        assessed_on=assessed_on,
        author=actor,
        agency=actor.agency,
        strengths=strengths.strip(),
        interests=interests.strip(),
        wishes=wishes.strip(),
    )
    assessment.full_clean()
    assessment.save()
    objects = [
        AssessmentArea(
            assessment=assessment, area=r.area, situation=r.situation, severity=r.severity
        )
        for r in rows
    ]
    for area in objects:
        area.full_clean(exclude=["assessment"])
    AssessmentArea.objects.bulk_create(objects)
    _audit(
        actor,
        AuditAction.CREATE,
        basis,
        "assessment",
        assessment.public_id,
        case=str(case.public_id),
        person=str(person.public_id) if person else None,
    )
    _advance(case, CaseStatus.ASSESSMENT)
    return assessment


# --- support plans (プラン兼利用申込書) ------------------------------------------------------


def _plan_for_update(plan: SupportPlan) -> SupportPlan:
    return SupportPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)


def _require_draft(plan: SupportPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("This version of the plan is no longer a draft. Start a new version to change it."),
            code="plan_not_draft",
        )


def _writable_plan(actor: Staff, plan: SupportPlan) -> tuple[SupportPlan, LegalBasis]:
    plan = _plan_for_update(plan)
    basis = _require_writer(actor, plan.case)
    _require_open(plan.case)
    _require_draft(plan)
    return plan, basis


def _count_a_change(plan: SupportPlan) -> None:
    """A goal or an action of the draft changed: count it as a save of the plan, so that a
    header form or an approval opened before it is refused (kasane.core.row_version) — the
    approver must see the plan they approve."""
    SupportPlan.objects.filter(pk=plan.pk).update(row_version=F("row_version") + 1)
    plan.row_version += 1


def _on_team(case: Case, agency: Agency) -> bool:
    return case.team.filter(agency=agency, left_at__isnull=True).exists()


def _not_on_team(agency: Agency) -> ValidationError:
    # The same words the meeting decisions use: the agency is named, and the way out given.
    return ValidationError(
        _(
            "%(agency)s is not on this case's support team. Refer the household "
            "to it first, or give the action to an agency on the team."
        )
        % {"agency": agency.name},
        code="agency_not_on_team",
    )


@transaction.atomic
def plan_create(*, actor: Staff, case: Case) -> SupportPlan:
    """A new version of the case's plan, as a draft copying the latest version's goals and
    actions (with their lineage, so versions compare goal by goal) and its requests for
    participation support and outreach. The person agrees to each version anew."""
    case = _lock(case)
    basis = _require_writer(actor, case)
    _require_open(case)
    assert actor.agency is not None
    if case.plans.filter(status=PlanStatus.DRAFT).exists():
        raise ValidationError(
            _("A draft of the plan is already open. Finish it and have it approved first."),
            code="draft_exists",
        )
    previous = case.plans.order_by("-version").prefetch_related("goals__actions").first()
    plan = SupportPlan(
        case=case,
        version=(previous.version if previous else 0) + 1,
        author=actor,
        agency=actor.agency,
        participation_requested=previous.participation_requested if previous else False,
        outreach_requested=previous.outreach_requested if previous else False,
    )
    plan.full_clean()
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # two staff starting a version at the same moment
        raise ValidationError(
            _("A draft of the plan is already open. Finish it and have it approved first."),
            code="draft_exists",
        ) from exc
    if previous is not None:
        for goal in previous.goals.all():
            copy = PlanGoal.objects.create(
                plan=plan, term=goal.term, text=goal.text, order=goal.order, lineage=goal.lineage
            )
            PlanAction.objects.bulk_create(
                PlanAction(
                    goal=copy,
                    what=a.what,
                    agency_id=a.agency_id,
                    staff_id=a.staff_id,
                    due_on=a.due_on,
                    lineage=a.lineage,
                )
                for a in goal.actions.all()
            )
    _audit(
        actor,
        AuditAction.CREATE,
        basis,
        "support_plan",
        plan.public_id,
        case=str(case.public_id),
        version=plan.version,
        copied_from=previous.version if previous else None,
    )
    _advance(case, CaseStatus.PLANNING)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Staff,
    plan: SupportPlan,
    participation_requested: bool = False,
    outreach_requested: bool = False,
    agreed_on: datetime.date | None = None,
    agreement_method: str = "",
    review_due_on: datetime.date | None = None,
    row_version: int | None = None,
) -> SupportPlan:
    """The draft's header: requests for 参加支援 / アウトリーチ, the person's agreement (date
    and how: signed, orally, by a proxy) and the date of the first review.

    With ``row_version`` (the count the editor opened the plan at) the save is a
    compare-and-set: if somebody saved the plan since, nothing is saved and ``EditConflict``
    is raised (kasane.core.row_version)."""
    plan, basis = _writable_plan(actor, plan)
    if (agreed_on is None) != (not agreement_method):
        raise ValidationError(
            _("Give both the date the person agreed and how they agreed."),
            code="agreement_incomplete",
        )
    if agreement_method and agreement_method not in AgreementMethod.values:
        raise ValidationError(
            {"agreement_method": ValidationError(_("Choose how the person agreed."), code="bad")}
        )
    if agreed_on is not None:
        _not_future(agreed_on, "agreed_on")
    plan.participation_requested = participation_requested
    plan.outreach_requested = outreach_requested
    plan.agreed_on = agreed_on
    plan.agreement_method = agreement_method
    plan.review_due_on = review_due_on
    plan.full_clean()
    plan.row_version = compare_and_set(
        SupportPlan,
        pk=plan.pk,
        expected=row_version,
        object_type="support_plan",
        values={
            "participation_requested": participation_requested,
            "outreach_requested": outreach_requested,
            "agreed_on": agreed_on,
            "agreement_method": agreement_method,
            "review_due_on": review_due_on,
        },
    )
    _audit(
        actor,
        AuditAction.UPDATE,
        basis,
        "support_plan",
        plan.public_id,
        fields=[
            "participation_requested",
            "outreach_requested",
            "agreed_on",
            "agreement_method",
            "review_due_on",
        ],
    )
    return plan


def _goal_text(term: str, text: str) -> str:
    if term not in GoalTerm.values:
        raise ValidationError(
            {"term": ValidationError(_("Choose long or short term."), code="bad_term")}
        )
    if not text.strip():
        raise ValidationError(
            {"text": ValidationError(_("Write the goal in the person's words."), code="required")}
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
    _audit(actor, AuditAction.UPDATE, basis, "support_plan", plan.public_id, fields=["goals"])
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
    _audit(actor, AuditAction.UPDATE, basis, "support_plan", plan.public_id, fields=["goals"])
    return goal


@transaction.atomic
def goal_remove(*, actor: Staff, goal: PlanGoal) -> None:
    """Take a goal, with its actions, off the draft. Older versions keep theirs."""
    plan, basis = _writable_plan(actor, goal.plan)
    PlanGoal.objects.filter(pk=goal.pk, plan=plan).delete()
    _count_a_change(plan)
    _audit(actor, AuditAction.UPDATE, basis, "support_plan", plan.public_id, fields=["goals"])


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
            {"what": ValidationError(_("Write what is to be done."), code="required")}
        )
    if not _on_team(plan.case, agency):
        raise _not_on_team(agency)
    if staff is not None and staff.agency_id != agency.pk:
        raise ValidationError(
            {
                "staff": ValidationError(
                    _("This staff member does not work at that agency."), code="staff_not_of_agency"
                )
            }
        )
    action = PlanAction(goal=goal, what=what.strip(), agency=agency, staff=staff, due_on=due_on)
    action.full_clean()
    action.save()
    _count_a_change(plan)
    _audit(actor, AuditAction.UPDATE, basis, "support_plan", plan.public_id, fields=["actions"])
    return action


@transaction.atomic
def action_remove(*, actor: Staff, action: PlanAction) -> None:
    """Take an action off the draft. Older versions keep theirs."""
    plan, basis = _writable_plan(actor, action.goal.plan)
    PlanAction.objects.filter(pk=action.pk, goal__plan=plan).delete()
    _count_a_change(plan)
    _audit(actor, AuditAction.UPDATE, basis, "support_plan", plan.public_id, fields=["actions"])


def _integrated_item_for(item: AgendaItem, case: Case, *, code: str) -> AgendaItem:
    """The agenda item, if it is a 重層的支援会議 (not cancelled) that took up this case."""
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    if item.meeting.kind != MeetingKind.INTEGRATED_MEETING:
        raise ValidationError(
            _(
                "This is decided at an integrated support meeting; the meeting you chose is "
                "of another kind."
            ),
            code=f"{code}_needs_integrated_meeting",
        )
    if item.case_id != case.pk:
        raise ValidationError(
            _(
                "The meeting you chose did not take up this case. Choose the integrated "
                "support meeting that discussed it, or put the case on its agenda first."
            ),
            code=f"{code}_meeting_other_case",
        )
    if item.meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code="meeting_cancelled")
    return item


def _require_organizer(actor: Staff, item: AgendaItem) -> None:
    if actor.agency_id != item.meeting.organizer_id:
        raise ValidationError(
            _("The decision is recorded by the agency that held the meeting."),
            code="not_organizer",
        )


@transaction.atomic
def plan_approve(
    *,
    actor: Staff,
    plan: SupportPlan,
    item: AgendaItem,
    review_due_on: datetime.date | None = None,
    row_version: int | None = None,
) -> SupportPlan:
    """Approve a draft at a 重層的支援会議 that took up this case (``item``), recorded by the
    agency that held it. The meeting's plan-approval decision is written with it; the
    version approved before becomes superseded. The draft needs goals, every action with an
    agency still on the team, the person's agreement, and the date of its first review."""
    plan, basis = _writable_plan(actor, plan)
    if row_version is not None and plan.row_version != row_version:
        # The plan changed since the approver opened it (under the row lock: no race).
        raise EditConflict(object_type="support_plan", current_row_version=plan.row_version)
    case = _lock(plan.case)
    item = _integrated_item_for(item, case, code="approval")
    _require_organizer(actor, item)
    goals = list(plan.goals.prefetch_related("actions__agency"))
    if not goals:
        raise ValidationError(
            _("The plan has no goal yet. Write the person's goals first."),
            code="plan_without_goals",
        )
    for goal in goals:
        for action in goal.actions.all():
            if not _on_team(case, action.agency):
                raise _not_on_team(action.agency)
    if plan.agreed_on is None or not plan.agreement_method:
        raise ValidationError(
            _("Record the person's agreement to the plan (date and how) before it is approved."),
            code="agreement_required",
        )
    review_due_on = review_due_on or plan.review_due_on
    if review_due_on is None:
        raise ValidationError(
            {
                "review_due_on": ValidationError(
                    _("Give the date of the next review."), code="review_date_required"
                )
            }
        )
    if review_due_on < timezone.localtime(item.meeting.held_at).date():
        raise ValidationError(
            {
                "review_due_on": ValidationError(
                    _("The next review cannot be before the meeting."), code="review_in_past"
                )
            }
        )
    decision = meeting_services.decision_add(
        actor=actor,
        item=item,
        kind=DecisionKind.PLAN_APPROVAL,
        from_plans=True,
        text=_("Support plan version %(version)d approved.") % {"version": plan.version},
    )
    now = timezone.now()
    case.plans.filter(status=PlanStatus.APPROVED).update(
        status=PlanStatus.SUPERSEDED, updated_at=now, row_version=F("row_version") + 1
    )
    plan.status = PlanStatus.APPROVED
    plan.approved_at = item
    plan.approval_decision = decision
    plan.review_due_on = review_due_on
    plan.row_version += 1  # under the row lock of _writable_plan: an open editor is refused
    plan.full_clean()
    plan.save()
    _advance(case, CaseStatus.IN_SUPPORT)
    _audit(
        actor,
        AuditAction.UPDATE,
        basis,
        "support_plan",
        plan.public_id,
        fields=["status", "approved_at", "review_due_on"],
        item=str(item.public_id),
    )
    return plan


# --- reviews (モニタリング / 評価シート) ------------------------------------------------------


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
            _("Evaluate the goals of the plan in force."), code="goal_not_in_plan"
        )
    if any(r not in GoalResult.values for r in goal_results.values()):
        raise ValidationError(_("Choose achieved, partly or not achieved."), code="bad_result")
    if all_goals and set(goals) - {k for k, v in goal_results.items() if v}:
        raise ValidationError(
            _("Evaluate every goal of the plan: achieved, partly or not achieved."),
            code="goals_not_evaluated",
        )
    areas = [(a, t) for a, t in area_results.items() if t]
    if any(a not in LifeArea.values or t not in Trend.values for a, t in areas):
        raise ValidationError(_("Choose better, the same or worse."), code="bad_trend")
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
            code="review_meeting_other_case",
        )
    review = Review(
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
    review.full_clean()
    review.save()
    GoalEvaluation.objects.bulk_create(
        GoalEvaluation(review=review, goal=goal, result=result) for goal, result in goals
    )
    AreaEvaluation.objects.bulk_create(
        AreaEvaluation(review=review, area=area, trend=trend) for area, trend in areas
    )
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
            _("This case is closed; its plan is no longer reviewed."), code="case_closed"
        )
    plan = case.plans.filter(status=PlanStatus.APPROVED).prefetch_related("goals").first()
    if plan is None:
        raise ValidationError(
            _("This case has no approved plan to review yet."), code="no_approved_plan"
        )
    if next_review_on is None:
        raise ValidationError(
            {
                "next_review_on": ValidationError(
                    _("Give the date of the next review."), code="review_date_required"
                )
            }
        )
    if next_review_on <= held_on:
        raise ValidationError(
            {
                "next_review_on": ValidationError(
                    _("The next review comes after this one."), code="review_in_past"
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
    _audit(
        actor,
        AuditAction.CREATE,
        basis,
        "review",
        review.public_id,
        case=str(case.public_id),
        plan_version=plan.version,
    )
    return review


# --- closure (終結) -----------------------------------------------------------------------


def _coordinators_to_tell(case: Case) -> list[Staff]:
    """The coordinators of the coordination agency on the case, or else every coordinator."""
    agencies = list(
        case.team.filter(role=TeamRole.COORDINATION).values_list("agency_id", flat=True)
    )
    staff = Staff.objects.filter(role=Role.COORDINATOR, is_active=True)
    if agencies:
        staff = staff.filter(agency_id__in=agencies)
    return list(staff)


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
    if reason not in ClosureReason.values:
        raise ValidationError(
            {"reason": ValidationError(_("Choose why the case is closed."), code="reason_required")}
        )
    if reason == ClosureReason.OTHER and not note.strip():
        raise ValidationError(
            {
                "note": ValidationError(
                    _("Write the reason when you choose “other”."), code="reason_required"
                )
            }
        )
    label = str(ClosureReason(reason).label)
    if case.accepted_at is not None:
        if item is None:
            raise ValidationError(
                _(
                    "This case has a support decision: its closure is decided at an integrated "
                    "support meeting that took it up. Choose that meeting."
                ),
                code="closure_needs_integrated_meeting",
            )
        item = _integrated_item_for(item, case, code="closure")
        _require_organizer(actor, item)
        meeting_services.decision_add(
            actor=actor,
            item=item,
            kind=DecisionKind.CLOSURE,
            from_plans=True,
            text=f"{label}　{note.strip()}".strip(),
        )
    else:
        if actor.agency_id != case.lead_agency_id:
            raise ValidationError(
                _("A case without a support decision is closed by its lead agency."),
                code="not_lead",
            )
        if item is not None and item.case_id != case.pk:
            raise ValidationError(
                _(
                    "The meeting you chose did not take up this case. Choose the integrated "
                    "support meeting that discussed it, or put the case on its agenda first."
                ),
                code="closure_meeting_other_case",
            )
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
    closure = Closure(
        case=case,
        reason=reason,
        note=note.strip(),
        decided_at=item,
        decided_by=actor,
        evaluation=evaluation,
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
    _audit(
        actor,
        AuditAction.CREATE,
        basis,
        "closure",
        closure.public_id,
        case=str(case.public_id),
        reason=reason,
        item=str(item.public_id) if item else None,
    )
    return closure


__all__ = [
    "AreaInput",
    "action_add",
    "action_remove",
    "assessment_create",
    "closure_record",
    "goal_add",
    "goal_remove",
    "goal_update",
    "plan_approve",
    "plan_create",
    "plan_update",
    "review_record",
]
