"""Two-factor sign-in: a TOTP authenticator app, and one-time recovery codes.

A password alone opens nothing for the roles that read personal data: after it, the member
of staff either types the code of their authenticator app (or a recovery code), or — when
they have none yet and their role requires one — enrols an app first. Until then
:class:`kasane.accounts.middleware.TwoFactorMiddleware` refuses every other page.

Devices are django-otp's: a confirmed ``TOTPDevice`` for the app and a ``StaticDevice`` holding
the recovery codes. Verification goes through ``django_otp.verify_token`` (a row lock on the
device, so one code is not accepted twice by two requests at once).
"""

from __future__ import annotations

import enum
import re
import time
from base64 import b32encode
from binascii import unhexlify

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from kasane.accounts.models import Staff
from kasane.accounts.sessions import sessions_end_for
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"

# Session keys. The enrolment key lives in the (server-side) session until the first code
# confirms it, so reloading the page keeps the same QR code and no half-made device is left.
SESSION_ENROL_KEY = "kasane_2fa_enrol_key"
SESSION_EXEMPT_ROLE = "kasane_2fa_exempt_role"
SESSION_NEW_CODES = "kasane_2fa_new_codes"

_TOTP_CODE = re.compile(r"[0-9]{6}")


class Method(enum.StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


class State(enum.StrEnum):
    OK = "ok"  # verified, or not asked for a second factor
    VERIFY = "verify"  # has an authenticator: must type its code
    ENROL = "enrol"  # role requires one and there is none yet


def enabled() -> bool:
    return bool(settings.KASANE_2FA)


def role_requires(staff: Staff) -> bool:
    return enabled() and staff.role in settings.KASANE_2FA_REQUIRED_ROLES


def authenticator_for(staff: Staff) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=staff, confirmed=True).order_by("pk").first()


def needs_second_factor(staff: Staff) -> bool:
    """Whether a correct password must still be followed by a code (or an enrolment)."""
    return enabled() and (role_requires(staff) or authenticator_for(staff) is not None)


def state(request: HttpRequest) -> State:
    """Where the signed-in session stands. The device in the session is checked against the
    database on each request (django-otp's middleware), so a reset takes effect at once."""
    user = request.user
    if not enabled() or not isinstance(user, Staff) or not user.is_authenticated:
        return State.OK
    if user.is_verified():  # type: ignore[attr-defined]
        return State.OK
    # Not asked for a code: remembered per role, so a volunteer's every page costs no query.
    if request.session.get(SESSION_EXEMPT_ROLE) == user.role:
        return State.OK
    if authenticator_for(user) is not None:
        return State.VERIFY
    if role_requires(user):
        return State.ENROL
    request.session[SESSION_EXEMPT_ROLE] = user.role
    return State.OK


# --- enrolment -----------------------------------------------------------------------------


def enrolment_key(request: HttpRequest) -> str:
    """The secret offered to this session for enrolment, made once and kept until confirmed."""
    key = request.session.get(SESSION_ENROL_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = random_hex(20)
        request.session[SESSION_ENROL_KEY] = key
    return key


def config_url(staff: Staff, key: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return str(TOTPDevice(user=staff, key=key).config_url)


def qr_svg(url: str) -> str:
    """The QR code as inline SVG, drawn on the server: no script, no image request."""
    return str(
        segno.make(url, error="m").svg_inline(
            scale=5, dark="#000", light="#fff", title=_("QR code for your authenticator app")
        )
    )


def secret_for_display(key: str) -> str:
    """The secret as authenticator apps take it typed in: Base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode("ascii")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_step_matching(key: str, token: str) -> int | None:
    """The time step whose code ``token`` is (one step of clock drift either way), or None."""
    token = re.sub(r"\s", "", token)
    if not _TOTP_CODE.fullmatch(token):
        return None
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if totp.verify(int(token), tolerance=1):
        return int(totp.t())
    return None


@transaction.atomic
def two_factor_enrol(*, staff: Staff, key: str, step: int) -> tuple[TOTPDevice, list[str]]:
    """Confirm an authenticator whose code for ``step`` was just typed, and issue recovery
    codes. Any earlier device is replaced: one authenticator per account, so an administrator
    knows what a reset removes."""
    TOTPDevice.objects.filter(user=staff).delete()
    # last_t: the code that confirmed the app cannot be used again to sign in.
    device = TOTPDevice.objects.create(
        user=staff, name=DEVICE_NAME, key=key, confirmed=True, last_t=step
    )
    codes = _recovery_codes_replace(staff)
    audit.record(
        actor=staff,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.TWO_FACTOR,
        object_id=str(staff.public_id),
        detail={"operation": "enrol", "recovery_codes": len(codes)},
    )
    return device, codes


# --- recovery codes -----------------------------------------------------------------------


def _recovery_codes_replace(staff: Staff) -> list[str]:
    StaticDevice.objects.filter(user=staff).delete()
    device = StaticDevice.objects.create(user=staff, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, staff: Staff) -> list[str]:
    """A fresh set of recovery codes; the old set stops working at once."""
    if authenticator_for(staff) is None:
        raise ValueError("recovery codes belong to an enrolled authenticator")
    codes = _recovery_codes_replace(staff)
    audit.record(
        actor=staff,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.TWO_FACTOR,
        object_id=str(staff.public_id),
        detail={"operation": "recovery_codes_regenerate", "recovery_codes": len(codes)},
    )
    return codes


def recovery_codes_left(staff: Staff) -> int:
    return int(StaticToken.objects.filter(device__user=staff, device__confirmed=True).count())


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalise_recovery_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text).lower()


# --- verification --------------------------------------------------------------------------


def code_verify(*, staff: Staff, token: str) -> tuple[TOTPDevice | StaticDevice, Method] | None:
    """The device that accepts ``token``: six digits are the app's code, anything else is
    tried as a recovery code (which is then used up)."""
    compact = re.sub(r"\s", "", token)
    if _TOTP_CODE.fullmatch(compact):
        device = authenticator_for(staff)
        if device is not None:
            verified = django_otp.verify_token(staff, device.persistent_id, compact)
            if verified is not None:
                return verified, Method.TOTP
        return None
    code = normalise_recovery_code(token)
    if not code or len(code) > 16:
        return None
    for static in StaticDevice.objects.filter(user=staff, confirmed=True):
        verified = django_otp.verify_token(staff, static.persistent_id, code)
        if verified is not None:
            return verified, Method.RECOVERY_CODE
    return None


def session_verify(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    """Mark the session as past its second factor, under a new session key: a key an attacker
    planted or saw before this step is worth nothing after it."""
    request.session.cycle_key()
    request.session.pop(SESSION_ENROL_KEY, None)
    django_otp.login(request, device)


# --- administration ------------------------------------------------------------------------


@transaction.atomic
def two_factor_reset(*, staff: Staff, actor: Staff, keep_session: str | None = None) -> int:
    """The path back in after a lost phone: remove the account's authenticator and recovery
    codes, and sign the account out everywhere. At the next sign-in the password leads to a
    fresh enrolment (when the role requires one). Returns the number of devices removed."""
    apps = TOTPDevice.objects.filter(user=staff).delete()[1].get(TOTPDevice._meta.label, 0)
    codes = StaticDevice.objects.filter(user=staff).delete()[1].get(StaticDevice._meta.label, 0)
    removed = int(apps) + int(codes)
    ended = sessions_end_for(staff, keep=keep_session)
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.TWO_FACTOR,
        object_id=str(staff.public_id),
        detail={"operation": "reset", "via": "admin", "devices": removed, "sessions": ended},
    )
    return removed
