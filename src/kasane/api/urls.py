"""The API's URLs, included at ``/api/v1/``.

The bearer token is the API's sign-in, so its views are exempt from the site's
LoginRequiredMiddleware (and from CSRF: no cookie signs a request in). Every view answers
in Japanese unless the client's Accept-Language puts English first, whatever language a
browser session chose for the pages.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kasane.api.api import api, error_response, not_found, unauthorized
from kasane.api.auth import StaffToken
from kasane.api.body import refuse_unreadable_body
from kasane.api.error_codes import ErrorCode
from kasane.core.text import nul_error

app_name = "api"
assert api.urls_namespace == app_name  # ninja reverses its own root by this namespace


def language_for(request: HttpRequest) -> str:
    """The first language of Accept-Language (by weight) that Kasane speaks; else Japanese."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(request.headers.get("Accept-Language", "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and weight > 0:
            weighted.append((-weight, index, tag))
    for _weight, _index, tag in sorted(weighted):
        try:
            return translation.get_supported_language_variant(tag)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


# An ISO date-time with a UTC offset; pydantic takes any offset under 24 hours.
_OFFSET = re.compile(r"^\d{4}-\d\d-\d\d[T ][\d:.]+([+-])(\d\d):?(\d\d)$")
MAX_OFFSET_MINUTES = 14 * 60  # Kiribati; PostgreSQL refuses beyond 15:59


def _unstorable(text: str) -> str | None:
    """Why the database cannot store ``text``, or None."""
    if "\x00" in text:
        return str(nul_error().messages[0])
    offset = _OFFSET.match(text)
    if offset is not None and int(offset[2]) * 60 + int(offset[3]) > MAX_OFFSET_MINUTES:
        return _("Enter a valid value.")
    return None


def _unstorable_fields(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        why = _unstorable(value)
        if why is not None:
            yield ".".join(path), why
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable_fields(key, path)
            yield from _unstorable_fields(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_fields(item, (*path, str(index)))


def refuse_unstorable(request: HttpRequest, kwargs: dict[str, Any]) -> HttpResponse | None:
    """A 422 for a value the database cannot store, anywhere in the path, query or JSON body.

    PostgreSQL text cannot hold NUL, nor a timestamp a UTC offset beyond 15:59: such values
    reached the database as a DataError (a 500) where SQLite stored them. Django's form
    fields refuse NUL; the API's schemas (pydantic) take both. A NUL is named as such.
    """
    fields = list(_unstorable_fields(kwargs))
    fields += list(_unstorable_fields({k: request.GET.getlist(k) for k in request.GET}))
    if request.content_type == "application/json":
        with contextlib.suppress(ValueError):  # not JSON: the operation answers that itself
            fields += list(_unstorable_fields(json.loads(request.body)))
    if not fields:
        return None
    named: dict[str, list[dict[str, str]]] = {}
    for field, why in fields:
        name = ".".join(p for p in field.split(".") if not p.isdigit()) or "body"
        error = {"code": ErrorCode.UNSTORABLE_VALUE, "message": why}
        if error not in named.setdefault(name, []):
            named[name].append(error)
    return error_response(
        422,
        ErrorCode.INVALID_INPUT,
        _("The request does not have the expected shape."),
        dict(sorted(named.items())),
    )


_SIGN_IN = StaffToken()
# The OpenAPI document is public; every operation signs in.
PUBLIC = frozenset({"openapi-json", "api-root"})


def refuse_before_reading(
    request: HttpRequest, kwargs: dict[str, Any], signs_in: bool
) -> HttpResponse | None:
    """Sign in first, then refuse a body the API cannot read, then a value it cannot store:
    nothing of a request without a valid token is read beyond its headers (the public
    views, the OpenAPI document and the 404 of an unknown path, read nothing at all)."""
    if not signs_in:
        return None
    if _SIGN_IN(request) is None:
        return unauthorized()
    return refuse_unreadable_body(request) or refuse_unstorable(request, kwargs)


def _methods(view: Callable[..., HttpResponse]) -> frozenset[str] | None:
    """The methods ninja's view answers (its PathView's operations), None if not found: a
    method it does not answer stays ninja's 405, before any sign-in."""
    for cell in getattr(view, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations is not None:
            return frozenset(method for op in operations for method in op.methods)
    return None


def api_view(
    view: Callable[..., HttpResponse], signs_in: bool = True
) -> Callable[..., HttpResponse]:
    methods = _methods(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = language_for(request)
        operation = signs_in and (methods is None or request.method in methods)
        with translation.override(language):
            try:
                response = refuse_before_reading(request, kwargs, operation) or view(
                    request, *args, **kwargs
                )
            except Http404:
                # Raised outside an operation (the API's root): still JSON.
                response = not_found()
            except Exception as error:  # before the operation: answered by its handlers
                response = api.on_exception(request, error)
        response.headers.setdefault("Content-Language", language)
        return response

    return login_not_required(csrf_exempt(wrapped))


def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return not_found()


def _patterns() -> list[URLPattern]:
    patterns, _app, _namespace = api.urls
    result = []
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        result.append(
            URLPattern(
                pattern.pattern,
                api_view(pattern.callback, signs_in=pattern.name not in PUBLIC),
                pattern.default_args,
                pattern.name,
            )
        )
    result.append(re_path(r"^.*$", api_view(_unknown_path, signs_in=False)))
    return result


urlpatterns = _patterns()
