"""The auditor's pages: the audit log (read-only) and its export."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kasane.accounts.models import Staff
from kasane.audit.export import audit_export_for_user, csv_chunks, jsonl_lines
from kasane.audit.forms import AuditFilterForm
from kasane.audit.selectors import EventPage, event_page, may_read_audit_log
from kasane.core.exports import ENCODING_LABELS, content_disposition, requested_encoding


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
