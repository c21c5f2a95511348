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
from collections import defaultdict

from django.db import transaction
from django.db.models import Max

from kasane.audit.models import AuditAction, LegalBasis
from kasane.cases.builders import (
    case_number,
    send_to_coordination,
)
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    CaseNumberCounter,
    EventKind,
    Referral,
    ReferralStatus,
    TeamMember,
)
from kasane.demo.activity import DemoActivity
from kasane.demo.bulk import AuditChain, insert
from kasane.demo.bulk_cases import (
    COORDINATION_REASON,
    DAY,
    BulkCasework,
)
from kasane.demo.bulk_outreach import BulkOutreach
from kasane.demo.bulk_participation import BulkParticipation
from kasane.demo.bulk_plans import BulkPlans
from kasane.demo.household_profiles import PROFILES, SUMMARIES, household_kind
from kasane.intake.builders import build_consultation, build_needs
from kasane.intake.models import (
    Channel,
    Consultation,
    ConsultationNeed,
    Outcome,
    Requester,
)
from kasane.plans.models import (
    AreaEvaluation,
    Closure,
    Review,
)
from kasane.registry.models import Household, Membership, Relationship

CONSULTATIONS_PER_HOUSEHOLD_YEAR = 0.45


class BulkActivity(BulkCasework):
    """Simulates the years in memory, day by day, then writes them table by table."""

    def __init__(self, activity: DemoActivity, seed: int, today: datetime.date) -> None:
        super().__init__(activity, seed, today)
        self.plans: BulkPlans | None = None
        self.outreach: BulkOutreach | None = None
        self.participation: BulkParticipation | None = None

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
            send_to_coordination(bulk.case, at=at, reason=COORDINATION_REASON)
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
