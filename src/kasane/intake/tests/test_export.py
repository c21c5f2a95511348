"""The consultation list as CSV: what it holds, who gets it, that it is audited and flat."""

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
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.conftest import make_household
from kasane.intake import services
from kasane.intake.models import Consultation, NeedType, Outcome
from kasane.registry.models import Household

pytestmark = pytest.mark.django_db

URL = "intake:consultation_list_csv"
KANA = "アイウエオカキクケコサシスセソ"


def _rows(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def _consult(actor: Staff, household: Household, channel: str = "phone") -> Consultation:
    needs = list(NeedType.objects.filter(code__in=["8050", "hikikomori"]).order_by("sort_order"))
    return services.consultation_record(
        actor=actor,
        received_at=timezone.now(),
        requester="family",
        channel=channel,
        household=household,
        needs=needs,
        main_need=needs[0],
        domains=["elderly"],
        summary="母が息子のひきこもりを心配している。",
        outcome=Outcome.HANDLED,
    )


def test_export_holds_the_agency_consultations_as_on_the_page(
    caseworker: Staff, household: Household, login: Callable[..., Client]
) -> None:
    consultation = _consult(caseworker, household)
    response = login(caseworker).get(resolve_url(URL))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, row = _rows(response.content, "utf-8-sig")
    assert len(header) == 8
    received, head, main, needs, channel, outcome, number, by = row
    assert (channel, outcome) == ("電話", "自機関で対応")  # labels in the UI language
    assert received.startswith(timezone.localtime(consultation.received_at).date().isoformat())
    assert head == "草野 和夫"
    assert main == "8050"
    assert needs == "8050、ひきこもり"
    assert number == ""
    assert by == str(caseworker)
    assert "UTF-8.csv" in response["Content-Disposition"]


def test_cp932_on_request(
    caseworker: Staff, household: Household, login: Callable[..., Client]
) -> None:
    _consult(caseworker, household)
    response = login(caseworker).get(resolve_url(URL), {"encoding": "cp932"})
    assert response["Content-Type"] == "text/csv; charset=Windows-31J"
    assert _rows(response.content, "cp932")[1][1] == "草野 和夫"
    assert "SJIS.csv" in response["Content-Disposition"]


def test_a_formula_in_a_name_is_neutralised(
    caseworker: Staff, login: Callable[..., Client]
) -> None:
    household = make_household(caseworker.agency, name='=HYPERLINK("http://x")')  # type: ignore[arg-type]
    _consult(caseworker, household)
    rows = _rows(login(caseworker).get(resolve_url(URL)).content, "utf-8-sig")
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


def test_another_agency_gets_none_of_ours(
    caseworker: Staff, outsider: Staff, household: Household, login: Callable[..., Client]
) -> None:
    _consult(caseworker, household)
    response = login(outsider).get(resolve_url(URL))
    assert response.status_code == 200
    assert _rows(response.content, "utf-8-sig")[1:] == []
    assert "草野".encode() not in response.content
    assert not AuditEvent.objects.filter(object_type="consultation_list_export").exists()


def test_every_export_is_audited_with_the_consultation_ids(
    caseworker: Staff, household: Household, login: Callable[..., Client]
) -> None:
    consultation = _consult(caseworker, household)
    login(caseworker).get(resolve_url(URL))
    event = AuditEvent.objects.get(object_type="consultation_list_export")
    assert event.action == AuditAction.DOWNLOAD
    assert event.legal_basis == LegalBasis.OWN_AGENCY
    assert event.actor == caseworker
    assert event.detail["consultations"] == [str(consultation.public_id)]


@pytest.mark.parametrize("persona", ["analyst", "auditor", "admin_user"])
def test_roles_without_cases_are_refused(
    persona: str,
    caseworker: Staff,
    household: Household,
    login: Callable[..., Client],
    request: pytest.FixtureRequest,
) -> None:
    _consult(caseworker, household)
    response = login(request.getfixturevalue(persona)).get(resolve_url(URL))
    assert response.status_code == 404
    assert "草野".encode() not in response.content
    assert not AuditEvent.objects.filter(object_type="consultation_list_export").exists()


def test_the_page_links_to_the_export(caseworker: Staff, login: Callable[..., Client]) -> None:
    page = login(caseworker).get(resolve_url("intake:start")).content.decode()
    assert resolve_url(URL) in page
    assert f"{resolve_url(URL)}?encoding=cp932" in page


def test_export_does_not_grow_with_rows(
    caseworker: Staff, login: Callable[..., Client], django_assert_max_num_queries: Any
) -> None:
    client = login(caseworker)
    _consult(caseworker, make_household(caseworker.agency))  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as few:
        assert client.get(resolve_url(URL)).status_code == 200
    for n in range(12):
        household = make_household(caseworker.agency, name=f"世帯主{n}", kana=f"セタイ {KANA[n]}")  # type: ignore[arg-type]
        _consult(caseworker, household, channel="walk_in")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(resolve_url(URL))
    assert len(_rows(response.content, "utf-8-sig")) == 14
