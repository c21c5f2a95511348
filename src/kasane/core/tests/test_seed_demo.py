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

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.demo.city import AGENCIES, DEMO_PASSWORD, STAFF
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
        assert {row["role"] for row in logins} == set(Role.values)
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
