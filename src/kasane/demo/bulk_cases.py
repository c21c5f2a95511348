"""The bulk cases of a large demo city (see ``kasane.demo.bulk_activity``): a case opened with
its lead agency on the team, referrals and their answers, triage, notes and the closure with its
evaluation — built by the services' builders, each with the case event and audit event its
service writes beside it."""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass, field

from django.utils import timezone

from kasane.accounts.models import Agency, Staff
from kasane.audit.models import AuditAction, LegalBasis
from kasane.cases.builders import (
    build_case,
    build_event,
    build_note,
    build_referral,
    build_team_member,
    close_case,
    complete_referral,
    note_event,
    referral_answer,
    triage_case,
)
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    DeclineReason,
    EventKind,
    NoteKind,
    NoteVisibility,
    Referral,
    ReferralStatus,
    TeamMember,
    TeamRole,
    Triage,
)
from kasane.core.dates import fiscal_year, fiscal_year_bounds
from kasane.core.workdays import is_working_day
from kasane.demo.activity import DemoActivity
from kasane.demo.casework_texts import AREAS, CLOSURE_NOTES, PERSON_VIEWS
from kasane.demo.household_profiles import NOTE_TEXTS
from kasane.intake.models import (
    Consultation,
    ConsultationNeed,
    NeedType,
)
from kasane.plans.builders import build_closure, build_evaluations, build_review
from kasane.plans.models import (
    AreaEvaluation,
    Closure,
    ClosureReason,
    Review,
    ReviewKind,
    Trend,
)

DAY = datetime.timedelta(days=1)
COORDINATION_REASON = "複数の課題が絡み、単独の機関では方向性が定まらない。"
TRIAGE_C_ADVICE = "既存の支援機関で役割分担し、包括が主担当として継続。"
REFERRAL_REQUEST = "状況の確認と支援への参加をお願いします。"
REFERRAL_OUTCOME = "役割を終え、状況が安定した。"


@dataclass
class BulkCase:
    case: Case
    lead: Staff
    kind: str
    team: set[int] = field(default_factory=set)  # agency ids on the team
    referrals: list[Referral] = field(default_factory=list)
    close_on: datetime.date | None = None
    last_note: datetime.date | None = None
    last_consulted: datetime.date | None = None


