"""Session limits and the two-factor gate, for every page.

Both run after authentication and the message store (see MIDDLEWARE in settings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from kasane.accounts import sessions, two_factor
from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis

View = Callable[..., HttpResponse]


def two_factor_not_required(view: View) -> View:
    """Mark a view the two-factor gate lets through: the verification and enrolment pages
    themselves, and signing out."""
    view.two_factor_exempt = True  # type: ignore[attr-defined]
    return view


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect a browser follows, also from an HTMX request (which would otherwise swap
    the target page into a fragment of the current one)."""
    if _is_htmx(request):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class SessionTimeoutMiddleware:
    """Sign out a session idle for ``KASANE_IDLE_MINUTES``, or older than
    ``SESSION_COOKIE_AGE`` since its sign-in however busy it was, with a message on the
    sign-in page and an audit event saying which limit ended it.

    No page polls the server (a test guards that), so every request a signed-in browser
    makes is the user at work and counts as activity.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._check(request)
            if expired is not None:
                return expired
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        at = sessions.now()
        started = session.get(sessions.SIGNED_IN_AT)
        last = session.get(sessions.LAST_ACTIVITY)
        if not isinstance(started, int) or not isinstance(last, int):
            # A session from before these limits: its clocks start now.
            session[sessions.SIGNED_IN_AT] = session[sessions.LAST_ACTIVITY] = at
            return None
        if at - started > settings.SESSION_COOKIE_AGE:
            hours = f"{settings.SESSION_COOKIE_AGE / 3600:g}"
            return self._expire(
                request,
                "absolute",
                _(
                    "You were signed out because %(hours)s hours have passed since you signed "
                    "in. Please sign in again."
                )
                % {"hours": hours},
            )
        if at - last > settings.KASANE_IDLE_MINUTES * 60:
            return self._expire(
                request,
                "idle",
                _(
                    "You were signed out after %(minutes)d minutes without activity, to protect "
                    "the personal information on screen. Please sign in again."
                )
                % {"minutes": settings.KASANE_IDLE_MINUTES},
            )
        if at - last >= sessions.ACTIVITY_PRECISION_SECONDS:
            session[sessions.LAST_ACTIVITY] = at
        return None

    def _expire(self, request: HttpRequest, reason: str, message: str) -> HttpResponse:
        user = request.user
        if isinstance(user, Staff):
            audit.record(
                actor=user,
                action=AuditAction.LOGOUT,
                legal_basis=LegalBasis.NONE,
                detail={"reason": f"{reason}_timeout"},
            )
        logout(request)
        messages.warning(request, message)
        if _is_htmx(request) or request.method != "GET":
            # Whatever was being sent is not replayed after signing in again.
            return _redirect(request, resolve_url(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path())


class TwoFactorMiddleware:
    """Until the second factor is given, a signed-in session reaches only the verification
    and enrolment pages and signing out; every other page redirects there.

    Views open to anyone (the sign-in page, the API, whose bearer tokens are their own
    sign-in, the health check) are left alone, as LoginRequiredMiddleware leaves them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not two_factor.enabled() or not getattr(view, "login_required", True):
            return None
        if not request.user.is_authenticated:
            return None
        current = two_factor.state(request)
        if current is two_factor.State.OK:
            return None
        # Read by base.html: no navigation to pages that would only redirect back here.
        request.two_factor_pending = True  # type: ignore[attr-defined]
        if getattr(view, "two_factor_exempt", False):
            return None
        step = "accounts:two_factor_verify"
        if current is two_factor.State.ENROL:
            step = "accounts:two_factor_enrol"
        url = reverse(step)
        if request.method == "GET" and not _is_htmx(request):
            return redirect_to_login(request.get_full_path(), url)
        return _redirect(request, url)
