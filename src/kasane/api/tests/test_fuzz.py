"""Schemathesis against ``/api/v1/openapi.json``: every operation, fed generated requests.

The schema is loaded from the Django application itself and the requests go in-process
through its WSGI handler, inside the test's transaction. A caseworker signs in with a real
token; a small world built through the services (a household, its case, a note, a
referral, a consultation, a consent...) lets generated paths and bodies name real records,
so that the fuzzing reaches past the 404 of an unknown id. Hypothesis is derandomized (a
fixed seed): every run sends the same requests. Each response must not be a server error
and must match the schema (status code, content type and body).
"""

from __future__ import annotations

import collections
import copy
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ninja import Schema
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kasane.accounts.models import AgencyType, Role
from kasane.api.auth import StaffToken
from kasane.api.services import api_token_create
from kasane.cases import services as case_services
from kasane.conftest import AgencyFactory, AreaFactory, StaffFactory, head_of, make_household
from kasane.intake.models import NeedType
from kasane.participation.catalogue.services import (
    OpportunityInput,
    ResourceInput,
    opportunity_create,
)
from kasane.participation.models import OpportunityKind
from kasane.privacy.models import ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentInput, consent_record
from kasane.registry.models import AreaKind

MIN_REQUESTS = 2000
# Examples per operation and mode. Hypothesis stops early on an operation whose inputs it
# has exhausted (one without parameters), so the total is counted, not assumed.
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 24, schemathesis.GenerationMode.NEGATIVE: 12}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Where a created record's id comes back, and the parameter that names it afterwards.
HARVEST = {
    "POST /api/v1/households": "household_id",
    "POST /api/v1/consultations": "consultation_id",
    "POST /api/v1/cases": "case_id",
    "POST /api/v1/referrals": "referral_id",
    "POST /api/v1/meetings": "meeting_id",
    "POST /api/v1/meetings/{meeting_id}/attendees": "attendee_id",
    "POST /api/v1/meetings/{meeting_id}/agenda": "item_id",
    "POST /api/v1/cases/{case_id}/assessments": "assessment_id",
    "POST /api/v1/cases/{case_id}/plans": "plan_id",
    "POST /api/v1/plans/{plan_id}/goals": "goal_id",
    "POST /api/v1/persons/{person_id}/consents": "consent_id",
    "POST /api/v1/outreach/reports": "report_id",
    "POST /api/v1/outreach/targets": "target_id",
    "POST /api/v1/persons/{person_id}/matches": "match_id",
    "POST /api/v1/community-places": "place_id",
}
# Body fields that name a record by another parameter's name.
ALIASES = {
    "to_agency_id": "agency_id",
    "owner_id": "agency_id",
    "agenda_item_id": "item_id",
    "member_ids": "attendee_id",
    "person_ids": "person_id",
    "agency_ids": "agency_id",
    "needs": "need",
    "main_need": "need",
    "area": "area_code",
    "area_code": "area_code",
}
LISTS = {"member_ids", "person_ids", "agency_ids", "needs"}


