"""Outreach pages: filing a concern report and following its status (reporters); the
reports, the by-name list of targets, a target's contact attempts and stage, and turning a
target into a case (outreach workers, coordinators).

Thin: forms parse, ``outreach.selectors`` read, ``outreach.services`` write.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kasane.accounts.models import Staff
from kasane.audit.models import Purpose
from kasane.core.exports import csv_response, requested_encoding
from kasane.core.web import page_number, require_role, run_service
from kasane.outreach import exports, forms, selectors, services
from kasane.outreach.models import STAGE_ORDER, ConcernReport, OutreachTarget
from kasane.privacy import outreach as outreach_policy
from kasane.privacy.consent_forms import ConsentForm


def _staff(request: HttpRequest) -> Staff:
    user = request.user
    assert isinstance(user, Staff)
    return user


def home_panel(request: HttpRequest) -> dict[str, object]:
    """The start page's outreach: silent targets and new concern reports."""
    user = request.user
    return {"outreach": selectors.outreach_home_for(user) if isinstance(user, Staff) else None}


# A refusal by an outreach service, said on the form it came from.
DENIED = gettext_lazy("You may not do this.")


def index(request: HttpRequest) -> HttpResponse:
    """The function's entry: reporters go to their reports, the team to the targets."""
    actor = _staff(request)
    if outreach_policy.works_outreach(actor):
        return redirect("outreach:target_list")
    if outreach_policy.may_report(actor):
        return redirect("outreach:my_reports")
    raise Http404


# --- reporters ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, outreach_policy.may_report)
    form = forms.ConcernReportForm(request.POST or None)
    created: list[ConcernReport] = []

    def create(data: dict[str, Any]) -> None:
        created.append(services.concern_report_create(actor=actor, **data))

    if run_service(request, form, create, _("Thank you. The report was received."), denied=DENIED):
        return redirect("outreach:my_report_detail", created[0].public_id)
    return render(request, "outreach/report_form.html", {"form": form})


def my_reports(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, outreach_policy.may_report)
    page = selectors.my_reports(actor, page_number(request))
    return render(request, "outreach/my_reports.html", {"page": page})


def my_report_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _staff(request)
    report = selectors.get_my_report(actor, public_id)
    return render(request, "outreach/my_report_detail.html", {"report": report})


# --- the outreach team: reports -----------------------------------------------------------


def report_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    page = selectors.report_list_for_outreach(actor, page_number(request))
    return render(request, "outreach/report_list.html", {"page": page})


def report_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    report = selectors.get_report_for_outreach(actor, public_id)
    return render(
        request,
        "outreach/report_detail.html",
        {
            "report": report,
            "status_form": forms.ReportStatusForm(initial={"status": report.status}),
        },
    )


@require_POST
def report_status(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    report = selectors.get_report_for_outreach(actor, public_id, purpose=Purpose.STATUS)
    form = forms.ReportStatusForm(request.POST)
    if not run_service(
        request,
        form,
        lambda data: services.concern_report_status_set(
            actor=actor, report=report, status=data["status"]
        ),
        _("The status was changed."),
        denied=DENIED,
    ):
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("outreach:report_detail", report.public_id)


# --- the outreach team: targets -----------------------------------------------------------


def target_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    month_form = forms.MonthForm(request.GET)
    month = month_form.cleaned_data.get("month") if month_form.is_valid() else None
    listing = selectors.target_list_for_user(actor, page_number(request), month=month)
    today = timezone.localdate()
    previous = (listing.flow.month - datetime.timedelta(days=1)).replace(day=1)
    following = (listing.flow.month + datetime.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "outreach/target_list.html",
        {
            "listing": listing,
            "page": listing.page,
            "previous_month": previous,
            "next_month": following if following <= today else None,
        },
    )


def target_list_csv(request: HttpRequest) -> HttpResponse:
    """The by-name list of open targets as CSV (``?encoding=cp932``); audited."""
    actor = require_role(request, outreach_policy.works_outreach)
    if request.method != "GET":
        raise Http404
    encoding = requested_encoding(request.GET)
    header = [
        _("target"),
        _("age (approximate)"),
        _("where"),
        _("stage"),
        _("worker"),
        _("case number"),
        _("last contact"),
        _("days since contact"),
        _("attempts"),
    ]
    rows = (
        [
            r.target.label,
            r.target.age_band,
            r.target.area.name if r.target.area else None,
            r.target.get_stage_display(),
            str(r.target.worker) if r.target.worker else None,
            r.target.case.number if r.target.case else None,
            r.last_contact,
            r.days_since_contact,
            r.attempts,
        ]
        for r in exports.outreach_target_export_for_user(actor)
    )
    filename = f"{_('Outreach targets')}_{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, header, rows, encoding=encoding)


def _target_form_page(
    request: HttpRequest,
    actor: Staff,
    form: forms.TargetForm,
    *,
    report: ConcernReport | None = None,
    target: OutreachTarget | None = None,
) -> HttpResponse:
    return render(
        request, "outreach/target_form.html", {"form": form, "report": report, "target": target}
    )


@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest, report_id: UUID | None = None) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    report = None
    initial: dict[str, Any] = {}
    if report_id is not None:
        report = selectors.get_report_for_outreach(actor, report_id, purpose=Purpose.OPEN_TARGET)
        initial = {
            "label": report.who or _("person reported at this place"),
            "area": report.area,
            "address": report.address,
            "description": report.details,
        }
    form = forms.TargetForm(request.POST or None, initial=initial, agency_id=actor.agency_id)
    created: list[OutreachTarget] = []

    def create(data: dict[str, Any]) -> None:
        created.append(services.target_open(actor=actor, report=report, **data))

    if run_service(request, form, create, _("The outreach target was opened."), denied=DENIED):
        return redirect("outreach:target_detail", created[0].public_id)
    return _target_form_page(request, actor, form, report=report)


