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
from kasane.privacy.audit import audit_record
from kasane.privacy.models import AuditAction, LegalBasis


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
    *, username: str, ip_address: str | None, user: Staff | None, throttled: bool = False
) -> None:
    """Record a sign-in attempt, and write it to the audit log.

    A failed attempt's user name is logged only when it names an account: people sometimes
    type their password into the user-name box, and it must not land in a log.
    """
    # Attempts only serve the throttle's window (the audit log keeps the sign-ins): keep a
    # day of them, so the table does not grow for ever.
    LoginAttempt.objects.filter(at__lt=timezone.now() - LOGIN_ATTEMPTS_KEPT).delete()
    LoginAttempt.objects.create(
        at=timezone.now(),
        account_key=_account_key(username),
        ip_address=ip_address,
        succeeded=user is not None,
    )
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGIN, legal_basis=LegalBasis.NONE)
        return
    known = Staff.objects.filter(username__iexact=username).exists()
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        legal_basis=LegalBasis.NONE,
        actor_username=username[:150] if known else "",
        detail={"throttled": throttled, "known_account": known},
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