@dataclass
class World:
    """Tokens of the staff who call, and the ids of real records by parameter name."""

    tokens: list[str]
    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: object) -> None:
        values = self.ids.setdefault(name, [])
        if str(value) not in values:
            values.append(str(value))

    def pick(self, name: str, n: int) -> str | None:
        if not (name.endswith("_id") or name in ALIASES or name in LISTS):
            return None
        values = self.ids.get(ALIASES.get(name, name))
        return values[-1 - n % len(values)] if values else None


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI handler, run inside the test's transaction: like Django's test client,
    a request must not close the test's connection when it starts or ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _world() -> World:
    """A caseworker with a case (the first token), and the other roles that use the API; a
    case of another agency, a consent, a referral, a place to take part."""
    agency = AgencyFactory.create(name="中央地域包括支援センター")
    other = AgencyFactory.create(name="かさね市障害者相談支援センター")
    city = AgencyFactory.create(
        name="人とくらしのサポートセンター", agency_type=AgencyType.MUNICIPALITY
    )
    npo = AgencyFactory.create(name="NPO法人かさねの輪", agency_type=AgencyType.NPO)
    worker = StaffFactory.create(username="fuzz", agency=agency, role=Role.CASEWORKER)
    outsider = StaffFactory.create(username="fuzz-out", agency=other, role=Role.CASEWORKER)
    staff = [
        worker,
        StaffFactory.create(username="fuzz-coord", agency=city, role=Role.COORDINATOR),
        StaffFactory.create(username="fuzz-reach", agency=npo, role=Role.OUTREACH_WORKER),
        StaffFactory.create(username="fuzz-join", agency=npo, role=Role.PARTICIPATION_WORKER),
        StaffFactory.create(username="fuzz-vol", agency=npo, role=Role.VOLUNTEER),
    ]
    city_area = AreaFactory.create(kind=AreaKind.CITY)
    sphere = AreaFactory.create(kind=AreaKind.SPHERE, parent=city_area)
    district = AreaFactory.create(kind=AreaKind.SCHOOL_DISTRICT, parent=sphere)
    block = AreaFactory.create(kind=AreaKind.BLOCK, parent=district)
    household = make_household(agency, area=block)
    person = head_of(household)
    case = case_services.case_open(actor=worker, household=household)
    case_services.case_note_create(
        actor=worker, case=case, written_on=timezone.localdate(), kind="memo", text="初回訪問"
    )
    referral = case_services.referral_create(
        actor=worker, case=case, to_agency=other, reason="障害の疑い", request="同行訪問"
    )
    consent = consent_record(
        actor=worker,
        person=person,
        data=ConsentInput(
            purposes=[ConsentPurpose.INFORMATION_SHARING],
            method=ConsentMethod.WRITTEN,
            obtained_on=timezone.localdate(),
            agencies=[other, city],
        ),
    )
    opportunity = opportunity_create(
        actor=staff[3],
        resource=ResourceInput(name="かさね農園"),
        data=OpportunityInput(name="農作業ボランティア", kinds=[OpportunityKind.choices[0][0]]),
    )
    foreign = make_household(other, name="山田 花子", kana="ヤマダ ハナコ")
    foreign_case = case_services.case_open(actor=outsider, household=foreign)
    world = World(tokens=[api_token_create(staff=s, name="fuzz")[1] for s in staff])
    # The foreign records first: a pick prefers the newest, the caseworker's own.
    records: list[tuple[str, Any]] = [
        ("household_id", foreign),
        ("person_id", head_of(foreign)),
        ("case_id", foreign_case),
        ("household_id", household),
        ("person_id", person),
        ("case_id", case),
        ("referral_id", referral),
        ("consent_id", consent),
        ("opportunity_id", opportunity),
        ("agency_id", other),
        ("agency_id", city),
        ("agency_id", agency),
        ("staff_id", worker),
    ]
    for name, record in records:
        world.add(name, record.public_id)
    for name, code in [("area_code", district.code), ("area_code", block.code)]:
        world.add(name, code)
    for need in NeedType.objects.filter(is_active=True).order_by("code")[:3]:
        world.add("need", need.code)
    return world


def _use_real_ids(case: schemathesis.Case[Any], world: World, n: int) -> None:
    """Put ids (and codes) of real records where the generated request names one."""
    for params in (case.path_parameters, case.query):
        for name in params or {}:
            value = world.pick(name, n)
            if value is not None:
                params[name] = value
    bodies = [case.body] if isinstance(case.body, dict) else []
    for body in bodies:
        for name, current in body.items():
            value = world.pick(name, n)
            if isinstance(current, dict):
                bodies.append(current)
            elif value is not None:
                body[name] = [value] if name in LISTS else value


def _harvest(label: str, response: Any, world: World) -> None:
    name = HARVEST.get(label)
    if name and response.status_code in (200, 201):
        body = response.json()
        if isinstance(body, dict) and "id" in body:
            world.add(name, body["id"])


@dataclass
class Run:
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    per_operation: dict[str, collections.Counter[int]] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter)
    )
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


def _fuzz_operation(
    operation: Any, mode: Any, count: int, world: World, run: Run, signed_in: bool = True
) -> None:
    label = operation.label

    @settings(
        max_examples=count,
        derandomize=True,  # the fixed seed: the same requests on every run
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(mode),
        n=st.integers(0, 7),
        who=st.sampled_from([0, 0, 0, 1, 2, 3, 4]),
    )
    def one(case: schemathesis.Case[Any], n: int, who: int) -> None:
        if n < 6:  # most requests name records that exist
            _use_real_ids(case, world, n)
        headers = {"Accept-Language": "en"}
        if signed_in:
            headers["Authorization"] = f"Bearer {world.tokens[who]}"
        response = case.call(headers=headers)
        run.statuses[response.status_code] += 1
        run.per_operation[label][response.status_code] += 1
        case.validate_response(response, checks=CHECKS)
        _harvest(label, response, world)

    try:
        one()
    except (Exception, FailureGroup) as error:  # every operation's failure, reported together
        run.failures.append(f"{label} [{mode}]: {error}")


def fuzz(
    schema: Any, world: World, examples: dict[Any, int], pattern: str = "", signed_in: bool = True
) -> Run:
    """Every operation (whose label matches ``pattern``), in each mode, under a fixed seed;
    each request signed in as one of the world's staff (mostly the caseworker), or, with
    ``signed_in=False``, with no token at all."""
    run = Run()
    for result in schema.get_all_operations():
        operation = result.ok()
        if re.search(pattern, operation.label):
            for mode, count in examples.items():
                _fuzz_operation(operation, mode, count, world, run, signed_in)
    return run


