"""Outreach (アウトリーチ) among the bulk households of a large demo city (see
``kasane.demo.bulk_activity``), as ``kasane.demo.outreach`` tells it for the story's.

About one household in twenty comes to the outreach team's notice over the history:
mostly through a 見守り通報 by a 民生委員 or a watch business, the others found by the team
itself. The team opens a target at the household's address, tries to make contact (visits,
letters, calls), and moves it through the stages — first contact, a relationship,
connected to consultation — at the pace of those who do not ask for help; some are
connected to support and closed, a few move away or end. Under a tenth of the
consultations, as DESIGN.md asks. Each record comes with its audit event.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from kasane.accounts.models import Role, Staff
from kasane.audit.models import AuditAction, LegalBasis
from kasane.demo.bulk import insert
from kasane.outreach.builders import build_attempt, build_change, build_report, build_target
from kasane.outreach.models import (
    ChangeKind,
    CloseReason,
    ConcernReport,
    ConcernSign,
    ContactAttempt,
    ContactMethod,
    ContactResult,
    OutreachTarget,
    ReportStatus,
    Stage,
    StageChange,
    Urgency,
)

if TYPE_CHECKING:
    from kasane.demo.bulk_activity import BulkActivity

DAY = datetime.timedelta(days=1)
TARGETS_PER_HOUSEHOLD_YEAR = 0.03
REPORTED_SHARE = 0.7
LABELS = [
    "この住所の長男（40代）",
    "一人暮らしの高齢男性",
    "この住所の世帯主",
    "新聞がたまっている家の住人",
    "夜間に大声が聞こえる家の家族",
    "しばらく姿を見ない高齢女性",
]
DETAILS = [
    "新聞が3日分たまっている。",
    "最近姿を見かけない。夜も電気がついていない。",
    "庭の草が伸び放題で、ごみが出されていない。",
    "子どもが平日の昼間に家にいるのを見かける。",
    "訪問しても応答がないが、室内に人の気配がある。",
]
SIGNS = [s for s in ConcernSign if s != ConcernSign.OTHER]


class BulkOutreach:
    def __init__(self, work: BulkActivity) -> None:
        self.w = work
        self.rng = work.rng
        self.today = work.today
        self.agency = work.a.agencies["npo_outreach"]
        self.worker = (
            Staff.objects.filter(agency=self.agency, role=Role.OUTREACH_WORKER, is_active=True)
            .order_by("id")
            .first()
        )
        self.reporters = list(
            Staff.objects.filter(role=Role.VOLUNTEER, is_active=True, agency__isnull=False)
            .select_related("agency")
            .order_by("id")
        )
        self.reports: list[ConcernReport] = []
        self.targets: list[OutreachTarget] = []
        self.changes: list[StageChange] = []
        self.attempts: list[ContactAttempt] = []

    def at(self, day: datetime.date) -> datetime.datetime:
        return self.w.at(day)

    def run(self, households: list[tuple[int, int | None, str, int | None]]) -> None:
        """``households``: (id, area id, address, head's person id) of each bulk household."""
        if self.worker is None or not self.reporters or not households:
            return
        start = self.w.start
        days = (self.today - start).days
        count = round(len(households) * TARGETS_PER_HOUSEHOLD_YEAR * days / 365)
        for index in self.rng.sample(range(len(households)), k=min(count, len(households))):
            day = start + self.rng.randint(0, days - 1) * DAY
            self.target(households[index], day)

    def target(
        self, household: tuple[int, int | None, str, int | None], day: datetime.date
    ) -> None:
        _household_id, area_id, address, head_id = household
        worker = self.worker
        assert worker is not None
        log = self.w.log
        report = None
        if self.rng.random() < REPORTED_SHARE:
            reporter = self.rng.choice(self.reporters)
            received = self.at(day)
            report = build_report(
                actor=reporter,
                area_id=area_id,
                address=address,
                signs=[s.value for s in self.rng.sample(SIGNS, k=self.rng.randint(1, 2))],
                details=self.rng.choice(DETAILS),
                noticed_on=day - self.rng.randint(0, 5) * DAY,
                urgency=Urgency.SOON if self.rng.random() < 0.2 else Urgency.NORMAL,
                received_at=received,
            )
            report.created_at = received
            self.reports.append(report)
            log(
                reporter,
                AuditAction.CREATE,
                LegalBasis.OWN_AGENCY,
                "concern_report",
                report,
                urgency=report.urgency,
            )
            day = day + self.rng.randint(1, 4) * DAY
            if day >= self.today:
                return  # not yet taken on
        opened = self.at(day)
        target = build_target(
            agency=self.agency,
            label=self.rng.choice(LABELS),
            area_id=area_id,
            address=address,
            person_id=head_id if self.rng.random() < 0.6 else None,
            worker=worker,
            stage=Stage.GRASPED,
            opened_at=opened,
        )
        target.created_at = opened
        self.targets.append(target)
        self.changes.append(
            build_change(target, ChangeKind.OPENED, worker, opened, to_stage=Stage.GRASPED)
        )
        if report is not None:
            report.target = target
            report.status = ReportStatus.IN_PROGRESS
            report.status_changed_at = opened
        log(
            worker,
            AuditAction.CREATE,
            LegalBasis.OWN_AGENCY,
            "outreach_target",
            target,
            report=report,
            person=None,
        )
        # Contact attempts until someone answers, then the stages, each some weeks apart.
        for _ in range(self.rng.randint(1, 4)):
            day += self.rng.randint(3, 20) * DAY
            if day >= self.today:
                return
            met = self.rng.random() < 0.45
            attempt = build_attempt(
                target=target,
                attempted_on=day,
                method=self.rng.choice(
                    [
                        ContactMethod.VISIT,
                        ContactMethod.VISIT,
                        ContactMethod.LETTER,
                        ContactMethod.CALL,
                    ]
                ),
                staff=worker,
                result=ContactResult.MET
                if met
                else self.rng.choice([ContactResult.ABSENT, ContactResult.LETTER_LEFT]),
            )
            attempt.created_at = self.at(day)
            self.attempts.append(attempt)
            log(
                worker,
                AuditAction.CREATE,
                LegalBasis.OWN_AGENCY,
                "contact_attempt",
                attempt,
                target=target,
                result=attempt.result,
            )
            if met:
                break
        else:
            self.maybe_close(target, day, CloseReason.ENDED, 0.1)
            return
        for stage, chance, gap in (
            (Stage.CONTACTED, 1.0, (0, 2)),
            (Stage.RELATIONSHIP, 0.6, (20, 60)),
            (Stage.CONSULTING, 0.5, (30, 90)),
        ):
            day += self.rng.randint(*gap) * DAY
            if day >= self.today or self.rng.random() >= chance:
                self.maybe_close(target, day, CloseReason.MOVED, 0.04)
                return
            self.stage(target, stage, day)
        self.maybe_close(target, day + self.rng.randint(20, 60) * DAY, CloseReason.CONNECTED, 0.6)

    def stage(self, target: OutreachTarget, stage: Stage, day: datetime.date) -> None:
        at = self.at(day)
        previous = target.stage
        target.stage = stage
        self.changes.append(
            build_change(
                target, ChangeKind.STAGE, self.worker, at, from_stage=previous, to_stage=stage
            )
        )
        self.w.log(
            self.worker,
            AuditAction.UPDATE,
            LegalBasis.OWN_AGENCY,
            "outreach_target",
            target,
            stage=[previous, stage],
        )

    def maybe_close(
        self, target: OutreachTarget, day: datetime.date, reason: CloseReason, chance: float
    ) -> None:
        if day >= self.today or self.rng.random() >= chance:
            return
        at = self.at(day)
        target.closed_at = at
        target.close_reason = reason
        self.changes.append(
            build_change(target, ChangeKind.CLOSED, self.worker, at, close_reason=reason)
        )
        for report in self.reports[-1:]:
            if report.target is target:
                report.status = ReportStatus.DONE
                report.status_changed_at = at
        self.w.log(
            self.worker,
            AuditAction.UPDATE,
            LegalBasis.OWN_AGENCY,
            "outreach_target",
            target,
            closed=reason,
        )

    def write(self) -> None:
        insert(OutreachTarget, self.targets)
        insert(ConcernReport, self.reports)
        insert(StageChange, self.changes)
        insert(ContactAttempt, self.attempts)
