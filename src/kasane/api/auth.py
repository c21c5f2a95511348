"""Bearer-token authentication: the API's sign-in, one token per staff member and system."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from kasane.accounts.models import Staff
from kasane.api.models import ApiToken
from kasane.api.services import TOKEN_SCHEME, token_digest
from kasane.privacy.cases import works_cases

# Writing last_used_at on every call would make each read a write (and, on SQLite, take the
# single write lock); a minute's precision is enough to see which tokens are in use.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
SIGNED_IN = "_kasane_api_signed_in"


class StaffToken(HttpBearer):
    """``Authorization: Bearer ksn_<prefix>_<secret>``; a revoked token or an inactive
    account is refused like an unknown one."""

    def authenticate(self, request: HttpRequest, token: str) -> Staff | None:
        # The API's URLs sign in before reading the body (kasane.api.urls), then the
        # operation signs in again: the second time is answered from the request.
        signed_in = getattr(request, SIGNED_IN, None)
        if signed_in is not None and signed_in[0] == token:
            return signed_in[1]  # type: ignore[no-any-return]
        staff = self._staff(token)
        setattr(request, SIGNED_IN, (token, staff))
        if staff is not None:
            request.user = staff
        return staff

    def _staff(self, token: str) -> Staff | None:
        if not token.startswith(f"{TOKEN_SCHEME}_") or len(token) > MAX_TOKEN_LENGTH:
            return None
        record = (
            ApiToken.objects.select_related("staff", "staff__agency")
            .filter(digest=token_digest(token), revoked_at__isnull=True, staff__is_active=True)
            .first()
        )
        if record is None:
            return None
        now = timezone.now()
        if record.last_used_at is None or now - record.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        return record.staff


def caller(request: HttpRequest) -> Staff:
    """The staff member the token belongs to."""
    staff = getattr(request, "auth", None)
    assert isinstance(staff, Staff)
    return staff


def case_worker(request: HttpRequest) -> Staff:
    """The caller, if their role works with households and cases; roles that never see a
    person learn nothing about whether one exists (404, as on the pages)."""
    staff = caller(request)
    if not works_cases(staff):
        raise Http404
    return staff
