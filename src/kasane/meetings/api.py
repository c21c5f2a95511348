"""Meetings API: hold a meeting, invite attendees, record pledges, take cases up, record
minutes and decisions. Writes go through ``kasane.meetings.services``; reads through
``kasane.meetings.selectors`` — what a caller reads of each case is what the pages
show them (nothing of a 支援会議 without their pledge)."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kasane.accounts.models import Staff
from kasane.api.auth import case_worker
from kasane.api.lookups import agency_by_id
from kasane.api.schemas import ERRORS, AgencyRef, agency_ref
from kasane.audit.models import Purpose
from kasane.cases import selectors as case_selectors
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings import selectors as meeting_selectors
from kasane.meetings import services
from kasane.meetings.error_codes import ErrorCode
from kasane.meetings.models import Attendee, Decision, DecisionKind, MeetingKind
from kasane.meetings.selectors import ItemView, MeetingDetail, has_pledge

router = Router(tags=["meetings"])


# --- input ------------------------------------------------------------------------------


class MeetingIn(Schema):
    kind: MeetingKind
    held_at: datetime.datetime
    place: str = Field(default="", max_length=200)
    online: bool = False
    title: str = Field(default="", max_length=200)


class AttendeeIn(Schema):
    agency_id: UUID
    staff_id: UUID | None = Field(default=None, description="a staff member of that agency")


class AgendaIn(Schema):
    case_id: UUID
    member_ids: list[UUID] = Field(
        default_factory=list, description="attendee ids the chair names for this case"
    )
    to_decide_support: bool = Field(
        default=False, description="integrated meeting: bring a case to decide 支援決定"
    )
    deidentified_summary: str = Field(default="", max_length=4000)


class MinutesIn(Schema):
    minutes: str = Field(max_length=20000)


class DecisionIn(Schema):
    kind: DecisionKind
    text: str = Field(default="", max_length=4000)
    owner_id: UUID | None = Field(default=None, description="action: an agency on the team")
    due_on: datetime.date | None = None
    next_review_on: datetime.date | None = None


# --- output -----------------------------------------------------------------------------


class AttendeeOut(Schema):
    id: UUID
    agency: AgencyRef
    staff: str | None
    pledged_at: datetime.datetime | None


def _attendee(attendee: Attendee) -> AttendeeOut:
    ref = agency_ref(attendee.agency)
    assert ref is not None
    return AttendeeOut(
        id=attendee.public_id,
        agency=ref,
        staff=str(attendee.staff) if attendee.staff else None,
        pledged_at=attendee.pledge.pledged_at if has_pledge(attendee) else None,
    )


class DecisionOut(Schema):
    id: UUID
    kind: str
    text: str
    owner: AgencyRef | None
    due_on: datetime.date | None
    next_review_on: datetime.date | None


def _decision(decision: Decision) -> DecisionOut:
    return DecisionOut(
        id=decision.public_id,
        kind=decision.kind,
        text=decision.text,
        owner=agency_ref(decision.owner),
        due_on=decision.due_on,
        next_review_on=decision.next_review_on,
    )


class ItemOut(Schema):
    """One case on the agenda. ``case_id``, ``case_number`` and ``minutes`` only where the
    caller may read them; a meeting without names gives the de-identified summary only."""

    id: UUID
    readable: bool
    legal_basis: str | None
    case_id: UUID | None = None
    case_number: str | None = None
    minutes: str | None = None
    deidentified_summary: str | None = None
    decisions: list[DecisionOut] = Field(default_factory=list)


def _item(view: ItemView) -> ItemOut:
    item, access = view.item, view.access
    out = ItemOut(id=item.public_id, readable=access.readable, legal_basis=access.basis)
    if not access.readable:
        return out
    out.decisions = [_decision(d) for d in item.decisions.all()]
    out.deidentified_summary = item.deidentified_summary
    if access.named:
        out.case_id = item.case.public_id
        out.case_number = item.case.number
        out.minutes = item.minutes
    return out


class MeetingOut(Schema):
    id: UUID
    kind: str
    title: str
    held_at: datetime.datetime
    place: str
    online: bool
    status: str
    organizer: AgencyRef
    attendees: list[AttendeeOut]
    agenda: list[ItemOut]
    closed_items: int = Field(description="cases on the agenda closed to the caller")


def _meeting(detail: MeetingDetail) -> MeetingOut:
    meeting = detail.meeting
    organizer = agency_ref(meeting.organizer)
    assert organizer is not None
    return MeetingOut(
        id=meeting.public_id,
        kind=meeting.kind,
        title=meeting.title,
        held_at=meeting.held_at,
        place=meeting.place,
        online=meeting.online,
        status=meeting.status,
        organizer=organizer,
        attendees=[_attendee(a) for a in detail.attendees],
        agenda=[_item(v) for v in detail.readable_items],
        closed_items=detail.hidden_items,
    )


# --- operations -------------------------------------------------------------------------


@router.post(
    "/meetings",
    response={201: MeetingOut, **ERRORS},
    operation_id="meeting_create",
    summary="Hold a meeting, organised by your agency and chaired by you",
)
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status[MeetingOut]:
    actor = case_worker(request)
    meeting = services.meeting_create(actor=actor, **payload.dict())
    return Status(
        201, _meeting(meeting_selectors.meeting_detail_for_user(actor, meeting.public_id))
    )


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **ERRORS},
    operation_id="meeting_get",
    summary="A meeting your agency holds or attends, with what you may read of each case",
)
def meeting_get(request: HttpRequest, meeting_id: UUID) -> MeetingOut:
    actor = case_worker(request)
    return _meeting(meeting_selectors.meeting_detail_for_user(actor, meeting_id))


def _staff(public_id: UUID | None) -> Staff | None:
    if public_id is None:
        return None
    staff = Staff.objects.filter(public_id=public_id, is_active=True).first()
    if staff is None:
        raise ValidationError(
            {
                "staff_id": ValidationError(
                    _("There is no staff member with this id."), code=CoreCode.UNKNOWN_STAFF
                )
            }
        )
    return staff


@router.post(
    "/meetings/{meeting_id}/attendees",
    response={201: AttendeeOut, **ERRORS},
    operation_id="meeting_attendee_add",
    summary="Invite an agency (and one of its staff) to the meeting",
)
def attendee_add(
    request: HttpRequest, meeting_id: UUID, payload: AttendeeIn
) -> Status[AttendeeOut]:
    actor = case_worker(request)
    meeting = meeting_selectors.get_meeting_for_user(actor, meeting_id)
    attendee = services.attendee_add(
        actor=actor,
        meeting=meeting,
        agency=agency_by_id(payload.agency_id, "agency_id"),
        staff=_staff(payload.staff_id),
    )
    return Status(201, _attendee(attendee))


@router.post(
    "/meetings/{meeting_id}/attendees/{attendee_id}/pledge",
    response={201: AttendeeOut, **ERRORS},
    operation_id="meeting_pledge_record",
    summary="Record an attendee's confidentiality pledge (support meetings only)",
)
def pledge_record(request: HttpRequest, meeting_id: UUID, attendee_id: UUID) -> Status[AttendeeOut]:
    actor = case_worker(request)
    meeting = meeting_selectors.get_meeting_for_user(actor, meeting_id)
    attendee = next((a for a in meeting.attendees.all() if a.public_id == attendee_id), None)
    if attendee is None:
        raise Http404
    services.pledge_record(actor=actor, attendee=attendee)
    attendee.refresh_from_db()
    return Status(201, _attendee(attendee))


@router.post(
    "/meetings/{meeting_id}/agenda",
    response={201: ItemOut, **ERRORS},
    operation_id="meeting_agenda_add",
    summary="Take a case up at the meeting",
)
def agenda_add(request: HttpRequest, meeting_id: UUID, payload: AgendaIn) -> Status[ItemOut]:
    actor = case_worker(request)
    meeting = meeting_selectors.get_meeting_for_user(actor, meeting_id)
    case = case_selectors.get_case_for_user(actor, payload.case_id, purpose=Purpose.AGENDA)
    wanted = set(payload.member_ids)
    members = [a for a in meeting.attendees.all() if a.public_id in wanted]
    if len(members) != len(wanted):
        raise ValidationError(
            {
                "member_ids": ValidationError(
                    _("Choose the members among this meeting's attendees."),
                    code=ErrorCode.MEMBER_NOT_ATTENDEE,
                )
            }
        )
    item = services.agenda_add(
        actor=actor,
        meeting=meeting,
        case=case,
        members=members,
        deidentified_summary=payload.deidentified_summary,
        to_decide_support=payload.to_decide_support,
    )
    detail = meeting_selectors.meeting_detail_for_user(actor, meeting.public_id)
    view = next(v for v in detail.items if v.item.pk == item.pk)
    return Status(201, _item(view))


@router.get(
    "/agenda-items/{item_id}",
    response={200: ItemOut, **ERRORS},
    operation_id="agenda_item_get",
    summary="One case at one meeting: minutes and decisions, if you may read them",
)
def item_get(request: HttpRequest, item_id: UUID) -> ItemOut:
    actor = case_worker(request)
    return _item(meeting_selectors.get_item_for_user(actor, item_id))


@router.put(
    "/agenda-items/{item_id}/minutes",
    response={200: ItemOut, **ERRORS},
    operation_id="agenda_item_minutes_record",
    summary="Record the minutes of one case (the organising agency)",
)
def minutes_record(request: HttpRequest, item_id: UUID, payload: MinutesIn) -> ItemOut:
    actor = case_worker(request)
    view = meeting_selectors.get_item_for_user(actor, item_id, purpose=Purpose.MINUTES)
    services.minutes_record(actor=actor, item=view.item, minutes=payload.minutes)
    return _item(meeting_selectors.get_item_for_user(actor, item_id))


@router.post(
    "/agenda-items/{item_id}/decisions",
    response={201: DecisionOut, **ERRORS},
    operation_id="agenda_item_decision_add",
    summary="Record a decision: support decision, action, review, closure, missing resource…",
)
def decision_add(request: HttpRequest, item_id: UUID, payload: DecisionIn) -> Status[DecisionOut]:
    actor = case_worker(request)
    view = meeting_selectors.get_item_for_user(actor, item_id, purpose=Purpose.DECISION)
    decision = services.decision_add(
        actor=actor,
        item=view.item,
        kind=payload.kind,
        text=payload.text,
        owner=agency_by_id(payload.owner_id, "owner_id") if payload.owner_id else None,
        due_on=payload.due_on,
        next_review_on=payload.next_review_on,
    )
    return Status(201, _decision(decision))
