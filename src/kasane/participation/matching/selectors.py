"""Reads of participation support about persons (matching, matches, follow-ups, loneliness):
filtered by the access policy, audited with the basis.

A worker matches a person they may read (``kasane.privacy.policy.basis_for``: own record,
consent, pledged 支援会議, the case team's details); the person's assessment is used only
when the worker's agency may read that case's details. Matches are kept by the agency that
made them; other agencies do not see them.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Min, Q
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.participation.matching.candidates import Constraints, catalogue_candidates, profile_of
from kasane.participation.matching.ranking import Suggestion, rank
from kasane.participation.models import (
    FollowUp,
    LonelinessScore,
    Match,
    MatchStage,
    Opportunity,
    OpportunityKind,
    UnmetNeed,
)
from kasane.plans.models import Assessment
from kasane.privacy.cases import agency_id_of, works_cases
from kasane.privacy.policy import basis_for
from kasane.registry.models import Person
from kasane.registry.selectors import get_person_for_user

LIST_PAGE_SIZE = 50
SUGGESTIONS = 20


def _latest_assessment(actor: Staff, person: Person) -> Assessment | None:
    """The newest assessment of the person (or of their household) whose case's details the
    actor's agency may read."""
    from kasane.privacy.cases import detail_basis

    found = (
        Assessment.objects.filter(
            Q(person=person)
            | Q(
                person__isnull=True,
                case__household__memberships__person=person,
                case__household__memberships__ended_on__isnull=True,
            )
        )
        .select_related("case", "case__household")
        .order_by("-assessed_on", "-id")
        .first()
    )
    if found is None or detail_basis(actor, found.case) is None:
        return None
    return found


@dataclass
class Matching:
    person: Person
    basis: LegalBasis
    interests: str
    strengths: str
    assessment: Assessment | None
    suggestions: list[Suggestion]
    opportunities: dict[int, Opportunity]
    current: list[Match] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Suggestion, Opportunity, str]]:
        """Each suggestion with its opportunity and its reasons as JSON (for the form)."""
        return [
            (s, self.opportunities[s.id], json.dumps(s.reasons, ensure_ascii=False))
            for s in self.suggestions
            if s.id in self.opportunities
        ]


@transaction.atomic
def matching_for_user(
    actor: Staff,
    person_public_id: UUID | str,
    *,
    constraints: Constraints | None = None,
    interests: str | None = None,
    strengths: str | None = None,
    today: datetime.date | None = None,
) -> Matching:
    """Suggestions of places for one person, each with why it fits; audited once."""
    if not works_cases(actor):
        raise Http404
    person = get_person_for_user(actor, person_public_id, purpose=Purpose.MATCHING)
    basis = basis_for(actor, person)
    assert basis is not None
    assessment = _latest_assessment(actor, person)
    if interests is None:
        interests = assessment.interests if assessment else ""
    if strengths is None:
        strengths = assessment.strengths if assessment else ""
    day = today or timezone.localdate()
    profile = profile_of(
        person,
        interests=interests,
        strengths=strengths,
        constraints=constraints or Constraints(),
        today=day,
    )
    suggestions = rank(profile, catalogue_candidates(), limit=SUGGESTIONS)
    opportunities = Opportunity.objects.select_related("resource", "area").in_bulk(
        [s.id for s in suggestions]
    )
    current = list(
        Match.objects.filter(person=person, agency_id=agency_id_of(actor))
        .exclude(stage=MatchStage.ENDED)
        .select_related("opportunity")
    )
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.MATCHING,
        object_id=str(person.public_id),
        detail={"assessment": str(assessment.public_id) if assessment else None},
    )
    return Matching(
        person, basis, interests, strengths, assessment, suggestions, opportunities, current
    )


def overdue_counts(match_ids: list[int], today: datetime.date) -> dict[int, int]:
    rows = (
        FollowUp.objects.filter(match_id__in=match_ids, done_on__isnull=True, due_on__lt=today)
        .values("match_id")
        .annotate(n=Count("id"))
    )
    return {r["match_id"]: r["n"] for r in rows}


@transaction.atomic
def match_list_for_user(
    actor: Staff, page: int = 1, *, today: datetime.date | None = None, open_only: bool = True
) -> Page[Match]:
    """The agency's matches, by name, with overdue follow-ups: a fixed number of queries."""
    if not works_cases(actor):
        raise Http404
    day = today or timezone.localdate()
    matches = Match.objects.filter(agency_id=agency_id_of(actor)).select_related(
        "person", "opportunity", "opportunity__resource", "worker"
    )
    if open_only:
        matches = matches.exclude(stage=MatchStage.ENDED)
    result = Paginator(matches.order_by("stage", "-stage_since", "-id"), LIST_PAGE_SIZE).get_page(
        page
    )
    rows = list(result.object_list)
    overdue = overdue_counts([m.pk for m in rows], day)
    for m in rows:
        m.overdue_follow_ups = overdue.get(m.pk, 0)
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.MATCH_LIST,
        object_id="",
        detail={"persons": sorted({str(m.person.public_id) for m in rows})},
    )
    return result


