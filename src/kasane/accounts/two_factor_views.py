"""The second step of signing in: enrol an authenticator app, or type its code."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kasane.accounts import two_factor
from kasane.accounts.forms import CodeForm, EnrolForm, throttled_error
from kasane.accounts.middleware import two_factor_not_required
from kasane.accounts.models import Staff
from kasane.accounts.services import client_address, login_throttled, second_factor_attempt_record


def _staff(request: HttpRequest) -> Staff:
    if not two_factor.enabled():
        raise Http404
    user = request.user
    assert isinstance(user, Staff)
    return user


def _next_url(request: HttpRequest) -> str:
    """Where the user was going: a path on this site, else the home page."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(resolve_url("core:home"))


def _throttled(request: HttpRequest, staff: Staff, step: str) -> bool:
    """Codes share the password's lock: the same count per account and per address."""
    address = client_address(request)
    if login_throttled(username=staff.username, ip_address=address):
        second_factor_attempt_record(
            staff=staff, ip_address=address, method=None, throttled=True, step=step
        )
        return True
    return False


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    current = two_factor.state(request)
    if current is two_factor.State.ENROL:
        return redirect("accounts:two_factor_enrol")
    if current is two_factor.State.OK:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(request, staff, "two_factor"):
            form.add_error(None, throttled_error())
        else:
            found = two_factor.code_verify(staff=staff, token=form.cleaned_data["code"])
            second_factor_attempt_record(
                staff=staff,
                ip_address=client_address(request),
                method=found[1] if found else None,
            )
            if found is not None:
                device, method = found
                two_factor.session_verify(request, device)
                if method is two_factor.Method.RECOVERY_CODE:
                    left = two_factor.recovery_codes_left(staff)
                    messages.warning(
                        request,
                        _(
                            "You signed in with a recovery code; it cannot be used again. "
                            "%(left)d recovery codes are left."
                        )
                        % {"left": left},
                    )
                return redirect(_next_url(request))
            form.add_error(
                "code",
                _(
                    "The code is not correct. Check the time on your phone, and type the "
                    "newest code."
                ),
            )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@two_factor_not_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with a
    first code; ten recovery codes follow, shown once."""
    staff = _staff(request)
    if two_factor.authenticator_for(staff) is not None:
        # Replacing an app goes through the administrator (a reset), never past the old one.
        return redirect(_next_url(request))
    key = two_factor.enrolment_key(request)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(request, staff, "two_factor_enrol"):
            form.add_error(None, throttled_error())
        else:
            step = two_factor.totp_step_matching(key, form.cleaned_data["code"])
            if step is None:
                second_factor_attempt_record(
                    staff=staff,
                    ip_address=client_address(request),
                    method=None,
                    step="two_factor_enrol",
                )
                form.add_error(
                    "code",
                    _(
                        "The code is not correct. Check that the app shows Kasane and that the "
                        "time on your phone is right, then type the newest code."
                    ),
                )
            else:
                device, codes = two_factor.two_factor_enrol(staff=staff, key=key, step=step)
                second_factor_attempt_record(
                    staff=staff,
                    ip_address=client_address(request),
                    method=two_factor.Method.TOTP,
                    step="two_factor_enrol",
                )
                two_factor.session_verify(request, device)
                request.session[two_factor.SESSION_NEW_CODES] = codes
                query = urlencode({REDIRECT_FIELD_NAME: _next_url(request)})
                return redirect(f"{resolve_url('accounts:two_factor_recovery_codes')}?{query}")
    url = two_factor.config_url(staff, key)
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": mark_safe(two_factor.qr_svg(url)),  # noqa: S308 - drawn by segno, no input
            "secret": two_factor.secret_for_display(key),
            "next": _next_url(request),
        },
    )


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just issued, once: they are taken out of the session as shown."""
    staff = _staff(request)
    codes = request.session.pop(two_factor.SESSION_NEW_CODES, None)
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {
            "codes": [two_factor.format_recovery_code(c) for c in codes] if codes else None,
            "left": two_factor.recovery_codes_left(staff),
            "next": _next_url(request),
        },
    )


def status(request: HttpRequest) -> HttpResponse:
    """The account's sign-in settings: the password, and two-factor sign-in (enrolled or
    not, recovery codes left)."""
    staff = request.user
    assert isinstance(staff, Staff)
    device = two_factor.authenticator_for(staff) if two_factor.enabled() else None
    return render(
        request,
        "accounts/two_factor_status.html",
        {
            "enabled": two_factor.enabled(),
            "device": device,
            "required": two_factor.role_requires(staff),
            "left": two_factor.recovery_codes_left(staff) if device else 0,
        },
    )


@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    if two_factor.authenticator_for(staff) is None:
        return redirect("accounts:two_factor_enrol")
    request.session[two_factor.SESSION_NEW_CODES] = two_factor.recovery_codes_regenerate(
        staff=staff
    )
    return redirect("accounts:two_factor_recovery_codes")
