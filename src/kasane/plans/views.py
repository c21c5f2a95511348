"""Plan pages: the case page's section, the assessment sheet, the plan with its versions and
differences, the review and the closure (評価シート), and the A4 prints.
Thin: forms parse, ``privacy.plan_selectors`` read, ``plans.services`` write."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kasane.audit.models import Purpose
from kasane.cases.views import _actor, _apply_errors
from kasane.core.row_version import EditConflict
from kasane.plans import forms, services
from kasane.privacy import plan_selectors
from kasane.privacy.cases import NoDetailBasis


def _try(request: HttpRequest, form: django_forms.Form, action: Any, success: str) -> bool:
    """Run the service on a valid form; its refusals land on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        action(form)
    except EditConflict:
        raise  # the page shows what changed (plan_detail)
    except ValidationError as error:
        _apply_errors(form, error)
        return False
    except NoDetailBasis:
        raise
    except PermissionDenied:
        form.add_error(None, _("Your agency cannot do this on this case."))
        return False
    messages.success(request, success)
    return True


def _writer(access: Any) -> None:
    """Reading is not writing: an agency that may read but is not on the team gets 403."""
    if not access.may_write:
        raise PermissionDenied


@require_GET
def case_plans(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The plans section of the case page (loaded into it by HTMX)."""
    actor = _actor(request)
    section = plan_selectors.case_plans_for_user(actor, public_id)
    return render(request, "plans/_case_plans.html", {"section": section, "case": section.case})


# --- assessment ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    access = plan_selectors.case_for_plans(actor, public_id)
    _writer(access)
    form = forms.AssessmentForm(request.POST or None, members=access.members)
    created: list[Any] = []
    if _try(
        request,
        form,
        lambda f: created.append(
            services.assessment_create(actor=actor, case=access.case, **f.service_kwargs())
        ),
        _("The assessment was saved."),
    ):
        return redirect("plans:assessment_detail", created[0].public_id)
    plan_selectors.record_form_view(actor, access, purpose=Purpose.ASSESSMENT)
    return render(request, "plans/assessment_form.html", {"case": access.case, "form": form})


@require_GET
def assessment_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    view = plan_selectors.get_assessment_for_user(actor, public_id)
    return render(
        request,
        "plans/assessment_detail.html",
        {"view": view, "assessment": view.assessment, "case": view.case},
    )


@require_GET
def assessment_print(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """インテーク・アセスメントシート on A4, with the genogram and the ecomap."""
    actor = _actor(request)
    view = plan_selectors.get_assessment_for_user(actor, public_id, purpose=Purpose.PRINT)
    return render(
        request,
        "plans/assessment_print.html",
        {"view": view, "assessment": view.assessment, "case": view.case, "reader": actor},
    )


# --- reviews and closure -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    access = plan_selectors.case_for_plans(actor, public_id)
    _writer(access)
    plan = access.plan
    if not access.case.is_open or plan is None:
        messages.error(
            request,
            _("This case is closed; its plan is no longer reviewed.")
            if not access.case.is_open
            else _("This case has no approved plan to review yet."),
        )
        return redirect("cases:case_detail", access.case.public_id)
    form = forms.ReviewForm(request.POST or None, goals=access.goals)
    created: list[Any] = []
    if _try(
        request,
        form,
        lambda f: created.append(
            services.review_record(actor=actor, case=access.case, **f.service_kwargs())
        ),
        _("The review was recorded."),
    ):
        return redirect("plans:review_detail", created[0].public_id)
    plan_selectors.record_form_view(actor, access, purpose=Purpose.REVIEW)
    return render(
        request, "plans/review_form.html", {"case": access.case, "plan": plan, "form": form}
    )


@require_GET
def review_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    view = plan_selectors.get_review_for_user(actor, public_id)
    return render(
        request,
        "plans/review_detail.html",
        {"view": view, "review": view.review, "case": view.case},
    )


@require_http_methods(["GET", "POST"])
def closure_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """終結 with the reason and the final evaluation; the case page's "close" goes here."""
    actor = _actor(request)
    access = plan_selectors.case_for_plans(actor, public_id)
    _writer(access)
    case = access.case
    if not case.is_open:
        messages.error(request, _("This case is closed."))
        return redirect("cases:case_detail", case.public_id)
    form = forms.ClosureForm(
        request.POST or None,
        agency_id=actor.agency_id,
        items=plan_selectors.approval_items(actor, case),
        goals=access.goals,
    )
    if _try(
        request,
        form,
        lambda f: services.closure_record(actor=actor, case=case, **f.service_kwargs()),
        _("The case was closed."),
    ):
        return redirect("cases:case_detail", case.public_id)
    plan_selectors.record_form_view(actor, access, purpose=Purpose.CLOSE)
    return render(
        request, "plans/closure_form.html", {"case": case, "form": form, "plan": access.plan}
    )