@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    target = selectors.target_for_user(actor, public_id)
    initial = {f: getattr(target, f) for f in services.TARGET_FIELDS}
    form = forms.TargetForm(request.POST or None, initial=initial, agency_id=target.agency_id)

    def update(data: dict[str, Any]) -> None:
        data.pop("token", None)
        services.target_update(actor=actor, target=target, **data)

    if run_service(request, form, update, _("The outreach target was updated."), denied=DENIED):
        return redirect("outreach:target_detail", target.public_id)
    selectors.record_target_view(actor, target, purpose=Purpose.EDIT)
    return _target_form_page(request, actor, form, target=target)


def _detail_page(
    request: HttpRequest,
    actor: Staff,
    public_id: UUID,
    *,
    attempt_form: forms.AttemptForm | None = None,
    stage_form: forms.StageForm | None = None,
    close_form: forms.CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.target_detail_for_user(actor, public_id)
    target = detail.target
    next_stage = None
    index = STAGE_ORDER.index(target.stage)  # type: ignore[arg-type]
    if index + 1 < len(STAGE_ORDER):
        next_stage = STAGE_ORDER[index + 1]
    context = {
        "detail": detail,
        "target": target,
        "stages": STAGE_ORDER,
        "stage_index": index,
        "attempt_form": attempt_form or forms.AttemptForm(),
        "stage_form": stage_form or forms.StageForm(initial={"stage": next_stage or target.stage}),
        "close_form": close_form or forms.CloseForm(),
    }
    return render(request, "outreach/target_detail.html", context, status=status)


def target_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    return _detail_page(request, actor, public_id)


@require_POST
def attempt_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    # The write is audited by its service; a refused form shows the page (one view).
    target = selectors.target_for_user(actor, public_id)
    form = forms.AttemptForm(request.POST)
    if run_service(
        request,
        form,
        lambda data: services.attempt_record(actor=actor, target=target, **data),
        _("The contact attempt was recorded."),
        denied=DENIED,
    ):
        return redirect("outreach:target_detail", target.public_id)
    return _detail_page(request, actor, public_id, attempt_form=form, status=400)


@require_POST
def stage_move(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    # The write is audited by its service; a refused form shows the page (one view).
    target = selectors.target_for_user(actor, public_id)
    form = forms.StageForm(request.POST)
    if run_service(
        request,
        form,
        lambda data: services.target_stage_move(actor=actor, target=target, **data),
        _("The stage was changed."),
        denied=DENIED,
    ):
        return redirect("outreach:target_detail", target.public_id)
    return _detail_page(request, actor, public_id, stage_form=form, status=400)


@require_POST
def target_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    # The write is audited by its service; a refused form shows the page (one view).
    target = selectors.target_for_user(actor, public_id)
    form = forms.CloseForm(request.POST)
    if run_service(
        request,
        form,
        lambda data: services.target_close(actor=actor, target=target, **data),
        _("The outreach target was closed."),
        denied=DENIED,
    ):
        return redirect("outreach:target_detail", target.public_id)
    return _detail_page(request, actor, public_id, close_form=form, status=400)


@require_POST
def target_reopen(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, outreach_policy.works_outreach)
    # The write is audited by its service; a refused form shows the page (one view).
    target = selectors.target_for_user(actor, public_id)
    try:
        services.target_reopen(actor=actor, target=target)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The outreach target was reopened."))
    return redirect("outreach:target_detail", target.public_id)


@require_http_methods(["GET", "POST"])
def target_case(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The target becomes a case: only the consent is asked for; the rest is on record."""
    actor = require_role(request, outreach_policy.works_outreach)
    target = selectors.target_for_user(actor, public_id)
    form = ConsentForm(request.POST or None, initial={"agencies": [target.agency_id]})
    opened: list[Any] = []

    def open_case(data: dict[str, Any]) -> None:
        opened.append(
            services.target_to_case(actor=actor, target=target, consent=form.consent_input())
        )

    if run_service(
        request, form, open_case, _("The case was opened and the consent recorded."), denied=DENIED
    ):
        return redirect("cases:case_detail", opened[0].public_id)
    selectors.record_target_view(actor, target, purpose=Purpose.TO_CASE)
    return render(request, "outreach/target_case.html", {"form": form, "target": target})
