"""The agency's matches as CSV: names as on the page, audited, refused to others, flat."""

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
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.conftest import head_of, make_household
from kasane.participation.matching import services
from kasane.participation.matching.tests.test_matching_pages import make_opportunity
from kasane.participation.models import Match, MatchStage, Opportunity
from kasane.registry.models import Household

pytestmark = pytest.mark.django_db

URL = "matching:match_list_csv"
KANA = "アイウエオカキクケコサシスセソ"


def _rows(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


@pytest.fixture
def place() -> Opportunity:
    opportunity: Opportunity = make_opportunity("料理サロン こもれび")
    return opportunity


@pytest.fixture
def match(caseworker: Staff, household: Household, place: Opportunity) -> Match:
    return services.match_propose(
        actor=caseworker, person=head_of(household), opportunity=place
    ).match


def test_export_holds_the_agency_matches_with_names(
    caseworker: Staff, match: Match, login: Callable[..., Client]
) -> None:
    response = login(caseworker).get(resolve_url(URL))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, row = _rows(response.content, "utf-8-sig")
    assert len(header) == 6
    assert row[0] == "草野 和夫"
    assert row[1] == "料理サロン こもれび"
    assert row[3] == match.stage_since.isoformat()
    assert row[5] == "0"


def test_ended_matches_only_with_all_as_on_the_page(
    caseworker: Staff, match: Match, login: Callable[..., Client]
) -> None:
    services.match_move(
        actor=caseworker, match=match, stage=MatchStage.ENDED, end_reason="other", note="終了"
    )
    client = login(caseworker)
    assert _rows(client.get(resolve_url(URL)).content, "utf-8-sig")[1:] == []
    assert len(_rows(client.get(resolve_url(URL), {"all": "1"}).content, "utf-8-sig")) == 2


def test_cp932_on_request(caseworker: Staff, match: Match, login: Callable[..., Client]) -> None:
    response = login(caseworker).get(resolve_url(URL), {"encoding": "cp932"})
    assert response["Content-Type"] == "text/csv; charset=Windows-31J"
    assert _rows(response.content, "cp932")[1][0] == "草野 和夫"


def test_a_formula_in_a_place_name_is_neutralised(
    caseworker: Staff, household: Household, login: Callable[..., Client]
) -> None:
    evil = make_opportunity("@SUM(A1:A9)")
    services.match_propose(actor=caseworker, person=head_of(household), opportunity=evil)
    rows = _rows(login(caseworker).get(resolve_url(URL)).content, "utf-8-sig")
    assert rows[1][1] == "'@SUM(A1:A9)"


def test_every_export_is_audited_with_the_persons(
    caseworker: Staff, match: Match, login: Callable[..., Client]
) -> None:
    login(caseworker).get(resolve_url(URL))
    event = AuditEvent.objects.get(object_type="match_list_export")
    assert event.action == AuditAction.DOWNLOAD
    assert event.legal_basis == LegalBasis.OWN_AGENCY
    assert event.detail["persons"] == [str(match.person.public_id)]
    assert event.detail["matches"] == [str(match.public_id)]


def test_another_agency_gets_none_of_ours(
    outsider: Staff, match: Match, login: Callable[..., Client]
) -> None:
    response = login(outsider).get(resolve_url(URL))
    assert response.status_code == 200
    assert _rows(response.content, "utf-8-sig")[1:] == []
    assert not AuditEvent.objects.filter(object_type="match_list_export").exists()


@pytest.mark.parametrize("persona", ["analyst", "auditor", "admin_user"])
def test_roles_without_cases_are_refused(
    persona: str, match: Match, login: Callable[..., Client], request: pytest.FixtureRequest
) -> None:
    response = login(request.getfixturevalue(persona)).get(resolve_url(URL))
    assert response.status_code == 404
    assert "草野".encode() not in response.content
    assert not AuditEvent.objects.filter(object_type="match_list_export").exists()


def test_the_page_links_to_the_export(caseworker: Staff, login: Callable[..., Client]) -> None:
    client = login(caseworker)
    page = client.get(resolve_url("matching:match_list")).content.decode()
    assert resolve_url(URL) in page
    assert f"{resolve_url(URL)}?encoding=cp932" in page
    with_ended = client.get(resolve_url("matching:match_list"), {"all": "1"}).content.decode()
    assert f"{resolve_url(URL)}?all=1" in with_ended


def test_export_does_not_grow_with_rows(
    caseworker: Staff,
    place: Opportunity,
    login: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(caseworker)

    def propose(n: int) -> None:
        household = make_household(caseworker.agency, name=f"世帯主{n}", kana=f"セタイ {KANA[n]}")  # type: ignore[arg-type]
        services.match_propose(actor=caseworker, person=head_of(household), opportunity=place)

    propose(0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(resolve_url(URL)).status_code == 200
    for n in range(1, 13):
        propose(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(resolve_url(URL))
    assert len(_rows(response.content, "utf-8-sig")) == 14
