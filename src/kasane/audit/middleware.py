"""Refused requests in the audit log: one place for every page and the API.

A signed-in account's request to a route that names a record (a URL with an id) and is
answered 404 or 403 writes one ``refused`` event with the id asked for, the route's name,
the method and the status — whether or not the record exists, so the row says no more than
the answer did. The query string is never kept.

It runs after the view has returned, outside any transaction the view opened (a change
rolled back by its refusal, or ``ATOMIC_REQUESTS``), so the refusal is recorded even when
everything else the request did is undone. Requests without an account are not recorded one
by one: they are sent to the sign-in page before any view runs, and the API answers them 401.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis

REFUSED_STATUSES = frozenset({403, 404})
# Path converters bound ids (uuid, int, slug); anything longer is cut, never stored whole.
MAX_ID_LENGTH = 64
# The kwarg that names the record a route is about, where a route names several.
PRIMARY_KWARG = "public_id"


def refused_request(request: HttpRequest, status: int) -> None:
    """Record ``request`` as refused when it names a record and has a signed-in actor."""
    match = request.resolver_match
    user = getattr(request, "user", None)
    if match is None or not match.kwargs or not isinstance(user, Staff):
        return
    if not user.is_authenticated:
        return
    asked = {name: str(value)[:MAX_ID_LENGTH] for name, value in sorted(match.kwargs.items())}
    object_id = asked.get(PRIMARY_KWARG) or next(iter(asked.values()))
    audit.record(
        actor=user,
        action=AuditAction.REFUSED,
        legal_basis=LegalBasis.NONE,
        object_id=object_id,
        detail={
            "route": match.view_name,
            "method": str(request.method),
            "status": status,
            "ids": asked,
        },
    )


class RefusedRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code in REFUSED_STATUSES:
            refused_request(request, response.status_code)
        return response