@pytest.mark.django_db
def test_api_answers_every_generated_request_by_its_schema(wsgi_app: Any) -> None:
    world = _world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    run = fuzz(schema, world, EXAMPLES)
    print(  # noqa: T201 - the figures of the run, for the CI log
        f"\n{run.total} generated requests over {len(run.per_operation)} operations; "
        f"statuses {dict(sorted(run.statuses.items()))}"
    )
    if os.environ.get("KASANE_FUZZ_VERBOSE"):
        for label, statuses in run.per_operation.items():
            print(f"  {label}: {dict(sorted(statuses.items()))}")  # noqa: T201
    assert not run.failures, "\n\n".join(run.failures)
    assert len(run.per_operation) == len(list(schema.get_all_operations()))
    assert run.total >= MIN_REQUESTS
    assert run.statuses[500] == 0


@pytest.mark.django_db
def test_api_answers_every_generated_request_without_a_token_by_its_schema(wsgi_app: Any) -> None:
    """Issue 14: the API read bodies before the sign-in check. Without a token every
    operation answers a documented 401 in JSON, whatever the generated request holds."""
    world = _world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    few = {schemathesis.GenerationMode.POSITIVE: 4, schemathesis.GenerationMode.NEGATIVE: 4}
    run = fuzz(schema, world, few, signed_in=False)
    assert not run.failures, "\n\n".join(run.failures)
    assert len(run.per_operation) == len(list(schema.get_all_operations()))
    assert set(run.statuses) == {401}, run.statuses


@pytest.mark.django_db
def test_hostile_bodies_without_a_token_are_refused_by_the_sign_in(wsgi_app: Any) -> None:
    """Every operation that takes a body, sent the issue's bodies with no token: 401 JSON."""
    from django.test import Client

    _world()
    schema: Any = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    client = Client()
    bodies = ["[" * 1000 + "]" * 1000, '{"a":' * 5000, "\x00", "é".encode("latin-1")]
    seen = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in ("POST", "PUT", "PATCH"):
            continue
        path = re.sub(r"{[^}]+}", "00000000-0000-0000-0000-000000000000", operation.path)
        for body in bodies:
            response = client.generic(operation.method.upper(), path, body, "application/json")
            assert response.status_code == 401, (operation.label, response.content)
            assert response.json()["code"] == "unauthorized"
            seen += 1
    assert seen >= 4 * 30


@pytest.mark.django_db
def test_the_fuzzing_catches_a_server_error_and_a_broken_response(
    wsgi_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness itself: a response that breaks its schema, or a 500, is reported."""
    world = _world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    few = {schemathesis.GenerationMode.POSITIVE: 3}
    assert fuzz(schema, world, few, pattern="need-types").failures == []

    broken = copy.deepcopy(schema.raw_schema)
    broken["components"]["schemas"]["NeedTypeOut"]["properties"]["code"] = {"type": "integer"}
    lying = schemathesis.openapi.from_dict(broken)
    lying.app = wsgi_app
    failures = fuzz(lying, world, few, pattern="need-types").failures
    assert len(failures) == 1 and "Response violates schema" in failures[0]

    def crash(*args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(StaffToken, "authenticate", crash)
    failures = fuzz(schema, world, few, pattern="need-types").failures
    assert len(failures) == 1 and "Server error" in failures[0]


def test_every_schema_name_is_one_shape() -> None:
    """OpenAPI components are keyed by class name alone: two schemas of one name and the
    document describes only one of them (a household's area was documented as an
    assessment's life area). Every name the API's schemas use belongs to one class."""
    import kasane.urls  # noqa: F401 - every router is added, every schema defined
    from kasane.api.api import api

    components = api.get_openapi_schema()["components"]["schemas"]

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    modules: dict[str, set[str]] = collections.defaultdict(set)
    for cls in subclasses(Schema):
        if cls.__module__.startswith("kasane.") and cls.__name__ in components:
            modules[cls.__name__].add(cls.__module__)
    assert {name: m for name, m in modules.items() if len(m) > 1} == {}


@pytest.mark.django_db
def test_values_the_database_cannot_store_are_refused_as_input(wsgi_app: Any) -> None:
    """Found by the fuzzing on PostgreSQL (500s there, stored on SQLite): a NUL character,
    and a date-time whose UTC offset no place uses, are the client's error on both."""
    from django.test import Client

    world = _world()
    client = Client(headers={"Authorization": f"Bearer {world.tokens[1]}"})
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("post", "/api/v1/meetings", {"held_at": "2026-05-23T17:51:00+20:55", "online": True}),
        ("post", "/api/v1/persons/search", {"q": "ヤマ\x00ダ"}),
        ("get", "/api/v1/opportunities", {"modified_after": "2026-01-01T00:00:00-18:34"}),
        ("get", "/api/v1/community-places", {"area_code": "K\x00"}),
    ]
    for method, path, data in cases:
        if method == "post":
            response = client.post(path, data, content_type="application/json")
        else:
            response = client.get(path, data)
        assert response.status_code == 422, (path, response.content)
        body = response.json()
        assert body["code"] == "invalid_input"
        assert [e["code"] for e in next(iter(body["fields"].values()))] == ["unstorable_value"]
    fine = client.get("/api/v1/opportunities", {"modified_after": "2026-01-01T00:00:00+09:00"})
    assert fine.status_code == 200
