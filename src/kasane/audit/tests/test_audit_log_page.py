"""The auditor's page of the audit log (/audit/): for auditors only, filterable, one page of
events for a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kasane.audit import services as audit
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.conftest import StaffFactory, head_of, make_household

pytestmark = pytest.mark.django_db

URL = "/privacy/audit/"


def _rows(response) -> list[AuditEvent]:
    assert response.status_code == 200
    rows: list[AuditEvent] = response.context["page"].rows
    return rows


@pytest.fixture
def activity(household, caseworker, outsider, login):
    """The caseworker reads and searches; the outsider reads a household of their own."""
    client = login(caseworker)
    client.get(resolve_url("registry:household_detail", household.public_id))
    client.post(resolve_url("registry:person_search"), {"q": "くさの"})
    theirs = make_household(outsider.agency, name="障害 太郎", kana="ショウガイ タロウ")
    login(outsider).get(resolve_url("registry:household_detail", theirs.public_id))
    return theirs


def test_the_url_is_where_the_menu_says(db):
    assert resolve_url("audit:audit_log") == URL


def test_the_auditor_reads_the_log(activity, auditor, login, household):
    response = login(auditor).get(URL)
    rows = _rows(response)
    assert [e.sequence for e in rows] == sorted((e.sequence for e in rows), reverse=True)
    assert len(rows) == AuditEvent.objects.count()
    body = response.content.decode()
    assert str(household.public_id) in body
    assert "houkatsu" in body  # the caseworker's user name


@pytest.mark.parametrize("persona", ["caseworker", "outsider", "analyst", "admin_user"])
def test_everyone_else_is_refused(persona, activity, login, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"actor": "houkatsu"}).status_code == 403


def test_an_inactive_auditor_is_refused(activity, login):
    retired = StaffFactory.create(role="auditor", is_active=False)
    # An inactive account's session is not honoured at all: back to the sign-in page.
    assert login(retired).get(URL).status_code in (302, 403)


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_log_cannot_be_posted_to(activity, auditor, login):
    before = AuditEvent.objects.count()
    assert login(auditor).post(URL, {"actor": "x"}).status_code == 405
    assert AuditEvent.objects.count() == before


# --- filters -------------------------------------------------------------------------------


def test_filter_by_user_name(activity, auditor, login, outsider):
    rows = _rows(login(auditor).get(URL, {"actor": "SHOGAI"}))  # any case
    assert rows
    assert {e.actor_id for e in rows} == {outsider.pk}


def test_filter_by_action(activity, auditor, login):
    rows = _rows(login(auditor).get(URL, {"action": "search"}))
    assert [e.action for e in rows] == [AuditAction.SEARCH]


def test_filter_by_legal_basis(activity, auditor, login):
    client = login(auditor)
    rows = _rows(client.get(URL, {"legal_basis": "system"}))
    assert rows and {e.legal_basis for e in rows} == {LegalBasis.SYSTEM}
    assert {e.actor_id for e in rows} == {None}
    assert _rows(client.get(URL, {"legal_basis": "break_glass"})) == []


def test_filter_by_object_id(activity, auditor, login, household):
    rows = _rows(login(auditor).get(URL, {"object_id": str(household.public_id)}))
    assert {(e.object_type, e.action) for e in rows} == {
        ("household", AuditAction.CREATE),
        ("household", AuditAction.VIEW),
    }


def test_filter_by_request_id_gathers_one_request(household, caseworker, auditor, login):
    response = login(caseworker).get(
        resolve_url("registry:household_detail", household.public_id),
        HTTP_X_REQUEST_ID="req-0123456789",
    )
    assert response["X-Request-ID"] == "req-0123456789"
    rows = _rows(login(auditor).get(URL, {"object_id": "req-0123456789"}))
    assert [(e.action, e.object_id) for e in rows] == [("view", str(household.public_id))]


def test_filter_by_date(activity, auditor, login):
    client = login(auditor)
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    everything = AuditEvent.objects.count()
    assert len(_rows(client.get(URL, {"date_from": today, "date_to": today}))) == everything
    assert _rows(client.get(URL, {"date_to": yesterday})) == []
    assert _rows(client.get(URL, {"date_from": today + datetime.timedelta(days=1)})) == []


def test_filters_combine(activity, auditor, login, caseworker):
    rows = _rows(login(auditor).get(URL, {"actor": caseworker.username, "action": "view"}))
    assert len(rows) == 1
    assert (rows[0].actor_id, rows[0].action) == (caseworker.pk, AuditAction.VIEW)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2024-05-02", "date_to": "2024-05-01"}, "__all__"),
        ({"date_from": "2024-99-99"}, "date_from"),
        ({"action": "hack"}, "action"),
        ({"legal_basis": "whim"}, "legal_basis"),
        ({"object_id": "x" * 65}, "object_id"),
    ],
)
def test_bad_filters_get_a_message(params, field, activity, auditor, login):
    response = login(auditor).get(URL, params)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert str(form.errors[field][0]) in response.content.decode()
    # Not the whole log under a filter the auditor believes applied.
    assert response.context["page"].rows == []


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "2"])
def test_odd_page_numbers_do_not_break_the_page(page, activity, auditor, login):
    response = login(auditor).get(URL, {"page": page})
    assert response.status_code == 200


def test_pages_of_events(auditor, login):
    size = settings.KASANE_PAGE_SIZE
    for _ in range(size + 3):
        audit.record(
            actor=None,
            action=AuditAction.LOGIN,
            legal_basis=LegalBasis.NONE,
        )
    client = login(auditor)
    first = client.get(URL).context["page"]
    second = client.get(URL, {"page": "2"}).context["page"]
    assert (len(first.rows), first.has_next, first.has_previous) == (size, True, False)
    assert (len(second.rows), second.has_next, second.has_previous) == (3, False, True)
    assert first.rows[-1].sequence == second.rows[0].sequence + 1


def test_filters_are_kept_in_the_page_links(auditor, login):
    for _ in range(settings.KASANE_PAGE_SIZE + 1):
        audit.record(
            actor=None,
            action=AuditAction.LOGIN,
            legal_basis=LegalBasis.NONE,
        )
    body = login(auditor).get(URL, {"action": "login"}).content.decode()
    assert "action=login" in body
    assert "page=2" in body


# --- cost ----------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_events(household, caseworker, auditor, login, agency):
    client = login(auditor)
    worker = login(caseworker)

    def work(times: int) -> None:
        for i in range(times):
            h = make_household(agency, name="世帯 主", kana="セタイ ヌシ", address=f"南町{i}")
            worker.get(resolve_url("registry:person_detail", head_of(h).public_id))

    def count() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200
        return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]

    work(1)
    few = count()
    work(7)  # three events each: over 20 rows
    many = count()
    assert AuditEvent.objects.count() >= 20
    assert many[0] <= few[0], "\n".join(many[1])
    rows = _rows(client.get(URL))
    assert len(rows) == AuditEvent.objects.count()
