"""Signed-in sessions: a new key at sign-in, the idle and the absolute limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from kasane.accounts import sessions
from kasane.accounts.models import Staff
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import PASSWORD

LOGIN = "/accounts/login/"
PAGE = "/registry/households/"

IDLE_MESSAGE = (
    "You were signed out after %(minutes)d minutes without activity, to protect the personal "
    "information on screen. Please sign in again."
)
ABSOLUTE_MESSAGE = (
    "You were signed out because %(hours)s hours have passed since you signed in. "
    "Please sign in again."
)


def ja(msgid: str, **params: object) -> str:
    with translation.override("ja"):
        return gettext(msgid) % params


def signed_in_client(staff: Staff) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def age(client: Client, *, idle: int, since_sign_in: int | None = None) -> None:
    """Move the session's clocks back: last used ``idle`` seconds ago, signed in
    ``since_sign_in`` seconds ago (default: as long ago as it was last used)."""
    session = client.session
    now = sessions.now()
    session[sessions.LAST_ACTIVITY] = now - idle
    session[sessions.SIGNED_IN_AT] = now - (since_sign_in if since_sign_in is not None else idle)
    session.save()


# --- rotation at sign-in -------------------------------------------------------------------


def test_signing_in_gives_the_session_a_new_key(caseworker: Staff) -> None:
    """A session key planted before sign-in (session fixation) is worthless after it."""
    client = Client()
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    assert before is not None
    client.cookies[django_settings.SESSION_COOKIE_NAME] = before

    client.post(LOGIN, {"username": "houkatsu", "password": PASSWORD})
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(caseworker.pk)

    # The old key opens nothing.
    stale = Client()
    stale.cookies[django_settings.SESSION_COOKIE_NAME] = before
    assert stale.get(PAGE)["Location"].startswith(LOGIN)


# --- idle limit ----------------------------------------------------------------------------


def test_a_session_idle_for_more_than_30_minutes_is_signed_out_with_a_message(
    caseworker: Staff,
) -> None:
    client = signed_in_client(caseworker)
    age(client, idle=31 * 60)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={PAGE}"
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"])
    assert ja(IDLE_MESSAGE, minutes=30) in login_page.content.decode()
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT).get()
    assert event.actor == caseworker
    assert event.detail == {"reason": "idle_timeout"}
    # Signing in again works, and goes where the user was.
    again = client.post(
        f"{LOGIN}?next={PAGE}", {"username": "houkatsu", "password": PASSWORD, "next": PAGE}
    )
    assert again["Location"] == PAGE


def test_a_session_idle_for_29_minutes_goes_on(caseworker: Staff) -> None:
    client = signed_in_client(caseworker)
    age(client, idle=29 * 60)
    assert client.get(PAGE).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.LOGOUT).exists()


def test_using_the_site_keeps_the_session_alive(caseworker: Staff) -> None:
    """Activity moves the idle clock: 20 minutes idle, a page, 20 more minutes — still in."""
    client = signed_in_client(caseworker)
    age(client, idle=20 * 60, since_sign_in=40 * 60)
    assert client.get(PAGE).status_code == 200
    last = client.session[sessions.LAST_ACTIVITY]
    assert sessions.now() - last < 5
    session = client.session
    session[sessions.LAST_ACTIVITY] = last - 20 * 60
    session.save()
    assert client.get(PAGE).status_code == 200


def test_the_idle_limit_is_configurable(caseworker: Staff, settings) -> None:
    settings.KASANE_IDLE_MINUTES = 5
    client = signed_in_client(caseworker)
    age(client, idle=6 * 60)
    response = client.get(PAGE)
    assert response["Location"].startswith(LOGIN)
    assert ja(IDLE_MESSAGE, minutes=5) in client.get(response["Location"]).content.decode()


def test_a_page_read_within_the_minute_writes_nothing_to_the_session(caseworker: Staff) -> None:
    """Reading pages does not turn every request into a session write."""
    client = signed_in_client(caseworker)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    session_writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert session_writes == []
    assert any("django_session" in q["sql"] for q in queries.captured_queries)


# --- absolute limit ------------------------------------------------------------------------


def test_a_busy_session_still_ends_8_hours_after_sign_in(caseworker: Staff) -> None:
    client = signed_in_client(caseworker)
    age(client, idle=60, since_sign_in=8 * 3600 + 1)
    response = client.get(PAGE)
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert ja(ABSOLUTE_MESSAGE, hours="8") in client.get(response["Location"]).content.decode()
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.detail == {"reason": "absolute_timeout"}


def test_just_under_8_hours_the_session_goes_on(caseworker: Staff) -> None:
    client = signed_in_client(caseworker)
    age(client, idle=60, since_sign_in=8 * 3600 - 60)
    assert client.get(PAGE).status_code == 200


def test_the_absolute_limit_follows_the_session_age_setting(caseworker: Staff, settings) -> None:
    settings.SESSION_COOKIE_AGE = 2 * 3600
    client = signed_in_client(caseworker)
    age(client, idle=60, since_sign_in=2 * 3600 + 1)
    response = client.get(PAGE)
    assert ja(ABSOLUTE_MESSAGE, hours="2") in client.get(response["Location"]).content.decode()


# --- what an expired session gets back -----------------------------------------------------


def test_an_expired_htmx_request_sends_the_browser_to_the_sign_in_page(caseworker: Staff) -> None:
    client = signed_in_client(caseworker)
    age(client, idle=31 * 60)
    response = client.get(PAGE, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == LOGIN
    assert response.content == b""


def test_an_expired_post_is_not_carried_out(caseworker: Staff) -> None:
    from kasane.registry.models import Household

    client = signed_in_client(caseworker)
    age(client, idle=31 * 60)
    response = client.post("/registry/households/new/", {"address": "かさね市中央1-1"})
    assert response["Location"] == LOGIN
    assert not Household.objects.exists()


def test_a_session_from_before_the_limits_starts_its_clocks(caseworker: Staff) -> None:
    client = signed_in_client(caseworker)
    session = client.session
    del session[sessions.LAST_ACTIVITY]
    del session[sessions.SIGNED_IN_AT]
    session.save()
    assert client.get(PAGE).status_code == 200
    assert isinstance(client.session[sessions.SIGNED_IN_AT], int)


def test_no_page_polls_the_server() -> None:
    """Every request counts as activity because no page polls (hx-trigger="every …"). A page
    that starts polling must make its requests not count, or the idle limit never comes."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    polling = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r"hx-trigger=[\"'][^\"']*\bevery\b", path.read_text(encoding="utf-8"))
    ]
    assert polling == []


@pytest.mark.parametrize("path", ["/healthz", LOGIN])
def test_anonymous_requests_have_no_clocks(db: object, path: str) -> None:
    client = Client()
    client.get(path)
    assert sessions.LAST_ACTIVITY not in client.session
