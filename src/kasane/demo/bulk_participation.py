"""Participation support (参加支援) for the bulk cases of a large demo city whose plan asks
for it (see ``kasane.demo.bulk_plans``), as ``kasane.demo.matching`` tells it for the story's.

The participation worker proposes a place to the household's head some weeks after the plan
is approved; most go to see it, most of those start taking part (the UCLA loneliness scale
is taken then, and the follow-ups of 定着支援 are scheduled), and about half settle, when the
scale is taken again — a little lower, mostly. Some matches end on the way, for the reasons
people give. The household's consent covers participation support and the agency; each
record comes with its audit event.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from kasane.accounts.models import Role, Staff
from kasane.audit.models import AuditAction, LegalBasis
from kasane.demo.bulk import insert
from kasane.participation.matching.builders import (
    build_follow_ups,
    build_match,
    build_score,
    build_stage_change,
)
from kasane.participation.matching.services import FOLLOW_UP_PLAN
from kasane.participation.models import (
    FollowUp,
    LonelinessScore,
    Match,
    MatchEndReason,
    MatchStage,
    MatchStageChange,
    Opportunity,
    OpportunityStatus,
)

if TYPE_CHECKING:
    from kasane.cases.models import Case
    from kasane.demo.bulk_activity import BulkActivity

DAY = datetime.timedelta(days=1)
REASONS = ["近くで通いやすい", "本人の関心に合う", "少人数で落ち着いている", "見学ができる"]
STEPS = [
    (MatchStage.VISIT, 0.85, (7, 21), MatchEndReason.PERSON_DECLINED),
    (MatchStage.STARTED, 0.8, (7, 21), MatchEndReason.NOT_SUITED),
    (MatchStage.SETTLED, 0.6, (60, 120), MatchEndReason.NOT_SUITED),
]


class BulkParticipation:
    def __init__(self, work: BulkActivity) -> None:
        self.w = work
        self.rng = work.rng
        self.today = work.today
        self.agency = work.a.agencies["npo_sanka"]
        self.worker = (
            Staff.objects.filter(agency=self.agency, role=Role.PARTICIPATION_WORKER, is_active=True)
            .order_by("id")
            .first()
        )
        self.opportunities = list(
            Opportunity.objects.filter(status=OpportunityStatus.ACTIVE)
            .order_by("id")
            .values_list("id", flat=True)
        )
        self.matches: list[Match] = []
        self.history: list[MatchStageChange] = []
        self.scores: list[LonelinessScore] = []
        self.follow_ups: list[FollowUp] = []

    @property
    def ready(self) -> bool:
        return self.worker is not None and bool(self.opportunities)

    def propose(
        self, case: Case, person_id: int, person_public_id: str, day: datetime.date
    ) -> None:
        """A match for the head of a household whose plan, approved on ``day``, asks for
        participation support."""
        worker = self.worker
        assert worker is not None
        day += self.rng.randint(7, 30) * DAY
        if day >= self.today:
            return
        match = build_match(
            actor=worker,
            person_id=person_id,
            opportunity_id=self.rng.choice(self.opportunities),
            case=case,
            day=day,
            reasons=self.rng.sample(REASONS, k=2),
        )
        match.created_at = self.w.at(day)
        self.matches.append(match)
        self.history.append(
            build_stage_change(match=match, stage=MatchStage.PROPOSED, day=day, actor=worker)
        )
        log = self.w.log
        log(
            worker,
            AuditAction.CREATE,
            LegalBasis.CONSENT,
            "match",
            match,
            person=person_public_id,
            full=False,
        )
        for stage, chance, gap, reason in STEPS:
            day += self.rng.randint(*gap) * DAY
            if day >= self.today:
                return
            if self.rng.random() >= chance:
                if self.rng.random() < 0.5:
                    self.move(match, MatchStage.ENDED, day, reason)
                return
            self.move(match, stage, day)
            if stage == MatchStage.STARTED:
                self.score(match, person_id, person_public_id, day, before=True)
                follow_ups = build_follow_ups(match, day, FOLLOW_UP_PLAN)
                for follow_up in follow_ups:
                    if follow_up.due_on < self.today:  # done on the day, as follow_up_done
                        follow_up.done_on, follow_up.done_by = follow_up.due_on, worker
                self.follow_ups.extend(follow_ups)
            elif stage == MatchStage.SETTLED:
                self.score(match, person_id, person_public_id, day, before=False)

    def move(self, match: Match, stage: MatchStage, day: datetime.date, reason: str = "") -> None:
        worker = self.worker
        assert worker is not None
        match.stage = stage
        match.stage_since = day
        match.end_reason = reason
        self.history.append(build_stage_change(match=match, stage=stage, day=day, actor=worker))
        self.w.log(worker, AuditAction.UPDATE, LegalBasis.CONSENT, "match", match, stage=stage)

    def score(
        self, match: Match, person_id: int, public_id: str, day: datetime.date, *, before: bool
    ) -> None:
        worker = self.worker
        assert worker is not None
        if before:
            answers = [self.rng.randint(2, 4) for _ in range(3)]
        else:
            first = self.scores[-1] if self.scores and self.scores[-1].match is match else None
            start = (
                [first.lack_companionship, first.left_out, first.isolated]
                if first is not None
                else [3, 3, 3]
            )
            answers = [max(1, a - self.rng.choice([0, 0, 1, 1, 2])) for a in start]
        score = build_score(
            person_id=person_id, match=match, measured_on=day, answers=answers, actor=worker
        )
        self.scores.append(score)
        self.w.log(
            worker,
            AuditAction.CREATE,
            LegalBasis.CONSENT,
            "loneliness_score",
            score,
            person=public_id,
        )

    def write(self) -> None:
        insert(Match, self.matches)
        insert(MatchStageChange, self.history)
        insert(LonelinessScore, self.scores)
        insert(FollowUp, self.follow_ups)
