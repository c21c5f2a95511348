"""The outreach by-name list (名簿) as CSV: the page's rows, its access rules, audited, flat."""

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
from kasane.outreach.models import OutreachTarget

pytestmark = pytest.mark.django_db

URL = "outreach:target_list_csv"


def _rows(content: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def test_export_holds_the_open_targets_as_on_the_page(
    outreach_worker: Staff, target: OutreachTarget, login: Callable[..., Client]
) -> None:
    response = login(outreach_worker).get(resolve_url(URL))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, row = _rows(response.content, "utf-8-sig")
    assert len(header) == 9
    assert row[0] == "この住所の息子（40代）"
    assert row[2] == "本町一丁目"
    assert row[6] == ""  # no contact yet
    assert row[8] == "0"
    assert "UTF-8.csv" in response["Content-Disposition"]


def test_cp932_on_request(
    outreach_worker: Staff, target: OutreachTarget, login: Callable[..., Client]
) -> None:
    response = login(outreach_worker).get(resolve_url(URL), {"encoding": "cp932"})
    assert response["Content-Type"] == "text/csv; charset=Windows-31J"
    assert _rows(response.content, "cp932")[1][0] == "この住所の息子（40代）"


def test_a_formula_in_a_label_is_neutralised(
    outreach_worker: Staff, make_target: Callable[..., OutreachTarget], login: Callable[..., Client]
) -> None:
    make_target(label="=1+1 の家")
    rows = _rows(login(outreach_worker).get(resolve_url(URL)).content, "utf-8-sig")
    assert rows[1][0] == "'=1+1 の家"


def test_another_team_gets_none_of_ours(
    other_outreach_worker: Staff, target: OutreachTarget, login: Callable[..., Client]
) -> None:
    response = login(other_outreach_worker).get(resolve_url(URL))
    assert response.status_code == 200
    assert _rows(response.content, "utf-8-sig")[1:] == []
    assert not AuditEvent.objects.filter(object_type="outreach_target_list_export").exists()


def test_every_export_is_audited_with_the_target_ids(
    outreach_worker: Staff, target: OutreachTarget, login: Callable[..., Client]
) -> None:
    login(outreach_worker).get(resolve_url(URL))
    event = AuditEvent.objects.get(object_type="outreach_target_list_export")
    assert event.action == AuditAction.DOWNLOAD
    assert event.legal_basis == LegalBasis.OWN_AGENCY
    assert event.detail["targets"] == [str(target.public_id)]
    assert "息子" not in str(event.detail)


@pytest.mark.parametrize("persona", ["minsei", "analyst", "auditor", "admin_user", "caseworker"])
def test_roles_without_the_page_are_refused(
    persona: str,
    target: OutreachTarget,
    login: Callable[..., Client],
    request: pytest.FixtureRequest,
) -> None:
    client = login(request.getfixturevalue(persona))
    assert client.get(resolve_url("outreach:target_list")).status_code == 404
    response = client.get(resolve_url(URL))
    assert response.status_code == 404
    assert "息子".encode() not in response.content
    assert not AuditEvent.objects.filter(object_type="outreach_target_list_export").exists()


def test_the_page_links_to_the_export(outreach_worker: Staff, login: Callable[..., Client]) -> None:
    page = login(outreach_worker).get(resolve_url("outreach:target_list")).content.decode()
    assert resolve_url(URL) in page
    assert f"{resolve_url(URL)}?encoding=cp932" in page


def test_export_does_not_grow_with_rows(
    outreach_worker: Staff,
    make_target: Callable[..., OutreachTarget],
    login: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    client = login(outreach_worker)
    make_target(label="対象0")
    with CaptureQueriesContext(connection) as few:
        assert client.get(resolve_url(URL)).status_code == 200
    for n in range(1, 13):
        make_target(label=f"対象{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(resolve_url(URL))
    assert len(_rows(response.content, "utf-8-sig")) == 14
