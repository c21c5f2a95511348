"""The coordinator's board as CSV: the 年度's cases sent to coordination, audited, 404 for
anyone but coordinators, heads only where the coordinator may read them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit.models import AuditEvent, LegalBasis
from kasane.cases import services
from kasane.core.dates import fiscal_year

pytestmark = pytest.mark.django_db

URL = "cases:board_csv"


def test_the_board_cases_of_the_year(
    open_case: Any, caseworker: Staff, coordinator: Staff, login: Callable[..., Client]
) -> None:
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    services.case_triage(actor=coordinator, case=open_case, triage="A")
    year = fiscal_year(timezone.localdate())
    response = login(coordinator).get(resolve_url(URL), {"year": year})
    assert response.status_code == 200
    _header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows] == [open_case.number]
    open_case.refresh_from_db()
    assert rows[0][4] == open_case.get_triage_display() and open_case.triage == "A"
    assert rows[0][2] == open_case.lead_agency.name
    event = AuditEvent.objects.get(object_type="coordination_board_export")
    assert event.legal_basis == LegalBasis.COORDINATION
    assert event.detail == {"fiscal_year": year, "cases": [str(open_case.public_id)]}
    # Another 年度 holds none of them.
    earlier = login(coordinator).get(resolve_url(URL), {"year": year - 1})
    assert earlier.content.decode("utf-8-sig").count("\n") == 1


@pytest.mark.parametrize("persona", ["caseworker", "analyst", "auditor", "outsider"])
def test_only_coordinators(
    persona: str, open_case: Any, request: pytest.FixtureRequest, login: Callable[..., Client]
) -> None:
    assert login(request.getfixturevalue(persona)).get(resolve_url(URL)).status_code == 404


def test_the_query_count_does_not_grow_with_the_cases(
    caseworker: Staff, coordinator: Staff, login: Callable[..., Client]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kasane.conftest import make_household

    def send() -> None:
        case = services.case_open(actor=caseworker, household=make_household(caseworker.agency))  # type: ignore[arg-type]
        services.case_send_to_coordination(actor=caseworker, case=case, reason="8050")

    client = login(coordinator)
    send()
    with CaptureQueriesContext(connection) as few:
        client.get(resolve_url(URL))
    for _ in range(5):
        send()
    with CaptureQueriesContext(connection) as many:
        response = client.get(resolve_url(URL))
    assert response.content.decode("utf-8-sig").count("\r\n") == 7
    assert len(many) == len(few)
