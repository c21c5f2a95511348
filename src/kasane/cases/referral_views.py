"""A referral's page (its answer) and a hand-over's answer."""

from __future__ import annotations

from uuid import UUID

from django import forms as django_forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kasane.cases import forms, services
from kasane.cases import selectors as case_selectors
from kasane.cases.models import HandoverStatus, ReferralStatus
from kasane.cases.views import DENIED
from kasane.core.web import require_role, run_service
from kasane.privacy.cases import works_cases


@require_http_methods(["GET", "POST"])
def referral_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The referral as its addressee answers it, or as its sender follows it."""
    actor = require_role(request, works_cases)
    referral = case_selectors.get_referral_for_user(actor, public_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    decline_form = forms.ReferralDeclineForm(request.POST if action == "decline" else None)
    complete_form = forms.ReferralCompleteForm(request.POST if action == "complete" else None)
    error_form = django_forms.Form(request.POST if action == "accept" else None)
    done = False
    if action == "accept":
        error_form.is_valid()
        done = run_service(
            request,
            error_form,
            lambda data: services.referral_accept(actor=actor, referral=referral),
            _("You accepted the referral. Your agency is now on the case team."),
            denied=DENIED,
        )
    elif action == "decline":
        done = run_service(
            request,
            decline_form,
            lambda data: services.referral_decline(
                actor=actor, referral=referral, reason=data["reason"], note=data["note"]
            ),
            _("You declined the referral. It went back to the sender with your reason."),
            denied=DENIED,
        )
    elif action == "complete":
        done = run_service(
            request,
            complete_form,
            lambda data: services.referral_complete(
                actor=actor, referral=referral, outcome=data["outcome"]
            ),
            _("The referral is completed."),
            denied=DENIED,
        )
    elif action == "acknowledge":
        error_form = django_forms.Form(request.POST)
        error_form.is_valid()
        done = run_service(
            request,
            error_form,
            lambda data: services.referral_decline_acknowledge(actor=actor, referral=referral),
            _("Noted. Decide the next step for the household on its case."),
            denied=DENIED,
        )
    elif request.method == "POST":
        raise Http404
    if done:
        if action == "accept" or action == "complete":
            return redirect("cases:case_detail", referral.case.public_id)
        return redirect("core:home")
    referral.refresh_from_db()
    context = {
        "referral": referral,
        "decline_form": decline_form,
        "complete_form": complete_form,
        "error_form": error_form,
        "is_addressee": referral.to_agency_id == actor.agency_id,
        "is_sender": referral.from_agency_id == actor.agency_id,
        "overdue": referral.status == ReferralStatus.REQUESTED and referral.due_at < timezone.now(),
    }
    return render(request, "cases/referral_detail.html", context)


@require_http_methods(["GET", "POST"])
def handover_answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    handover = case_selectors.get_handover_for_user(actor, public_id)
    form = forms.HandoverAnswerForm(request.POST or None)
    accept = request.POST.get("action") == "accept"
    if request.method == "POST" and run_service(
        request,
        form,
        lambda data: (services.handover_accept if accept else services.handover_decline)(
            actor=actor, handover=handover, note=data["note"]
        ),
        _("Your agency now leads the case.") if accept else _("You declined the hand-over."),
        denied=DENIED,
    ):
        return redirect("core:home")
    return render(
        request,
        "cases/handover_answer.html",
        {
            "handover": handover,
            "form": form,
            "may_answer": handover.to_agency_id == actor.agency_id
            and handover.status == HandoverStatus.PENDING,
        },
    )
