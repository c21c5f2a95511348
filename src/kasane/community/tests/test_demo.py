"""The demo city's 地域課題 pages name no one: every demo person's name is searched for in
what analysts and staff are shown. And the demo has places in every 中学校区."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kasane.accounts.models import Staff
from kasane.community.models import CommunityIssue, Place, PlaceKind
from kasane.core.dates import current_fiscal_year
from kasane.registry.models import Area, AreaKind, Person


@pytest.fixture(scope="module")
def _module_city(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """One demo city (with its year of work) for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", households=30, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_module_city: None, db: None) -> None:
    return None


def pages_seen_by(username: str) -> str:
    client = Client()
    client.force_login(Staff.objects.get(username=username))
    year = current_fiscal_year()
    html = []
    for fy in (year, year - 1):
        for level in ("sphere", "school_district"):
            response = client.get(reverse("community:issues"), {"fy": fy, "level": level})
            assert response.status_code == 200
            html.append(response.content.decode())
    html.append(client.get(reverse("community:area_view")).content.decode())
    return "\n".join(html)


def name_forms(person: Person) -> set[str]:
    """The name as written, without its space, and its kana."""
    return {person.name, person.name.replace(" ", "").replace("　", ""), person.kana}


@pytest.mark.parametrize("username", ["analyst", "coordinator", "houkatsu"])
def test_no_demo_person_is_named_on_the_aggregate_pages(demo, username) -> None:
    html = pages_seen_by(username)
    assert "<table" in html and 'data-testid="needs"' in html
    persons = list(Person.objects.all())
    assert len(persons) > 30
    named = sorted({form for p in persons for form in name_forms(p) if form in html})
    assert named == []


def test_the_demo_aggregates_count_something(demo) -> None:
    client = Client()
    client.force_login(Staff.objects.get(username="analyst"))
    table = client.get(reverse("community:issues")).context["table"]
    assert table.rows, "the demo's consultations of this 年度 should show in the aggregates"


def test_every_school_district_has_places_and_the_hub_target_shows_gaps(demo) -> None:
    for district in Area.objects.filter(kind=AreaKind.SCHOOL_DISTRICT):
        inside = Place.objects.filter(area__in=[district, *district.children.all()])
        assert inside.filter(kind=PlaceKind.SALON).exists(), district.name
        assert inside.filter(kind=PlaceKind.GATHERING_PLACE).exists(), district.name
    hubs = Place.objects.filter(kind=PlaceKind.MULTIGENERATIONAL_HUB)
    assert 0 < hubs.count() < Area.objects.filter(kind=AreaKind.SCHOOL_DISTRICT).count()


def test_the_demo_issues_have_discussions_and_actions(demo) -> None:
    issues = CommunityIssue.objects.all()
    assert issues.count() >= 3
    assert all(i.discussions.exists() for i in issues)
    assert sum(i.actions.count() for i in issues) >= 4
