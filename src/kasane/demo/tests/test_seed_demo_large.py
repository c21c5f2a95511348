"""A large demo city (``kasane seed_demo --households 100000``): the story of its first
households through the services, the rest of the city and its years of work in bulk.

The thresholds are lowered here (a story of 30 households past 60) so that a city of 3,000
households takes the same code path in a few seconds; the records must be as the services
would have written them: a lead agency on every case, case numbers that continue each
年度's counter, an audit chain that verifies, persons found by kana search.
"""

from __future__ import annotations

import datetime
import io
import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit.models import AuditEvent
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseStatus,
    EventKind,
    Referral,
    ReferralStatus,
    TeamMember,
    TeamRole,
)
from kasane.core import kana
from kasane.core.dates import fiscal_year, fiscal_year_bounds, fiscal_year_short
from kasane.demo import city as demo_city
from kasane.demo.bulk_activity import CONSULTATIONS_PER_HOUSEHOLD_YEAR
from kasane.demo.bulk_outreach import TARGETS_PER_HOUSEHOLD_YEAR
from kasane.evaluation.computations import compute
from kasane.intake.models import Consultation, ConsultationNeed, Outcome
from kasane.meetings.models import (
    AgendaItem,
    ConfidentialityPledge,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kasane.outreach.models import (
    ChangeKind,
    ConcernReport,
    ContactAttempt,
    OutreachTarget,
    ReportStatus,
    StageChange,
)
from kasane.participation.models import LonelinessScore, Match, MatchStage, MatchStageChange
from kasane.plans.models import Closure, PlanStatus, Review, ReviewKind, SupportPlan
from kasane.privacy.consent import consents_in_force
from kasane.privacy.models import ConsentPurpose
from kasane.registry.models import Household, Membership, Person, Relation
from kasane.registry.selectors import get_household_for_user, search_persons

# The city's years end today: its random choices, fiscal years and "recent" records follow
# the date (and, for today's records, the hour).
pytestmark = pytest.mark.clock

HOUSEHOLDS = 3000
STORY = 30


def seed(households: int, *, story: int = STORY, large: int = 60, **options: object) -> str:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo_city, "STORY_HOUSEHOLDS", story)
        patch.setattr(demo_city, "LARGE_CITY", large)
        call_command("seed_demo", households=households, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="class")
