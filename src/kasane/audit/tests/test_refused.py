"""Refused requests in the audit log (issue 14, "Why" 5): a volunteer guessing case ids left
no trace. Every 404/403 to a record by a signed-in account is one ``refused`` event with the
id asked for, written even when the request's own transaction rolled back."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client

from kasane.accounts.models import Notification, Role
from kasane.api.services import api_token_create
from kasane.audit.alerts import NOTIFICATION_KIND
from kasane.audit.models import AlertKind, AuditAction, AuditAlert, AuditEvent
from kasane.conftest import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(db: Any) -> Any:
    agency = AgencyFactory.create(name="かさね市民生委員児童委員協議会")
    return StaffFactory.create(username="minsei", agency=agency, role=Role.VOLUNTEER)


def _refused() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.REFUSED).order_by("sequence"))


def test_two_hundred_guessed_case_ids_leave_two_hundred_rows_and_one_alert(
    volunteer, auditor, open_case, login
):
    """The attack from the issue: a volunteer walks 200 guessed case ids (one real)."""
    client = login(volunteer)
    guesses = [str(uuid.uuid4()) for _ in range(199)] + [str(open_case.public_id)]
    for guess in guesses:
        assert client.get(resolve_url("cases:case_detail", guess)).status_code == 404
    rows = _refused()
    assert [r.object_id for r in rows] == guesses
    assert {r.actor_username for r in rows} == {"minsei"}
    assert {r.detail["route"] for r in rows} == {"cases:case_detail"}
    alerts = list(AuditAlert.objects.all())
    assert len(alerts) == 1
    assert alerts[0].kind == AlertKind.REFUSED and alerts[0].actor_username == "minsei"
    assert alerts[0].count == alerts[0].threshold == 30
    told = Notification.objects.filter(kind=NOTIFICATION_KIND)
    assert [n.recipient for n in told] == [auditor]
    # No personal data in the message: the account and the count.
    assert "minsei" in told[0].message and "30" in told[0].message
    # The refusals are links of the chain like any other event.
    call_command("audit_verify", stdout=io.StringIO())


def _comparable(event: AuditEvent) -> dict[str, object]:
    detail = dict(event.detail)
    detail.pop("ids")
    return {
        "action": event.action,
        "object_type": event.object_type,
        "legal_basis": event.legal_basis,
        "actor_username": event.actor_username,
        "agency_name": event.agency_name,
        "detail": detail,
        "id_length": len(event.object_id),
    }


def test_an_existing_and_a_missing_record_give_rows_that_look_alike(outsider, open_case, login):
    client = login(outsider)
    missing = uuid.uuid4()
    for public_id in (open_case.public_id, missing):
        assert client.get(resolve_url("cases:case_detail", public_id)).status_code == 404
    real, invented = _refused()
    assert real.object_id == str(open_case.public_id) and invented.object_id == str(missing)
    assert _comparable(real) == _comparable(invented)
    assert real.detail == {
        "route": "cases:case_detail",
        "method": "GET",
        "status": 404,
        "ids": {"public_id": str(open_case.public_id)},
    }


def test_the_query_string_is_not_kept(outsider, open_case, login):
    url = resolve_url("cases:case_detail", open_case.public_id)
    assert login(outsider).get(url, {"q": "草野 和夫"}).status_code == 404
    (event,) = _refused()
    assert "草野" not in str(event.detail) and "q" not in event.detail


def test_a_refused_change_is_recorded_though_its_transaction_rolled_back(
    outsider, open_case, login, monkeypatch
):
    """With ATOMIC_REQUESTS the view's transaction is undone; the refusal stays."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    url = resolve_url("cases:note_add", open_case.public_id)
    response = login(outsider).post(url, {"kind": "memo", "text": "x", "visibility": "team"})
    assert response.status_code == 404
    (event,) = _refused()
    assert event.detail["method"] == "POST" and event.object_id == str(open_case.public_id)


def test_a_403_is_recorded_too(caseworker, login):
    """The audit log's own pages refuse other roles with 403; a route with an id is one."""
    from kasane.audit.models import AuditAlert as Alert

    alert = Alert.objects.create(
        kind=AlertKind.REFUSED,
        actor_username="x",
        raised_at="2026-01-01T00:00:00Z",
        window_start="2026-01-01T00:00:00Z",
        count=1,
        threshold=1,
    )
    response = login(caseworker).post(resolve_url("audit:alert_review", alert.pk), {"note": "x"})
    assert response.status_code == 403
    (event,) = _refused()
    assert event.detail["status"] == 403 and event.object_id == str(alert.pk)


def test_requests_without_an_account_are_not_recorded_one_by_one(open_case):
    client = Client()
    response = client.get(resolve_url("cases:case_detail", uuid.uuid4()))
    assert response.status_code == 302  # to the sign-in page, before any view runs
    api = client.get(f"/api/v1/cases/{uuid.uuid4()}")
    assert api.status_code == 401
    assert _refused() == []


def test_an_unknown_address_is_no_refused_record(outsider, login):
    assert login(outsider).get("/no/such/page/").status_code == 404
    assert _refused() == []


def test_the_api_refusal_of_a_record_is_recorded(outsider, open_case):
    _record, token = api_token_create(staff=outsider, name="test")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    for public_id in (open_case.public_id, uuid.uuid4()):
        response = client.get(f"/api/v1/cases/{public_id}")
        assert response.status_code == 404
    real, invented = _refused()
    assert real.object_id == str(open_case.public_id)
    assert real.detail["route"].startswith("api:")
    assert _comparable(real) == _comparable(invented)


def test_one_alert_per_account_an_hour(volunteer, caseworker, auditor, login, settings):
    import time_machine

    settings.KASANE_ALERT_REFUSED_PER_HOUR = 3
    with time_machine.travel("2026-10-14T10:00:00+09:00", tick=False) as clock:
        for staff in (volunteer, caseworker):
            client = login(staff)
            for _ in range(5):
                client.get(resolve_url("cases:case_detail", uuid.uuid4()))
        assert AuditAlert.objects.count() == 2  # one each, not one per request
        clock.shift(3601)
        client = login(volunteer)
        for _ in range(2):
            client.get(resolve_url("cases:case_detail", uuid.uuid4()))
        assert AuditAlert.objects.count() == 2  # two in this hour: under the threshold
        client.get(resolve_url("cases:case_detail", uuid.uuid4()))
        assert AuditAlert.objects.filter(actor_username="minsei").count() == 2
    assert Notification.objects.filter(kind=NOTIFICATION_KIND, recipient=auditor).count() == 3
