"""Fixtures shared by every app's tests: factories, personas and helpers.

Personas follow the people who use Kasane: a caseworker of an 地域包括支援センター, a
caseworker of another agency (an outsider to the first one's households), an auditor, an
analyst and an administrator.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import factory
import pytest
from django.test import Client
from factory.django import DjangoModelFactory

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.registry.models import Area, AreaKind, Household, Person
from kasane.registry.services import PersonInput, household_create

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


class AreaFactory(DjangoModelFactory[Area]):
    class Meta:
        model = Area

    code = factory.Sequence(lambda n: f"A{n:05d}")
    name = factory.Sequence(lambda n: f"テスト町{n}丁目")
    kind = AreaKind.CITY
    parent = None


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"テスト相談支援機関{n}")
    agency_type = AgencyType.choices[0][0]
    domains = factory.LazyFunction(lambda: ["elderly"])


class StaffFactory(DjangoModelFactory[Staff]):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.Sequence(lambda n: f"職員{n}")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CASEWORKER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: Staff, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


_names = itertools.count(1)


def make_household(
    agency: Agency,
    *,
    name: str = "草野 和夫",
    kana: str = "クサノ カズオ",
    birth_date: datetime.date | None = datetime.date(1944, 6, 1),
    address: str = "かさね市中央一丁目1-1",
    area: Area | None = None,
) -> Household:
    """A household registered by an agency, with its head, through the registry service."""
    return household_create(
        actor=None,
        agency=agency,
        head=PersonInput(name=name, kana=kana, birth_date=birth_date, area=area),
        address=address,
        area=area,
        started_on=datetime.date(2020, 4, 1),
    )


def head_of(household: Household) -> Person:
    return household.memberships.select_related("person").get(ended_on__isnull=True).person


@pytest.fixture
def agency(db: Any) -> Agency:
    return AgencyFactory.create(name="中央地域包括支援センター")


@pytest.fixture
def other_agency(db: Any) -> Agency:
    return AgencyFactory.create(name="かさね市障害者相談支援センター")


@pytest.fixture
def caseworker(agency: Agency) -> Staff:
    return StaffFactory.create(username="houkatsu", agency=agency, role=Role.CASEWORKER)


@pytest.fixture
def outsider(other_agency: Agency) -> Staff:
    """A caseworker of another agency: must not learn that our households exist."""
    return StaffFactory.create(username="shogai", agency=other_agency, role=Role.CASEWORKER)


@pytest.fixture
def auditor(db: Any) -> Staff:
    return StaffFactory.create(username="auditor", role=Role.AUDITOR)


@pytest.fixture
def analyst(db: Any) -> Staff:
    return StaffFactory.create(username="analyst", role=Role.ANALYST)


@pytest.fixture
def admin_user(db: Any) -> Staff:
    return StaffFactory.create(
        username="admin", role=Role.ADMIN, agency=None, is_staff=True, is_superuser=True
    )


@pytest.fixture
def household(agency: Agency) -> Household:
    return make_household(agency)


@pytest.fixture
def login() -> Callable[[Staff], Client]:
    """A test client signed in as the given staff member."""

    def _login(staff: Staff) -> Client:
        client = Client()
        client.force_login(staff)
        return client

    return _login


# --- cases (issue #3) ---------------------------------------------------------------------


@pytest.fixture
def coordination_agency(db: Any) -> Agency:
    return AgencyFactory.create(name="人とくらしのサポートセンター")


@pytest.fixture
def coordinator(coordination_agency: Agency) -> Staff:
    return StaffFactory.create(
        username="coordinator", agency=coordination_agency, role=Role.COORDINATOR
    )


@pytest.fixture
def other_caseworker(other_agency: Agency) -> Staff:
    """A second caseworker of the other agency, for answering at the same moment."""
    return StaffFactory.create(username="shogai2", agency=other_agency, role=Role.CASEWORKER)


@pytest.fixture
def third_agency(db: Any) -> Agency:
    return AgencyFactory.create(name="かさね市くらし相談窓口")


@pytest.fixture
def stranger(third_agency: Agency) -> Staff:
    """A caseworker of an agency with nothing to do with the case."""
    return StaffFactory.create(username="konkyu", agency=third_agency, role=Role.CASEWORKER)
