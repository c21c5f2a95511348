"""Password rules after NIST SP 800-63B, and the page where staff change their own."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client

from kasane.accounts.models import Role, Staff
from kasane.accounts.services import staff_create
from kasane.audit.models import AuditAction, AuditEvent
from kasane.conftest import PASSWORD, StaffFactory
from kasane.demo.city import DEMO_PASSWORD


def problems(password: str, user: Staff | None = None) -> list[str]:
    """The codes of the rules a password breaks, under the production validators."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return [e.code or "" for e in error.error_list]
    return []


@pytest.fixture
def staff(db: object) -> Staff:
    return StaffFactory.create(
        username="tanaka.hanako", display_name="田中 花子", email="hanako.tanaka@example.jp"
    )


# --- accepted ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "sunny meadow by the river",  # letters and spaces only: no composition rule
        "483920175562",  # twelve digits, not a sequence
        "かさねの森で朝ごはんを食べる",  # Japanese is fine
        "correct horse battery staple",
        DEMO_PASSWORD,  # the demo still works
    ],
)
def test_long_unpredictable_passwords_are_accepted_whatever_characters_they_use(
    password: str, staff: Staff
) -> None:
    assert problems(password, staff) == []


def test_sixty_four_and_up_to_128_characters_are_allowed(staff: Staff) -> None:
    phrase = "the kettle sings when the morning train leaves the valley station"
    assert len(phrase) >= 64
    assert problems(phrase, staff) == []
    assert problems((phrase + " " + phrase)[:128], staff) == []


def test_no_composition_rule_is_configured() -> None:
    production = importlib.import_module("kasane.settings")
    names = [v["NAME"].rsplit(".", 1)[-1] for v in production.AUTH_PASSWORD_VALIDATORS]
    assert "NumericPasswordValidator" not in names
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "MaximumLengthValidator",
        "BreachedPasswordValidator",
        "RepetitivePasswordValidator",
    ]
    assert production.AUTH_PASSWORD_VALIDATORS == django_settings.AUTH_PASSWORD_VALIDATORS


# --- refused -------------------------------------------------------------------------------


def test_eleven_characters_are_too_short(staff: Staff) -> None:
    assert problems("plum-kettle", staff) == ["password_too_short"]
    assert problems("plum-kettles", staff) == []


def test_more_than_128_characters_are_too_long(staff: Staff) -> None:
    assert "password_too_long" in problems("k" + "river stone " * 11, staff)


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123", "1qaz2wsx3edc"])
def test_passwords_from_the_breached_list_are_refused(password: str, staff: Staff) -> None:
    assert "password_breached" in problems(password, staff)


@pytest.mark.parametrize(
    "password",
    [
        "Password2024!",  # leaked word + year + symbol
        "P@ssw0rd-2026",  # look-alike letters
        "dragon12345678",
        "!!sakura!!2026",  # a romaji word people use
        "1l0veyou#2025",
        "doraemon-0101",
    ],
)
def test_leaked_passwords_with_digits_or_symbols_added_are_refused(
    password: str, staff: Staff
) -> None:
    assert "password_breached_variant" in problems(password, staff)


def test_the_service_name_with_digits_is_refused(staff: Staff) -> None:
    assert "password_context_word" in problems("Kasane2026!!", staff)
    assert "password_context_word" in problems("kasane@@1234", staff)


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "abcabcabcabc",
        "123456789012",
        "abcdefghijklm",
        "zyxwvutsrqpo",
        "qwertyuiopas",
        "0987654321098",
        "hellohellohello",
    ],
)
def test_repetitions_and_sequences_are_refused(password: str, staff: Staff) -> None:
    assert "password_repetitive" in problems(password, staff)


def test_a_password_like_the_users_name_or_email_is_refused(staff: Staff) -> None:
    assert "password_too_similar" in problems("tanaka.hanako1", staff)
    assert "password_too_similar" in problems("hanako.tanaka@example", staff)


def test_the_staff_service_applies_the_rules(db: object) -> None:
    with pytest.raises(ValidationError):
        staff_create(username="weak", password="Password2024!", role=Role.ANALYST, agency=None)
    assert not Staff.objects.filter(username="weak").exists()


def test_the_demo_password_passes_the_rules(db: object) -> None:
    assert problems(DEMO_PASSWORD) == []


# --- changing one's own password ------------------------------------------------------------

CHANGE = "/accounts/password/"
NEW = "the lantern by the old ferry"
WEAK = "P@ssw0rd-2026"


def test_the_page_explains_the_rules(caseworker: Staff, login) -> None:
    response = login(caseworker).get(CHANGE)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'name="{name}"' in html
    assert "12" in html


def test_a_weak_new_password_is_refused_with_the_reason(caseworker: Staff, login) -> None:
    client = login(caseworker)
    response = client.post(
        CHANGE,
        {
            "old_password": PASSWORD,
            "new_password1": "P@ssw0rd-2026",
            "new_password2": "P@ssw0rd-2026",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["new_password2"]
    assert [e.code for e in errors] == ["password_breached_variant"]
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)


def test_the_current_password_is_needed(caseworker: Staff, login) -> None:
    client = login(caseworker)
    response = client.post(
        CHANGE, {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    caseworker: Staff,
) -> None:
    here = Client()
    here.post("/accounts/login/", {"username": "houkatsu", "password": PASSWORD})
    elsewhere = Client()
    elsewhere.post("/accounts/login/", {"username": "houkatsu", "password": PASSWORD})
    before = here.session.session_key

    response = here.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.check_password(NEW)
    assert here.get("/").status_code == 200
    assert here.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert elsewhere.get("/registry/households/")["Location"].startswith("/accounts/login/")

    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="staff")
    assert event.actor == caseworker
    assert event.detail == {"via": "self", "fields": ["password"]}
    assert NEW not in str(vars(event))


def test_anonymous_visitors_cannot_open_the_page(db: object) -> None:
    response = Client().get(CHANGE)
    assert response["Location"].startswith("/accounts/login/")
