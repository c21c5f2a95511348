"""The support plan pages (プラン兼利用申込書): a new version, the plan with its actions,
each at its own URL (header, goals, actions, approval), the A4 print and the differences
between versions. Thin: forms parse, ``privacy.plan_selectors`` read, ``plans.services``
write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kasane.accounts.models import Staff
from kasane.audit.models import Purpose
from kasane.core.row_version import EditConflict
from kasane.core.web import require_role, run_service
from kasane.plans import forms, services
from kasane.plans import selectors as plan_selectors
from kasane.plans.models import PlanAction, PlanGoal, PlanStatus, SupportPlan
from kasane.plans.views import DENIED, require_writer
from kasane.privacy.cases import NoDetailBasis, works_cases


@require_POST
def plan_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    access = plan_selectors.case_for_plans(actor, public_id)
    require_writer(access)
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


def _plan_view(
    request: HttpRequest, public_id: UUID, *, writing: bool = False
) -> tuple[Staff, plan_selectors.PlanView]:
    """The reader and the plan (read and audited); a change needs a writer (else 403)."""
    actor = require_role(request, works_cases)
    view = plan_selectors.get_plan_for_user(actor, public_id)
    if writing and not view.may_write:
        raise PermissionDenied
    return actor, view


def _approve_form(
    data: Any, actor: Staff, plan: SupportPlan, items: list[Any]
) -> forms.ApproveForm:
    return forms.ApproveForm(
        data,
        agency_id=actor.agency_id,
        items=items,
        initial={"review_due_on": plan.review_due_on, "row_version": plan.row_version},
    )


def _plan_page(
    request: HttpRequest,
    actor: Staff,
    view: plan_selectors.PlanView,
    *,
    bound: dict[str, django_forms.Form] | None = None,
    conflict: Any = None,
) -> HttpResponse:
    """One version of the plan with its forms: those of a refused action ``bound`` with
    what was sent and its errors, the others empty."""
    plan, case = view.plan, view.case
    bound = bound or {}
    items = plan_selectors.approval_items(actor, case)
    editable = view.may_write and view.is_draft and case.is_open
    approve_form = bound.get("approve") or _approve_form(None, actor, plan, items)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "view": view,
            "plan": plan,
            "case": case,
            "editable": editable,
            "header_form": bound.get("header") or forms.PlanHeaderForm(None, record=plan),
            "goal_form": bound.get("goal") or forms.GoalForm(None),
            "action_form": (
                bound.get("action") or forms.ActionForm(None, case=case, goals=view.goals)
            )
            if view.goals
            else None,
            "approve_form": approve_form if editable and items else None,
            "approved": plan.status == PlanStatus.APPROVED,
            "conflict": conflict,
        },
        status=409 if conflict is not None else 200,
    )


def _done_or_page(
    request: HttpRequest,
    actor: Staff,
    view: plan_selectors.PlanView,
    done: bool,
    bound: dict[str, django_forms.Form],
) -> HttpResponse:
    if done:
        return redirect("plans:plan_detail", view.plan.public_id)
    return _plan_page(request, actor, view, bound=bound)


@require_GET
def plan_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One version of the plan; a draft is edited (header, goals, actions) and approved
    through the actions below, each at its own URL, which come back here."""
    actor, view = _plan_view(request, public_id)
    return _plan_page(request, actor, view)


