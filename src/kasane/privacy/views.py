"""Pages of the privacy module: the audit log (read-only), consents and break-glass."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kasane.accounts.models import Staff
from kasane.cases.selectors import get_case_for_user
from kasane.core.exports import ENCODING_LABELS, content_disposition, requested_encoding
from kasane.privacy import services
from kasane.privacy.audit_export import audit_export_for_user, csv_chunks, jsonl_lines
from kasane.privacy.consent import get_consent_for_user
from kasane.privacy.consent_forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    ConsentForm,
    WithdrawForm,
)
from kasane.privacy.forms import AuditFilterForm
from kasane.privacy.selectors_audit import (
    EventPage,
    break_glass_page,
    event_page,
    get_break_glass_for_review,
    may_read_audit_log,
)
from kasane.registry.selectors import get_person_for_user


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
            "privacy/audit_log.html",
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


def _staff(request: HttpRequest) -> Staff:
    user = request.user
    if not isinstance(user, Staff):
        raise PermissionDenied
    return user


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Record a consent on the person's page (相談受付・申込票, with consent)."""
    actor = _staff(request)
    person = get_person_for_user(actor, public_id, purpose="consent")
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(actor=actor, person=person, data=form.consent_input())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("registry:person_detail", person.public_id)
    return render(request, "privacy/consent_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _staff(request)
    consent = get_consent_for_user(actor, public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(actor=actor, consent=consent, note=form.cleaned_data["note"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The consent was withdrawn; access resting on it ended."))
            return redirect("registry:person_detail", consent.person.public_id)
    return render(request, "privacy/consent_withdraw.html", {"form": form, "consent": consent})


@require_POST
def break_glass_start(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _staff(request)
    case = get_case_for_user(actor, public_id, purpose="break_glass")
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            services.break_glass_start(actor=actor, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.warning(request, _("Emergency access is open for 24 hours and logged."))
    else:
        messages.error(request, _("Say why life or safety is at risk."))
    return redirect("cases:case_detail", case.public_id)


@require_GET
def break_glass_list(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    try:
        number = max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        number = 1
    page = break_glass_page(actor, number)
    return render(request, "privacy/break_glass_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def break_glass_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _staff(request)
    glass = get_break_glass_for_review(actor, public_id)
    form = BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_review(actor=actor, glass=glass, note=form.cleaned_data["note"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The review was recorded."))
            return redirect("privacy:break_glass_list")
    return render(request, "privacy/break_glass_review.html", {"form": form, "glass": glass})
