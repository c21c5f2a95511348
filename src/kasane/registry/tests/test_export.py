"""The household list as CSV: the agency's households with their members, audited, 403 for
roles that do not work with persons, formulas defused, a flat number of queries."""

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
from kasane.audit.models import AuditEvent, LegalBasis
from kasane.conftest import make_household
from kasane.registry.models import Household

pytestmark = pytest.mark.django_db

URL = "registry:household_list_csv"


def _rows(content: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(encoding), newline="")))


def test_the_agency_households_with_their_members(
    caseworker: Staff, household: Household, outsider: Staff, login: Callable[..., Client]
) -> None:
    make_household(outsider.agency, name="障害 太郎", kana="ショウガイ タロウ")  # type: ignore[arg-type]
    response = login(caseworker).get(resolve_url(URL))
    assert response.status_code == 200
    header, *rows = _rows(response.content)
    assert len(rows) == 1 and len(header) == 8
    head = household.memberships.get(relationship="head").person
    assert rows[0][0] == head.name and rows[0][1] == head.kana
    assert rows[0][3] == str(household.memberships.filter(ended_on__isnull=True).count())
    assert "障害 太郎" not in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(object_type="household_list_export")
    assert event.legal_basis == LegalBasis.OWN_AGENCY
    assert event.detail["households"] == [str(household.public_id)]
    assert head.name not in str(event.detail)
    sjis = login(caseworker).get(resolve_url(URL), {"encoding": "cp932"})
    assert _rows(sjis.content, "cp932")[1][0] == head.name


def test_a_formula_in_an_address_is_defused(
    caseworker: Staff, login: Callable[..., Client]
) -> None:
    household = make_household(caseworker.agency)  # type: ignore[arg-type]
    Household.objects.filter(pk=household.pk).update(address="=HYPERLINK(1)")
    assert _rows(login(caseworker).get(resolve_url(URL)).content)[1][4] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("persona", ["analyst", "auditor", "admin_user"])
def test_roles_without_persons_are_refused(
    persona: str, household: Household, request: pytest.FixtureRequest, login: Callable[..., Client]
) -> None:
    assert login(request.getfixturevalue(persona)).get(resolve_url(URL)).status_code == 403
    assert not AuditEvent.objects.filter(object_type="household_list_export").exists()


def test_the_query_count_does_not_grow_with_the_households(
    caseworker: Staff, login: Callable[..., Client]
) -> None:
    client = login(caseworker)
    make_household(caseworker.agency)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as few:
        client.get(resolve_url(URL))
    for _ in range(5):
        make_household(caseworker.agency)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as many:
        client.get(resolve_url(URL))
    assert len(many) == len(few)


def test_households_reached_through_a_case_stay_out_of_the_list_and_the_export(
    caseworker: Staff,
    household: Household,
    open_case: Any,
    coordinator: Staff,
    login: Callable[..., Client],
) -> None:
    """The coordinator reads the household on the case sent to coordination (its basis is
    coordination), but the household list and its export hold only what its own agency
    registered: a bulk copy of other agencies' households, audited as own_agency, would
    hide the real basis from the auditor."""
    from kasane.cases import services as case_services

    case_services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    client = login(coordinator)
    detail = client.get(resolve_url("registry:household_detail", household.public_id))
    assert detail.status_code == 200  # readable, on the case's basis
    head = household.memberships.get(relationship="head").person
    assert head.name not in client.get(resolve_url("registry:household_list")).content.decode()
    rows = _rows(client.get(resolve_url(URL)).content)
    assert rows[1:] == []
    assert not AuditEvent.objects.filter(object_type="household_list_export").exists()
