"""The API's URLs, included at ``/api/v1/``.

The bearer token is the API's sign-in, so its views are exempt from the site's
LoginRequiredMiddleware (and from CSRF: no cookie signs a request in). Every view answers
in Japanese unless the client's Accept-Language puts English first, whatever language a
browser session chose for the pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from kasane.api.api import api, not_found

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


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = language_for(request)
        with translation.override(language):
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                # Raised outside an operation (the API's root): still JSON.
                response = not_found()
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
                pattern.pattern, api_view(pattern.callback), pattern.default_args, pattern.name
            )
        )
    result.append(re_path(r"^.*$", api_view(_unknown_path)))
    return result


urlpatterns = _patterns()
