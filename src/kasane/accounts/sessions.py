"""Signed-in sessions: when they began, when they were last used, and ending them.

Times are Unix seconds in the (server-side) session. The last activity is written at most
once a minute, so reading a page does not turn into a session write each time; an idle
session may therefore end up to a minute before its limit, never after.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from kasane.accounts.models import Staff

SIGNED_IN_AT = "kasane_signed_in_at"
LAST_ACTIVITY = "kasane_last_activity"
ACTIVITY_PRECISION_SECONDS = 60


def now() -> int:
    return int(time.time())


def session_start(*, request: HttpRequest | None, **kwargs: Any) -> None:
    """On sign-in (the user_logged_in signal): the session's clocks start now."""
    if request is None:
        return
    at = now()
    request.session[SIGNED_IN_AT] = at
    request.session[LAST_ACTIVITY] = at


def sessions_end_for(staff: Staff, *, keep: str | None = None) -> int:
    """Delete every database session signed in as ``staff``; returns how many.

    ``keep``: the session key of the request doing this, which must outlive its own request.
    Sessions are signed cookies' keys into the database table (the default engine); each is
    decoded to find its user, which is fine for the few an administrator's action touches.
    """
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    mine = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.pk != keep and s.get_decoded().get("_auth_user_id") == str(staff.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)