def _class_city(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """One large city for the class, rolled back after it; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(HOUSEHOLDS)
        transaction.set_rollback(True)


@pytest.fixture
def city(_class_city: str, db: None) -> str:
    return _class_city


def bulk_households() -> Any:
    story_last = Household.objects.order_by("id").values_list("id", flat=True)[STORY - 1]
    return Household.objects.filter(pk__gt=story_last)


class TestLargeDemoCity:
    def test_every_household_with_its_members_and_family(self, city: str) -> None:
        assert f"Demo city loaded: {HOUSEHOLDS} households." in city
        assert Household.objects.count() == HOUSEHOLDS
        # Every household has exactly one current head; every person one current household.
        heads = Membership.objects.filter(relationship="head", ended_on__isnull=True)
        assert heads.values("household").distinct().count() == HOUSEHOLDS
        assert heads.count() == HOUSEHOLDS
        assert Membership.objects.count() == Person.objects.count()
        assert Relation.objects.filter(kind="spouse").exists()
        # Addresses stay unique however full the blocks are.
        addresses = list(Household.objects.values_list("address", flat=True))
        assert len(set(addresses)) == len(addresses)

    def test_bulk_persons_carry_the_services_search_tokens(self, city: str) -> None:
        for person in Person.objects.filter(memberships__household__in=bulk_households()).order_by(
            "id"
        )[:500]:
            assert person.search_tokens == kana.search_tokens(person.name, person.kana)
            assert person.kana_normalized == kana.normalize(person.kana)
            assert person.area_id is not None

    def test_kana_search_finds_a_bulk_person(self, city: str) -> None:
        household = bulk_households().order_by("-id").first()
        assert household is not None
        person = household.memberships.get(relationship="head").person
        surname_kana, given_kana = person.kana.split(" ")
        hiragana = "".join(chr(ord(c) - 0x60) for c in surname_kana + given_kana)
        worker = Staff.objects.filter(agency=household.registered_by_agency, is_active=True).first()
        assert worker is not None
        result = search_persons(worker, hiragana)
        assert person in result.persons or result.truncated
        # The full name in kana with its space, half width: one person or a few namesakes.
        exact = search_persons(worker, person.kana)
        assert person in exact.persons

    def test_bulk_persons_are_in_the_search_index(self, city: str) -> None:
        """The index that narrows a name search holds every bulk person (on SQLite, the FTS5
        table the triggers fill on insert; on PostgreSQL, the expression index on the row)."""
        person = Person.objects.filter(memberships__household__in=bulk_households()).last()
        assert person is not None
        token = kana.query_tokens(person.kana)[0]
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT count(*) FROM registry_person_fts")
                assert cursor.fetchone()[0] == Person.objects.count()
                cursor.execute(
                    "SELECT rowid FROM registry_person_fts WHERE registry_person_fts MATCH %s",
                    [f'"{token}"'],
                )
            else:
                cursor.execute(
                    "SELECT id FROM registry_person WHERE to_tsvector('simple', search_tokens) "
                    "@@ to_tsquery('simple', %s)",
                    [f"'{token}'"],
                )
            assert person.pk in {row[0] for row in cursor.fetchall()}

    def test_a_bulk_household_is_seen_by_its_agency_and_hidden_from_others(self, city: str) -> None:
        household = (
            bulk_households()
            .filter(cases__isnull=True, consultations__isnull=True)
            .order_by("id")
            .first()
        )
        assert household is not None
        own = Staff.objects.filter(agency=household.registered_by_agency, role="caseworker").first()
        other = (
            Staff.objects.filter(role="caseworker", is_active=True)
            .exclude(agency=household.registered_by_agency)
            .order_by("id")
            .first()
        )
        assert own is not None and other is not None
        before = AuditEvent.objects.count()
        assert get_household_for_user(own, household.public_id) == household
        assert AuditEvent.objects.filter(
            object_type="household", object_id=str(household.public_id), action="view"
        ).exists()
        assert AuditEvent.objects.count() == before + 1
        with pytest.raises(Http404):
            get_household_for_user(other, household.public_id)
        head = household.memberships.get(relationship="head").person
        assert head not in search_persons(other, head.kana).persons
        assert head in search_persons(own, head.kana).persons

    def test_meetings_plans_and_reviews_of_the_bulk_cases(self, city: str) -> None:
        bulk_cases = Case.objects.filter(household__in=bulk_households())
        items = AgendaItem.objects.filter(case__in=bulk_cases)
        support = items.filter(meeting__kind=MeetingKind.SUPPORT_MEETING)
        assert support.count() > 50
        # Every case taken up at a 支援会議 was triaged A or B; its members pledged.
        assert not support.exclude(case__triage__in=["A", "B"]).exists()
        unpledged = support.filter(members__pledge__isnull=True)
        assert not unpledged.exists()
        assert (
            ConfidentialityPledge.objects.filter(
                attendee__meeting__kind=MeetingKind.INTEGRATED_MEETING
            ).count()
            == 0
        )
        # Meetings are held, in the past, and hold the case once.
        meetings = Meeting.objects.filter(agenda__in=items).distinct()
        assert not meetings.exclude(status=MeetingStatus.HELD).exists()
        assert not meetings.filter(held_at__gte=timezone.now()).exists()
        # Plans: approved at a 重層的支援会議 that took up the case and decided support, with
        # a consent in force of a current member covering that meeting.
        plans = SupportPlan.objects.filter(case__in=bulk_cases).select_related(
            "approved_at__meeting", "case", "approval_decision"
        )
        assert plans.count() > 20
        for plan in plans[:100]:
            assert plan.status == PlanStatus.APPROVED
            item = plan.approved_at
            assert item is not None and item.case_id == plan.case_id
            assert item.meeting.kind == MeetingKind.INTEGRATED_MEETING
            assert plan.approval_decision is not None
            assert plan.approval_decision.item_id == item.pk
            assert item.decisions.filter(kind=DecisionKind.SUPPORT_DECISION).exists()
            assert plan.case.accepted_at == item.meeting.held_at
            assert plan.agreed_on is not None
            assert plan.agreed_on < timezone.localtime(item.meeting.held_at).date()
            assert plan.goals.exists()
            assert any(
                ConsentPurpose.INTEGRATED_MEETING in c.purposes
                for c in consents_in_force().filter(
                    person__memberships__household_id=plan.case.household_id,
                    obtained_on__lt=timezone.localtime(item.meeting.held_at).date(),
                )
            )
        # An action is given only to an agency on the case's team.
        actions = Decision.objects.filter(kind=DecisionKind.ACTION, item__in=items)
        assert actions.exists()
        assert not actions.exclude(item__case__team__agency=F("owner")).exists()
        # Reviews: on time at a meeting, late by the lead, and never after today.
        reviews = Review.objects.filter(case__in=bulk_cases, plan__isnull=False)
        assert reviews.filter(held_on__lte=F("due_on"), meeting_item__isnull=False).exists()
        assert reviews.filter(held_on__gt=F("due_on"), meeting_item__isnull=True).exists()
        assert not reviews.filter(held_on__gte=timezone.localdate()).exists()
        # The evaluation sees them in the previous 年度.
        previous = fiscal_year(timezone.localdate()) - 1
        assert (compute("plans_made", previous).value or 0) > 20
        assert (compute("meetings_held", previous).value or 0) > 20
        assert compute("reviews_on_time", previous).breakdown["on_time"] > 10

    def test_outreach_among_the_bulk_households(self, city: str) -> None:
        addresses = bulk_households().values("address")
        targets = OutreachTarget.objects.filter(address__in=addresses)
        # As many as the rate over the days the demo's activity covers (a year and a half in
        # October, one year on 1 April): a fixed floor would fail in spring.
        start = fiscal_year_bounds(fiscal_year(timezone.localdate()) - 1)[0]
        days = (timezone.localdate() - start).days
        expected = bulk_households().count() * TARGETS_PER_HOUSEHOLD_YEAR * days / 365
        assert expected > 50
        assert 0.8 * expected <= targets.count() <= 1.2 * expected
        assert targets.count() < Consultation.objects.count() / 10
        # Each target opened once, its history in order, closed with the reason it has.
        opened = Counter(
            StageChange.objects.filter(kind=ChangeKind.OPENED).values_list("target", flat=True)
        )
        assert set(opened.values()) == {1}
        assert len(opened) == OutreachTarget.objects.count()
        assert not StageChange.objects.filter(at__lt=F("target__opened_at")).exists()
        closed = targets.filter(closed_at__isnull=False)
        assert closed.exists() and targets.filter(closed_at__isnull=True).exists()
        for target in closed[:100]:
            last = target.changes.order_by("at", "id").last()
            assert last is not None and last.kind == ChangeKind.CLOSED
            assert last.close_reason == target.close_reason
            last_stage = target.changes.exclude(to_stage="").order_by("at", "id").last()
            assert last_stage is not None and last_stage.to_stage == target.stage
        # A report taken on is being handled, or handled once its target closed.
        reports = ConcernReport.objects.filter(target__in=targets)
        assert reports.exists()
        assert not reports.filter(status=ReportStatus.RECEIVED).exists()
        assert (
            not reports.filter(target__closed_at__isnull=False)
            .exclude(status=ReportStatus.DONE)
            .exists()
        )
        assert not ContactAttempt.objects.filter(attempted_on__gte=timezone.localdate()).exists()
        previous = fiscal_year(timezone.localdate()) - 1
        assert (compute("concern_reports", previous).value or 0) > 50
        assert (compute("outreach_targets", previous).figures["new"] or 0) > 50

    def test_participation_matches_of_the_bulk_plans(self, city: str) -> None:
        matches = Match.objects.filter(case__household__in=bulk_households())
        assert matches.count() > 10
        stages = Counter(matches.values_list("stage", flat=True))
        assert stages[MatchStage.STARTED] + stages[MatchStage.SETTLED] > 0
        for match in matches.select_related("case")[:100]:
            # The plan asked for it; the person is a current member with a consent in force
            # covering participation support and the agency.
            assert match.case is not None
            assert match.case.plans.filter(participation_requested=True).exists()
            assert match.person.memberships.filter(
                household_id=match.case.household_id, ended_on__isnull=True
            ).exists()
            assert any(
                ConsentPurpose.PARTICIPATION in c.purposes
                and c.agencies.filter(pk=match.agency_id).exists()
                for c in consents_in_force().filter(person=match.person)
            )
            history = list(match.history.order_by("on", "id").values_list("stage", "on"))
            assert history[0][0] == MatchStage.PROPOSED
            assert history[-1] == (match.stage, match.stage_since)
            assert all(a[1] <= b[1] for a, b in itertools.pairwise(history))
            assert (match.stage == MatchStage.ENDED) == bool(match.end_reason)
        settled = matches.filter(stage=MatchStage.SETTLED)
        assert not settled.exclude(loneliness__isnull=False).exists()
        assert not MatchStageChange.objects.filter(on__gte=timezone.localdate()).exists()
        assert LonelinessScore.objects.filter(match__in=matches).exists()
        previous = fiscal_year(timezone.localdate()) - 1
        # A handful in a city of 3,000 (from 3 to 10 as the dice of the day fall): some.
        assert compute("matches", previous).breakdown["started"] > 0

    def test_two_years_of_consultations_in_a_real_city_volume(self, city: str) -> None:
        today = timezone.localdate()
        previous = fiscal_year(today) - 1
        start = datetime.datetime(previous, 4, 1, tzinfo=timezone.get_current_timezone())
        end = datetime.datetime(previous + 1, 4, 1, tzinfo=timezone.get_current_timezone())
        in_previous = Consultation.objects.filter(
            received_at__gte=start, received_at__lt=end, household__in=bulk_households()
        ).count()
        expected = (HOUSEHOLDS - STORY) * CONSULTATIONS_PER_HOUSEHOLD_YEAR
        assert 0.85 * expected < in_previous < 1.15 * expected
        # And this 年度 so far, at the same pace; nothing before the previous 年度.
        this_year = Consultation.objects.filter(
            received_at__gte=end, household__in=bulk_households()
        ).count()
        # (On 1 April "so far" is the first day: a handful, not none.)
        pace = expected * (today - end.date()).days / 365
        assert 0.8 * pace - 5 < this_year < 1.2 * pace + 5
        assert not Consultation.objects.filter(
            received_at__lt=start, household__in=bulk_households()
        ).exists()
        outcomes = Counter(Consultation.objects.values_list("outcome", flat=True))
        total = sum(outcomes.values())
        assert 0.05 < outcomes[Outcome.COORDINATION] / total < 0.2
        assert 0.2 < outcomes[Outcome.REFERRED] / total < 0.4
        # Every consultation has exactly one main need among its needs, and its domains.
        mains = ConsultationNeed.objects.filter(is_main=True).values("consultation")
        assert mains.count() == total
        assert mains.distinct().count() == total
        assert not Consultation.objects.filter(domains=[]).exists()

    def test_every_case_has_its_lead_agency_on_the_team(self, city: str) -> None:
        cases = Case.objects.all()
        assert cases.count() > 300
        assert not cases.exclude(status=CaseStatus.CLOSED).filter(lead_agency=None).exists()
        leads = TeamMember.objects.filter(role=TeamRole.LEAD, left_at__isnull=True)
        assert not cases.exclude(pk__in=leads.values("case")).exists()
        assert not cases.exclude(team__agency=F("lead_agency")).exists()
        # A referral's agency is on the team from the moment it accepted.
        for referral in Referral.objects.filter(
            status__in=[ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED]
        ).select_related("case")[:300]:
            assert referral.case.team.filter(agency=referral.to_agency).exists()
        # A consultation that referred or sent to coordination belongs to a case.
        assert not Consultation.objects.filter(
            outcome__in=[Outcome.REFERRED, Outcome.COORDINATION], case=None
        ).exists()

    def test_case_numbers_continue_each_fiscal_years_counter(self, city: str) -> None:
        counters = dict(CaseNumberCounter.objects.values_list("fiscal_year", "last"))
        by_year = dict(Case.objects.values_list("fiscal_year").annotate(n=Count("id")).order_by())
        assert len(by_year) >= 2  # the previous 年度 and this one
        assert counters == by_year
        for year, count in by_year.items():
            numbers = set(Case.objects.filter(fiscal_year=year).values_list("number", flat=True))
            assert numbers == {f"{fiscal_year_short(year)}-{n:04d}" for n in range(1, count + 1)}
        for case in Case.objects.order_by("?")[:200]:
            assert case.fiscal_year == fiscal_year(timezone.localtime(case.opened_at).date())

    def test_referrals_triage_and_closures_as_the_services_leave_them(self, city: str) -> None:
        statuses = Counter(Referral.objects.values_list("status", flat=True))
        assert statuses[ReferralStatus.ACCEPTED] and statuses[ReferralStatus.DECLINED]
        assert statuses[ReferralStatus.COMPLETED] and statuses[ReferralStatus.REQUESTED]
        answered = Referral.objects.filter(responded_at__isnull=False)
        assert not answered.filter(responded_at__lt=F("requested_at")).exists()
        assert not Referral.objects.filter(
            status=ReferralStatus.DECLINED, decline_reason=""
        ).exists()
        overdue = Referral.objects.filter(
            status=ReferralStatus.REQUESTED, due_at__lt=timezone.now()
        )
        assert overdue.exists()
        assert not overdue.filter(escalated_at=None).exists()
        triaged = Counter(Case.objects.exclude(triage="").values_list("triage", flat=True))
        assert triaged["A"] and triaged["B"] and triaged["C"]
        assert triaged["C"] > triaged["A"] > triaged["B"] / 2
        closed = Case.objects.filter(status=CaseStatus.CLOSED)
        assert closed.count() > 50
        assert closed.filter(closure__isnull=False).count() == closed.count()
        assert not Closure.objects.filter(evaluation=None).exists()
        # Nothing was written on a bulk case after it closed.
        assert not CaseEvent.objects.filter(
            case__household__in=bulk_households(),
            case__status=CaseStatus.CLOSED,
            at__gt=F("case__closed_at"),
        ).exists()
        # The timeline has each case's opening and each of its consultations.
        assert CaseEvent.objects.filter(kind=EventKind.OPENED).count() == Case.objects.count()
        assert (
            CaseEvent.objects.filter(kind=EventKind.CONSULTATION).count()
            == Consultation.objects.filter(case__isnull=False).count()
        )

    def test_audit_chain_verifies_with_a_creation_event_for_every_record(self, city: str) -> None:
        out = io.StringIO()
        call_command("audit_verify", stdout=out)
        assert "intact" in out.getvalue().lower()
        created = Counter(
            AuditEvent.objects.filter(action="create").values_list("object_type", flat=True)
        )
        assert created["household"] == Household.objects.count()
        assert created["person"] == Person.objects.count()
        assert created["relation"] == Relation.objects.count()
        assert created["consultation"] == Consultation.objects.count()
        assert created["case"] == Case.objects.count()
        assert created["referral"] == Referral.objects.count()
        assert created["closure"] == Closure.objects.count()
        assert created["meeting"] == Meeting.objects.count()
        assert created["agenda_item"] == AgendaItem.objects.count()
        assert created["meeting_decision"] == Decision.objects.count()
        assert created["support_plan"] == SupportPlan.objects.count()
        assert created["outreach_target"] == OutreachTarget.objects.count()
        assert created["concern_report"] == ConcernReport.objects.count()
        assert created["contact_attempt"] == ContactAttempt.objects.count()
        assert created["match"] == Match.objects.count()
        assert created["loneliness_score"] == LonelinessScore.objects.count()
        assert created["review"] == Review.objects.filter(kind=ReviewKind.REVIEW).count()
        sequences = list(AuditEvent.objects.order_by("id").values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))


@pytest.mark.django_db
def test_a_large_city_starts_with_the_story_of_a_small_one() -> None:
    """The households a large city builds first are those of a city of that size."""

    def people() -> list[tuple[str, str]]:
        return sorted(Person.objects.values_list("name", "kana"))

    class Rollback(Exception):
        pass

    small: list[tuple[str, str]] = []
    try:
        with transaction.atomic():
            seed(20, story=20, large=60, without_activity=True)
            small = people()
            raise Rollback
    except Rollback:
        pass
    seed(200, story=20, large=60, without_activity=True)
    story_last = Household.objects.order_by("id").values_list("id", flat=True)[19]
    story_people = sorted(
        Person.objects.filter(Q(memberships__household_id__lte=story_last)).values_list(
            "name", "kana"
        )
    )
    assert small and story_people == small
    assert Household.objects.count() == 200
