"""Which cases' plans an actor reaches, on which basis; the case page's plans section."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.cases.models import Case
from kasane.plans.models import (
    Assessment,
    Closure,
    PlanGoal,
    PlanStatus,
    Review,
    SupportPlan,
)
from kasane.privacy.cases import case_scope, grants, require_case_details
from kasane.privacy.models import GrantLevel
from kasane.registry.models import Membership, Relationship


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
