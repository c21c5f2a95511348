"""Years of work for the households of a large demo city that the services' story leaves
out (see ``kasane.demo.bulk``): consultations with their needs and domains, cases numbered in
their 年度, teams with a lead agency, referrals answered or not, triage, notes, and closures
with their evaluation — written in batches, the records and audit events each service writes.

The history starts on the first day of the previous 年度, so that the dashboard's year and
the one beside it are whole. Volume is that of the story's households (``kasane.demo.activity``:
some 0.8 consultations per household over the days the dashboard shows), and so are the
outcomes and proportions; the 支援会議, 重層的支援会議, plans and reviews of the cases triaged
A and B follow in ``kasane.demo.bulk_plans``.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kasane.accounts.models import Agency, Staff
from kasane.audit.models import AuditAction, LegalBasis
from kasane.cases.builders import (
    build_case,
    build_event,
    build_note,
    build_referral,
    build_team_member,
    case_number,
    note_event,
)
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    CaseNumberCounter,
    CaseStatus,
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
from kasane.demo.activity import NOTE_TEXTS, PROFILES, SUMMARIES, DemoActivity, household_kind
from kasane.demo.bulk import AuditChain, insert
from kasane.demo.bulk_outreach import BulkOutreach
from kasane.demo.bulk_participation import BulkParticipation
from kasane.demo.bulk_plans import BulkPlans
from kasane.demo.casework import AREAS, CLOSURE_NOTES, PERSON_VIEWS
from kasane.intake.builders import build_consultation, build_needs
from kasane.intake.models import (
    Channel,
    Consultation,
    ConsultationNeed,
    NeedType,
    Outcome,
    Requester,
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
from kasane.registry.models import Household, Membership, Relationship

DAY = datetime.timedelta(days=1)
CONSULTATIONS_PER_HOUSEHOLD_YEAR = 0.45
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


class BulkActivity:
    """Simulates the years in memory, day by day, then writes them table by table."""

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
        self.plans: BulkPlans | None = None
        self.outreach: BulkOutreach | None = None
        self.participation: BulkParticipation | None = None

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
        **links: object,
    ) -> None:
        self.events.append(build_event(case, kind, actor, at=at, **links))

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

    # --- one consultation, as ``DemoActivity.one_consultation`` tells it --------------------

    def consult(self, household_id: int, kind: str, receiver: str, day: datetime.date) -> None:
        bulk = self.open_case.get(household_id)
        if bulk is not None and bulk.case.closed_at is not None:
            bulk = None  # closed before this consultation
        coordination_share = 0.28 if kind == "8050" else 0.075
        roll = self.rng.random()
        needs_codes, domains, targets = PROFILES[kind]
        targets = [
            t if t != "houkatsu" else receiver if receiver.startswith("houkatsu") else "houkatsu_2"
            for t in targets
        ]
        targets = [t for t in targets if t != receiver]
        if roll < coordination_share:
            outcome = Outcome.COORDINATION
        elif roll < coordination_share + 0.30 and targets:
            outcome = Outcome.REFERRED
        elif roll < 0.95:
            outcome = Outcome.HANDLED
        else:
            outcome = Outcome.NO_ACTION
        target = self.rng.choice(targets) if outcome == Outcome.REFERRED else None
        if target is not None and bulk is not None:
            open_to = {
                r.to_agency_id
                for r in bulk.referrals
                if r.status in (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED)
            }
            if self.a.agencies[target].pk in open_to:
                outcome, target = Outcome.HANDLED, None
        chosen = [needs_codes[0], *self.rng.sample(needs_codes[1:], k=self.rng.randint(0, 2))]
        actor = self.a.worker(receiver)
        at = self.at(day)
        if bulk is None and outcome in (Outcome.REFERRED, Outcome.COORDINATION):
            bulk = self.open(household_id, kind, actor, at)
        case = bulk.case if bulk is not None else None
        consultation = build_consultation(
            actor=actor,
            received_at=at,
            requester=self.rng.choice(
                [
                    Requester.SELF,
                    Requester.FAMILY,
                    Requester.FAMILY,
                    Requester.AGENCY,
                    Requester.VOLUNTEER,
                    Requester.NEIGHBOUR,
                ]
            ),
            channel=self.rng.choice(
                [Channel.WALK_IN, Channel.PHONE, Channel.PHONE, Channel.HOME_VISIT]
            ),
            household=household_id,
            domains=domains,
            summary=self.rng.choice(SUMMARIES[kind]),
            outcome=outcome,
            consent_to_share=self.rng.random() < 0.8,
            case=case,
        )
        consultation.created_at = at
        self.consultations.append(consultation)
        self.consultation_needs.extend(
            build_needs(consultation, [self.needs[c] for c in chosen], self.needs[chosen[0]])
        )
        self.log(
            actor,
            AuditAction.CREATE,
            LegalBasis.OWN_AGENCY,
            "consultation",
            consultation,
            persons=[],
        )
        if bulk is None:
            return
        bulk.last_consulted = day
        self.event(bulk.case, EventKind.CONSULTATION, actor, at, consultation=consultation)
        if target is not None:
            referral = self.refer(bulk, actor, self.a.agencies[target], at, consultation, chosen[0])
            self.answer(bulk, referral, decline=self.rng.random() < 0.15)
            bulk.close_on = None
            if day < self.today - 150 * DAY and self.rng.random() < 0.5:
                bulk.close_on = day + self.rng.randint(60, 120) * DAY
                heapq.heappush(self.closing, (bulk.close_on, next(self.tiebreak), bulk))
            self.write_notes(bulk, day, self.rng.randint(0, 3), until=bulk.close_on)
        elif outcome == Outcome.COORDINATION and bulk.case.sent_to_coordination_at is None:
            bulk.case.sent_to_coordination_at = at
            bulk.case.coordination_reason = COORDINATION_REASON
            bulk.close_on = None
            self.event(bulk.case, EventKind.COORDINATION, actor, at)
            self.log(
                actor,
                AuditAction.UPDATE,
                LegalBasis.CASE_TEAM,
                "case",
                bulk.case,
                fields=["coordination"],
            )
            self.triage(bulk, day)
            self.write_notes(bulk, day, self.rng.randint(1, 4), until=None)

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
        referral.responded_by = actor
        referral.responded_at = at
        if decline:
            referral.status = ReferralStatus.DECLINED
            referral.decline_reason = self.rng.choice(
                [DeclineReason.NOT_ELIGIBLE, DeclineReason.NO_CAPACITY, DeclineReason.UNREACHABLE]
            )
            self.event(bulk.case, EventKind.REFERRAL_DECLINED, actor, at, referral=referral)
        else:
            referral.status = ReferralStatus.ACCEPTED
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
        case.triage = triage
        case.triage_advice = TRIAGE_C_ADVICE if triage == Triage.C else ""
        case.triaged_at = at
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
            self.events.append(note_event(note, now=self.now))
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
                referral.status = ReferralStatus.COMPLETED
                referral.completed_at = at
                referral.outcome = REFERRAL_OUTCOME
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
        case.status = CaseStatus.CLOSED
        case.closed_at = at
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

    # --- the years -------------------------------------------------------------------------

    def run(
        self, households: list[tuple[int, str, str]], heads: dict[int, tuple[int, str]]
    ) -> None:
        """``households``: (id, kind, registering agency key) of each bulk household;
        ``heads``: the person id and public id of each one's head."""
        start = self.start
        days = (self.today - start).days
        count = round(len(households) * CONSULTATIONS_PER_HOUSEHOLD_YEAR * days / 365)
        visits = sorted(
            (start + self.rng.randint(0, days) * DAY, self.rng.randrange(len(households)))
            for _ in range(count)
        )
        for day, index in visits:
            self.close_until(day)
            household_id, kind, receiver = households[index]
            self.consult(household_id, kind, receiver, day)
        self.close_until(self.today)
        self.participation = BulkParticipation(self)
        self.plans = BulkPlans(self, heads)
        self.plans.run(self.cases)

    def close_until(self, day: datetime.date) -> None:
        """Close the cases due to close before ``day``, in the order they close."""
        while self.closing and self.closing[0][0] < day:
            close_on, _n, bulk = heapq.heappop(self.closing)
            if bulk.close_on == close_on and bulk.case.closed_at is None:
                self.close(bulk)

    def number(self) -> None:
        """Case numbers continue each 年度's counter, in the order the cases were opened."""
        by_year: dict[int, list[Case]] = defaultdict(list)
        for bulk in sorted(self.cases, key=lambda b: b.case.opened_at):
            by_year[bulk.case.fiscal_year].append(bulk.case)
        for year, cases in by_year.items():
            counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
                fiscal_year=year
            )
            for case in cases:
                counter.last += 1
                case.number = case_number(year, counter.last)
            counter.save(update_fields=["last"])

    @transaction.atomic
    def write(self) -> None:
        self.number()
        insert(Case, [b.case for b in self.cases])
        insert(TeamMember, self.team)
        insert(Consultation, self.consultations)
        insert(ConsultationNeed, self.consultation_needs)
        insert(Referral, [r for b in self.cases for r in b.referrals])
        insert(CaseNote, self.notes)
        insert(Review, self.reviews)
        insert(AreaEvaluation, self.area_results)
        insert(Closure, self.closures)
        if self.plans is not None:
            self.plans.write()
        if self.outreach is not None:
            self.outreach.write()
        if self.participation is not None:
            self.participation.write()
        insert(CaseEvent, self.events)
        with AuditChain() as chain:
            for actor, action, basis, kind, record, detail in self.audit:
                chain.add(
                    actor=actor,
                    action=action,
                    legal_basis=basis,
                    object_type=kind,
                    # Records without a public id (a loneliness score) go by their key.
                    object_id=getattr(record, "public_id", None) or record.pk,  # type: ignore[attr-defined]
                    detail={
                        k: str(v.public_id) if hasattr(v, "public_id") else v
                        for k, v in detail.items()
                    },
                )


