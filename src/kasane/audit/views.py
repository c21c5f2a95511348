"""The auditor's pages: the audit log (read-only), its export, and the alerts to review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kasane.accounts.models import Staff
from kasane.audit import services
from kasane.audit.export import audit_export_for_user, csv_chunks, jsonl_lines
from kasane.audit.forms import AlertReviewForm, AuditFilterForm
from kasane.audit.selectors import (
    EventPage,
    alert_log_query,
    alert_page,
    event_page,
    get_alert,
    may_read_audit_log,
)
from kasane.core.exports import ENCODING_LABELS, content_disposition, requested_encoding
from kasane.core.web import apply_errors, page_number


def _auditor(request: HttpRequest) -> Staff:
    user = request.user
    if not isinstance(user, Staff) or not may_read_audit_log(user):
        raise PermissionDenied
    return user


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
        "audit/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The events the log's filters choose, for the auditor to keep and verify elsewhere:
    JSON Lines (``kasane audit_verify --export``) or CSV (``?format=csv``, ``&encoding=cp932``
    for older Excel). The export is recorded in the log."""
    user = request.user
    if not isinstance(user, Staff) or not may_read_audit_log(user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "audit/audit_log.html",
            {"form": form, "page": EventPage([], 1, False, False), "query": ""},
            status=400,
        )
    fmt = "csv" if request.GET.get("format") == "csv" else "jsonl"
    export = audit_export_for_user(user, form.cleaned_data, fmt)
    stamp = export.header["exported_at"][:10].replace("-", "")
    response: StreamingHttpResponse
    if fmt == "csv":
        encoding = requested_encoding(request.GET)
        suffix, charset = ENCODING_LABELS[encoding]
        response = StreamingHttpResponse(
            csv_chunks(export, encoding), content_type=f"text/csv; charset={charset}"
        )
        response["Content-Disposition"] = content_disposition(f"audit-log-{stamp}_{suffix}.csv")
    else:
        response = StreamingHttpResponse(
            jsonl_lines(export), content_type="application/x-ndjson; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition(f"audit-log-{stamp}.jsonl")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    """Accounts that made an unusual number of refused requests or aggregate views in an
    hour: waiting for review first."""
    _auditor(request)
    page = alert_page(page_number(request))
    rows = [(alert, alert_log_query(alert)) for alert in page.rows]
    return render(request, "audit/alert_list.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def alert_review(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _auditor(request)
    alert = get_alert(pk)
    form = AlertReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_review(actor=actor, alert=alert, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The review was recorded."))
            return redirect("audit:alert_list")
    return render(
        request,
        "audit/alert_review.html",
        {"alert": alert, "form": form, "log_query": alert_log_query(alert)},
    )
