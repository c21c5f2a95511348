"""The community places list as CSV: the page's choice, no personal data, flat."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kasane.accounts.models import Staff
from kasane.audit.models import AuditAction, AuditEvent
from kasane.community.models import Place, PlaceKind
from kasane.registry.models import Area

pytestmark = pytest.mark.django_db

URL = "community:place_list_csv"


def _rows(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def test_export_holds_the_places_of_the_page_choice(
    caseworker: Staff,
    city: dict[str, Area],
    add_place: Callable[..., Place],
    login: Callable[..., Client],
) -> None:
    add_place(city["北町"], "北町ふれあいサロン")
    add_place(city["南町"], "南町子ども食堂", kind=PlaceKind.CHILDREN_CAFETERIA)
    client = login(caseworker)
    every = client.get(resolve_url(URL))
    assert every.status_code == 200
    assert every.content.startswith(b"\xef\xbb\xbf")
    names = {row[0] for row in _rows(every.content, "utf-8-sig")[1:]}
    assert names == {"北町ふれあいサロン", "南町子ども食堂"}
    north = client.get(resolve_url(URL), {"area": city["北部圏域"].pk})
    rows = _rows(north.content, "utf-8-sig")
    assert [r[0] for r in rows[1:]] == ["北町ふれあいサロン"]
    assert rows[1][2] == "北中学校区 · 北町"
    assert rows[1][3] == "北町自治会"
    # Places hold no personal data: no view of a record, only the two downloads.
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).count() == 2


def test_cp932_on_request(
    caseworker: Staff,
    city: dict[str, Area],
    add_place: Callable[..., Place],
    login: Callable[..., Client],
) -> None:
    add_place(city["北町"], "北町〜ふれあいサロン")  # WAVE DASH, typed on a Mac
    response = login(caseworker).get(resolve_url(URL), {"encoding": "cp932"})
    assert response["Content-Type"] == "text/csv; charset=Windows-31J"
    assert _rows(response.content, "cp932")[1][0] == "北町～ふれあいサロン"
    assert "SJIS.csv" in response["Content-Disposition"]


def test_a_formula_in_an_organizer_is_neutralised(
    caseworker: Staff,
    city: dict[str, Area],
    add_place: Callable[..., Place],
    login: Callable[..., Client],
) -> None:
    add_place(city["北町"], "サロン", organizer="+cmd|' /C calc'!A0")
    rows = _rows(login(caseworker).get(resolve_url(URL)).content, "utf-8-sig")
    assert rows[1][3] == "'+cmd|' /C calc'!A0"


def test_analysts_and_volunteers_see_the_places_as_on_the_page(
    analyst: Staff,
    volunteer: Staff,
    city: dict[str, Area],
    add_place: Callable[..., Place],
    login: Callable[..., Client],
) -> None:
    add_place(city["北町"], "北町ふれあいサロン")
    for actor in (analyst, volunteer):
        response = login(actor).get(resolve_url(URL))
        assert response.status_code == 200
        assert _rows(response.content, "utf-8-sig")[1][0] == "北町ふれあいサロン"


@pytest.mark.parametrize("persona", ["auditor", "admin_user"])
def test_roles_without_the_page_are_refused(
    persona: str, login: Callable[..., Client], request: pytest.FixtureRequest
) -> None:
    assert (
        login(request.getfixturevalue(persona)).get(resolve_url("community:place_list")).status_code
        == 404
    )
    assert login(request.getfixturevalue(persona)).get(resolve_url(URL)).status_code == 404


def test_the_page_links_to_the_export_with_its_choice(
    caseworker: Staff, city: dict[str, Area], login: Callable[..., Client]
) -> None:
    page = login(caseworker).get(
        resolve_url("community:place_list"), {"area": str(city["北中学校区"].pk), "kind": "salon"}
    )
    text = page.content.decode()
    choice = f"{resolve_url(URL)}?area={city['北中学校区'].pk}&amp;kind=salon"
    assert choice in text
    assert f"{choice}&amp;encoding=cp932" in text


def test_export_does_not_grow_with_rows(
    caseworker: Staff,
    city: dict[str, Area],
    add_place: Callable[..., Place],
    login: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(caseworker)
    add_place(city["北町"], "サロン0")
    with CaptureQueriesContext(connection) as few:
        assert client.get(resolve_url(URL)).status_code == 200
    for n in range(1, 13):
        add_place(city["南町" if n % 2 else "桜台"], f"サロン{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(resolve_url(URL))
    assert len(_rows(response.content, "utf-8-sig")) == 14
