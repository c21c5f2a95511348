"""Who reaches which registry page: every URL of ``registry/urls.py``, for every persona.

A household, person or membership the actor may not read answers 404 — the same answer as
for one that does not exist — whether the actor reads (GET) or tries to change it (POST).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit.models import AuditEvent
from kasane.conftest import StaffFactory, head_of, make_household
from kasane.registry import urls
from kasane.registry.models import Household, Membership, Person, Relation, Relationship
from kasane.registry.services import PersonInput, member_add

pytestmark = pytest.mark.django_db


@dataclass
class World:
    household: Household
    head: Person
    son: Person
    membership: Membership


@pytest.fixture
def world(household: Household) -> World:
    """草野家 of the caseworker's agency: the head and a son."""
    head = head_of(household)
    son = member_add(
        actor=None,
        household=household,
        person=PersonInput(name="草野 一郎", kana="クサノ イチロウ", birth_date=None),
        relationship=Relationship.CHILD,
    )
    membership = son.memberships.get()
    return World(household, head, son, membership)


# Each page: how to build its address, and a POST an insider could legitimately send.
PAGES: dict[str, Callable[[World], str]] = {
    "person_search": lambda w: resolve_url("registry:person_search"),
    "household_list": lambda w: resolve_url("registry:household_list"),
    "household_list_csv": lambda w: resolve_url("registry:household_list_csv"),
    "household_create": lambda w: resolve_url("registry:household_create"),
    "household_detail": lambda w: resolve_url("registry:household_detail", w.household.public_id),
    "household_edit": lambda w: resolve_url("registry:household_edit", w.household.public_id),
    "member_add": lambda w: resolve_url("registry:member_add", w.household.public_id),
    "membership_end": lambda w: resolve_url(
        "registry:membership_end", w.household.public_id, w.membership.public_id
    ),
    "relation_add": lambda w: resolve_url("registry:relation_add", w.household.public_id),
    "person_detail": lambda w: resolve_url("registry:person_detail", w.head.public_id),
    "person_edit": lambda w: resolve_url("registry:person_edit", w.head.public_id),
}

_PERSON = {"name": "外部 太郎", "kana": "ガイブ タロウ", "birth_date": "1980-01-01", "sex": "male"}

POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "person_search": lambda w: {"q": "クサノ"},
    "household_list": lambda w: {},
    "household_list_csv": lambda w: {},
    "household_create": lambda w: {**_PERSON, "address": "かさね市北町1-1"},
    "household_detail": lambda w: {},
    "household_edit": lambda w: {"address": "書き換えられた住所", "phone": "", "note": "x"},
    "member_add": lambda w: {**_PERSON, "relationship": "child"},
    "membership_end": lambda w: {"ended_on": timezone.localdate().isoformat()},
    "relation_add": lambda w: {
        "from_person": str(w.head.public_id),
        "kind": "parent",
        "to_person": str(w.son.public_id),
    },
    "person_detail": lambda w: {},
    "person_edit": lambda w: {**_PERSON, "name": "書き換え 太郎"},
}

# Pages that name a household, person or membership in their address.
RECORD_PAGES = {
    "household_detail",
    "household_edit",
    "member_add",
    "membership_end",
    "relation_add",
    "person_detail",
    "person_edit",
}
# Pages that only show the actor's own agency's records, or make a new one.
OWN_PAGES = {"person_search", "household_list", "household_list_csv", "household_create"}
# For the municipality's coordinators only: its access is tested in test_resident_import.py.
# The person's consent records (a privacy download): privacy/tests/test_consent_acts.py.
TESTED_ELSEWHERE = {"resident_import", "person_consents_export"}
READ_ONLY = {"household_list", "household_detail", "person_detail"}


def test_every_registry_page_is_covered():
    names = {p.name for p in urls.urlpatterns}
    assert names - TESTED_ELSEWHERE == set(PAGES) == set(POST_DATA) == RECORD_PAGES | OWN_PAGES


