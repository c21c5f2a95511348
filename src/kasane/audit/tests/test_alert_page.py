"""The auditor's list of alerts to review, linked from the audit log; reviewed with a note."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kasane.accounts.models import Role
from kasane.audit.models import AlertKind, AuditAction, AuditAlert, AuditEvent
from kasane.conftest import StaffFactory

pytestmark = pytest.mark.django_db


def _alert(username: str = "minsei", kind: AlertKind = AlertKind.REFUSED) -> AuditAlert:
    now = timezone.now()
    return AuditAlert.objects.create(
        kind=kind,
        actor_username=username,
        raised_at=now,
        window_start=now - datetime.timedelta(hours=1),
        count=30,
        threshold=30,
    )


def test_the_audit_log_links_to_the_alerts(auditor, login):
    page = login(auditor).get(resolve_url("audit:audit_log")).content.decode()
    assert f'href="{resolve_url("audit:alert_list")}"' in page


def test_the_auditor_sees_pending_alerts_first_with_a_link_to_their_events(auditor, login):
    done = _alert("analyst", AlertKind.AGGREGATE_VIEWS)
    done.reviewed_at = timezone.now()
    done.review_note = "年度末の報告作成"
    done.save()
    pending = _alert()
    response = login(auditor).get(resolve_url("audit:alert_list"))
    assert response.status_code == 200
    assert [a.pk for a, _query in response.context["rows"]] == [pending.pk, done.pk]
    html = response.content.decode()
    assert "actor=minsei&amp;action=refused" in html
    assert "年度末の報告作成" in html
    assert response.context["page"].pending == 1


@pytest.mark.parametrize("role", [r for r in Role if r != Role.AUDITOR])
def test_other_roles_are_refused(role, agency, login):
    staff = StaffFactory.create(role=role, agency=None if role == Role.ADMIN else agency)
    alert = _alert()
    client = login(staff)
    assert client.get(resolve_url("audit:alert_list")).status_code == 403
    response = client.post(resolve_url("audit:alert_review", alert.pk), {"note": "確認済み"})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.reviewed_at is None


def test_a_review_is_recorded_once_and_audited(auditor, login):
    alert = _alert()
    client = login(auditor)
    url = resolve_url("audit:alert_review", alert.pk)
    assert client.get(url).status_code == 200
    empty = client.post(url, {"note": "  "})
    assert empty.status_code == 200 and empty.context["form"].errors
    note = "民生委員の端末で古いブックマークを巡回していた。本人に確認済み。"
    response = client.post(url, {"note": note})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.reviewed_by == auditor and alert.review_note.startswith("民生委員")
    event = AuditEvent.objects.get(object_type="audit_alert")
    assert event.action == AuditAction.UPDATE and event.object_id == str(alert.pk)
    assert "民生委員" not in str(event.detail)
    again = client.post(url, {"note": "もう一度"})
    assert again.status_code == 200
    alert.refresh_from_db()
    assert alert.review_note.startswith("民生委員")


def test_the_list_takes_the_same_queries_for_few_or_many_alerts(auditor, login):
    client = login(auditor)
    _alert()
    with CaptureQueriesContext(connection) as few:
        client.get(resolve_url("audit:alert_list"))
    for i in range(20):
        _alert(f"user{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(resolve_url("audit:alert_list"))
    assert len(many) == len(few)


def test_the_audit_log_shows_a_refused_request_with_its_route_and_id(
    auditor, outsider, open_case, login
):
    login(outsider).get(resolve_url("cases:case_detail", open_case.public_id))
    response = login(auditor).get(resolve_url("audit:audit_log"), {"action": "refused"})
    html = response.content.decode()
    assert "cases:case_detail" in html and str(open_case.public_id) in html
