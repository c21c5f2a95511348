"""Pages that belong to no single domain: home, health check, functions not built yet."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kasane.core.functions import FUNCTIONS_BY_SLUG
from kasane.core.home import panels_context


def home(request: HttpRequest) -> HttpResponse:
    """The start page: for staff who work cases, their inbox; each app adds its panel
    (``kasane.core.home``)."""
    return render(request, "core/home.html", panels_context(request))


def function_pending(request: HttpRequest, slug: str) -> HttpResponse:
    """A function of the program that this version of Kasane does not offer yet, said plainly."""
    function = FUNCTIONS_BY_SLUG.get(slug)
    if function is None:
        raise Http404
    if function.url_name:
        return redirect(function.url_name)
    return render(request, "core/function_pending.html", {"function": function})


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database answers, 503 when it does not.

    HEAD is answered too: some load balancers probe with it.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