def _snapshot(w: World) -> tuple[Any, ...]:
    w.household.refresh_from_db()
    w.head.refresh_from_db()
    return (
        Household.objects.count(),
        Person.objects.count(),
        Relation.objects.count(),
        list(Membership.objects.values_list("public_id", "ended_on").order_by("id")),
        w.household.address,
        w.household.note,
        w.head.name,
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_caseworker_reaches_the_page(name, world, login, caseworker):
    """Guards the guard: the addresses below are right, so a 404 later means 'refused'."""
    response = login(caseworker).get(PAGES[name](world))
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(RECORD_PAGES))
def test_caseworker_of_another_agency_gets_404_and_changes_nothing(name, world, login, outsider):
    client = login(outsider)
    url = PAGES[name](world)
    before = _snapshot(world)
    events = AuditEvent.objects.count()
    assert client.get(url).status_code == 404
    assert client.post(url, POST_DATA[name](world)).status_code == 404
    assert _snapshot(world) == before
    # A refused read is not a read: nothing about the household lands in the log, only the
    # two refused requests with the id that was asked for.
    written = list(AuditEvent.objects.order_by("sequence")[events:])
    assert [(e.action, e.detail["method"]) for e in written] == [
        ("refused", "GET"),
        ("refused", "POST"),
    ]
    assert all(e.object_id in url and e.object_type == "" for e in written)


@pytest.mark.parametrize("name", sorted(OWN_PAGES - {"household_create"}))
def test_own_pages_show_an_outsider_nothing_of_ours(name, world, login, outsider):
    client = login(outsider)
    url = PAGES[name](world)
    for response in (client.get(url), client.post(url, POST_DATA[name](world))):
        assert response.status_code in (200, 405)
        body = response.content.decode()
        assert world.head.name not in body
        assert str(world.household.public_id) not in body


@pytest.mark.parametrize("persona", ["auditor", "analyst", "admin_user", "volunteer"])
@pytest.mark.parametrize("name", sorted(RECORD_PAGES))
def test_roles_without_cases_get_404_on_records(name, persona, world, login, request):
    client = login(request.getfixturevalue(persona))
    url = PAGES[name](world)
    before = _snapshot(world)
    assert client.get(url).status_code == 404
    assert client.post(url, POST_DATA[name](world)).status_code == 404
    assert _snapshot(world) == before


@pytest.mark.parametrize("persona", ["auditor", "analyst", "admin_user", "volunteer"])
@pytest.mark.parametrize("name", sorted(OWN_PAGES))
def test_roles_without_cases_are_refused_the_registry(name, persona, world, login, request):
    client = login(request.getfixturevalue(persona))
    url = PAGES[name](world)
    before = _snapshot(world)
    assert client.get(url).status_code == 403
    assert client.post(url, POST_DATA[name](world)).status_code in (403, 405)
    assert _snapshot(world) == before


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_is_sent_to_login(name, world, client):
    url = PAGES[name](world)
    login_url = resolve_url(settings.LOGIN_URL)
    before = _snapshot(world)
    for response in (client.get(url), client.post(url, POST_DATA[name](world))):
        assert response.status_code == 302
        assert response["Location"].startswith(login_url)
    assert _snapshot(world) == before


@pytest.mark.parametrize("name", sorted(RECORD_PAGES))
def test_unknown_ids_get_the_same_404(name, world, login, caseworker):
    """Inside the agency, an id that does not exist answers exactly like a foreign one."""
    missing = World(
        Household(public_id=uuid.uuid4()),
        Person(public_id=uuid.uuid4()),
        world.son,
        Membership(public_id=uuid.uuid4()),
    )
    client = login(caseworker)
    assert client.get(PAGES[name](missing)).status_code == 404
    assert client.post(PAGES[name](missing), POST_DATA[name](world)).status_code == 404


def test_membership_of_another_household_is_404(world, login, caseworker, agency):
    """A membership id is looked up inside the household named in the address only."""
    other = make_household(agency, name="別世帯 花子", kana="ベツセタイ ハナコ")
    url = resolve_url("registry:membership_end", other.public_id, world.membership.public_id)
    client = login(caseworker)
    assert client.get(url).status_code == 404
    assert client.post(url, {"ended_on": timezone.localdate().isoformat()}).status_code == 404
    world.membership.refresh_from_db()
    assert world.membership.ended_on is None


def test_relation_to_a_person_of_another_agency_is_refused(world, login, caseworker, other_agency):
    foreign = head_of(make_household(other_agency, name="他機関 次郎", kana="タキカン ジロウ"))
    response = login(caseworker).post(
        PAGES["relation_add"](world),
        {
            "from_person": str(world.head.public_id),
            "kind": "parent",
            "to_person": str(foreign.public_id),
        },
    )
    assert response.status_code == 200
    assert "to_person" in response.context["form"].errors
    assert not Relation.objects.exists()
    assert "他機関" not in response.content.decode()


@pytest.fixture
def volunteer(agency) -> Staff:
    """A 民生委員 of the caseworker's own agency: files concern reports, sees no person."""
    return StaffFactory.create(username="minsei", agency=agency, role=Role.VOLUNTEER)
