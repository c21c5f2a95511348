"""The coordinator's pages: the board, triage, accepting a case, naming its lead."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kasane.accounts.models import Role, Staff
from kasane.audit.models import Purpose
from kasane.cases import forms, services
from kasane.cases import selectors as case_selectors
from kasane.cases.views import DENIED, form_case, form_shown_again
from kasane.core.dates import fiscal_year
from kasane.core.row_version import EditConflict
from kasane.core.web import page_number, require_role, run_service
from kasane.meetings.selectors import triage_a_by_meeting_kind
from kasane.privacy.cases import is_coordinator, works_cases


def _coordinator(request: HttpRequest) -> Staff:
    actor = require_role(request, works_cases)
    if actor.role != Role.COORDINATOR:
        raise Http404
    return actor


def board(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, is_coordinator)
    year_form = forms.BoardYearForm(request.GET or None)
    year = fiscal_year(timezone.localdate())
    if year_form.is_valid() and year_form.cleaned_data.get("year"):
        year = year_form.cleaned_data["year"]
    result = case_selectors.coordination_board(actor, year, page_number(request))
    inbox = case_selectors.inbox_for(actor)
    return render(
        request,
        "cases/board.html",
        {
            "board": result,
            "a_split": triage_a_by_meeting_kind(year),
            "year": year,
            "inbox": inbox,
            "years": range(year - 2, year + 2),
            "query": f"year={year}",
        },
    )


@require_http_methods(["GET", "POST"])
def triage(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, is_coordinator)
    case = form_case(request, actor, public_id, Purpose.TRIAGE)
    form = forms.TriageForm(request.POST or None, record=case)
    name_form = forms.NameLeadForm(initial={"agency": case.lead_agency})
    conflict = None
    try:
        if run_service(
            request,
            form,
            lambda data: services.case_triage(
                actor=actor,
                case=case,
                triage=data["triage"],
                advice=data["advice"],
                row_version=data["row_version"],
            ),
            _("The triage was recorded."),
            denied=DENIED,
        ):
            return redirect("cases:case_detail", case.public_id)
    except EditConflict:
        # Another coordinator triaged meanwhile: the case as it is now, and what changed.
        case = case_selectors.get_case_for_user(actor, public_id, purpose=Purpose.TRIAGE)
        conflict = form.conflict(case)
    else:
        form_shown_again(request, actor, case, Purpose.TRIAGE)
    return render(
        request,
        "cases/triage_form.html",
        {"case": case, "form": form, "name_form": name_form, "conflict": conflict},
        status=409 if conflict is not None else 200,
    )


@require_POST
def accept(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, is_coordinator)
    case = case_selectors.checked_case(actor, public_id)
    try:
        services.case_accept(actor=actor, case=case)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The support decision was recorded."))
    return redirect("cases:case_detail", case.public_id)


@require_POST
def name_lead(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, is_coordinator)
    case = case_selectors.checked_case(actor, public_id)
    form = forms.NameLeadForm(request.POST)
    if not run_service(
        request,
        form,
        lambda data: services.case_name_lead(actor=actor, case=case, agency=data["agency"]),
        _("The lead agency was named."),
        denied=DENIED,
    ):
        for error in form.errors.values():
            for message in error:
                messages.error(request, str(message))
    return redirect("cases:case_detail", case.public_id)
