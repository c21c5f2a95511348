"""The demo city かさね市: loaded by one command, the same every time, every login working.

The full city has 400 households (about ten seconds); these tests load 30 with
``--households``, which exercises every builder all the same.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.demo.agencies import AGENCIES, STAFF
from kasane.demo.city import DEMO_PASSWORD
from kasane.demo.logins import demo_logins
from kasane.registry.models import Area, AreaKind, Household, Membership, Person

HOUSEHOLDS = 30


def seed(households: int = HOUSEHOLDS, **options: object) -> str:
    out = io.StringIO()
    call_command("seed_demo", households=households, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="class")
def _class_city(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """One city for the whole class, rolled back after it; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def city(_class_city: str, db: None) -> str:
    return _class_city


def people() -> list[tuple[str, str, str]]:
    return sorted(
        (p.name, p.kana, p.birth_date.isoformat() if p.birth_date else "")
        for p in Person.objects.all()
    )


class _Rollback(Exception):
    pass


def people_of_a_fresh_city(seed_number: int) -> list[tuple[str, str, str]]:
    """Build a city, read its people, and roll it all back: the next one starts empty."""
    found: list[tuple[str, str, str]] = []
    try:
        with transaction.atomic():
            assert not Agency.objects.exists()
            seed(12, seed=seed_number)
            found = people()
            raise _Rollback
    except _Rollback:
        pass
    return found


