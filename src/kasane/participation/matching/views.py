"""Pages of matching: suggestions for a person, the agency's matches, a match with its
follow-ups and loneliness scores, and 資源開拓 (unmet needs). Thin: forms, services, selectors."""

from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kasane.audit.models import Purpose
from kasane.core.exports import csv_response, requested_encoding
from kasane.core.web import page_number, require_role, run_service
from kasane.participation import exports
from kasane.participation.matching import forms, selectors, services
from kasane.participation.models import MATCH_STAGE_ORDER, LonelinessAnswer, MatchStage
from kasane.privacy.cases import works_cases
from kasane.registry.selectors import get_person_for_user


@require_http_methods(["GET", "POST"])
def person_matching(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Suggestions for one person; the worker's constraints are posted, never in the URL."""
    actor = require_role(request, works_cases, hide=False)
    search = forms.SearchForm(request.POST or None)
    if request.method == "POST" and search.is_valid():
        view = selectors.matching_for_user(
            actor,
            public_id,
            constraints=search.constraints(),
            interests=search.cleaned_data["interests"],
            strengths=search.cleaned_data["strengths"],
        )
    else:
        view = selectors.matching_for_user(actor, public_id)
        search = forms.SearchForm(
            initial={"interests": view.interests, "strengths": view.strengths}
        )
    return render(request, "participation/matching/person.html", {"view": view, "search": search})


@require_POST
def match_propose(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases, hide=False)
    person = get_person_for_user(actor, public_id, purpose=Purpose.MATCH)
    form = forms.ProposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a place to propose."))
        return redirect("matching:person", person.public_id)
    try:
        reasons = json.loads(form.cleaned_data["reasons"] or "[]")
    except ValueError:
        reasons = []
    try:
        proposed = services.match_propose(
            actor=actor,
            person=person,
            opportunity=form.cleaned_data["opportunity"],
            reasons=[str(r) for r in reasons if isinstance(r, str)],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("matching:person", person.public_id)
    if proposed.full:
        messages.warning(
            request,
            _("Proposed. The place has no vacancy at present: ask the host about a waiting list."),
        )
    else:
        messages.success(request, _("Proposed."))
    return redirect("matching:match_detail", proposed.match.public_id)


@require_GET
def match_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, works_cases, hide=False)
    page = selectors.match_list_for_user(
        actor, page_number(request), open_only=request.GET.get("all") != "1"
    )
    summary = selectors.loneliness_summary(actor)
    return render(
        request, "participation/matching/match_list.html", {"page": page, "summary": summary}
    )


@require_http_methods(["GET"])
def match_list_csv(request: HttpRequest) -> HttpResponse:
    """The agency's matches by name as CSV (``?all=1`` with the ended ones, as on the page;
    ``?encoding=cp932``); audited. Roles without cases get 404."""
    user = require_role(request, works_cases)
    encoding = requested_encoding(request.GET)
    matches = exports.match_list_export_for_user(user, open_only=request.GET.get("all") != "1")
    header = [
        _("person"),
        _("place to take part"),
        _("stage"),
        _("since"),
        _("worker"),
        _("follow-ups overdue"),
    ]
    rows = (
        [
            m.person.name,
            m.opportunity.name,
            m.get_stage_display(),
            m.stage_since,
            str(m.worker) if m.worker else None,
            m.overdue_follow_ups,  # type: ignore[attr-defined]
        ]
        for m in matches
    )
    filename = f"{_('Matches')}_{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, header, rows, encoding=encoding)


@require_http_methods(["GET", "POST"])
def match_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases, hide=False)
    action = request.POST.get("action") if request.method == "POST" else None
    move = forms.MoveForm(request.POST if action == "move" else None)
    loneliness = forms.LonelinessForm(request.POST if action == "loneliness" else None)
    if action == "move" and move.is_valid():
        match = selectors.get_match_for_user(actor, public_id)
        if run_service(
            request,
            move,
            lambda data: services.match_move(
                actor=actor,
                match=match,
                stage=data["stage"],
                on=data["on"],
                end_reason=data["end_reason"],
                note=data["note"],
            ),
            _("The stage was recorded."),
        ):
            return redirect("matching:match_detail", public_id)
    if action == "loneliness" and loneliness.is_valid():
        match = selectors.get_match_for_user(actor, public_id)
        if run_service(
            request,
            loneliness,
            lambda data: services.loneliness_record(
                actor=actor, person=match.person, data=loneliness.loneliness_input(), match=match
            ),
            _("The loneliness scale was recorded."),
        ):
            return redirect("matching:match_detail", public_id)
    detail = selectors.match_detail_for_user(actor, public_id)
    if not move.is_bound:
        order = MATCH_STAGE_ORDER
        current = order.index(MatchStage(detail.match.stage))
        move = forms.MoveForm(initial={"stage": order[min(current + 1, len(order) - 1)]})
    return render(
        request,
        "participation/matching/match_detail.html",
        {
            "detail": detail,
            "match": detail.match,
            "move": move,
            "loneliness": loneliness,
            "follow_up_form": forms.FollowUpForm(),
            "ucla_choices": LonelinessAnswer.choices,
        },
    )


@require_POST
def follow_up_record(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases, hide=False)
    follow_up = selectors.get_follow_up_for_user(actor, public_id)
    form = forms.FollowUpForm(request.POST)
    scale = forms.LonelinessFields(request.POST)
    asked = any(request.POST.get(f) for f in scale.fields)
    if form.is_valid() and (not asked or scale.is_valid()):
        loneliness = None
        if asked:
            data = scale.cleaned_data
            loneliness = services.LonelinessInput(
                data["lack_companionship"],
                data["left_out"],
                data["isolated"],
                form.cleaned_data["done_on"],
            )
        try:
            services.follow_up_record(
                actor=actor,
                follow_up=follow_up,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
                loneliness=loneliness,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The follow-up was recorded."))
    else:
        for errors in [*form.errors.values(), *(scale.errors.values() if asked else [])]:
            for problem in errors:
                messages.error(request, str(problem))
    return redirect("matching:match_detail", follow_up.match.public_id)


@require_http_methods(["GET", "POST"])
def unmet_needs(request: HttpRequest) -> HttpResponse:
    """資源開拓: needs no place meets, by kind and area, and the places developed."""
    actor = require_role(request, works_cases, hide=False)
    action = request.POST.get("action") if request.method == "POST" else None
    form = forms.UnmetNeedForm(request.POST if action == "add" else None)
    if action == "add" and run_service(
        request,
        form,
        lambda data: services.unmet_need_record(
            actor=actor,
            kind=data["kind"],
            area=data["area"],
            age_band=data["age_band"],
            for_whom=data["for_whom"],
            description=data["description"],
        ),
        _("The unmet need was recorded."),
    ):
        return redirect("matching:unmet_needs")
    if action == "developed":
        developed = forms.DevelopedForm(request.POST)
        need = selectors.get_unmet_need_for_user(actor, request.POST.get("need", ""))
        if developed.is_valid():
            services.unmet_need_developed(
                actor=actor, need=need, opportunity=developed.cleaned_data["opportunity"]
            )
            messages.success(request, _("The new place was recorded."))
        else:
            messages.error(request, _("Choose the place developed."))
        return redirect("matching:unmet_needs")
    page = selectors.unmet_needs_page(actor)
    return render(
        request,
        "participation/matching/unmet_needs.html",
        {"page": page, "form": form, "developed_form": forms.DevelopedForm()},
    )
