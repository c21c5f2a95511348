"""Two-factor sign-in: enrolment, verification, recovery codes, the gate, the lock-out and the
administrator's reset. The test settings switch 2FA off; every test here switches it on."""

from __future__ import annotations

import time
from binascii import unhexlify

import pytest
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kasane.accounts import two_factor
from kasane.accounts.forms import THROTTLED_MESSAGE
from kasane.accounts.models import LoginAttempt, Role, Staff
from kasane.api.services import api_token_create
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import PASSWORD, StaffFactory

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/verify/"
ENROL = "/accounts/two-factor/enrol/"
CODES = "/accounts/two-factor/recovery-codes/"
HOME = "/"


@pytest.fixture(autouse=True)
def two_factor_on(settings) -> None:
    settings.KASANE_2FA = True
    settings.KASANE_2FA_REQUIRED_ROLES = [r for r in Role.values if r != Role.VOLUNTEER]


def code_for(key: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def enrolled(staff: Staff) -> tuple[TOTPDevice, list[str]]:
    """An authenticator already set up (as the enrolment page leaves it), and its codes."""
    key = "3132333435363738393031323334353637383930"
    device = TOTPDevice.objects.create(user=staff, name="authenticator", key=key, confirmed=True)
    static = StaticDevice.objects.create(user=staff, name="recovery", confirmed=True)
    codes = [f"code{i:04d}" for i in range(10)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return device, codes


def tokens_of(staff: Staff) -> set[str]:
    return set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))


def password_step(client: Client, username: str, address: str = "192.0.2.10") -> None:
    response = client.post(LOGIN, {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)
    assert response.status_code == 302, "the password itself was refused"


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def ja(message: object, **params: object) -> str:
    with translation.override("ja"):
        text = str(message)
    return text % params if params else text


# --- the gate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/registry/households/", "/registry/search/", "/accounts/password/", "/admin/"],
)
def test_caseworker_without_an_app_reaches_no_page_before_enrolling(
    caseworker: Staff, path: str
) -> None:
    client = Client()
    password_step(client, "houkatsu")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


def test_after_the_password_the_login_redirect_leads_to_enrolment(caseworker: Staff) -> None:
    client = Client()
    response = client.post(
        LOGIN, {"username": "houkatsu", "password": PASSWORD, "next": "/registry/households/"}
    )
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=/registry/households/"


