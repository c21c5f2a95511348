"""課題整理: the assessment of a case, area by area."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.cases.models import Case, CaseStatus
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.plans.builders import build_assessment, build_assessment_areas
from kasane.plans.error_codes import ErrorCode
from kasane.plans.models import (
    Assessment,
    AssessmentArea,
    LifeArea,
    Severity,
)
from kasane.plans.services.base import (
    _advance,
    _lock,
    _not_future,
    _require_open,
    _require_writer,
)
from kasane.registry.models import Person


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
                    _("Choose a current member of this household."),
                    code=ErrorCode.PERSON_NOT_MEMBER,
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
        raise ValidationError(_("Choose the life area and its severity."), code=CoreCode.BAD_AREA)
    if len({r.area for r in rows}) != len(rows):
        raise ValidationError(_("Each life area is assessed once."), code=ErrorCode.AREA_DUPLICATE)
    if not rows and not (strengths.strip() or interests.strip() or wishes.strip()):
        raise ValidationError(
            _(
                "Record the situation of at least one life area, or the person's strengths, "
                "interests or wishes."
            ),
            code=ErrorCode.EMPTY_ASSESSMENT,
        )
    assessment = build_assessment(
        case=case,
        actor=actor,
        assessed_on=assessed_on,
        person=person,
        strengths=strengths,
        interests=interests,
        wishes=wishes,
    )
    assessment.full_clean()
    assessment.save()
    objects = build_assessment_areas(assessment, ((r.area, r.situation, r.severity) for r in rows))
    for area in objects:
        area.full_clean(exclude=["assessment"])
    AssessmentArea.objects.bulk_create(objects)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.ASSESSMENT,
        object_id=assessment.public_id,
        detail={"case": str(case.public_id), "person": str(person.public_id) if person else None},
    )
    _advance(case, CaseStatus.ASSESSMENT)
    return assessment
