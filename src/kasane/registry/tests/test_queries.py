"""Query-count guards: each registry page costs as many queries for 20 rows as for 2.

Each test measures a page with a couple of rows, adds many more of every kind the page
shows, and measures again. A page that fetches per row (N+1) fails, listing its queries.
"""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kasane.conftest import AreaFactory, head_of, make_household
from kasane.registry.models import AreaKind, Household, Membership, Person, Relationship
from kasane.registry.services import PersonInput, member_add, relation_create

pytestmark = pytest.mark.django_db

FEW = 2
MANY = 20
_serial = itertools.count(1)
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ"


def _kana_suffix() -> str:
    n = next(_serial)
    return KANA[n % len(KANA)] + KANA[n // len(KANA) % len(KANA)]


@dataclass
class Measure:
    count: int
    sql: list[str]
    body: str


def _measure(client: Client, method: str, url: str, data: dict[str, Any] | None = None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, response.content.decode()[:2000]
    return Measure(
        len(ctx.captured_queries),
        [q["sql"] for q in ctx.captured_queries],
        response.content.decode(),
    )


def _assert_flat(few: Measure, many: Measure) -> None:
    assert many.count <= few.count, "\n".join(many.sql)


def _links(body: str, name: str) -> int:
    """Links to records (households or persons) by their public id, menus aside."""
    return len(re.findall(rf'href="/registry/{name}/[0-9a-f-]{{36}}/"', body))


@pytest.fixture
def block(db: Any) -> Any:
    city = AreaFactory.create(kind=AreaKind.CITY)
    sphere = AreaFactory.create(kind=AreaKind.SPHERE, parent=city)
    district = AreaFactory.create(kind=AreaKind.SCHOOL_DISTRICT, parent=sphere)
    return AreaFactory.create(kind=AreaKind.BLOCK, parent=district)


def _members(household: Household, head: Person, count: int, block: Any) -> list[Person]:
    """Add members, each with an area and related to the head; every other one leaves."""
    added = []
    for _ in range(count):
        person = member_add(
            actor=None,
            household=household,
            person=PersonInput(
                name=f"子{next(_serial)}",
                kana=f"クサノ {_kana_suffix()}",
                birth_date=None,
                area=block,
            ),
            relationship=Relationship.CHILD,
            started_on=datetime.date(2021, 1, 1),
        )
        added.append(person)
        relation_create(actor=None, from_person=head, to_person=person, kind="parent")
    for person in added[::2]:
        Membership.objects.filter(person=person).update(ended_on=datetime.date(2022, 1, 1))
    return added


def test_household_detail(household, caseworker, login, block):
    client = login(caseworker)
    url = resolve_url("registry:household_detail", household.public_id)
    head = head_of(household)
    added = _members(household, head, FEW, block)
    few = _measure(client, "get", url)
    added += _members(household, head, MANY - FEW, block)
    many = _measure(client, "get", url)
    _assert_flat(few, many)
    # Every member, current and former, is on the page, each with the relation to the head.
    assert all(p.name in many.body for p in added)
    assert _links(many.body, "persons") >= MANY + 1
    assert many.body.count(head.name) >= MANY


def test_person_detail(household, caseworker, agency, login, block):
    """A person who moved between many households over the years."""
    person = head_of(household)
    client = login(caseworker)
    url = resolve_url("registry:person_detail", person.public_id)

    def moves(count: int) -> None:
        for _ in range(count):
            elsewhere = make_household(
                agency,
                name="転居先 世帯主",
                kana=f"テンキョサキ {_kana_suffix()}",
                area=block,
                address=f"南町{next(_serial)}",
            )
            Membership.objects.create(
                household=elsewhere,
                person=person,
                relationship=Relationship.CHILD,
                started_on=datetime.date(2001, 1, 1),
                ended_on=datetime.date(2002, 1, 1),
            )

    moves(FEW)
    few = _measure(client, "get", url)
    moves(MANY - FEW)
    many = _measure(client, "get", url)
    _assert_flat(few, many)
    assert _links(many.body, "households") == MANY + 1
    assert many.body.count("南町") == MANY


def test_household_list(caseworker, agency, login, block):
    client = login(caseworker)
    url = resolve_url("registry:household_list")

    shown: list[str] = []

    def households(count: int) -> None:
        for _ in range(count):
            h = make_household(
                agency,
                name=f"世帯主{next(_serial)}",
                kana=f"セタイ {_kana_suffix()}",
                birth_date=None,
                area=block,
            )
            shown.append(head_of(h).name)
            shown.extend(p.name for p in _members(h, head_of(h), 2, block)[1:])

    households(FEW)
    few = _measure(client, "get", url)
    households(MANY - FEW)
    many = _measure(client, "get", url)
    _assert_flat(few, many)
    # Each row names the household's current members and its area.
    assert all(name in many.body for name in shown)
    assert _links(many.body, "households") == MANY
    assert many.body.count(block.name) == MANY


def test_person_search(caseworker, agency, login, block):
    client = login(caseworker)
    url = resolve_url("registry:person_search")

    def persons(count: int) -> None:
        for _ in range(count):
            make_household(
                agency,
                name="検索 対象",
                kana=f"ケンサク {_kana_suffix()}",
                birth_date=None,
                area=block,
            )

    persons(FEW)
    few = _measure(client, "post", url, {"q": "けんさく"})
    persons(MANY - FEW)
    many = _measure(client, "post", url, {"q": "けんさく"})
    _assert_flat(few, many)
    # Each hit links to the person and to their current household.
    assert _links(many.body, "persons") == MANY
    assert _links(many.body, "households") == MANY


def test_duplicate_warning_on_member_add(household, caseworker, agency, login, block):
    """The 名寄せ list beside the form fetches the households of all candidates at once."""
    client = login(caseworker)
    url = resolve_url("registry:member_add", household.public_id)
    data = {
        "name": "同姓 同名",
        "kana": "ドウセイ ドウメイ",
        "birth_date": "1990-01-01",
        "sex": "unknown",
        "relationship": "child",
    }

    def twins(count: int) -> None:
        for _ in range(count):
            make_household(
                agency,
                name="同姓 同名",
                kana="ドウセイ ドウメイ",
                birth_date=datetime.date(1990, 1, 1),
            )

    twins(FEW)
    few = _measure(client, "post", url, data)
    twins(MANY - FEW)
    many = _measure(client, "post", url, data)
    _assert_flat(few, many)
    # The 名寄せ list shows at most ten candidates, each with a link to their household
    # (and the page one more, back to the household the member is added to).
    assert _links(many.body, "persons") == 10
    assert _links(many.body, "households") == 10 + 1
