"""プラン兼利用申込書: support plans, their versions, and their approval at a
重層的支援会議. Goals and actions are in ``goals``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case, CaseStatus
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.core.row_version import EditConflict, compare_and_set
from kasane.meetings import services as meeting_services
from kasane.meetings.models import AgendaItem, DecisionKind
from kasane.plans.builders import build_plan
from kasane.plans.error_codes import ErrorCode
from kasane.plans.models import (
    AgreementMethod,
    PlanAction,
    PlanGoal,
    PlanStatus,
    SupportPlan,
)
from kasane.plans.services.base import (
    _advance,
    _integrated_item_for,
    _lock,
    _not_future,
    _require_open,
    _require_organizer,
    _require_writer,
)


def _plan_for_update(plan: SupportPlan) -> SupportPlan:
    return SupportPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)


def _require_draft(plan: SupportPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("This version of the plan is no longer a draft. Start a new version to change it."),
            code=ErrorCode.PLAN_NOT_DRAFT,
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
        code=ErrorCode.AGENCY_NOT_ON_TEAM,
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
            code=ErrorCode.DRAFT_EXISTS,
        )
    previous = case.plans.order_by("-version").prefetch_related("goals__actions").first()
    plan = build_plan(
        case=case,
        actor=actor,
        version=(previous.version if previous else 0) + 1,
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
            code=ErrorCode.DRAFT_EXISTS,
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
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=plan.public_id,
        detail={
            "case": str(case.public_id),
            "version": plan.version,
            "copied_from": previous.version if previous else None,
        },
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
            code=ErrorCode.AGREEMENT_INCOMPLETE,
        )
    if agreement_method and agreement_method not in AgreementMethod.values:
        raise ValidationError(
            {
                "agreement_method": ValidationError(
                    _("Choose how the person agreed."), code=ErrorCode.BAD
                )
            }
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
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=plan.public_id,
        detail={
            "fields": [
                "participation_requested",
                "outreach_requested",
                "agreed_on",
                "agreement_method",
                "review_due_on",
            ]
        },
    )
    return plan


def _approvable(
    plan: SupportPlan, case: Case, item: AgendaItem, review_due_on: datetime.date | None
) -> datetime.date:
    """The date of the first review, once the draft has goals, every action an agency still
    on the team, and the person's agreement."""
    goals = list(plan.goals.prefetch_related("actions__agency"))
    if not goals:
        raise ValidationError(
            _("The plan has no goal yet. Write the person's goals first."),
            code=ErrorCode.PLAN_WITHOUT_GOALS,
        )
    for goal in goals:
        for action in goal.actions.all():
            if not _on_team(case, action.agency):
                raise _not_on_team(action.agency)
    if plan.agreed_on is None or not plan.agreement_method:
        raise ValidationError(
            _("Record the person's agreement to the plan (date and how) before it is approved."),
            code=ErrorCode.AGREEMENT_REQUIRED,
        )
    review_due_on = review_due_on or plan.review_due_on
    if review_due_on is None:
        raise ValidationError(
            {
                "review_due_on": ValidationError(
                    _("Give the date of the next review."), code=CoreCode.REVIEW_DATE_REQUIRED
                )
            }
        )
    if review_due_on < timezone.localtime(item.meeting.held_at).date():
        raise ValidationError(
            {
                "review_due_on": ValidationError(
                    _("The next review cannot be before the meeting."), code=CoreCode.REVIEW_IN_PAST
                )
            }
        )
    return review_due_on


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
    item = _integrated_item_for(
        item,
        case,
        wrong_kind=ErrorCode.APPROVAL_NEEDS_INTEGRATED_MEETING,
        other_case=ErrorCode.APPROVAL_MEETING_OTHER_CASE,
    )
    _require_organizer(actor, item)
    review_due_on = _approvable(plan, case, item, review_due_on)
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
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.SUPPORT_PLAN,
        object_id=plan.public_id,
        detail={"fields": ["status", "approved_at", "review_due_on"], "item": str(item.public_id)},
    )
    return plan
