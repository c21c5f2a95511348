"""The assessment and the support plan, as their pages show them; audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.safestring import SafeString

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.cases.models import Case
from kasane.plans.models import (
    Assessment,
    AssessmentArea,
    LifeArea,
    PlanAction,
    PlanGoal,
    PlanStatus,
    Severity,
    SupportPlan,
)
from kasane.plans.selectors.access import _heads, _in_scope, is_plan_writer
from kasane.privacy.cases import require_case_details

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
