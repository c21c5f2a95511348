"""Error pages in Japanese that never echo the request or any record back."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def _page(request: HttpRequest | None, status: int, title: str, message: str) -> HttpResponse:
    body = render_to_string(
        "core/error.html", {"status": status, "title": title, "message": message}
    )
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request, 403, _("Not permitted"), _("Your role does not allow you to use this page.")
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _("The page does not exist, or you do not have access to it."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        500,
        _("Something went wrong"),
        _("The error has been recorded. Please try again, or tell your system administrator."),
    )
