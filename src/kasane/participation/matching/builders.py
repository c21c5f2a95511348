"""Matching records as the matching services fill them, unsaved: a match, a line of its
history, its follow-ups and a loneliness score.

``kasane.participation.matching.services`` checks access, validates, saves and audits what
these build; the demo's bulk loader writes the same records in batches.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from kasane.participation.models import (
    FollowUp,
    LonelinessScore,
    Match,
    MatchStage,
    MatchStageChange,
)
from kasane.privacy.cases import agency_id_of

if TYPE_CHECKING:
    from kasane.accounts.models import Staff
    from kasane.cases.models import Case


def build_match(
    *,
    actor: Staff,
    person_id: int,
    opportunity_id: int,
    case: Case | None,
    day: datetime.date,
    reasons: Iterable[object],
    note: str = "",
) -> Match:
    """A match proposed on ``day`` by the actor for their agency."""
    return Match(
        person_id=person_id,
        opportunity_id=opportunity_id,
        case=case,
        agency_id=agency_id_of(actor),
        worker=actor,
        stage=MatchStage.PROPOSED,
        stage_since=day,
        reasons=[str(r) for r in reasons][:10],
        note=note.strip(),
    )


def build_stage_change(
    *, match: Match, stage: str, day: datetime.date, actor: Staff, note: str = ""
) -> MatchStageChange:
    return MatchStageChange(match=match, stage=stage, on=day, by=actor, note=note[:500])


def build_follow_ups(
    match: Match, started_on: datetime.date, plan: Sequence[tuple[int, bool]]
) -> list[FollowUp]:
    """The follow-ups due ``plan``'s days after the start, with the host or not."""
    return [
        FollowUp(match=match, due_on=started_on + datetime.timedelta(days=d), with_host=host)
        for d, host in plan
    ]


def build_score(
    *,
    person_id: int,
    match: Match | None,
    measured_on: datetime.date,
    answers: Sequence[int],
    actor: Staff,
) -> LonelinessScore:
    """A three-question loneliness score (lack of companionship, left out, isolated)."""
    return LonelinessScore(
        person_id=person_id,
        match=match,
        measured_on=measured_on,
        lack_companionship=answers[0],
        left_out=answers[1],
        isolated=answers[2],
        recorded_by=actor,
    )
