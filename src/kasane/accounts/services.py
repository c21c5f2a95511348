"""Sign-in throttling and staff administration."""

import datetime
import ipaddress

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from kasane.accounts.models import Agency, LoginAttempt, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType


def client_address(request: HttpRequest) -> str | None:
    """The client's address, taking X-Forwarded-For only from the configured proxies."""
    hops = settings.KASANE_TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _account_key(username: str) -> str:
    """The key an attempt is counted under: a keyed hash of the user name, case folded.

    Unknown names are throttled too (else guessing spreads over typos of a real name), but
    the text typed is never stored: it may be a password typed into the wrong box.
    """
    return salted_hmac(
        "kasane.accounts.login_attempt", username.strip().lower(), algorithm="sha256"
    ).hexdigest()


LOGIN_ATTEMPTS_KEPT = datetime.timedelta(days=1)


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.KASANE_LOGIN_WINDOW_MINUTES)


def login_throttled(*, username: str, ip_address: str | None) -> bool:
    """Whether too many sign-ins failed lately for this account, or from this address."""
    since = _window_start()
    failures = LoginAttempt.objects.filter(at__gte=since, succeeded=False)
    key = _account_key(username)
    # A successful sign-in clears the account's count: typos spread over a working day
    # must not lock anyone out.
    last_success = (
        LoginAttempt.objects.filter(account_key=key, succeeded=True, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    account_failures = failures.filter(account_key=key)
    if last_success is not None:
        account_failures = account_failures.filter(at__gt=last_success)
    if account_failures.count() >= settings.KASANE_LOGIN_MAX_FAILURES_PER_ACCOUNT:
        return True
    return bool(
        ip_address is not None
        and failures.filter(ip_address=ip_address).count()
        >= settings.KASANE_LOGIN_MAX_FAILURES_PER_ADDRESS
    )


@transaction.atomic
def login_attempt_record(
    *,
    username: str,
    ip_address: str | None,
    user: Staff | None,
    throttled: bool = False,
    second_factor_pending: bool = False,
) -> None:
    """Record a sign-in attempt, and write it to the audit log.

    A failed attempt's user name is logged only when it names an account: people sometimes
    type their password into the user-name box, and it must not land in a log.

    A right password that must still be followed by a code is not yet a success for the
    throttle: were it one, it would clear the count, and someone holding the password could
    guess codes four at a time for ever, signing in again between each four.
    """
    # Attempts only serve the throttle's window (the audit log keeps the sign-ins): keep a
    # day of them, so the table does not grow for ever.
    LoginAttempt.objects.filter(at__lt=timezone.now() - LOGIN_ATTEMPTS_KEPT).delete()
    if user is not None and second_factor_pending:
        audit.record(
            actor=user,
            action=AuditAction.LOGIN,
            legal_basis=LegalBasis.NONE,
            detail={"step": "password", "second_factor": "pending"},
        )
        return
    LoginAttempt.objects.create(
        at=timezone.now(),
        account_key=_account_key(username),
        ip_address=ip_address,
        succeeded=user is not None,
    )
    if user is not None:
        audit.record(
            actor=user,
            action=AuditAction.LOGIN,
            legal_basis=LegalBasis.NONE,
        )
        return
    known = Staff.objects.filter(username__iexact=username).exists()
    audit.record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        legal_basis=LegalBasis.NONE,
        detail={"throttled": throttled, "known_account": known},
        actor_username=username[:150] if known else "",
    )


@transaction.atomic
def second_factor_attempt_record(
    *,
    staff: Staff,
    ip_address: str | None,
    method: str | None,
    throttled: bool = False,
    step: str = "two_factor",
) -> None:
    """Record a code typed after the password (``method`` None: refused), in the same
    per-account and per-address count as passwords, and in the audit log."""
    LoginAttempt.objects.create(
        at=timezone.now(),
        account_key=_account_key(staff.username),
        ip_address=ip_address,
        succeeded=method is not None,
    )
    if method is not None:
        audit.record(
            actor=staff,
            action=AuditAction.LOGIN,
            legal_basis=LegalBasis.NONE,
            detail={"step": step, "method": method},
        )
        return
    audit.record(
        actor=staff,
        action=AuditAction.LOGIN_FAILED,
        legal_basis=LegalBasis.NONE,
        detail={"step": step, "throttled": throttled, "known_account": True},
    )


def login_locked_until(staff: Staff) -> datetime.datetime | None:
    """When the account's sign-in lock lifts by itself, or None if it is not locked.

    Only the per-account lock: a lock on an address (KASANE_LOGIN_MAX_FAILURES_PER_ADDRESS)
    belongs to no account and lifts with its window.
    """
    key = _account_key(staff.username)
    since = _window_start()
    last_success = (
        LoginAttempt.objects.filter(account_key=key, succeeded=True, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    failures = LoginAttempt.objects.filter(account_key=key, succeeded=False, at__gte=since)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    times = sorted(failures.values_list("at", flat=True), reverse=True)
    limit = settings.KASANE_LOGIN_MAX_FAILURES_PER_ACCOUNT
    if len(times) < limit:
        return None
    # It lifts when the oldest of the newest `limit` failures leaves the window.
    return times[limit - 1] + datetime.timedelta(minutes=settings.KASANE_LOGIN_WINDOW_MINUTES)


@transaction.atomic
def login_unlock(*, staff: Staff, actor: Staff) -> int:
    """An administrator lifts an account's sign-in lock before it expires by itself: the
    account's failed attempts are forgotten. Returns how many were."""
    removed, _detail = LoginAttempt.objects.filter(
        account_key=_account_key(staff.username), succeeded=False
    ).delete()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.STAFF,
        object_id=str(staff.public_id),
        detail={"operation": "sign_in_unlock", "via": "admin", "failures_cleared": removed},
    )
    return removed


@transaction.atomic
def password_change_record(*, staff: Staff) -> None:
    """A member of staff changed their own password (Django's form saved it): audited, as
    an administrator's change in the admin site is."""
    audit.record(
        actor=staff,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.STAFF,
        object_id=str(staff.public_id),
        detail={"via": "self", "fields": ["password"]},
    )


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    role: Role,
    agency: Agency | None,
    display_name: str = "",
) -> Staff:
    """Create a staff account. Only administrators may enter Django's admin site, and the
    password must pass the same validators as one chosen in the admin site."""
    staff = Staff(
        username=username,
        role=role,
        agency=agency,
        display_name=display_name,
        is_staff=role == Role.ADMIN,
    )
    staff.full_clean(exclude=["password"])
    password_validation.validate_password(password, staff)
    staff.set_password(password)
    staff.save()
    return staff