def build_bulk_activity(
    *, activity: DemoActivity, seed: int, today: datetime.date, after_household: int
) -> None:
    """Load the years of work of the households whose id is above ``after_household``."""
    members: dict[int, list[tuple[str, datetime.date | None]]] = defaultdict(list)
    heads: dict[int, tuple[int, str]] = {}
    for household_id, relationship, birth, person_id, public_id in Membership.objects.filter(
        household_id__gt=after_household, ended_on__isnull=True
    ).values_list(
        "household_id", "relationship", "person__birth_date", "person_id", "person__public_id"
    ):
        members[household_id].append((relationship, birth))
        if relationship == Relationship.HEAD:
            heads[household_id] = (person_id, str(public_id))
    households = []
    places: list[tuple[int, int | None, str, int | None]] = []
    for household_id, note, agency_id, area_id, address in (
        Household.objects.filter(pk__gt=after_household)
        .order_by("id")
        .values_list("id", "note", "registered_by_agency_id", "area_id", "address")
    ):
        key = activity.key_of[agency_id]
        households.append(
            (household_id, household_kind(members[household_id], note, key, today), key)
        )
        head = heads.get(household_id)
        places.append((household_id, area_id, address, head[0] if head else None))
    if not households:
        return
    bulk = BulkActivity(activity, seed, today)
    bulk.run(households, heads)
    bulk.outreach = BulkOutreach(bulk)
    bulk.outreach.run(places)
    bulk.write()


def last_story_household() -> int:
    """The id of the last household whose story the services tell."""
    from kasane.demo.city import STORY_HOUSEHOLDS

    ids = list(
        Household.objects.order_by("id").values_list("id", flat=True)[
            STORY_HOUSEHOLDS - 1 : STORY_HOUSEHOLDS
        ]
    )
    return ids[0] if ids else Household.objects.aggregate(m=Max("id"))["m"] or 0
