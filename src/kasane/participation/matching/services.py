"""Writes of matching (マッチング): matches and their stages, follow-ups (定着支援), the UCLA
loneliness scale, and unmet needs (資源開拓). Validated, saved and audited in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.participation.error_codes import ErrorCode
from kasane.participation.matching.builders import (
    build_follow_ups,
    build_match,
    build_score,
    build_stage_change,
)
from kasane.participation.models import (
    MATCH_STAGE_ORDER,
    AgeBand,
    FollowUp,
    LonelinessAnswer,
    LonelinessScore,
    Match,
    MatchEndReason,
    MatchStage,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    UnmetNeed,
)
from kasane.privacy.cases import agency_id_of, works_cases
from kasane.privacy.policy import basis_for
from kasane.registry.models import Area, Person

# 定着支援: after the person starts taking part — days after the start, and whether the
# contact is with the host organisation rather than the person.
FOLLOW_UP_PLAN: tuple[tuple[int, bool], ...] = ((14, False), (30, True), (90, False))


def _basis(actor: Staff, person: Person) -> LegalBasis:
    if not works_cases(actor):
        raise PermissionDenied
    basis = basis_for(actor, person)
    if basis is None:
        raise PermissionDenied
    return basis


def _not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


@dataclass
class Proposed:
    match: Match
    full: bool  # warned, not blocked: the place had no vacancy when proposed


@transaction.atomic
def match_propose(
    *,
    actor: Staff,
    person: Person,
    opportunity: Opportunity,
    reasons: Sequence[str] = (),
    case: Case | None = None,
    note: str = "",
    on: datetime.date | None = None,
) -> Proposed:
    """提案: suggest a place to a person. A full place is warned about, not refused."""
    basis = _basis(actor, person)
    day = on or timezone.localdate()
    _not_future(day, "on")
    if opportunity.status != OpportunityStatus.ACTIVE:
        raise ValidationError(_("This place is not active at present."), code=ErrorCode.INACTIVE)
    if (
        Match.objects.filter(person=person, opportunity=opportunity)
        .exclude(stage=MatchStage.ENDED)
        .exists()
    ):
        raise ValidationError(
            _("This person is already matched to this place."), code=ErrorCode.ALREADY_MATCHED
        )
    match = build_match(
        actor=actor,
        person_id=person.pk,
        opportunity_id=opportunity.pk,
        case=case,
        day=day,
        reasons=reasons,
        note=note,
    )
    match.save()
    build_stage_change(match=match, stage=MatchStage.PROPOSED, day=day, actor=actor).save()
    full = opportunity.vacancies is not None and opportunity.vacancies <= 0
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.MATCH,
        object_id=match.public_id,
        detail={"person": str(person.public_id), "full": full},
    )
    return Proposed(match, full)


@transaction.atomic
def match_move(
    *,
    actor: Staff,
    match: Match,
    stage: str,
    on: datetime.date | None = None,
    end_reason: str = "",
    note: str = "",
) -> Match:
    """Move a match forward (提案 → 見学・同行 → 参加開始 → 定着), or end it with a reason.

    Starting to take part schedules the follow-ups of 定着支援.
    """
    match = Match.objects.select_for_update().select_related("person").get(pk=match.pk)
    if match.agency_id != agency_id_of(actor):
        raise PermissionDenied
    basis = _basis(actor, match.person)
    day = on or timezone.localdate()
    _not_future(day, "on")
    if stage not in MatchStage.values:
        raise ValidationError({"stage": _("Choose a stage.")})
    if match.stage == MatchStage.ENDED:
        raise ValidationError(_("This match has ended."), code=ErrorCode.ENDED)
    if day < match.stage_since:
        raise ValidationError({"on": _("The date is before the current stage began.")})
    if stage == MatchStage.ENDED:
        if end_reason not in MatchEndReason.values:
            raise ValidationError({"end_reason": _("Say why the match ended.")})
    else:
        end_reason = ""
        if MATCH_STAGE_ORDER.index(MatchStage(stage)) <= MATCH_STAGE_ORDER.index(
            MatchStage(match.stage)
        ):
            raise ValidationError(
                {"stage": _("A match moves forward; to stop it, end it with a reason.")}
            )
    match.stage = stage
    match.stage_since = day
    match.end_reason = end_reason
    match.save(update_fields=["stage", "stage_since", "end_reason", "updated_at"])
    build_stage_change(match=match, stage=stage, day=day, actor=actor, note=note).save()
    if stage == MatchStage.STARTED and not match.follow_ups.exists():
        FollowUp.objects.bulk_create(build_follow_ups(match, day, FOLLOW_UP_PLAN))
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.MATCH,
        object_id=match.public_id,
        detail={"stage": stage},
    )
    return match


@dataclass(frozen=True)
class LonelinessInput:
    lack_companionship: int
    left_out: int
    isolated: int
    measured_on: datetime.date


def _check_answers(data: LonelinessInput) -> None:
    allowed = set(LonelinessAnswer.values)
    errors = {
        name: [_("Answer with 1 (never) to 4 (often or always).")]
        for name in ("lack_companionship", "left_out", "isolated")
        if getattr(data, name) not in allowed
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def loneliness_record(
    *, actor: Staff, person: Person, data: LonelinessInput, match: Match | None = None
) -> LonelinessScore:
    """The 3-item UCLA scale: each answer 1–4, refused out of range."""
    basis = _basis(actor, person)
    _check_answers(data)
    _not_future(data.measured_on, "measured_on")
    score = build_score(
        person_id=person.pk,
        match=match,
        measured_on=data.measured_on,
        answers=[data.lack_companionship, data.left_out, data.isolated],
        actor=actor,
    )
    score.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.LONELINESS_SCORE,
        object_id=score.pk,
        detail={"person": str(person.public_id)},
    )
    return score


@transaction.atomic
def follow_up_record(
    *,
    actor: Staff,
    follow_up: FollowUp,
    done_on: datetime.date,
    note: str = "",
    loneliness: LonelinessInput | None = None,
) -> FollowUp:
    """定着支援: the contact made, with the UCLA scale when it was asked."""
    follow_up = (
        FollowUp.objects.select_for_update().select_related("match__person").get(pk=follow_up.pk)
    )
    match = follow_up.match
    if match.agency_id != agency_id_of(actor):
        raise PermissionDenied
    basis = _basis(actor, match.person)
    _not_future(done_on, "done_on")
    if follow_up.done_on is not None:
        raise ValidationError(_("This follow-up was already recorded."), code=ErrorCode.DONE)
    if loneliness is not None:
        _check_answers(loneliness)
    follow_up.done_on = done_on
    follow_up.done_by = actor
    follow_up.note = note.strip()
    follow_up.save(update_fields=["done_on", "done_by", "note", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.FOLLOW_UP,
        object_id=follow_up.public_id,
    )
    if loneliness is not None:
        loneliness_record(actor=actor, person=match.person, data=loneliness, match=match)
    return follow_up


@transaction.atomic
def unmet_need_record(
    *,
    actor: Staff,
    kind: str,
    age_band: str,
    description: str,
    area: Area | None = None,
    for_whom: str = "",
    recorded_on: datetime.date | None = None,
) -> UnmetNeed:
    """A need no place meets, without names: what, where, for whom."""
    if not works_cases(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if kind not in OpportunityKind.values:
        errors["kind"] = _("Choose the kind of place that is missing.")
    if age_band not in AgeBand.values:
        errors["age_band"] = _("Choose for whom.")
    if not description.strip():
        errors["description"] = _("Say what is missing.")
    if errors:
        raise ValidationError(errors)
    day = recorded_on or timezone.localdate()
    _not_future(day, "recorded_on")
    need = UnmetNeed.objects.create(
        kind=kind,
        area=area,
        age_band=age_band,
        for_whom=for_whom.strip(),
        description=description.strip(),
        recorded_on=day,
        agency_id=agency_id_of(actor),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.UNMET_NEED,
        object_id=need.public_id,
    )
    return need


@transaction.atomic
def unmet_need_developed(
    *, actor: Staff, need: UnmetNeed, opportunity: Opportunity, on: datetime.date | None = None
) -> UnmetNeed:
    """A new place developed in answer to the need."""
    if not works_cases(actor):
        raise PermissionDenied
    day = on or timezone.localdate()
    _not_future(day, "on")
    need.developed = opportunity
    need.developed_on = day
    need.save(update_fields=["developed", "developed_on", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.UNMET_NEED,
        object_id=need.public_id,
    )
    return need
