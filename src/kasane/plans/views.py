"""Plan pages: the case page's section, the assessment sheet, the plan with its versions and
differences, the review and the closure (評価シート), and the A4 prints.
Thin: forms parse, ``plans.selectors`` read, ``plans.services`` write."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kasane.accounts.models import Staff
from kasane.audit.models import Purpose
from kasane.core.web import require_role, run_service
from kasane.plans import forms, services
from kasane.plans import selectors as plan_selectors
from kasane.privacy.cases import NoDetailBasis, works_cases

# A refusal by a plan service, said on the form it came from; NoDetailBasis (the agency
# sees the case but has no basis to read it) goes through to its own page.
DENIED = gettext_lazy("Your agency cannot do this on this case.")


def require_writer(access: Any) -> None:
    """Reading is not writing: an agency that may read but is not on the team gets 403."""
    if not access.may_write:
        raise PermissionDenied


def home_panel(request: HttpRequest) -> dict[str, object]:
    """The start page's plans: reviews due, and closures the coordinator is told of."""
    user = request.user
    if not isinstance(user, Staff) or not user.works_cases:
        return {"plans": None}
    return {"plans": plan_selectors.plan_inbox_for(user)}


@require_GET
def case_plans(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The plans section of the case page (loaded into it by HTMX)."""
    actor = require_role(request, works_cases)
    section = plan_selectors.case_plans_for_user(actor, public_id)
    return render(request, "plans/_case_plans.html", {"section": section, "case": section.case})


# --- assessment ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    access = plan_selectors.case_for_plans(actor, public_id)
    require_writer(access)
    form = forms.AssessmentForm(request.POST or None, members=access.members)
    created: list[Any] = []
    if run_service(
        request,
        form,
        lambda data: created.append(
            services.assessment_create(actor=actor, case=access.case, **form.service_kwargs())
        ),
        _("The assessment was saved."),
        denied=DENIED,
        passthrough=(NoDetailBasis,),
    ):
        return redirect("plans:assessment_detail", created[0].public_id)
    plan_selectors.record_form_view(actor, access, purpose=Purpose.ASSESSMENT)
    return render(request, "plans/assessment_form.html", {"case": access.case, "form": form})


@require_GET
def assessment_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    view = plan_selectors.get_assessment_for_user(actor, public_id)
    return render(
        request,
        "plans/assessment_detail.html",
        {"view": view, "assessment": view.assessment, "case": view.case},
    )


@require_GET
def assessment_print(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """インテーク・アセスメントシート on A4, with the genogram and the ecomap."""
    actor = require_role(request, works_cases)
    view = plan_selectors.get_assessment_for_user(actor, public_id, purpose=Purpose.PRINT)
    return render(
        request,
        "plans/assessment_print.html",
        {"view": view, "assessment": view.assessment, "case": view.case, "reader": actor},
    )


# --- reviews and closure -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    access = plan_selectors.case_for_plans(actor, public_id)
    require_writer(access)
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
    if run_service(
        request,
        form,
        lambda data: created.append(
            services.review_record(actor=actor, case=access.case, **form.service_kwargs())
        ),
        _("The review was recorded."),
        denied=DENIED,
        passthrough=(NoDetailBasis,),
    ):
        return redirect("plans:review_detail", created[0].public_id)
    plan_selectors.record_form_view(actor, access, purpose=Purpose.REVIEW)
    return render(
        request, "plans/review_form.html", {"case": access.case, "plan": plan, "form": form}
    )


@require_GET
def review_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    view = plan_selectors.get_review_for_user(actor, public_id)
    return render(
        request,
        "plans/review_detail.html",
        {"view": view, "review": view.review, "case": view.case},
    )


@require_http_methods(["GET", "POST"])
def closure_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """終結 with the reason and the final evaluation; the case page's "close" goes here."""
    actor = require_role(request, works_cases)
    access = plan_selectors.case_for_plans(actor, public_id)
    require_writer(access)
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
    if run_service(
        request,
        form,
        lambda data: services.closure_record(actor=actor, case=case, **form.service_kwargs()),
        _("The case was closed."),
        denied=DENIED,
        passthrough=(NoDetailBasis,),
    ):
        return redirect("cases:case_detail", case.public_id)
    plan_selectors.record_form_view(actor, access, purpose=Purpose.CLOSE)
    return render(
        request, "plans/closure_form.html", {"case": case, "form": form, "plan": access.plan}
    )