@require_POST
def plan_header(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The requests and the person's agreement of a draft."""
    actor, view = _plan_view(request, public_id, writing=True)
    form = forms.PlanHeaderForm(request.POST, record=view.plan)
    try:
        done = run_service(
            request,
            form,
            lambda _data: services.plan_update(
                actor=actor,
                plan=view.plan,
                **{name: form.cleaned_data[name] for name in form.edited_fields()},
                row_version=form.cleaned_data["row_version"],
            ),
            _("The plan was saved."),
            denied=DENIED,
            passthrough=(NoDetailBasis,),
        )
    except EditConflict:
        # Somebody saved the plan since this page was opened: show the plan as it is now
        # (read again, audited) and what changed, keeping the editor's values.
        view = plan_selectors.get_plan_for_user(actor, public_id)
        conflict = form.conflict(view.plan)
        return _plan_page(request, actor, view, bound={"header": form}, conflict=conflict)
    return _done_or_page(request, actor, view, done, {"header": form})


@require_POST
def plan_goal_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor, view = _plan_view(request, public_id, writing=True)
    form = forms.GoalForm(request.POST)
    done = run_service(
        request,
        form,
        lambda _data: services.goal_add(actor=actor, plan=view.plan, **form.cleaned_data),
        _("The goal was added."),
        denied=DENIED,
        passthrough=(NoDetailBasis,),
    )
    return _done_or_page(request, actor, view, done, {"goal": form})


@require_POST
def plan_action_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor, view = _plan_view(request, public_id, writing=True)
    form = forms.ActionForm(request.POST, case=view.case, goals=view.goals)
    done = run_service(
        request,
        form,
        lambda _data: services.action_add(
            actor=actor,
            goal=_goal(view, str(form.cleaned_data["goal"])),
            what=form.cleaned_data["what"],
            agency=form.cleaned_data["agency"],
            staff=form.cleaned_data.get("staff"),
            due_on=form.cleaned_data.get("due_on"),
        ),
        _("The action was added."),
        denied=DENIED,
        passthrough=(NoDetailBasis,),
    )
    return _done_or_page(request, actor, view, done, {"action": form})


def _remove(
    request: HttpRequest,
    public_id: UUID,
    remove: Callable[[Staff, plan_selectors.PlanView, str], None],
) -> HttpResponse:
    """Take a goal or an action (``id`` in the form) out of the draft; a refusal is told
    as a message on the plan's page."""
    actor, view = _plan_view(request, public_id, writing=True)
    raw = request.POST.get("id", "")
    error_form = django_forms.Form(request.POST)
    error_form.is_valid()
    done = run_service(
        request,
        error_form,
        lambda _data: remove(actor, view, raw),
        _("Removed from the draft."),
        denied=DENIED,
        passthrough=(NoDetailBasis,),
    )
    if not done:
        for message in error_form.non_field_errors():
            messages.error(request, str(message))
    return redirect("plans:plan_detail", view.plan.public_id)


@require_POST
def plan_goal_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _remove(
        request,
        public_id,
        lambda actor, view, raw: services.goal_remove(actor=actor, goal=_goal(view, raw)),
    )


@require_POST
def plan_action_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _remove(
        request,
        public_id,
        lambda actor, view, raw: services.action_remove(actor=actor, action=_action(view, raw)),
    )


@require_POST
def plan_approve(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Approval of a draft at a 重層的支援会議, by the agency that held it."""
    actor, view = _plan_view(request, public_id, writing=True)
    items = plan_selectors.approval_items(actor, view.case)
    form = _approve_form(request.POST, actor, view.plan, items)
    try:
        done = run_service(
            request,
            form,
            lambda _data: services.plan_approve(
                actor=actor,
                plan=view.plan,
                item=form.cleaned_data["item"],
                review_due_on=form.cleaned_data.get("review_due_on"),
                row_version=form.cleaned_data["row_version"],
            ),
            _("The plan was approved."),
            denied=DENIED,
            passthrough=(NoDetailBasis,),
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
        return redirect("plans:plan_detail", view.plan.public_id)
    return _done_or_page(request, actor, view, done, {"approve": form})


@require_GET
def plan_print(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """プラン兼利用申込書 on A4."""
    actor = require_role(request, works_cases)
    view = plan_selectors.get_plan_for_user(actor, public_id, purpose=Purpose.PRINT)
    return render(
        request,
        "plans/plan_print.html",
        {"view": view, "plan": view.plan, "case": view.case, "reader": actor},
    )


@require_GET
def plan_diff(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """What changed between two versions of the plan: goals and actions added, removed or
    changed, and the header."""
    actor = require_role(request, works_cases)
    against: int | None = None
    raw = request.GET.get("against", "")
    if raw:
        try:
            against = int(raw)
        except ValueError as exc:
            raise Http404 from exc
    diff = plan_selectors.plan_diff_for_user(actor, public_id, against)
    return render(request, "plans/plan_diff.html", {"diff": diff, "case": diff.case})
