"""The case list as CSV: what it holds, who gets it, that it is audited, that it stays flat."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext

from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.cases import services
from kasane.conftest import make_household

pytestmark = pytest.mark.django_db

URL = "cases:case_list_csv"
KANA = "アイウエオカキクケコサシスセソ"


def _rows(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def test_export_holds_the_agency_cases_with_names(open_case, caseworker, login):
    response = login(caseworker).get(resolve_url(URL))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = _rows(response.content, "utf-8-sig")
    assert len(rows) == 2
    number, head, opened, *_ = rows[1]
    assert number == open_case.number
    assert head == "草野 和夫"
    assert len(opened) == 10 and opened[4] == "-"  # an ISO date, no time, no offset
    assert "attachment;" in response["Content-Disposition"]


def test_cp932_on_request(open_case, caseworker, login):
    response = login(caseworker).get(resolve_url(URL), {"encoding": "cp932"})
    assert response["Content-Type"] == "text/csv; charset=Windows-31J"
    assert _rows(response.content, "cp932")[1][1] == "草野 和夫"
    assert "SJIS.csv" in response["Content-Disposition"]


def test_a_formula_in_a_name_is_neutralised(caseworker, login):
    household = make_household(caseworker.agency, name='=HYPERLINK("http://x")')
    services.case_open(actor=caseworker, household=household)
    rows = _rows(login(caseworker).get(resolve_url(URL)).content, "utf-8-sig")
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


def test_every_export_is_audited_with_the_case_ids(open_case, caseworker, login):
    login(caseworker).get(resolve_url(URL))
    event = AuditEvent.objects.get(object_type="case_list_export")
    assert event.action == AuditAction.DOWNLOAD
    assert event.legal_basis == LegalBasis.CASE_TEAM
    assert event.actor == caseworker
    assert event.detail["cases"] == [str(open_case.public_id)]


@pytest.mark.parametrize("persona", ["analyst", "auditor", "admin_user"])
def test_roles_without_cases_are_refused(persona, open_case, login, request):
    response = login(request.getfixturevalue(persona)).get(resolve_url(URL))
    assert response.status_code == 404
    assert open_case.number.encode() not in response.content
    assert not AuditEvent.objects.filter(object_type="case_list_export").exists()


def test_the_list_page_links_to_the_export(open_case, caseworker, login):
    page = login(caseworker).get(resolve_url("cases:case_list")).content.decode()
    assert resolve_url(URL) in page
    assert f"{resolve_url(URL)}?encoding=cp932" in page


def test_export_does_not_grow_with_rows(caseworker, login, django_assert_max_num_queries):
    client = login(caseworker)
    services.case_open(actor=caseworker, household=make_household(caseworker.agency))
    with CaptureQueriesContext(connection) as few:
        assert client.get(resolve_url(URL)).status_code == 200
    for n in range(15):
        household = make_household(caseworker.agency, name=f"世帯主{n}", kana=f"セタイ {KANA[n]}")
        services.case_open(actor=caseworker, household=household)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(resolve_url(URL))
    assert len(_rows(response.content, "utf-8-sig")) == 17
