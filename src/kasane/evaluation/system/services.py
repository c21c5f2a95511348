"""Writes of the self-assessment of the support system: the standard checklist, a 年度's
scores, and the PDCA review records.

Only the municipality's coordinators write here (``access.may_edit``). Each service
validates, saves and writes its audit event in one transaction; nothing here is personal
data, so the basis recorded is ``LegalBasis.NONE``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.core.dates import current_fiscal_year, fiscal_year_bounds
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.evaluation.access import may_edit
from kasane.evaluation.dashboard.services import seed_indicators
from kasane.evaluation.error_codes import ErrorCode
from kasane.evaluation.models import (
    ChecklistAnswer,
    ChecklistItem,
    Indicator,
    PdcaReview,
    Score,
    SelfAssessment,
)
from kasane.evaluation.system.checklist import STANDARD_CHECKLIST

# 社会福祉法 §106-3 (the municipality's duty to develop the 包括的な支援体制) took effect on
# 2018-04-01: no self-assessment or review can be of an earlier 年度.
FIRST_FISCAL_YEAR = 2018
COMMENT_MAX = 500
NOTE_MAX = 4000


def _require_editor(actor: Staff) -> None:
    if not may_edit(actor):
        raise PermissionDenied


def check_fiscal_year(value: int, field: str = "fiscal_year") -> int:
    """A 年度 from the first under §106-3 to the current one."""
    last = current_fiscal_year()
    if not FIRST_FISCAL_YEAR <= value <= last:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Choose a fiscal year from %(first)d to %(last)d.")
                    % {"first": FIRST_FISCAL_YEAR, "last": last},
                    code=ErrorCode.FISCAL_YEAR_RANGE,
                )
            }
        )
    return value


# --- the standard checklist --------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    created: int
    linked: int


@transaction.atomic
def checklist_seed() -> SeedResult:
    """Create the standard questions missing from the checklist and link each to the
    indicators that evidence it.

    Idempotent: a question already there (perhaps reworded, reordered or retired by the
    municipality) is left as it is, and links the municipality added stay. Evidence is
    linked by indicator code: a code no indicator has yet (a computation not registered
    yet, a survey not entered) is skipped, and linked when the checklist is seeded again
    after it appears. Registered computations get their standard indicator first.
    """
    seed_indicators()
    existing = {item.code: item for item in ChecklistItem.objects.all()}
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(
            code__in={c for spec in STANDARD_CHECKLIST for c in spec.evidence}
        )
    }
    links = {
        (item_id, indicator_id)
        for item_id, indicator_id in ChecklistItem.evidence.through.objects.values_list(
            "checklistitem_id", "indicator_id"
        )
    }
    created = linked = 0
    position: dict[str, int] = {}
    for spec in STANDARD_CHECKLIST:
        position[spec.function] = position.get(spec.function, 0) + 1
        item = existing.get(spec.code)
        if item is None:
            item = ChecklistItem(
                function=spec.function,
                code=spec.code,
                text=spec.text,
                order=position[spec.function] * 10,
            )
            item.full_clean()
            item.save()
            created += 1
        for code in spec.evidence:
            indicator = indicators.get(code)
            if indicator is not None and (item.pk, indicator.pk) not in links:
                item.evidence.add(indicator)
                linked += 1
    return SeedResult(created, linked)


# --- scoring a 年度 --------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    score: int
    comment: str = ""


def _check_answers(answers: Mapping[str, Answer]) -> dict[str, tuple[ChecklistItem, Answer]]:
    items = {item.code: item for item in ChecklistItem.objects.filter(is_active=True)}
    errors: dict[str, list[ValidationError]] = {}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        errors.setdefault("__all__", []).append(
            ValidationError(
                _("There is no question with the code “%(code)s” in the checklist.")
                % {"code": unknown[0]},
                code=ErrorCode.UNKNOWN_ITEM,
            )
        )
    missing = [code for code in items if code not in answers]
    if missing:
        errors.setdefault("__all__", []).append(
            ValidationError(
                _("Score every question: %(count)d are not scored yet.") % {"count": len(missing)},
                code=ErrorCode.UNSCORED,
            )
        )
        for code in missing:
            errors[f"score_{code}"] = [
                ValidationError(_("Score this question."), code=CoreCode.REQUIRED)
            ]
    for code, answer in answers.items():
        if code not in items:
            continue
        if (
            isinstance(answer.score, bool)
            or not isinstance(answer.score, int)
            or answer.score not in Score.values
        ):
            errors[f"score_{code}"] = [
                ValidationError(_("Score each question from 0 to 3."), code=ErrorCode.SCORE_RANGE)
            ]
        if len(answer.comment.strip()) > COMMENT_MAX:
            errors[f"comment_{code}"] = [
                ValidationError(
                    _("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX},
                    code=ErrorCode.COMMENT_LENGTH,
                )
            ]
    if errors:
        raise ValidationError(errors)
    return {code: (items[code], answer) for code, answer in answers.items()}


def _assessment_for_update(
    year: int, actor: Staff, scored_on: datetime.date
) -> tuple[SelfAssessment, bool]:
    """The 年度's assessment, locked; created (with the actor as its first scorer) if none."""
    found = SelfAssessment.objects.select_for_update().filter(fiscal_year=year).first()
    if found is not None:
        return found, False
    now = timezone.now()
    assessment = SelfAssessment(
        fiscal_year=year,
        assessed_on=scored_on,
        assessed_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        # Another coordinator created it a moment ago: score on top of theirs.
        return SelfAssessment.objects.select_for_update().get(fiscal_year=year), False
    return assessment, True


@transaction.atomic
def self_assessment_score(
    *,
    actor: Staff,
    fiscal_year: int,
    answers: Mapping[str, Answer],
    note: str = "",
    scored_on: datetime.date | None = None,
) -> SelfAssessment:
    """Score every active question of the checklist for a 年度 (0–3, with a comment).

    A 年度 is scored once and then re-scored: re-scoring updates the answers and keeps who
    first scored it and on which day, recording who changed it and when; the audit event
    lists each question whose score moved. ``scored_on`` (today unless given, never a
    future day) is the day of the first scoring, for loading past self-assessments.
    """
    _require_editor(actor)
    year = check_fiscal_year(fiscal_year)
    day = scored_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError(
            {
                "scored_on": ValidationError(
                    _("The date cannot be in the future."), code=CoreCode.FUTURE_DATE
                )
            }
        )
    checked = _check_answers(answers)
    if len(note.strip()) > NOTE_MAX:
        raise ValidationError(
            {
                "note": ValidationError(
                    _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX},
                    code=ErrorCode.NOTE_LENGTH,
                )
            }
        )
    assessment, created = _assessment_for_update(year, actor, day)
    before = {a.item_id: a for a in assessment.answers.all()} if not created else {}
    changed: dict[str, list[int | None]] = {}
    new: list[ChecklistAnswer] = []
    updated: list[ChecklistAnswer] = []
    for code, (item, answer) in checked.items():
        comment = answer.comment.strip()
        existing = before.get(item.pk)
        if existing is None:
            new.append(
                ChecklistAnswer(
                    assessment=assessment, item=item, score=answer.score, comment=comment
                )
            )
            changed[code] = [None, answer.score]
        elif (existing.score, existing.comment) != (answer.score, comment):
            if existing.score != answer.score:
                changed[code] = [existing.score, answer.score]
            existing.score, existing.comment = answer.score, comment
            updated.append(existing)
    for row in [*new, *updated]:
        row.full_clean(exclude=["assessment"])
    ChecklistAnswer.objects.bulk_create(new)
    ChecklistAnswer.objects.bulk_update(updated, ["score", "comment"])
    assessment.note = note.strip()
    assessment.updated_at = timezone.now()
    assessment.updated_by = actor
    assessment.save(update_fields=["note", "updated_at", "updated_by"])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.SELF_ASSESSMENT,
        object_id=str(year),
        detail={"fiscal_year": year, "items": len(checked), "changed": changed},
    )
    return assessment


