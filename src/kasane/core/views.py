"""Pages that belong to no single domain: home, health check, functions not built yet."""

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kasane.accounts.models import Staff
from kasane.core.functions import FUNCTIONS_BY_SLUG
from kasane.core.selectors import unread_notifications
from kasane.core.services import notifications_read as mark_read


def home(request: HttpRequest) -> HttpResponse:
    """The start page: for staff who work cases, their inbox."""
    from kasane.cases.selectors import inbox_for
    from kasane.outreach.selectors import outreach_home_for
    from kasane.plans.selectors import plan_inbox_for

    user = request.user
    inbox = inbox_for(user) if isinstance(user, Staff) and user.works_cases else None
    # plans: reviews due, and closures the coordinator is told of.
    plans = plan_inbox_for(user) if isinstance(user, Staff) and user.works_cases else None
    notifications = unread_notifications(user) if isinstance(user, Staff) else []
    # outreach: silent targets and new concern reports (outreach workers, coordinators).
    outreach = outreach_home_for(user) if isinstance(user, Staff) else None
    return render(
        request,
        "core/home.html",
        {"inbox": inbox, "notifications": notifications, "plans": plans, "outreach": outreach},
    )


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the signed-in user's notifications as read."""
    user = request.user
    if isinstance(user, Staff):
        mark_read(user)
    return redirect("core:home")


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
