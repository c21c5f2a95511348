"""Meeting pages: the list, holding a meeting, the meeting page with its attendees and
pledges, the agenda, minutes and decisions per case, and the A4 print of the minutes.
Thin: forms parse, ``meetings.selectors`` read, ``meetings.services`` write."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kasane.accounts.models import Staff
from kasane.audit.models import Purpose
from kasane.cases import selectors as case_selectors
from kasane.core.web import page_number, require_role, run_service
from kasane.meetings import forms, services
from kasane.meetings import selectors as meeting_selectors
from kasane.meetings.error_codes import ErrorCode
from kasane.meetings.models import MeetingKind
from kasane.privacy.cases import works_cases

# A refusal by a meeting service, said on the form it came from.
DENIED = gettext_lazy("Only the agency that holds the meeting can do this.")


def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, works_cases)
    page = meeting_selectors.meeting_list_for_user(actor, page_number(request))
    return render(request, "meetings/meeting_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    actor = require_role(request, works_cases)
    form = forms.MeetingForm(request.POST or None)
    created: list[Any] = []
    if run_service(
        request,
        form,
        lambda data: created.append(services.meeting_create(actor=actor, **data)),
        _("The meeting was created. Add the attendees and the cases."),
        denied=DENIED,
    ):
        return redirect("meetings:meeting_detail", created[0].public_id)
    return render(request, "meetings/meeting_form.html", {"form": form})


def meeting_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    detail = meeting_selectors.meeting_detail_for_user(actor, public_id)
    context = {
        "detail": detail,
        "meeting": detail.meeting,
        "attendee_form": forms.AttendeeForm() if detail.is_organizer else None,
        "is_support_meeting": detail.meeting.kind == MeetingKind.SUPPORT_MEETING,
        # Pledges the reader may record: any, for the organiser; otherwise their own.
        "pledgeable": {
            a.pk
            for a in (detail.attendees if detail.is_organizer else detail.my_rows)
            if not meeting_selectors.has_pledge(a)
        },
    }
    return render(request, "meetings/meeting_detail.html", context)


@require_POST
def attendee_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    meeting = meeting_selectors.get_meeting_for_user(actor, public_id)
    form = forms.AttendeeForm(request.POST)
    if not run_service(
        request,
        form,
        lambda data: services.attendee_add(actor=actor, meeting=meeting, **data),
        _("The attendee was added."),
        denied=DENIED,
    ):
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("meetings:meeting_detail", meeting.public_id)


@require_POST
def pledge(request: HttpRequest, public_id: UUID, attendee_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    meeting = meeting_selectors.get_meeting_for_user(actor, public_id)
    attendee = next((a for a in meeting.attendees.all() if a.public_id == attendee_id), None)
    if attendee is None:
        raise Http404
    try:
        services.pledge_record(actor=actor, attendee=attendee)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("The confidentiality pledge was recorded."))
    return redirect("meetings:meeting_detail", meeting.public_id)


@require_http_methods(["GET", "POST"])
def agenda_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = require_role(request, works_cases)
    meeting = meeting_selectors.get_meeting_for_user(actor, public_id)
    if actor.agency_id != meeting.organizer_id:
        raise Http404
    is_chair = actor.pk == meeting.chair_id
    initial = {"case_number": request.GET.get("case", "")[:20]}
    form = forms.AgendaForm(
        request.POST or None, meeting=meeting, is_chair=is_chair, initial=initial
    )

    def add(data: dict[str, Any]) -> None:
        case = (
            case_selectors.visible_cases(actor).filter(number=data["case_number"].strip()).first()
        )
        if case is None:
            raise ValidationError(
                {
                    "case_number": ValidationError(
                        _("There is no case with this number that you can see."),
                        code=ErrorCode.UNKNOWN_CASE,
                    )
                }
            )
        services.agenda_add(
            actor=actor,
            meeting=meeting,
            case=case,
            members=data.get("members") or [],
            deidentified_summary=data.get("deidentified_summary", ""),
            to_decide_support=bool(data.get("to_decide_support")),
        )

    if run_service(request, form, add, _("The case was added to the agenda."), denied=DENIED):
        return redirect("meetings:meeting_detail", meeting.public_id)
    return render(request, "meetings/agenda_form.html", {"meeting": meeting, "form": form})


@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One case at one meeting: its minutes and decisions, and (for the organiser) the
    forms to record them."""
    actor = require_role(request, works_cases)
    # A write is audited by its service; the page, when shown, once as a view.
    view = meeting_selectors.item_for_user(actor, public_id)
    item = view.item
    meeting = item.meeting
    may_write = actor.agency_id == meeting.organizer_id
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and not may_write:
        raise Http404
    text = item.minutes if view.access.named else item.deidentified_summary
    minutes_form = forms.MinutesForm(
        request.POST if action == "minutes" else None, initial={"minutes": text}
    )
    decision_form = forms.DecisionForm(request.POST if action == "decision" else None, item=item)
    done = False
    if action == "minutes":
        done = run_service(
            request,
            minutes_form,
            lambda data: services.minutes_record(actor=actor, item=item, minutes=data["minutes"]),
            _("The minutes were saved."),
            denied=DENIED,
        )
    elif action == "decision":
        done = run_service(
            request,
            decision_form,
            lambda data: services.decision_add(actor=actor, item=item, **data),
            _("The decision was recorded."),
            denied=DENIED,
        )
    elif request.method == "POST":
        raise Http404
    if done:
        return redirect("meetings:item_detail", item.public_id)
    meeting_selectors.record_item_view(actor, view)
    return render(
        request,
        "meetings/item_detail.html",
        {
            "view": view,
            "item": item,
            "meeting": meeting,
            "case": item.case,
            "may_write": may_write,
            "minutes_form": minutes_form,
            "decision_form": decision_form,
        },
    )


@require_GET
def item_print(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """議事録 on A4, for one case, showing only what the reader may see."""
    actor = require_role(request, works_cases)
    view = meeting_selectors.get_item_for_user(actor, public_id, purpose=Purpose.PRINT)
    item = view.item
    return render(
        request,
        "meetings/item_print.html",
        {
            "view": view,
            "item": item,
            "meeting": item.meeting,
            "case": item.case,
            "reader": actor,
            "attendees": list(item.meeting.attendees.all()),
        },
    )


@require_GET
def case_meetings(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The meetings section of the case page (loaded into it by HTMX)."""
    actor: Staff = require_role(request, works_cases)
    # The case page recorded its view; this part records the meetings it shows.
    case = case_selectors.checked_case(actor, public_id)
    views = meeting_selectors.case_meetings_for_user(actor, case)
    return render(request, "meetings/_case_meetings.html", {"case": case, "views": views})
