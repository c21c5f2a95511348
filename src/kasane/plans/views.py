"""Plan pages: the case page's section, the assessment sheet, the plan with its versions and
differences, the review and the closure (評価シート), and the A4 prints.
Thin: forms parse, ``plans.selectors`` read, ``plans.services`` write."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kasane.cases.views import _actor, _apply_errors
from kasane.core.row_version import EditConflict
from kasane.plans import forms, services
from kasane.plans import selectors as plan_selectors
from kasane.plans.models import PlanAction, PlanGoal, PlanStatus
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
    access = plan_selectors.case_for_plans(actor, public_id, purpose="assessment")
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
    view = plan_selectors.get_assessment_for_user(actor, public_id, purpose="print")
    return render(
        request,
        "plans/assessment_print.html",
        {"view": view, "assessment": view.assessment, "case": view.case, "reader": actor},
    )


# --- plans ---------------------------------------------------------------------------------


@require_POST
def plan_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    access = plan_selectors.case_for_plans(actor, public_id, purpose="plan_create")
    _writer(access)
    try:
        plan = services.plan_create(actor=actor, case=access.case)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("cases:case_detail", access.case.public_id)
    messages.success(request, _("A new version of the plan was started as a draft."))
    return redirect("plans:plan_detail", plan.public_id)


def _goal(view: plan_selectors.PlanView, raw: str) -> PlanGoal:
    goal = next((g for g in view.goals if str(g.pk) == raw), None)
    if goal is None:
        raise Http404
    return goal


def _action(view: plan_selectors.PlanView, raw: str) -> PlanAction:
    for goal in view.goals:
        for action in goal.actions.all():
            if str(action.pk) == raw:
                return action
    raise Http404


@require_http_methods(["GET", "POST"])
def plan_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One version of the plan; a draft is edited here (header, goals, actions) and approved
    by the agency that held the integrated support meeting."""
    actor = _actor(request)
    view = plan_selectors.get_plan_for_user(actor, public_id)
    plan, case = view.plan, view.case
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and not view.may_write:
        raise PermissionDenied

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    header_form = forms.PlanHeaderForm(bound("header"), record=plan)
    goal_form = forms.GoalForm(bound("goal_add"))
    action_form = forms.ActionForm(bound("action_add"), case=case, goals=view.goals)
    items = plan_selectors.approval_items(actor, case)
    approve_form = forms.ApproveForm(
        bound("approve"),
        agency_id=actor.agency_id,
        items=items,
        initial={"review_due_on": plan.review_due_on, "row_version": plan.row_version},
    )
    done = False
    conflict = None
    if action == "header":
        try:
            done = _try(
                request,
                header_form,
                lambda f: services.plan_update(
                    actor=actor,
                    plan=plan,
                    **{name: f.cleaned_data[name] for name in f.edited_fields()},
                    row_version=f.cleaned_data["row_version"],
                ),
                _("The plan was saved."),
            )
        except EditConflict:
            # Somebody saved the plan since this page was opened: show the plan as it is now
            # (read again, audited) and what changed, keeping the editor's values.
            view = plan_selectors.get_plan_for_user(actor, public_id)
            plan, case = view.plan, view.case
            conflict = header_form.conflict(plan)
    elif action == "goal_add":
        done = _try(
            request,
            goal_form,
            lambda f: services.goal_add(actor=actor, plan=plan, **f.cleaned_data),
            _("The goal was added."),
        )
    elif action == "action_add":
        done = _try(
            request,
            action_form,
            lambda f: services.action_add(
                actor=actor,
                goal=_goal(view, str(f.cleaned_data["goal"])),
                what=f.cleaned_data["what"],
                agency=f.cleaned_data["agency"],
                staff=f.cleaned_data.get("staff"),
                due_on=f.cleaned_data.get("due_on"),
            ),
            _("The action was added."),
        )
    elif action in ("goal_remove", "action_remove"):
        error_form = django_forms.Form(request.POST)
        error_form.is_valid()
        raw = request.POST.get("id", "")
        done = _try(
            request,
            error_form,
            lambda f: (
                services.goal_remove(actor=actor, goal=_goal(view, raw))
                if action == "goal_remove"
                else services.action_remove(actor=actor, action=_action(view, raw))
            ),
            _("Removed from the draft."),
        )
        if not done:
            for message in error_form.non_field_errors():
                messages.error(request, str(message))
            done = True
    elif action == "approve":
        try:
            done = _try(
                request,
                approve_form,
                lambda f: services.plan_approve(
                    actor=actor,
                    plan=plan,
                    item=f.cleaned_data["item"],
                    review_due_on=f.cleaned_data.get("review_due_on"),
                    row_version=f.cleaned_data["row_version"],
                ),
                _("The plan was approved."),
            )
        except EditConflict:
            # The draft changed after the approver opened it: nothing approved; the page
            # shows the plan as it is now, to be checked and approved again.
            messages.error(
                request,
                _(
                    "The plan was changed by someone else after you opened it, so it was not "
                    "approved. Check the plan as it is now and approve it again."
                ),
            )
            return redirect("plans:plan_detail", plan.public_id)
    elif request.method == "POST":
        raise Http404
    if done:
        return redirect("plans:plan_detail", plan.public_id)
    editable = view.may_write and view.is_draft and case.is_open
    return render(
        request,
        "plans/plan_detail.html",
        {
            "view": view,
            "plan": plan,
            "case": case,
            "editable": editable,
            "header_form": header_form,
            "goal_form": goal_form,
            "action_form": action_form if view.goals else None,
            "approve_form": approve_form if editable and items else None,
            "approved": plan.status == PlanStatus.APPROVED,
            "conflict": conflict,
        },
        status=409 if conflict is not None else 200,
    )


@require_GET
def plan_print(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """プラン兼利用申込書 on A4."""
    actor = _actor(request)
    view = plan_selectors.get_plan_for_user(actor, public_id, purpose="print")
    return render(
        request,
        "plans/plan_print.html",
        {"view": view, "plan": view.plan, "case": view.case, "reader": actor},
    )


@require_GET
def plan_diff(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """What changed between two versions of the plan: goals and actions added, removed or
    changed, and the header."""
    actor = _actor(request)
    against: int | None = None
    raw = request.GET.get("against", "")
    if raw:
        try:
            against = int(raw)
        except ValueError as exc:
            raise Http404 from exc
    diff = plan_selectors.plan_diff_for_user(actor, public_id, against)
    return render(request, "plans/plan_diff.html", {"diff": diff, "case": diff.case})


# --- reviews and closure -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    access = plan_selectors.case_for_plans(actor, public_id, purpose="review")
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
    access = plan_selectors.case_for_plans(actor, public_id, purpose="close")
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
    return render(
        request, "plans/closure_form.html", {"case": case, "form": form, "plan": access.plan}
    )
