"""The auditor's view of the audit log. Read-only: there is no way to change an event."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kasane.accounts.models import Staff
from kasane.privacy.forms import AuditFilterForm
from kasane.privacy.selectors_audit import EventPage, event_page, may_read_audit_log


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, Staff) or not may_read_audit_log(user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    try:
        number = max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        number = 1
    if form.is_bound and not form.is_valid():
        # A filter that cannot be applied shows nothing, never the unfiltered log under it.
        page = EventPage([], 1, False, False)
    else:
        page = event_page(form.cleaned_data if form.is_bound else {}, number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
