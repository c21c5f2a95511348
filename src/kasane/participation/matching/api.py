"""Matching API: suggestions for a person, matches with their stages, follow-ups and the UCLA
scale — through the same services and privacy selectors as the pages."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kasane.api.auth import case_worker
from kasane.api.schemas import ERRORS
from kasane.audit.models import Purpose
from kasane.participation.matching import selectors, services
from kasane.participation.matching.candidates import Constraints
from kasane.participation.models import FollowUp, Match, Opportunity
from kasane.registry.selectors import get_person_for_user

router = Router(tags=["matching"])


class ConstraintsIn(Schema):
    interests: str | None = Field(default=None, max_length=2000)
    strengths: str | None = Field(default=None, max_length=2000)
    kinds: list[str] = Field(default_factory=list, max_length=20)
    weekdays: list[int] = Field(default_factory=list, max_length=7, description="0 = Monday")
    needs: list[str] = Field(default_factory=list, max_length=20)
    max_cost: int | None = Field(default=None, ge=0)


class SuggestionOut(Schema):
    opportunity_id: UUID
    name: str
    score: int
    reasons: list[str]
    cautions: list[str]


class FollowUpOut(Schema):
    id: UUID
    due_on: datetime.date
    with_host: bool
    done_on: datetime.date | None
    note: str


class MatchOut(Schema):
    id: UUID
    person_id: UUID
    opportunity_id: UUID
    opportunity: str
    stage: str
    stage_since: datetime.date
    end_reason: str
    reasons: list[str]
    full_when_proposed: bool = False
    follow_ups: list[FollowUpOut] = Field(default_factory=list)


class ProposeIn(Schema):
    opportunity_id: UUID
    reasons: list[str] = Field(default_factory=list, max_length=10)


class MoveIn(Schema):
    stage: str
    on: datetime.date | None = None
    end_reason: str = ""
    note: str = Field(default="", max_length=500)


class LonelinessIn(Schema):
    lack_companionship: int
    left_out: int
    isolated: int


class FollowUpIn(Schema):
    done_on: datetime.date
    note: str = Field(default="", max_length=2000)
    loneliness: LonelinessIn | None = None


def _follow_up(f: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=f.public_id, due_on=f.due_on, with_host=f.with_host, done_on=f.done_on, note=f.note
    )


def match_out(match: Match, *, full: bool = False) -> MatchOut:
    return MatchOut(
        id=match.public_id,
        person_id=match.person.public_id,
        opportunity_id=match.opportunity.public_id,
        opportunity=match.opportunity.name,
        stage=match.stage,
        stage_since=match.stage_since,
        end_reason=match.end_reason,
        reasons=list(match.reasons),
        full_when_proposed=full,
        follow_ups=[_follow_up(f) for f in match.follow_ups.all()],
    )


@router.post(
    "/persons/{person_id}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    operation_id="matching_suggestions",
    summary="Places to take part for a person, best first, each with why it fits "
    "(POSTed: needs never go in a URL)",
)
def suggestions(
    request: HttpRequest, person_id: UUID, payload: ConstraintsIn
) -> list[SuggestionOut]:
    actor = case_worker(request)
    view = selectors.matching_for_user(
        actor,
        person_id,
        constraints=Constraints(
            weekdays=frozenset(d for d in payload.weekdays if 0 <= d <= 6),
            needs=frozenset(payload.needs),
            kinds=frozenset(payload.kinds),
            max_cost=payload.max_cost,
        ),
        interests=payload.interests,
        strengths=payload.strengths,
    )
    return [
        SuggestionOut(
            opportunity_id=o.public_id,
            name=o.name,
            score=s.score,
            reasons=s.reasons,
            cautions=s.cautions,
        )
        for s, o, _json in view.rows
    ]


@router.post(
    "/persons/{person_id}/matches",
    response={201: MatchOut, **ERRORS},
    operation_id="match_propose",
    summary="Propose a place to a person (a full place is accepted, and flagged)",
)
def propose(request: HttpRequest, person_id: UUID, payload: ProposeIn) -> Status[MatchOut]:
    actor = case_worker(request)
    person = get_person_for_user(actor, person_id, purpose=Purpose.MATCH)
    opportunity = Opportunity.objects.filter(public_id=payload.opportunity_id).first()
    if opportunity is None:
        from django.http import Http404

        raise Http404
    proposed = services.match_propose(
        actor=actor, person=person, opportunity=opportunity, reasons=payload.reasons
    )
    return Status(201, match_out(proposed.match, full=proposed.full))


@router.get(
    "/matches/{match_id}",
    response={200: MatchOut, **ERRORS},
    operation_id="match_get",
    summary="A match of your agency with its follow-ups",
)
def match_get(request: HttpRequest, match_id: UUID) -> MatchOut:
    actor = case_worker(request)
    return match_out(selectors.match_detail_for_user(actor, match_id).match)


@router.post(
    "/matches/{match_id}/stage",
    response={200: MatchOut, **ERRORS},
    operation_id="match_move",
    summary="Move a match to its next stage, or end it with a reason",
)
def match_move(request: HttpRequest, match_id: UUID, payload: MoveIn) -> MatchOut:
    actor = case_worker(request)
    match = selectors.get_match_for_user(actor, match_id)
    moved = services.match_move(
        actor=actor,
        match=match,
        stage=payload.stage,
        on=payload.on,
        end_reason=payload.end_reason,
        note=payload.note,
    )
    return match_out(selectors.get_match_for_user(actor, moved.public_id))


@router.post(
    "/follow-ups/{follow_up_id}",
    response={200: FollowUpOut, **ERRORS},
    operation_id="follow_up_record",
    summary="Record a follow-up (定着支援), with the UCLA loneliness scale when asked",
)
def follow_up(request: HttpRequest, follow_up_id: UUID, payload: FollowUpIn) -> FollowUpOut:
    actor = case_worker(request)
    found = selectors.get_follow_up_for_user(actor, follow_up_id)
    scale = payload.loneliness
    done = services.follow_up_record(
        actor=actor,
        follow_up=found,
        done_on=payload.done_on,
        note=payload.note,
        loneliness=services.LonelinessInput(
            scale.lack_companionship, scale.left_out, scale.isolated, payload.done_on
        )
        if scale
        else None,
    )
    return _follow_up(done)