class TestDemoCity:
    """Tests that read one loaded city."""

    def test_loads_agencies_staff_areas_and_households(self, city: str) -> None:
        assert Agency.objects.count() == len(AGENCIES)
        assert Agency.objects.filter(agency_type=AgencyType.COMMUNITY_GENERAL_SUPPORT).count() == 5
        assert Household.objects.count() == HOUSEHOLDS
        assert Person.objects.count() > HOUSEHOLDS
        assert f"Demo city loaded: {HOUSEHOLDS} households." in city

    def test_has_a_login_for_every_role(self, city: str) -> None:
        logins = demo_logins()
        assert [row["username"] for row in logins] == [s.username for s in STAFF]
        # "Awaiting confirmation" is no role anyone signs in to try: it is a state between
        # the administrator's request and a second person's confirmation.
        assert {row["role"] for row in logins} == set(Role.values) - {Role.PENDING}
        usernames = set(Staff.objects.values_list("username", flat=True))
        assert {s.username for s in STAFF} <= usernames
        # The colleagues who did the demo's year of work have no login.
        for colleague in Staff.objects.exclude(username__in=[s.username for s in STAFF]):
            assert colleague.username.startswith("demo-")
            assert not colleague.has_usable_password()

    def test_has_a_year_of_work(self, city: str) -> None:
        from kasane.cases.models import Case, Referral
        from kasane.intake.models import Consultation

        consultations = Consultation.objects.count()
        assert consultations > HOUSEHOLDS // 2
        assert Case.objects.filter(sent_to_coordination_at__isnull=False).exists()
        assert Referral.objects.exists()
        # The two example households of seed 003 have their histories.
        for surname in ("草野", "髙木"):
            assert Case.objects.filter(
                household__memberships__person__name__startswith=surname
            ).exists()

    def test_prints_the_logins(self, city: str) -> None:
        assert f"password for all: {DEMO_PASSWORD}" in city
        for spec in STAFF:
            assert spec.username in city

    def test_demo_logins_command_as_json(self, city: str) -> None:
        out = io.StringIO()
        call_command("demo_logins", json=True, stdout=out)
        rows = json.loads(out.getvalue())
        assert [r["username"] for r in rows] == [s.username for s in STAFF]
        assert all(r["password"] == DEMO_PASSWORD for r in rows)

    def test_every_demo_login_signs_in_with_the_demo_password(self, city: str) -> None:
        for row in demo_logins():
            client = Client()
            response = client.post(
                "/accounts/login/", {"username": row["username"], "password": DEMO_PASSWORD}
            )
            assert response.status_code == 302, row["username"]
            assert client.get("/").status_code == 200, row["username"]

    def test_only_the_demo_administrator_enters_the_admin_site(self, city: str) -> None:
        for staff in Staff.objects.all():
            client = Client()
            client.force_login(staff)
            expected = 200 if staff.role == Role.ADMIN else 302
            assert client.get("/admin/").status_code == expected, staff.username

    def test_areas_nest_city_sphere_school_district_block(self, city: str) -> None:
        root = Area.objects.get(kind=AreaKind.CITY)
        assert root.name == "かさね市"
        assert root.parent is None
        expected_parent = {
            AreaKind.SPHERE: AreaKind.CITY,
            AreaKind.SCHOOL_DISTRICT: AreaKind.SPHERE,
            AreaKind.BLOCK: AreaKind.SCHOOL_DISTRICT,
        }
        kinds = Counter(Area.objects.values_list("kind", flat=True))
        assert kinds[AreaKind.CITY] == 1
        assert kinds[AreaKind.SPHERE] == 5
        assert kinds[AreaKind.SCHOOL_DISTRICT] >= kinds[AreaKind.SPHERE]
        assert kinds[AreaKind.BLOCK] > kinds[AreaKind.SCHOOL_DISTRICT]
        for area in Area.objects.exclude(kind=AreaKind.CITY).select_related("parent"):
            assert area.parent is not None
            assert area.parent.kind == expected_parent[AreaKind(area.kind)], area.name

    def test_households_live_in_town_blocks(self, city: str) -> None:
        assert not Household.objects.exclude(area__kind=AreaKind.BLOCK).exists()
        addresses = list(Household.objects.values_list("address", flat=True))
        assert len(addresses) == len(set(addresses))

    def test_the_two_households_of_seed_003_are_there(self, city: str) -> None:
        kusano = Household.objects.get(memberships__person__name="草野 ミツ")
        assert sorted(m.person.name for m in kusano.memberships.select_related("person")) == sorted(
            ["草野 ミツ", "草野 誠", "草野 久美子"]
        )
        takagi = Household.objects.get(memberships__person__name="髙木 翔")
        assert sorted(m.person.kana for m in takagi.memberships.select_related("person")) == sorted(
            ["タカギ アキラ", "タカギ カズコ", "タカギ ショウ", "タカギ キヨ"]
        )
        for household in (kusano, takagi):
            assert household.area is not None
            assert household.area.parent.parent.name == "中央圏域"  # type: ignore[union-attr]
            assert household.registered_by_agency.name == "中央地域包括支援センター"
        # 髙木 is found by the 高 most people type.
        assert Person.objects.get(name="髙木 翔").name_normalized == "高木翔"

    def test_every_household_has_one_head(self, city: str) -> None:
        heads = Counter(
            Membership.objects.filter(relationship="head").values_list("household_id", flat=True)
        )
        assert set(heads.values()) == {1}
        assert len(heads) == HOUSEHOLDS

    # --- consents, meetings, plans and closures (kasane.demo.casework) -----------------

    def test_consents_some_withdrawn(self, city: str) -> None:
        from kasane.privacy.models import Consent, ConsentMethod, ConsentPurpose

        consents = list(Consent.objects.all())
        assert consents
        assert any(c.withdrawn_at is not None for c in consents)
        assert any(c.withdrawn_at is None for c in consents)
        assert any(ConsentPurpose.INTEGRATED_MEETING in c.purposes for c in consents)
        assert all(ConsentPurpose.INFORMATION_SHARING in c.purposes for c in consents)
        assert {c.method for c in consents} >= {ConsentMethod.WRITTEN}
        for consent in consents:
            assert consent.obtained_on <= timezone.localdate()
            if consent.method == ConsentMethod.PROXY:
                assert consent.proxy_name and consent.proxy_relation

    def test_meetings_of_both_kinds_held_with_minutes_and_pledges(self, city: str) -> None:
        from kasane.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
        from kasane.meetings.selectors import has_pledge

        now = timezone.now()
        for kind in (MeetingKind.SUPPORT_MEETING, MeetingKind.INTEGRATED_MEETING):
            items = AgendaItem.objects.filter(meeting__kind=kind, meeting__status="held")
            assert items.exists(), kind
            assert not items.filter(minutes="").exists(), kind
        support = AgendaItem.objects.filter(
            meeting__kind=MeetingKind.SUPPORT_MEETING, meeting__status=MeetingStatus.HELD
        )
        for item in support:
            # Everyone named for the case pledged (§106-6), the chair among them.
            members = list(item.members.all())
            assert members
            assert all(has_pledge(m) for m in members)
            assert item.meeting.chair_id in {m.staff_id for m in members}
        # Only planned meetings lie ahead; the held ones are past.
        assert not Meeting.objects.filter(held_at__gt=now).exclude(status="planned").exists()
        assert not Meeting.objects.filter(held_at__lte=now, status="planned").exists()

    def test_triage_a_means_a_meeting_held_and_b_a_meeting_planned(self, city: str) -> None:
        from kasane.cases.models import Case, Triage
        from kasane.core.dates import fiscal_year
        from kasane.meetings.models import AgendaItem, MeetingKind
        from kasane.meetings.selectors import triage_a_by_meeting_kind

        a_cases = Case.objects.filter(triage=Triage.A)
        assert a_cases.exists()
        for case in a_cases:
            held = AgendaItem.objects.filter(case=case, meeting__status="held")
            assert held.exists(), case.number
            assert held.filter(meeting__held_at__lte=timezone.now()).exists()
        for case in Case.objects.filter(triage=Triage.B):
            items = AgendaItem.objects.filter(case=case)
            assert not items.filter(meeting__status="held").exists(), case.number
            if case.is_open:
                assert items.filter(meeting__status="planned").exists(), case.number
        year = fiscal_year(timezone.localdate())
        for fy in (year - 1, year):
            split = triage_a_by_meeting_kind(fy)
            in_year = [
                c
                for c in a_cases
                if c.sent_to_coordination_at
                and fiscal_year(timezone.localdate(c.sent_to_coordination_at)) == fy
            ]
            for kind, count in (
                (MeetingKind.SUPPORT_MEETING, split.support_meeting),
                (MeetingKind.INTEGRATED_MEETING, split.integrated_meeting),
            ):
                with_held = [
                    c
                    for c in in_year
                    if AgendaItem.objects.filter(
                        case=c, meeting__kind=kind, meeting__status="held"
                    ).exists()
                ]
                assert count == len(with_held), (fy, kind)
        # 支援決定 only at a 重層的支援会議, and only for A cases.
        for case in Case.objects.filter(accepted_at__isnull=False):
            assert case.triage == Triage.A
            assert AgendaItem.objects.filter(case=case, decisions__kind="support_decision").exists()

    def test_plans_in_versions_reviews_on_and_off_schedule_closures(self, city: str) -> None:
        from kasane.cases.models import Case, CaseStatus
        from kasane.plans.models import Closure, PlanStatus, Review, ReviewKind, SupportPlan

        today = timezone.localdate()
        approved = SupportPlan.objects.filter(status=PlanStatus.APPROVED)
        assert approved.exists()
        for plan in SupportPlan.objects.exclude(status=PlanStatus.DRAFT):
            assert plan.approved_at is not None
            assert plan.approved_at.meeting.kind == "integrated_meeting"
            assert plan.agreed_on is not None and plan.agreed_on <= today
        v2 = approved.filter(version=2).first()
        assert v2 is not None
        assert v2.case.plans.get(version=1).status == PlanStatus.SUPERSEDED
        # Reviews held on schedule and late, and some now overdue (the inbox shows them).
        reviews = Review.objects.filter(kind=ReviewKind.REVIEW)
        assert any(r.due_on and r.held_on <= r.due_on for r in reviews)
        assert any(r.due_on and r.held_on > r.due_on for r in reviews)
        assert all(r.held_on <= today for r in Review.objects.all())
        overdue = approved.filter(review_due_on__lt=today).exclude(case__status=CaseStatus.CLOSED)
        assert overdue.exists()
        # Every closed case has its closure and evaluation; some at a 重層的支援会議.
        closed = Case.objects.filter(status=CaseStatus.CLOSED)
        assert closed.exists()
        assert Closure.objects.filter(case__in=closed).count() == closed.count()
        for closure in Closure.objects.select_related("evaluation"):
            assert closure.evaluation is not None
            assert closure.evaluation.kind == ReviewKind.CLOSURE
        at_meeting = Closure.objects.filter(decided_at__isnull=False)
        assert at_meeting.exists()
        assert all(c.case.accepted_at is not None for c in at_meeting)

    def test_seed_003_kusano_read_by_shogai_takagi_only_seen(self, city: str) -> None:
        from kasane.audit.models import LegalBasis
        from kasane.cases.models import Case, Triage
        from kasane.meetings.models import AgendaItem
        from kasane.meetings.selectors import has_pledge
        from kasane.plans.models import PlanStatus
        from kasane.privacy.cases import case_basis, detail_basis

        shogai = Staff.objects.get(username="shogai")
        kusano = Case.objects.get(household__memberships__person__name="草野 ミツ")
        assert kusano.triage == Triage.A
        support = AgendaItem.objects.get(case=kusano, meeting__kind="support_meeting")
        pledged = {a.agency.name for a in support.members.select_related("agency") if has_pledge(a)}
        assert {"かさね市障害者相談支援センター", "かさね市社会福祉協議会"} <= pledged
        assert "かさね市くらし相談窓口（自立相談支援）" in pledged
        assert kusano.accepted_at is not None
        plan = kusano.plans.get(status=PlanStatus.APPROVED)
        assert plan.approved_at is not None
        assert plan.approved_at.meeting.kind == "integrated_meeting"
        assert kusano.reviews.filter(kind="review").count() == 1
        assert detail_basis(shogai, kusano) in (LegalBasis.CONSENT, LegalBasis.SUPPORT_MEETING)

        takagi = Case.objects.get(household__memberships__person__name="髙木 翔")
        assert takagi.triage == Triage.B
        assert AgendaItem.objects.filter(case=takagi, meeting__status="planned").exists()
        # 障害 was asked to take part: it sees that the case exists, not what is in it.
        assert case_basis(shogai, takagi) is not None
        assert detail_basis(shogai, takagi) is None
        client = Client()
        client.force_login(shogai)
        assert client.get(f"/cases/{kusano.public_id}/").status_code == 200
        page = client.get(f"/cases/{takagi.public_id}/")
        assert page.status_code in (200, 403)
        assert "髙木" not in page.content.decode()

    def test_the_audit_chain_holds(self, city: str) -> None:
        out = io.StringIO()
        call_command("audit_verify", stdout=out)
        assert "intact" in out.getvalue()

    def test_a_second_run_refuses_clearly_and_changes_nothing(self, city: str) -> None:
        before = (Agency.objects.count(), Staff.objects.count(), Person.objects.count())
        with pytest.raises(CommandError, match="already has agencies"):
            seed()
        assert (Agency.objects.count(), Staff.objects.count(), Person.objects.count()) == before


@pytest.mark.django_db
def test_the_same_seed_builds_the_same_city_and_another_seed_another() -> None:
    first = people_of_a_fresh_city(1)
    assert first
    assert people_of_a_fresh_city(1) == first
    assert people_of_a_fresh_city(2) != first


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["1", "100001"])
def test_household_count_is_bounded(count: str) -> None:
    with pytest.raises(CommandError, match="--households"):
        call_command("seed_demo", "--households", count, stdout=io.StringIO())
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_refuses_a_database_with_a_superuser_already_in_it() -> None:
    """`createsuperuser admin` first, then the demo: a clear refusal, not a traceback."""
    Staff.objects.create_superuser("admin", password="a-long-enough-passphrase")
    with pytest.raises(CommandError, match="already has staff accounts"):
        seed()
    assert not Agency.objects.exists()
    assert not Area.objects.exists()
