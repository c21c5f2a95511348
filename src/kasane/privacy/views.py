"""Pages of the privacy module: consents and break-glass."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kasane.accounts.models import Staff
from kasane.audit.models import Purpose
from kasane.cases.selectors import get_case_for_user
from kasane.core.web import apply_errors
from kasane.privacy import services
from kasane.privacy.break_glass_selectors import break_glass_page, get_break_glass_for_review
from kasane.privacy.consent import get_consent_for_user
from kasane.privacy.consent_export import person_consent_records
from kasane.privacy.consent_forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    ConsentForm,
    WithdrawForm,
)
from kasane.privacy.consent_preview import withdrawal_preview
from kasane.registry.selectors import get_person_for_user


def _staff(request: HttpRequest) -> Staff:
    user = request.user
    if not isinstance(user, Staff):
        raise PermissionDenied
    return user


@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Record a consent on the person's page (相談受付・申込票, with consent)."""
    actor = _staff(request)
    person = get_person_for_user(actor, public_id, purpose=Purpose.CONSENT)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(actor=actor, person=person, data=form.consent_input())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("registry:person_detail", person.public_id)
    return render(request, "privacy/consent_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The consent's page: whose, how given, what it covers, its history; and withdrawing it
    or part of it: a first POST shows which agencies lose access to which cases (and what
    still grants it); the confirmed POST withdraws."""
    actor = _staff(request)
    consent = get_consent_for_user(actor, public_id)
    form = WithdrawForm(request.POST or None, consent=consent)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            if not form.cleaned_data["confirm"]:
                preview = withdrawal_preview(actor, consent, form.change())
            else:
                services.consent_narrow(
                    actor=actor,
                    consent=consent,
                    change=form.change(),
                    note=form.cleaned_data["note"],
                )
        except ValidationError as error:
            apply_errors(form, error)
            preview = None
        else:
            if preview is None:
                messages.success(
                    request, _("The consent was withdrawn; access resting on it ended.")
                )
                return redirect("privacy:consent_withdraw", consent.public_id)
    return render(
        request,
        "privacy/consent_withdraw.html",
        {"form": form, "consent": consent, "preview": preview},
    )


@require_GET
def consent_export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A person's consent records as ISO/IEC TS 27560 JSON (audited download)."""
    actor = _staff(request)
    records = person_consent_records(actor, public_id)
    response = JsonResponse(records, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="consents_{public_id}.json"'
    return response


@require_POST
def break_glass_start(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _staff(request)
    case = get_case_for_user(actor, public_id, purpose=Purpose.BREAK_GLASS)
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
    end_now = "end_now" in request.POST
    if request.method == "POST" and form.is_valid():
        service = services.break_glass_end if end_now else services.break_glass_review
        try:
            service(actor=actor, glass=glass, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The emergency access ended now; the review was recorded.")
                if end_now
                else _("The review was recorded."),
            )
            return redirect("privacy:break_glass_list")
    running = glass.expires_at > timezone.now()
    return render(
        request,
        "privacy/break_glass_review.html",
        {"form": form, "glass": glass, "running": running},
    )