# --- PDCA reviews --------------------------------------------------------------------------


def _required(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError(
            {field: ValidationError(_("This field is required."), code=CoreCode.REQUIRED)}
        )
    return text


@transaction.atomic
def pdca_review_record(
    *,
    actor: Staff,
    fiscal_year: int,
    held_on: datetime.date,
    meeting_name: str,
    findings: str,
    changes: str,
    participants: str = "",
    follow_up_on: datetime.date | None = None,
) -> PdcaReview:
    """Record a PDCA review: the meeting that looked back on a 年度, what it found, what
    will change, and when to check again.

    The meeting has been held (not a future day, not before §106-3 took effect), and the
    day to check again comes on or after it.
    """
    _require_editor(actor)
    year = check_fiscal_year(fiscal_year)
    errors: dict[str, ValidationError] = {}
    earliest = fiscal_year_bounds(FIRST_FISCAL_YEAR)[0]
    if held_on > timezone.localdate():
        errors["held_on"] = ValidationError(
            _("The review meeting cannot be in the future."), code=CoreCode.FUTURE_DATE
        )
    elif held_on < earliest:
        errors["held_on"] = ValidationError(
            _("Enter a date from %(first)s on.") % {"first": earliest.isoformat()},
            code=CoreCode.TOO_EARLY,
        )
    if follow_up_on is not None and follow_up_on < held_on:
        errors["follow_up_on"] = ValidationError(
            _("The day to check again cannot be before the review meeting."),
            code=ErrorCode.FOLLOW_UP_BEFORE_MEETING,
        )
    if errors:
        raise ValidationError(errors)
    review = PdcaReview(
        fiscal_year=year,
        held_on=held_on,
        meeting_name=_required(meeting_name, "meeting_name"),
        participants=participants.strip(),
        findings=_required(findings, "findings"),
        changes=_required(changes, "changes"),
        follow_up_on=follow_up_on,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    review.full_clean()
    review.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.PDCA_REVIEW,
        object_id=str(review.public_id),
        detail={"fiscal_year": year},
    )
    return review
