"""Case pages: my cases, the case page with its timeline and the forms on a case.
Thin: forms parse, ``cases.selectors`` read, services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kasane.accounts.models import Role, Staff
from kasane.audit.models import Purpose
from kasane.cases import forms, services
from kasane.cases import selectors as case_selectors
from kasane.cases.models import Case
from kasane.core.dates import local_date
from kasane.core.exports import csv_response, requested_encoding
from kasane.core.row_version import CONFLICT_MESSAGE, EditConflict, changes_text
from kasane.core.web import page_number, require_role, run_service
from kasane.privacy.cases import works_cases
from kasane.privacy.consent import member_consents

# A refusal by a case service, said on the form it came from.
DENIED = gettext_lazy("Your agency cannot do this on this case.")


def home_panel(request: HttpRequest) -> dict[str, object]:
    """The start page's inbox, for staff who work cases (``kasane.core.home``)."""
    user = request.user
    if not isinstance(user, Staff) or not user.works_cases:
        return {"inbox": None}
    return {"inbox": case_selectors.inbox_for(user)}


def case_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, works_cases)
    page = case_selectors.case_list_for_user(actor, page_number(request))
    return render(request, "cases/case_list.html", {"page": page})


def case_list_csv(request: HttpRequest) -> HttpResponse:
    """The case list as CSV (``?encoding=cp932`` for older Excel); each export is audited."""
    actor = require_role(request, works_cases)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    encoding = requested_encoding(request.GET)
    cases = case_selectors.case_list_export_for_user(actor)
    header = [
        _("case number"),
        _("head of household"),
        _("opened at"),
        _("status"),
        _("lead agency"),
        _("triage"),
        _("support decision"),
        _("closed at"),
    ]
    rows = (
        [
            case.number,
            # Only heads the actor may read were fetched; the others stay blank.
            case.household.heads[0].person.name if case.household.heads else None,  # type: ignore[attr-defined]
            local_date(case.opened_at),
            case.get_status_display(),
            case.lead_agency.name if case.lead_agency else None,
            case.get_triage_display() if case.triage else None,
            local_date(case.accepted_at),
            local_date(case.closed_at),
        ]
        for case in cases
    )
    filename = f"{_('Cases')}_{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, header, rows, encoding=encoding)


def case_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    detail = case_selectors.case_detail_for_user(actor, public_id, page_number(request))
    context = {
        "detail": detail,
        "case": detail.case,
        "note_form": forms.CaseNoteForm(),
        "status_form": forms.StatusForm(record=detail.case),
        "is_coordinator": actor.role == Role.COORDINATOR,
        "member_consents": member_consents(detail.members),
    }
    return render(request, "cases/case_detail.html", context)


def form_case(request: HttpRequest, actor: Staff, public_id: UUID, purpose: Purpose) -> Case:
    """The case behind a form. Its page (GET) is a view of the case; a POST is the change
    itself, which the service records: the check before it writes nothing (one action, one
    audit event)."""
    if request.method == "POST":
        return case_selectors.checked_case(actor, public_id)
    return case_selectors.get_case_for_user(actor, public_id, purpose=purpose)


def form_shown_again(request: HttpRequest, actor: Staff, case: Case, purpose: Purpose) -> None:
    """A POST that changed nothing shows the case again with the form: that is a view."""
    if request.method == "POST":
        case_selectors.record_case_view(actor, case, purpose=purpose)


def _case_form_page(
    request: HttpRequest,
    public_id: UUID,
    *,
    form_class: type[django_forms.Form],
    template: str,
    action: Callable[[Staff, Case, dict[str, Any]], Any],
    success: str,
    purpose: Purpose,
    form_kwargs: Callable[[Staff], dict[str, Any]] | None = None,
) -> HttpResponse:
    actor = require_role(request, works_cases)
    case = form_case(request, actor, public_id, purpose)
    kwargs = form_kwargs(actor) if form_kwargs else {}
    form = form_class(request.POST or None, **kwargs)
    if run_service(request, form, lambda data: action(actor, case, data), success, denied=DENIED):
        return redirect("cases:case_detail", case.public_id)
    form_shown_again(request, actor, case, purpose)
    return render(request, template, {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
def note_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _case_form_page(
        request,
        public_id,
        form_class=forms.CaseNoteForm,
        template="cases/note_form.html",
        action=lambda actor, case, data: services.case_note_create(actor=actor, case=case, **data),
        success=_("The note was saved."),
        purpose=Purpose.ADD_NOTE,
    )


@require_http_methods(["GET", "POST"])
def referral_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _case_form_page(
        request,
        public_id,
        form_class=forms.ReferralForm,
        template="cases/referral_form.html",
        action=lambda actor, case, data: services.referral_create(actor=actor, case=case, **data),
        success=_("The referral was sent. It waits in the other agency's inbox."),
        purpose=Purpose.REFER,
        form_kwargs=lambda actor: {"agency_id": actor.agency_id},
    )


@require_http_methods(["GET", "POST"])
def coordination_send(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _case_form_page(
        request,
        public_id,
        form_class=forms.ReasonForm,
        template="cases/coordination_form.html",
        action=lambda actor, case, data: services.case_send_to_coordination(
            actor=actor, case=case, reason=data["reason"]
        ),
        success=_("The case was sent to multi-agency coordination."),
        purpose=Purpose.SEND_TO_COORDINATION,
    )


@require_http_methods(["GET", "POST"])
def handover_request(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _case_form_page(
        request,
        public_id,
        form_class=forms.HandoverForm,
        template="cases/handover_form.html",
        action=lambda actor, case, data: services.handover_request(
            actor=actor, case=case, to_agency=data["to_agency"], note=data["note"]
        ),
        success=_("The hand-over was requested. The lead changes when the agency accepts."),
        purpose=Purpose.HANDOVER,
        form_kwargs=lambda actor: {"agency_id": actor.agency_id},
    )


@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """終結 goes through the plans' closure: a reason from the list, the final evaluation,
    and for a case with 支援決定 the 重層的支援会議 that decided it."""
    from kasane.plans.views import closure_create

    return closure_create(request, public_id)


@require_POST
def status_change(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    case = case_selectors.checked_case(actor, public_id)
    form = forms.StatusForm(request.POST)
    try:
        done = run_service(
            request,
            form,
            lambda data: services.case_status_change(
                actor=actor, case=case, status=data["status"], row_version=data["row_version"]
            ),
            _("The status was changed."),
            denied=DENIED,
        )
    except EditConflict:
        # The form sits on the case page: say what changed there, in the messages (the
        # status only: no view of the case).
        case = case_selectors.checked_case(actor, public_id)
        messages.error(request, str(CONFLICT_MESSAGE))
        for line in changes_text(form.conflict(case)):
            messages.error(request, line)
        return redirect("cases:case_detail", case.public_id)
    if not done:
        for error in form.errors.values():
            for message in error:
                messages.error(request, str(message))
    return redirect("cases:case_detail", case.public_id)