@dataclass
class MatchDetail:
    match: Match
    basis: LegalBasis
    history: list[Any]
    follow_ups: list[FollowUp]
    scores: list[LonelinessScore]

    @property
    def score_change(self) -> int | None:
        if len(self.scores) < 2:
            return None
        return self.scores[-1].total - self.scores[0].total


def _get_match(actor: Staff, public_id: UUID | str) -> Match:
    if not works_cases(actor):
        raise Http404
    try:
        return Match.objects.select_related(
            "person", "opportunity", "opportunity__resource", "case", "worker"
        ).get(public_id=public_id, agency_id=agency_id_of(actor))
    except (Match.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


@transaction.atomic
def match_detail_for_user(actor: Staff, public_id: UUID | str) -> MatchDetail:
    match = _get_match(actor, public_id)
    basis = basis_for(actor, match.person) or LegalBasis.OWN_AGENCY
    detail = MatchDetail(
        match=match,
        basis=basis,
        history=list(match.history.select_related("by")),
        follow_ups=list(match.follow_ups.select_related("done_by")),
        scores=list(
            LonelinessScore.objects.filter(person=match.person).order_by("measured_on", "id")
        ),
    )
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.MATCH,
        object_id=str(match.public_id),
        detail={"person": str(match.person.public_id)},
    )
    return detail


def get_match_for_user(actor: Staff, public_id: UUID | str) -> Match:
    """A match of the actor's agency to change (404 otherwise); the service audits."""
    return _get_match(actor, public_id)


def get_follow_up_for_user(actor: Staff, public_id: UUID | str) -> FollowUp:
    if not works_cases(actor):
        raise Http404
    try:
        return FollowUp.objects.select_related("match", "match__person").get(
            public_id=public_id, match__agency_id=agency_id_of(actor)
        )
    except (FollowUp.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


@dataclass
class LonelinessSummary:
    """Aggregate change on the UCLA scale for the agency's matches: first vs latest score."""

    persons: int
    first_mean: float | None
    latest_mean: float | None

    @property
    def change(self) -> float | None:
        if self.first_mean is None or self.latest_mean is None:
            return None
        return round(self.latest_mean - self.first_mean, 2)


def loneliness_summary(actor: Staff) -> LonelinessSummary:
    """Counts and means only: no person is named. Persons with two or more scores count."""
    person_ids = Match.objects.filter(agency_id=agency_id_of(actor)).values("person_id")
    scores: dict[int, list[int]] = defaultdict(list)
    for person_id, a, b, c in (
        LonelinessScore.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "measured_on", "id")
        .values_list("person_id", "lack_companionship", "left_out", "isolated")
    ):
        scores[person_id].append(a + b + c)
    pairs = [(s[0], s[-1]) for s in scores.values() if len(s) >= 2]
    if not pairs:
        return LonelinessSummary(0, None, None)
    return LonelinessSummary(
        len(pairs),
        round(sum(p[0] for p in pairs) / len(pairs), 2),
        round(sum(p[1] for p in pairs) / len(pairs), 2),
    )


@dataclass
class UnmetNeedsPage:
    by_kind_area: list[dict[str, Any]]
    needs: list[UnmetNeed]
    developed: int


def unmet_needs_page(actor: Staff) -> UnmetNeedsPage:
    """資源開拓: unmet needs by kind and area, and the places developed. De-identified."""
    if not works_cases(actor):
        raise Http404
    grouped = list(
        UnmetNeed.objects.values("kind", "area__name")
        .annotate(
            n=Count("id"),
            open=Count("id", filter=Q(developed__isnull=True)),
            first=Min("recorded_on"),
        )
        .order_by("-open", "kind", "area__name")
    )
    labels = dict(OpportunityKind.choices)
    for row in grouped:
        row["kind_label"] = labels.get(row["kind"], row["kind"])
    needs = list(
        UnmetNeed.objects.select_related("area", "agency", "developed").order_by(
            "developed_id", "-recorded_on", "-id"
        )[:LIST_PAGE_SIZE]
    )
    developed = UnmetNeed.objects.filter(developed__isnull=False).count()
    return UnmetNeedsPage(grouped, needs, developed)


def get_unmet_need_for_user(actor: Staff, public_id: UUID | str) -> UnmetNeed:
    if not works_cases(actor):
        raise Http404
    try:
        return UnmetNeed.objects.get(public_id=public_id)
    except (UnmetNeed.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
