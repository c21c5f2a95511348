"""Fixtures shared by every app's tests: factories, personas and helpers.

Personas follow the people who use Kasane: a caseworker of an 地域包括支援センター, a
caseworker of another agency (an outsider to the first one's households), an auditor, an
analyst and an administrator.
"""

from __future__ import annotations

import datetime
import itertools
import os
from collections.abc import Callable, Iterator
from typing import Any

import factory
import pytest
import time_machine
from django.test import Client
from factory.django import DjangoModelFactory

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.registry.models import Area, AreaKind, Household, Person
from kasane.registry.services import PersonInput, household_create

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


# --- a fixed clock for the tests that depend on "today" ----------------------------------

# An ordinary instant: a Wednesday morning in the middle of a 年度, when Japan's date and
# UTC's are the same. KASANE_TEST_NOW (ISO 8601 with its offset) replaces it, e.g.
# ``2027-03-31T23:59:00+09:00`` (CI runs the marked modules at both ends of a 年度's last day).
DEFAULT_TEST_NOW = "2026-10-14T10:00:00+09:00"


def clock_instant() -> datetime.datetime:
    """The instant the ``clock``-marked modules run at (KASANE_TEST_NOW or the default)."""
    text = os.environ.get("KASANE_TEST_NOW") or DEFAULT_TEST_NOW
    instant = datetime.datetime.fromisoformat(text)
    if instant.utcoffset() is None:
        raise pytest.UsageError(f"KASANE_TEST_NOW needs an offset (+09:00 or Z): {text!r}")
    return instant


def clock_fiscal_year() -> int:
    """The 年度 of the clock instant in Japan: for module-level constants of ``clock``
    modules, which are computed at collection, before the clock travels."""
    from kasane.core.dates import fiscal_year

    return fiscal_year(
        clock_instant().astimezone(datetime.timezone(datetime.timedelta(hours=9))).date()
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The clock travels per module (so that module- and class-scoped fixtures, such as a
    seeded demo city, see the same day as the tests): ``clock`` belongs on the module."""
    for item in items:
        module = item.getparent(pytest.Module)
        if item.get_closest_marker("clock") and not (module and module.get_closest_marker("clock")):
            raise pytest.UsageError(
                f"{item.nodeid}: mark the whole module (pytestmark = pytest.mark.clock)"
            )


@pytest.fixture(scope="module", autouse=True)
def _clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module marked ``clock`` runs, with its fixtures, at :func:`clock_instant`; the clock
    ticks on from there. With KASANE_TEST_NOW_ALL=1 every module does (to find the tests
    that depend on the hour or the day: run the suite at a few awkward instants). A test
    may still travel on its own inside it (time_machine nests)."""
    everything = os.environ.get("KASANE_TEST_NOW_ALL") == "1"
    if not everything and request.node.get_closest_marker("clock") is None:
        yield
        return
    with time_machine.travel(clock_instant(), tick=True):
        yield


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


# --- cases: an open case and its referrals (issue #3 tests) -------------------------------


@pytest.fixture
def open_case(caseworker: Staff, household: Household) -> Any:
    """A case about ``household``, opened and led by the caseworker's agency."""
    from kasane.cases import services

    return services.case_open(actor=caseworker, household=household)


@pytest.fixture
def refer() -> Callable[..., Any]:
    """Send a referral through the service: ``refer(actor, case, to_agency, **overrides)``."""
    from kasane.cases import services

    def _refer(actor: Staff, case: Any, to_agency: Agency, **overrides: Any) -> Any:
        values: dict[str, Any] = {"reason": "障害福祉サービスの検討", "request": "同行訪問"}
        values.update(overrides)
        return services.referral_create(actor=actor, case=case, to_agency=to_agency, **values)

    return _refer


@pytest.fixture
def consultation_post() -> Callable[..., dict[str, Any]]:
    """The fields of the 相談受付票 as a browser posts them.

    ``consultation_post(people=[(relationship, name, kana, birth_date)], **fields)``; with
    ``people`` the rows of a new household are filled, without it none are sent.
    """
    from django.utils import timezone

    from kasane.intake.models import NeedType

    def _post(
        people: list[tuple[str, str, str, str]] | None = None, **overrides: Any
    ) -> dict[str, Any]:
        needs = NeedType.objects.filter(code__in=["8050", "hikikomori"])
        data: dict[str, Any] = {
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "requester": "family",
            "channel": "phone",
            "needs": [str(n.pk) for n in needs],
            "main_need": str(needs.get(code="8050").pk),
            "domains": ["elderly", "youth"],
            "summary": "母（82）が息子（52）のひきこもりを心配している。",
            "outcome": "handled",
        }
        if people is not None:
            data.update(
                {
                    "p-TOTAL_FORMS": "5",
                    "p-INITIAL_FORMS": "0",
                    "p-MIN_NUM_FORMS": "0",
                    "p-MAX_NUM_FORMS": "10",
                }
            )
            for i in range(5):
                data[f"p-{i}-relationship"] = "head" if i == 0 else "child"
                data[f"p-{i}-sex"] = "unknown"
            for i, (relationship, name, kana, birth) in enumerate(people):
                data[f"p-{i}-relationship"] = relationship
                data[f"p-{i}-name"] = name
                data[f"p-{i}-kana"] = kana
                data[f"p-{i}-birth_date"] = birth
        data.update(overrides)
        return data

    return _post


@pytest.fixture
def need_types_kept(django_db_blocker: Any) -> Any:
    """For a test on a committing database (threads): request it *before*
    ``transactional_db``, so that after the flush that ends the test it puts back the need
    taxonomy a data migration seeded, which the tests that follow expect."""
    yield
    import importlib

    from django.apps import apps

    seed = importlib.import_module("kasane.intake.migrations.0002_need_types")
    with django_db_blocker.unblock():
        seed.add(apps, None)


@pytest.fixture(autouse=True)
def _reseed_after_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> Any:
    """A committing test (live server, threads) ends by flushing every table, including the
    need taxonomy that a data migration seeded; put it back for the tests that follow — and
    make sure of it before a committing test too, whatever ran before it on this worker."""
    committing = {"transactional_db", "live_server"} & set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    committing_test = bool(committing or (marker is not None and marker.kwargs.get("transaction")))

    def reseed() -> None:
        import importlib

        from django.apps import apps

        seed = importlib.import_module("kasane.intake.migrations.0002_need_types")
        with django_db_blocker.unblock():
            seed.add(apps, None)

    if committing_test:
        reseed()
    yield
    if committing_test:
        reseed()


# --- consent (issue #4) ---------------------------------------------------------------------


@pytest.fixture
def give_consent(caseworker: Staff) -> Callable[..., Any]:
    """Record, through the service, the household head's consent to share with agencies:
    ``give_consent(household, agency, ..., purposes=[...], actor=caseworker)``."""
    from django.utils import timezone

    from kasane.privacy.models import ConsentMethod, ConsentPurpose
    from kasane.privacy.services import ConsentInput, consent_record

    def _give(
        household: Household,
        *agencies: Agency,
        purposes: tuple[str, ...] = (ConsentPurpose.INFORMATION_SHARING,),
        actor: Staff | None = None,
        **overrides: Any,
    ) -> Any:
        values: dict[str, Any] = {
            "purposes": list(purposes),
            "method": ConsentMethod.WRITTEN,
            "obtained_on": timezone.localdate(),
            "agencies": list(agencies),
        }
        values.update(overrides)
        return consent_record(
            actor=actor or caseworker, person=head_of(household), data=ConsentInput(**values)
        )

    return _give