def test_htmx_requests_are_redirected_by_header_not_swapped(caseworker: Staff) -> None:
    client = Client()
    password_step(client, "houkatsu")
    response = client.get("/registry/households/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == ENROL
    assert response.content == b""


def test_posts_are_refused_before_the_second_factor(caseworker: Staff) -> None:
    client = Client()
    password_step(client, "houkatsu")
    response = client.post("/registry/households/new/", {"address": "x"})
    assert response.status_code == 302
    assert response["Location"] == ENROL


def test_user_with_an_app_is_asked_for_its_code(caseworker: Staff) -> None:
    enrolled(caseworker)
    client = Client()
    password_step(client, "houkatsu")
    response = client.get("/registry/households/")
    assert response["Location"] == f"{VERIFY}?next=/registry/households/"
    page = client.get(VERIFY)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="code"' in html
    assert 'autocomplete="one-time-code"' in html
    # Nothing to click through to while the second factor is missing, but signing out works.
    assert reverse("registry:household_list") not in html
    assert reverse("accounts:logout") in html


def test_pending_user_can_sign_out(caseworker: Staff) -> None:
    client = Client()
    password_step(client, "houkatsu")
    response = client.post("/accounts/logout/")
    assert response["Location"] == reverse("accounts:login")
    assert not signed_in(client)


def test_the_api_keeps_its_own_sign_in(caseworker: Staff) -> None:
    """A bearer token is its own sign-in: the gate is for browser sessions."""
    _record, token = api_token_create(staff=caseworker, name="test")
    response = Client().get("/api/v1/need-types", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


# --- enrolment -----------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_keeps_them_on_reload(
    caseworker: Staff,
) -> None:
    client = Client()
    password_step(client, "houkatsu")
    first = client.get(ENROL)
    assert first.status_code == 200
    html = first.content.decode()
    assert "<svg" in html and "<path" in html  # drawn on the server, no image request
    assert "<img" not in html
    key = client.session[two_factor.SESSION_ENROL_KEY]
    secret = two_factor.secret_for_display(key)
    assert secret in html
    assert len(secret.replace(" ", "")) == 32  # 20 bytes in Base32
    # The secret never goes into a URL or a script; the QR encodes the otpauth address.
    assert "otpauth://" not in html
    again = client.get(ENROL)
    assert secret in again.content.decode()
    assert not TOTPDevice.objects.exists()  # nothing stored before the first code


def test_first_code_confirms_the_app_and_ten_recovery_codes_are_shown_once(
    caseworker: Staff,
) -> None:
    client = Client()
    password_step(client, "houkatsu")
    client.get(ENROL)
    key = client.session[two_factor.SESSION_ENROL_KEY]
    response = client.post(ENROL, {"code": code_for(key), "next": "/registry/households/"})
    assert response.status_code == 302
    assert response["Location"] == f"{CODES}?next=%2Fregistry%2Fhouseholds%2F"

    device = TOTPDevice.objects.get(user=caseworker)
    assert device.confirmed and device.key == key
    stored = set(
        StaticToken.objects.filter(device__user=caseworker).values_list("token", flat=True)
    )
    assert len(stored) == 10

    shown = client.get(response["Location"])
    html = shown.content.decode()
    assert all(two_factor.format_recovery_code(c) in html for c in stored)
    assert 'href="/registry/households/"' in html
    # Shown once: a reload (or someone at the desk later) sees none of them.
    html_again = client.get(CODES).content.decode()
    assert not any(two_factor.format_recovery_code(c) in html_again for c in stored)

    assert client.get("/registry/households/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="two_factor")
    assert event.actor == caseworker
    assert event.detail == {"operation": "enrol", "recovery_codes": 10}
    assert not any(c in str(vars(e)) for e in AuditEvent.objects.all() for c in stored)


def test_a_wrong_first_code_is_refused_and_nothing_is_enrolled(caseworker: Staff) -> None:
    client = Client()
    password_step(client, "houkatsu")
    client.get(ENROL)
    key = client.session[two_factor.SESSION_ENROL_KEY]
    wrong = f"{(int(code_for(key)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.exists()
    assert client.get("/").status_code == 302
    assert LoginAttempt.objects.filter(succeeded=False).count() == 1


def test_the_code_that_confirmed_the_app_cannot_sign_in_again(caseworker: Staff) -> None:
    client = Client()
    password_step(client, "houkatsu")
    client.get(ENROL)
    key = client.session[two_factor.SESSION_ENROL_KEY]
    code = code_for(key)
    client.post(ENROL, {"code": code})
    other = Client()
    password_step(other, "houkatsu")
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert other.get("/").status_code == 302


def test_an_enrolled_user_cannot_enrol_a_second_app_past_the_first(caseworker: Staff) -> None:
    """Someone holding only the password must not replace the app with their own."""
    enrolled(caseworker)
    client = Client()
    password_step(client, "houkatsu")
    response = client.post(ENROL, {"code": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=caseworker).count() == 1
    assert client.get("/").status_code == 302  # still asked for the first app's code


# --- verification --------------------------------------------------------------------------


def test_the_apps_code_signs_in_and_is_audited(caseworker: Staff) -> None:
    device, _codes = enrolled(caseworker)
    client = Client()
    password_step(client, "houkatsu")
    response = client.post(VERIFY, {"code": code_for(device.key), "next": "/registry/households/"})
    assert response["Location"] == "/registry/households/"
    assert client.get("/registry/households/").status_code == 200
    logins = AuditEvent.objects.filter(action=AuditAction.LOGIN).order_by("sequence")
    assert [e.detail for e in logins] == [
        {"step": "password", "second_factor": "pending"},
        {"step": "two_factor", "method": "totp"},
    ]


def test_a_wrong_code_is_refused_with_a_message(caseworker: Staff) -> None:
    device, _codes = enrolled(caseworker)
    client = Client()
    password_step(client, "houkatsu")
    wrong = f"{(int(code_for(device.key)) + 500_000) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get("/").status_code == 302
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor == caseworker
    assert failed.detail == {"step": "two_factor", "throttled": False, "known_account": True}


def test_a_recovery_code_signs_in_once(caseworker: Staff) -> None:
    _device, codes = enrolled(caseworker)
    client = Client()
    password_step(client, "houkatsu")
    # Typed as shown (with a hyphen, in capitals): still the same code.
    typed = two_factor.format_recovery_code(codes[3]).upper()
    response = client.post(VERIFY, {"code": typed})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=caseworker).count() == 9
    assert not StaticToken.objects.filter(token=codes[3]).exists()

    again = Client()
    password_step(again, "houkatsu")
    assert again.post(VERIFY, {"code": codes[3]}).status_code == 200
    assert again.get("/").status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN).order_by("-sequence")[1]
    assert event.detail == {"step": "two_factor", "method": "recovery_code"}


def test_another_users_recovery_code_does_not_work(caseworker: Staff, outsider: Staff) -> None:
    enrolled(caseworker)
    _device, their_codes = enrolled(outsider)
    StaticToken.objects.filter(device__user=caseworker).delete()
    client = Client()
    password_step(client, "houkatsu")
    assert client.post(VERIFY, {"code": their_codes[0]}).status_code == 200
    assert client.get("/").status_code == 302


def test_user_can_make_new_recovery_codes_and_the_old_ones_stop_working(
    caseworker: Staff,
) -> None:
    device, old_codes = enrolled(caseworker)
    client = Client()
    password_step(client, "houkatsu")
    client.post(VERIFY, {"code": code_for(device.key)})
    response = client.post("/accounts/two-factor/recovery-codes/new/")
    assert response["Location"] == CODES
    html = client.get(CODES).content.decode()
    new_codes = set(
        StaticToken.objects.filter(device__user=caseworker).values_list("token", flat=True)
    )
    assert len(new_codes) == 10 and not new_codes & set(old_codes)
    assert all(two_factor.format_recovery_code(c) in html for c in new_codes)


# --- who is asked ----------------------------------------------------------------------------


def test_volunteer_signs_in_with_the_password_alone(db: object) -> None:
    StaffFactory.create(username="minsei", role=Role.VOLUNTEER)
    client = Client()
    password_step(client, "minsei")
    assert client.get("/").status_code == 200


def test_volunteers_can_be_required_too(settings, db: object) -> None:
    settings.KASANE_2FA_REQUIRED_ROLES = list(Role.values)
    StaffFactory.create(username="minsei", role=Role.VOLUNTEER)
    client = Client()
    password_step(client, "minsei")
    assert client.get("/")["Location"].startswith(ENROL)


def test_a_volunteer_who_set_up_an_app_is_asked_for_its_code(db: object) -> None:
    volunteer = StaffFactory.create(username="minsei", role=Role.VOLUNTEER)
    enrolled(volunteer)
    client = Client()
    password_step(client, "minsei")
    assert client.get("/")["Location"].startswith(VERIFY)


# An account waiting for confirmation reads nothing; it enrols once its role is confirmed
# (test_access_requests: an admin's password reset leads to a new enrolment).
@pytest.mark.parametrize(
    "role", [r for r in Role.values if r not in (Role.VOLUNTEER, Role.PENDING)]
)
def test_every_other_role_must_enrol_by_default(role: str, db: object) -> None:
    from kasane import settings as production

    assert production.KASANE_2FA is True
    assert role in production.KASANE_2FA_REQUIRED_ROLES
    StaffFactory.create(username="someone", role=role)
    client = Client()
    password_step(client, "someone")
    assert client.get("/")["Location"].startswith(ENROL)


def test_switched_off_nothing_is_asked_and_the_pages_are_gone(settings, caseworker) -> None:
    settings.KASANE_2FA = False
    client = Client()
    password_step(client, "houkatsu")
    assert client.get("/").status_code == 200
    assert client.get(ENROL).status_code == 404
    assert client.get(VERIFY).status_code == 404


def test_a_mistyped_role_stops_the_start(settings) -> None:
    from django.apps import apps

    settings.KASANE_2FA_REQUIRED_ROLES = ["caseworker", "caseworkr"]
    with pytest.raises(ImproperlyConfigured, match="caseworkr"):
        apps.get_app_config("accounts").ready()


# --- lock-out shared with the password -----------------------------------------------------


def test_five_wrong_codes_lock_the_account_even_for_the_right_code(caseworker: Staff) -> None:
    device, _codes = enrolled(caseworker)
    client = Client()
    password_step(client, "houkatsu")
    right = code_for(device.key)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        client.post(VERIFY, {"code": wrong})
    response = client.post(VERIFY, {"code": right})
    assert response.status_code == 200
    assert ja(THROTTLED_MESSAGE, minutes=15) in response.content.decode()
    assert client.get("/").status_code == 302
    # The password step is locked too: the same count.
    other = Client()
    locked = other.post(LOGIN, {"username": "houkatsu", "password": PASSWORD})
    assert locked.status_code == 200
    assert not signed_in(other)


def test_signing_in_again_does_not_buy_more_code_guesses(caseworker: Staff) -> None:
    """A right password is not a success while its code is missing: four wrong codes, a new
    sign-in, one more wrong code — locked."""
    device, _codes = enrolled(caseworker)
    wrong = f"{(int(code_for(device.key)) + 500_000) % 1_000_000:06d}"
    first = Client()
    password_step(first, "houkatsu")
    for _ in range(4):
        first.post(VERIFY, {"code": wrong})
    second = Client()
    password_step(second, "houkatsu")
    second.post(VERIFY, {"code": wrong})
    response = second.post(VERIFY, {"code": code_for(device.key)})
    assert ja(THROTTLED_MESSAGE, minutes=15) in response.content.decode()
    assert second.get("/").status_code == 302


def test_wrong_enrolment_codes_lock_too(caseworker: Staff) -> None:
    client = Client()
    password_step(client, "houkatsu")
    client.get(ENROL)
    key = client.session[two_factor.SESSION_ENROL_KEY]
    wrong = f"{(int(code_for(key)) + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        client.post(ENROL, {"code": wrong})
    response = client.post(ENROL, {"code": code_for(key)})
    assert ja(THROTTLED_MESSAGE, minutes=15) in response.content.decode()
    assert not TOTPDevice.objects.exists()


# --- session rotation ----------------------------------------------------------------------


def test_verifying_the_code_rotates_the_session_key(caseworker: Staff) -> None:
    device, _codes = enrolled(caseworker)
    client = Client()
    password_step(client, "houkatsu")
    after_password = client.session.session_key
    client.post(VERIFY, {"code": code_for(device.key)})
    after_code = client.session.session_key
    assert after_password != after_code
    assert not Session.objects.filter(session_key=after_password).exists()
    assert client.get("/").status_code == 200


def test_enrolling_rotates_the_session_key(caseworker: Staff) -> None:
    client = Client()
    password_step(client, "houkatsu")
    client.get(ENROL)
    before = client.session.session_key
    client.post(ENROL, {"code": code_for(client.session[two_factor.SESSION_ENROL_KEY])})
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


# --- the administrator: reset after a lost phone ---------------------------------------------


@pytest.fixture
def verified_admin(admin_user: Staff) -> Client:
    device, _codes = enrolled(admin_user)
    client = Client()
    password_step(client, "admin")
    client.post(VERIFY, {"code": code_for(device.key)})
    assert client.get("/admin/").status_code == 200
    return client


def test_the_administrator_needs_the_second_factor_for_the_admin_site(admin_user) -> None:
    enrolled(admin_user)
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    response = client.get("/admin/accounts/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_reset_removes_the_app_and_codes_and_signs_the_user_out_everywhere(
    caseworker: Staff, verified_admin: Client, admin_user: Staff
) -> None:
    device, _codes = enrolled(caseworker)
    phone_lost = Client()
    password_step(phone_lost, "houkatsu")
    phone_lost.post(VERIFY, {"code": code_for(device.key)})
    assert phone_lost.get("/").status_code == 200

    response = verified_admin.post(
        "/admin/accounts/staff/",
        {"action": "reset_two_factor", "_selected_action": [caseworker.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert not StaticDevice.objects.filter(user=caseworker).exists()
    # The old session is gone; the next sign-in leads to a fresh enrolment.
    assert phone_lost.get("/")["Location"].startswith(LOGIN)
    fresh = Client()
    password_step(fresh, "houkatsu")
    assert fresh.get("/")["Location"].startswith(ENROL)
    # The administrator's own session goes on.
    assert verified_admin.get("/admin/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_type="two_factor")
    assert event.actor == admin_user
    assert event.object_id == str(caseworker.public_id)
    assert event.detail["operation"] == "reset"
    assert event.detail["devices"] == 2
    assert event.detail["sessions"] == 1


def test_the_staff_page_tells_the_administrator_the_sign_in_state(
    caseworker: Staff, verified_admin: Client
) -> None:
    device, _codes = enrolled(caseworker)
    html = verified_admin.get(f"/admin/accounts/staff/{caseworker.pk}/change/").content.decode()
    with translation.override("ja"):
        expected = gettext(
            "Authenticator app enrolled on %(date)s; %(left)d recovery codes left."
        ) % {"date": formats.date_format(timezone.localdate(device.created_at)), "left": 10}
        not_locked = gettext("Not locked.")
    assert expected in html
    assert not_locked in html


def test_administrators_never_see_anyones_secret(caseworker: Staff, verified_admin) -> None:
    """django-otp's own admin pages show each secret and QR code: they are not registered."""
    device, _codes = enrolled(caseworker)
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
    assert verified_admin.get("/admin/otp_totp/totpdevice/").status_code == 404
    html = verified_admin.get(f"/admin/accounts/staff/{caseworker.pk}/change/").content.decode()
    assert device.key not in html