class BulkCasework:
    """The records of the bulk cases, each with the case event and audit event its service
    writes beside it: cases and their teams, referrals and their answers, triage, notes and
    closures."""

    def __init__(self, activity: DemoActivity, seed: int, today: datetime.date) -> None:
        self.a = activity
        self.rng = random.Random(seed * 65537 + today.toordinal())
        self.today = today
        self.start = fiscal_year_bounds(fiscal_year(today) - 1)[0]
        self.now = timezone.localtime()
        self.needs: dict[str, NeedType] = activity.needs
        self.coordination = activity.agencies["coordination"]
        self.cases: list[BulkCase] = []
        self.open_case: dict[int, BulkCase] = {}
        self.consultations: list[Consultation] = []
        self.consultation_needs: list[ConsultationNeed] = []
        self.team: list[TeamMember] = []
        self.notes: list[CaseNote] = []
        self.events: list[CaseEvent] = []
        self.reviews: list[Review] = []
        self.area_results: list[AreaEvaluation] = []
        self.closures: list[Closure] = []
        self.closing: list[tuple[datetime.date, int, BulkCase]] = []  # a heap by day
        self.tiebreak = itertools.count()
        # Audit events, in the order the services would have written them: (actor, action,
        # basis, object type, the record whose public id is the object id, detail).
        self.audit: list[tuple[Staff | None, AuditAction, LegalBasis, str, object, dict]] = []  # type: ignore[type-arg]

    # --- time --------------------------------------------------------------------------------

    def at(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        """An office hour of ``day``; today's not later than now (at 00:30 it is now)."""
        at = datetime.datetime.combine(
            day,
            datetime.time(
                hour if hour is not None else self.rng.randint(9, 16),
                self.rng.choice([0, 15, 30, 45]),
            ),
            tzinfo=timezone.get_current_timezone(),
        )
        return min(at, self.now)

    def working_day(self, start: datetime.date, offset: int) -> datetime.date:
        day = start + offset * DAY
        while not is_working_day(day):
            day += DAY
        return min(day, self.today)

    # --- records, each with what its service writes beside it ---------------------------------

    def event(
        self,
        case: Case,
        kind: EventKind,
        actor: Staff | None,
        at: datetime.datetime,
        *,
        detail: dict[str, object] | None = None,
        **links: object,
    ) -> None:
        self.events.append(
            build_event(
                case, kind, actor, at=at, restricted_to_agency=None, detail=detail or {}, **links
            )
        )

    def log(
        self,
        actor: Staff | None,
        action: AuditAction,
        basis: LegalBasis,
        object_type: str,
        record: object,
        /,
        **detail: object,
    ) -> None:
        self.audit.append((actor, action, basis, object_type, record, detail))

    def join(self, bulk: BulkCase, agency: Agency, role: TeamRole, at: datetime.datetime) -> None:
        if agency.pk in bulk.team:
            return
        bulk.team.add(agency.pk)
        self.team.append(build_team_member(case=bulk.case, agency=agency, role=role, joined_at=at))

    def open(self, household_id: int, kind: str, lead: Staff, at: datetime.datetime) -> BulkCase:
        assert lead.agency is not None
        case = build_case(household=household_id, lead=lead.agency, opened_at=at)
        case.created_at = at
        bulk = BulkCase(case=case, lead=lead, kind=kind)
        self.cases.append(bulk)
        self.open_case[household_id] = bulk
        assert lead.agency is not None
        self.join(bulk, lead.agency, TeamRole.LEAD, at)
        self.event(case, EventKind.OPENED, lead, at)
        self.log(lead, AuditAction.CREATE, LegalBasis.OWN_AGENCY, "case", case)
        return bulk

    def refer(
        self,
        bulk: BulkCase,
        actor: Staff,
        to: Agency,
        at: datetime.datetime,
        consultation: Consultation | None,
        need: str,
    ) -> Referral:
        referral = build_referral(
            case=bulk.case,
            actor=actor,
            to_agency=to,
            reason=f"{self.needs[need].name}への対応",
            request=REFERRAL_REQUEST,
            requested_at=at,
            consultation=consultation,
        )
        bulk.referrals.append(referral)
        self.event(bulk.case, EventKind.REFERRAL_REQUESTED, actor, at, referral=referral)
        self.log(actor, AuditAction.CREATE, LegalBasis.CASE_TEAM, "referral", referral)
        return referral

    def answer(self, bulk: BulkCase, referral: Referral, *, decline: bool) -> None:
        if referral.requested_at.date() >= self.today - 2 * DAY or self.rng.random() < 0.08:
            # Recent ones wait in the inbox; a few were never answered, and the hourly job
            # escalated them once they were overdue.
            if referral.due_at < self.now:
                referral.escalated_at = min(referral.due_at + datetime.timedelta(hours=1), self.now)
                self.event(
                    bulk.case,
                    EventKind.REFERRAL_ESCALATED,
                    None,
                    referral.escalated_at,
                    referral=referral,
                )
                self.log(
                    None,
                    AuditAction.UPDATE,
                    LegalBasis.SYSTEM,
                    "referral",
                    referral,
                    fields=["escalated_at"],
                )
            return
        actor = self.a.worker(self.a.key_of[referral.to_agency.pk])
        at = self.at(self.working_day(referral.requested_at.date(), self.rng.randint(1, 3)))
        reason = (
            self.rng.choice(
                [DeclineReason.NOT_ELIGIBLE, DeclineReason.NO_CAPACITY, DeclineReason.UNREACHABLE]
            )
            if decline
            else ""
        )
        answer = referral_answer(actor=actor, at=at, accepted=not decline, decline_reason=reason)
        for name, value in answer.items():
            setattr(referral, name, value)
        if decline:
            self.event(bulk.case, EventKind.REFERRAL_DECLINED, actor, at, referral=referral)
        else:
            self.join(bulk, referral.to_agency, TeamRole.MEMBER, at)
            self.event(bulk.case, EventKind.REFERRAL_ACCEPTED, actor, at, referral=referral)
        self.log(
            actor,
            AuditAction.UPDATE,
            LegalBasis.REFERRAL,
            "referral",
            referral,
            status=referral.status,
        )

    def triage(self, bulk: BulkCase, day: datetime.date) -> None:
        """A / B / C in the proportions of seed 003; the last days' cases wait for triage."""
        if day > self.today - 10 * DAY:
            return
        roll = self.rng.random()
        triage = Triage.A if roll < 16 / 57 else Triage.B if roll < 24 / 57 else Triage.C
        at = self.at(self.working_day(day, self.rng.randint(2, 8)))
        case = bulk.case
        triage_case(
            case, triage=triage, advice=TRIAGE_C_ADVICE if triage == Triage.C else "", at=at
        )
        coordinator = self.a.coordinator
        self.join(bulk, self.coordination, TeamRole.COORDINATION, at)
        self.event(case, EventKind.TRIAGED, coordinator, at, detail={"triage": triage})
        self.log(
            coordinator,
            AuditAction.UPDATE,
            LegalBasis.COORDINATION,
            "case",
            case,
            fields=["triage"],
        )

    def write_notes(
        self, bulk: BulkCase, since: datetime.date, count: int, *, until: datetime.date | None
    ) -> None:
        """Progress notes by the lead agency, before the case is to close."""
        actor = bulk.lead
        last = min(until - DAY, self.today - DAY) if until is not None else self.today
        for _ in range(count):
            day = since + self.rng.randint(1, max(1, (last - since).days)) * DAY
            day = min(day, last)
            bulk.last_note = max(bulk.last_note or day, day)
            visibility = NoteVisibility.TEAM if self.rng.random() < 0.85 else NoteVisibility.AGENCY
            note = build_note(
                case=bulk.case,
                actor=actor,
                written_on=day,
                kind=self.rng.choice(list(NoteKind)),
                text=self.rng.choice(NOTE_TEXTS),
                visibility=visibility,
            )
            self.notes.append(note)
            self.events.append(note_event(note, now=self.now, today=self.today))
            self.log(actor, AuditAction.CREATE, LegalBasis.CASE_TEAM, "case_note", note)

    def close(self, bulk: BulkCase) -> None:
        """終結 by the lead agency with its evaluation, once every referral is answered;
        the accepted ones are completed that day (as ``Casework.close_by_lead``)."""
        assert bulk.close_on is not None
        day = min(bulk.close_on, self.today - DAY)
        if bulk.case.sent_to_coordination_at is not None and bulk.case.triage != Triage.C:
            return  # coordination's cases close at a meeting, not in bulk
        if any(r.status == ReferralStatus.REQUESTED for r in bulk.referrals):
            return
        if bulk.last_note is not None and bulk.last_note >= day:
            return
        if bulk.last_consulted is not None and bulk.last_consulted >= day:
            return  # consulted on its closing day (at an hour of its own): it stays open
        at = self.at(day)
        lead = bulk.lead
        for referral in bulk.referrals:
            if referral.status == ReferralStatus.ACCEPTED:
                worker = self.a.worker(self.a.key_of[referral.to_agency.pk])
                complete_referral(referral, at=at, outcome=REFERRAL_OUTCOME)
                self.event(bulk.case, EventKind.REFERRAL_COMPLETED, worker, at, referral=referral)
                self.log(
                    worker,
                    AuditAction.UPDATE,
                    LegalBasis.CASE_TEAM,
                    "referral",
                    referral,
                    status=referral.status,
                )
        reason = self.rng.choice(
            [ClosureReason.GOALS_MET] * 12
            + [ClosureReason.TRANSFERRED] * 4
            + [ClosureReason.MOVED_AWAY, ClosureReason.REFUSED, ClosureReason.UNREACHABLE]
        )
        trends = [Trend.BETTER] * 3 + [Trend.SAME]
        review = build_review(
            case=bulk.case,
            actor=lead,
            kind=ReviewKind.CLOSURE,
            plan=None,
            held_on=day,
            person_view=self.rng.choice(PERSON_VIEWS),
            next_review_on=None,
            meeting_item=None,
        )
        self.reviews.append(review)
        _goals, areas = build_evaluations(
            review,
            [],
            [(area, self.rng.choice(trends).value) for area, _s, _v in AREAS[bulk.kind][:2]],
        )
        self.area_results.extend(areas)
        note = CLOSURE_NOTES[ClosureReason(reason)]
        closure = build_closure(
            case=bulk.case, actor=lead, reason=reason, note=note, decided_at=None, evaluation=review
        )
        self.closures.append(closure)
        case = bulk.case
        before = case.status
        close_case(case, at=at)
        label = str(ClosureReason(reason).label)
        self.event(
            case,
            EventKind.STATUS,
            lead,
            at,
            detail={"from": before, "to": case.status, "reason": f"{label}　{note}"},
        )
        self.log(lead, AuditAction.UPDATE, LegalBasis.CASE_TEAM, "case", case, fields=["status"])
        self.log(
            lead,
            AuditAction.CREATE,
            LegalBasis.CASE_TEAM,
            "closure",
            closure,
            case=case,
            reason=reason,
            item=None,
        )
