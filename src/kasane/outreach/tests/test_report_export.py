"""Concern reports as CSV, for the outreach team: every report as on the list, audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.shortcuts import resolve_url
from django.test import Client

from kasane.accounts.models import Staff
from kasane.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "outreach:report_list_csv"


def test_the_team_exports_every_report(
    outreach_worker: Staff, report: Any, login: Callable[..., Client]
) -> None:
    response = login(outreach_worker).get(resolve_url(URL))
    assert response.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1 and len(header) == 7
    assert rows[0][1] == report.reporter_agency.name
    assert rows[0][4] == "、".join(report.sign_labels())
    event = AuditEvent.objects.get(object_type="concern_report_list_export")
    assert event.detail["reports"] == [str(report.public_id)]


@pytest.mark.parametrize("persona", ["minsei", "caseworker", "analyst", "auditor"])
def test_others_get_404(
    persona: str, report: Any, request: pytest.FixtureRequest, login: Callable[..., Client]
) -> None:
    assert login(request.getfixturevalue(persona)).get(resolve_url(URL)).status_code == 404
    assert not AuditEvent.objects.filter(object_type="concern_report_list_export").exists()


def test_the_query_count_does_not_grow_with_the_reports(
    outreach_worker: Staff, minsei: Staff, block: Any, report: Any, login: Callable[..., Client]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kasane.outreach import services

    client = login(outreach_worker)
    with CaptureQueriesContext(connection) as few:
        client.get(resolve_url(URL))
    for n in range(6):
        services.concern_report_create(
            actor=minsei, area=block, who=f"高齢の女性{n}", signs=["newspapers"]
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(resolve_url(URL))
    assert response.content.decode("utf-8-sig").count("\r\n") == 8
    assert len(many) == len(few)
