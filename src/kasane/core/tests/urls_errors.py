"""A URLconf for tests only: Kasane's URLs plus views that fail on purpose."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from kasane.urls import handler400, handler403, handler404, handler500
from kasane.urls import urlpatterns as kasane_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

SECRET = "草野ミツ-1946-08-03-secret-detail"


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"failed while handling {SECRET}")


def forbid(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET)


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    path("test-errors/explode/", explode),
    path("test-errors/explode-anonymous/", login_not_required(explode)),
    path("test-errors/forbid/", forbid),
    path("test-errors/suspicious/", login_not_required(suspicious)),
    *kasane_urlpatterns,
]
