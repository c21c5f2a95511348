"""Signing in and out: the login page, throttling of guessed passwords, and the audit log."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kasane.accounts.forms import LoginForm
from kasane.accounts.models import LoginAttempt, Staff
from kasane.accounts.services import client_address, login_throttled
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import PASSWORD, StaffFactory

LOGIN_URL = "/accounts/login/"


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client: Client) -> Staff | None:
    user_id = client.session.get("_auth_user_id")
    return Staff.objects.get(pk=user_id) if user_id else None


def throttled_message() -> str:
    with translation.override("ja"):
        return str(LoginForm.error_messages["throttled"]) % {"minutes": 15}


@pytest.mark.django_db
def test_login_page_renders_in_japanese_by_default() -> None:
    response = Client().get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert 'name="username"' in html
    assert 'name="password"' in html


def test_signs_in_with_the_right_password(caseworker: Staff) -> None:
    client = Client()
    response = sign_in(client, "houkatsu", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert signed_in_as(client) == caseworker
    assert client.get("/").status_code == 200


def test_wrong_password_fails_with_a_message(caseworker: Staff) -> None:
    client = Client()
    response = sign_in(client, "houkatsu", "not-the-password")
    assert response.status_code == 200
    assert signed_in_as(client) is None
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["invalid_login"]
    with translation.override("ja"):
        message = str(LoginForm.error_messages["invalid_login"])
    assert message in response.content.decode()


def test_inactive_account_cannot_sign_in(caseworker: Staff) -> None:
    caseworker.is_active = False
    caseworker.save()
    client = Client()
    assert sign_in(client, "houkatsu", PASSWORD).status_code == 200
    assert signed_in_as(client) is None


def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(
    caseworker: Staff,
) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, "houkatsu", "guess")
    response = sign_in(client, "houkatsu", PASSWORD)
    assert response.status_code == 200
    assert signed_in_as(client) is None
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == ["throttled"]
    assert throttled_message() in response.content.decode()


def test_four_failures_still_allow_the_right_password(caseworker: Staff) -> None:
    client = Client()
    for _ in range(4):
        sign_in(client, "houkatsu", "guess")
    assert sign_in(client, "houkatsu", PASSWORD).status_code == 302
    assert signed_in_as(client) == caseworker


def test_account_throttle_ignores_case_and_address(caseworker: Staff) -> None:
    """Changing the case of the user name or the address does not buy more guesses."""
    for i in range(5):
        sign_in(Client(), "HOUKATSU" if i % 2 else "houkatsu", "guess", f"192.0.2.{i + 1}")
    client = Client()
    response = sign_in(client, "houkatsu", PASSWORD, "198.51.100.7")
    assert signed_in_as(client) is None
    assert throttled_message() in response.content.decode()


def test_account_throttle_does_not_lock_out_other_accounts(caseworker: Staff) -> None:
    other = StaffFactory.create(username="kodomo")
    for _ in range(5):
        sign_in(Client(), "houkatsu", "guess")
    client = Client()
    assert sign_in(client, "kodomo", PASSWORD).status_code == 302
    assert signed_in_as(client) == other


def test_failures_older_than_the_window_no_longer_count(caseworker: Staff) -> None:
    for _ in range(5):
        sign_in(Client(), "houkatsu", "guess")
    sixteen_minutes_ago = timezone.now() - datetime.timedelta(minutes=16)
    LoginAttempt.objects.all().update(at=sixteen_minutes_ago)
    client = Client()
    assert sign_in(client, "houkatsu", PASSWORD).status_code == 302
    assert signed_in_as(client) == caseworker


def test_failures_inside_the_window_still_count(caseworker: Staff) -> None:
    for _ in range(5):
        sign_in(Client(), "houkatsu", "guess")
    fourteen_minutes_ago = timezone.now() - datetime.timedelta(minutes=14)
    LoginAttempt.objects.all().update(at=fourteen_minutes_ago)
    assert login_throttled(username="houkatsu", ip_address=None)


def test_fifty_failures_from_one_address_block_that_address(caseworker: Staff) -> None:
    for i in range(50):
        sign_in(Client(), f"nobody{i}", "guess", "203.0.113.5")
    blocked = Client()
    response = sign_in(blocked, "houkatsu", PASSWORD, "203.0.113.5")
    assert signed_in_as(blocked) is None
    assert throttled_message() in response.content.decode()
    # The account itself is not locked: from another address it signs in.
    elsewhere = Client()
    assert sign_in(elsewhere, "houkatsu", PASSWORD, "203.0.113.6").status_code == 302
    assert signed_in_as(elsewhere) == caseworker


def test_forty_nine_failures_from_one_address_do_not_block_it(caseworker: Staff) -> None:
    for i in range(49):
        sign_in(Client(), f"nobody{i}", "guess", "203.0.113.5")
    client = Client()
    assert sign_in(client, "houkatsu", PASSWORD, "203.0.113.5").status_code == 302


def test_successful_login_is_audited(caseworker: Staff) -> None:
    sign_in(Client(), "houkatsu", PASSWORD)
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN
    assert event.actor == caseworker
    assert event.actor_username == "houkatsu"
    assert event.agency_name == caseworker.agency.name  # type: ignore[union-attr]
    assert event.request_id


def test_failed_login_is_audited_without_the_password(caseworker: Staff) -> None:
    sign_in(Client(), "houkatsu", "my-secret-guess-123")
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN_FAILED
    assert event.actor is None
    assert event.actor_username == "houkatsu"
    assert event.detail == {"throttled": False, "known_account": True}
    assert "my-secret-guess-123" not in str(vars(event))


def test_password_typed_into_the_user_name_box_is_stored_nowhere(caseworker: Staff) -> None:
    """People type their password into the wrong box; it must not land in any table."""
    sign_in(Client(), PASSWORD, PASSWORD)
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN_FAILED
    assert event.actor_username == ""
    assert event.detail == {"throttled": False, "known_account": False}
    stored = [str(vars(e)) for e in AuditEvent.objects.all()]
    stored += [str(vars(a)) for a in LoginAttempt.objects.all()]
    assert LoginAttempt.objects.count() == 1
    assert not any(PASSWORD in row or PASSWORD.lower() in row for row in stored)


def test_unknown_user_names_are_still_throttled(db: object) -> None:
    for _ in range(5):
        sign_in(Client(), "mistyped-name", "guess", f"192.0.2.{_ + 1}")
    assert login_throttled(username="mistyped-name", ip_address=None)
    assert login_throttled(username="Mistyped-Name", ip_address=None)
    assert not login_throttled(username="another-name", ip_address=None)


def test_throttled_attempt_is_audited_as_throttled(caseworker: Staff) -> None:
    for _ in range(5):
        sign_in(Client(), "houkatsu", "guess")
    sign_in(Client(), "houkatsu", PASSWORD)
    last = AuditEvent.objects.order_by("-sequence").first()
    assert last is not None
    assert last.action == AuditAction.LOGIN_FAILED
    assert last.detail == {"throttled": True, "known_account": True}
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_logout_is_post_only_and_audited(caseworker: Staff) -> None:
    client = Client()
    client.force_login(caseworker)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_as(client) == caseworker

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_as(client) is None
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGOUT
    assert event.actor == caseworker


def test_anonymous_logout_writes_no_audit_event(db: object) -> None:
    response = Client().post("/accounts/logout/")
    assert response.status_code == 302
    assert not AuditEvent.objects.exists()


def test_signed_in_user_visiting_login_goes_home(caseworker: Staff, login) -> None:
    response = login(caseworker).get(LOGIN_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_login_does_not_redirect_to_another_site(caseworker: Staff) -> None:
    response = Client().post(
        f"{LOGIN_URL}?next=https://evil.example/",
        {"username": "houkatsu", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_pages_need_a_signed_in_user(db: object) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


class TestClientAddress:
    def test_uses_the_socket_address_without_proxies(self, rf, settings) -> None:
        settings.KASANE_TRUSTED_PROXY_COUNT = 0
        request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
        assert client_address(request) == "192.0.2.1"

    def test_takes_the_address_the_trusted_proxy_appended(self, rf, settings) -> None:
        settings.KASANE_TRUSTED_PROXY_COUNT = 1
        request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
        # The client may forge the first entry; only the proxy's own entry is trusted.
        assert client_address(request) == "198.51.100.9"

    def test_two_proxies(self, rf, settings) -> None:
        settings.KASANE_TRUSTED_PROXY_COUNT = 2
        request = rf.get(
            "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9, 10.0.0.2"
        )
        assert client_address(request) == "198.51.100.9"

    def test_garbage_is_no_address(self, rf, settings) -> None:
        settings.KASANE_TRUSTED_PROXY_COUNT = 1
        request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="<script>")
        assert client_address(request) is None


def test_production_settings_hash_passwords_with_argon2() -> None:
    """The test settings swap in a fast hasher; production must start with Argon2."""
    production = importlib.import_module("kasane.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hasher_is_installed(caseworker: Staff, settings) -> None:
    from django.contrib.auth.hashers import make_password

    production = importlib.import_module("kasane.settings")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    assert make_password("a-long-enough-password").startswith("argon2$")


# --- the admin site's own sign-in page is no way around the throttle ----------------------


def test_admin_sign_in_page_is_throttled_too(admin_user: Staff) -> None:
    for _ in range(5):
        Client().post(
            "/admin/login/", {"username": "admin", "password": "guess"}, REMOTE_ADDR="192.0.2.1"
        )
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.1",
    )
    assert response.status_code == 200
    assert signed_in_as(client) is None
    assert throttled_message() in response.content.decode()


def test_admin_sign_in_and_out_are_audited(admin_user: Staff) -> None:
    client = Client()
    Client().post("/admin/login/", {"username": "admin", "password": "guess"})
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert signed_in_as(client) == admin_user
    client.post("/admin/logout/")
    assert signed_in_as(client) is None
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == [AuditAction.LOGIN_FAILED, AuditAction.LOGIN, AuditAction.LOGOUT]


def test_admin_sign_in_page_still_refuses_other_roles(caseworker: Staff) -> None:
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "houkatsu", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 200
    assert signed_in_as(client) is None


def test_a_successful_sign_in_clears_the_account_count(caseworker: Staff) -> None:
    """Four typos, a success, then two more typos: the right password still works."""
    for _ in range(4):
        sign_in(Client(), "houkatsu", "guess")
    assert sign_in(Client(), "houkatsu", PASSWORD).status_code == 302
    for _ in range(2):
        sign_in(Client(), "houkatsu", "guess")
    client = Client()
    assert sign_in(client, "houkatsu", PASSWORD).status_code == 302
    assert signed_in_as(client) == caseworker


def test_attempts_older_than_a_day_are_pruned(caseworker: Staff) -> None:
    old = LoginAttempt.objects.create(
        at=timezone.now() - datetime.timedelta(days=2), account_key="x", succeeded=False
    )
    sign_in(Client(), "houkatsu", "guess")
    assert not LoginAttempt.objects.filter(pk=old.pk).exists()
    assert LoginAttempt.objects.count() == 1
