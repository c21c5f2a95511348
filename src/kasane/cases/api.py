"""Cases API: cases, their referrals (つなぎ) and notes (支援経過記録), and the agencies to
refer to. Writes go through ``kasane.cases.services``; reads through
``kasane.cases.selectors``."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kasane.accounts.models import Agency, Staff
from kasane.api.auth import caller, case_worker
from kasane.api.lookups import agency_by_id
from kasane.api.schemas import (
    ERRORS,
    AgencyRef,
    PageOut,
    PersonRef,
    agency_ref,
    page_out,
    person_ref,
)
from kasane.audit.models import Purpose
from kasane.cases import selectors as case_selectors
from kasane.cases import services
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    DeclineReason,
    NoteKind,
    NoteVisibility,
    Referral,
    TeamMember,
)
from kasane.registry import selectors

router = Router(tags=["cases"])


# --- input ------------------------------------------------------------------------------


class CaseIn(Schema):
    household_id: UUID


class ReferralIn(Schema):
    case_id: UUID
    to_agency_id: UUID = Field(description="from GET /agencies; not your own agency")
    reason: str = Field(max_length=2000)
    request: str = Field(max_length=2000, description="what you ask of the other agency")


class DeclineIn(Schema):
    reason: DeclineReason
    note: str = Field(default="", max_length=2000, description="required when reason is other")


class CompleteIn(Schema):
    outcome: str = Field(max_length=2000)


class NoteIn(Schema):
    written_on: datetime.date | None = Field(default=None, description="default: today")
    kind: NoteKind
    text: str = Field(max_length=8000)
    visibility: NoteVisibility = NoteVisibility.TEAM


# --- output -----------------------------------------------------------------------------


class AgencyOut(Schema):
    id: UUID
    name: str
    agency_type: str
    domains: list[str]


def _agency(agency: Agency) -> AgencyRef:
    ref = agency_ref(agency)
    assert ref is not None
    return ref


def _name(staff: Staff | None) -> str | None:
    return None if staff is None else str(staff)


class CaseSummaryOut(Schema):
    id: UUID
    number: str
    status: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    household_id: UUID
    household_head: PersonRef | None
    lead_agency: AgencyRef | None
    sent_to_coordination_at: datetime.datetime | None
    triage: str


def case_summary(case: Case) -> CaseSummaryOut:
    """From a case as the case selectors fetch it (household, lead and heads prefetched)."""
    heads = case.household.heads  # type: ignore[attr-defined]
    return CaseSummaryOut(
        id=case.public_id,
        number=case.number,
        status=case.status,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        household_id=case.household.public_id,
        household_head=person_ref(heads[0].person) if heads else None,
        lead_agency=agency_ref(case.lead_agency),
        sent_to_coordination_at=case.sent_to_coordination_at,
        triage=case.triage,
    )


class CasePageOut(Schema):
    items: list[CaseSummaryOut]
    page: PageOut


class TeamMemberOut(Schema):
    agency: AgencyRef
    role: str
    contact: str | None
    joined_at: datetime.datetime


def _team_member(member: TeamMember) -> TeamMemberOut:
    return TeamMemberOut(
        agency=_agency(member.agency),
        role=member.role,
        contact=_name(member.staff),
        joined_at=member.joined_at,
    )


class ReferralOut(Schema):
    id: UUID
    case_id: UUID
    status: str
    from_agency: AgencyRef
    to_agency: AgencyRef
    requested_by: str
    requested_at: datetime.datetime
    due_at: datetime.datetime
    reason: str
    request: str
    responded_by: str | None
    responded_at: datetime.datetime | None
    decline_reason: str
    decline_note: str
    completed_at: datetime.datetime | None
    outcome: str
    escalated_at: datetime.datetime | None


def referral_out(referral: Referral) -> ReferralOut:
    return ReferralOut(
        id=referral.public_id,
        case_id=referral.case.public_id,
        status=referral.status,
        from_agency=_agency(referral.from_agency),
        to_agency=_agency(referral.to_agency),
        requested_by=str(referral.requested_by),
        requested_at=referral.requested_at,
        due_at=referral.due_at,
        reason=referral.reason,
        request=referral.request,
        responded_by=_name(referral.responded_by),
        responded_at=referral.responded_at,
        decline_reason=referral.decline_reason,
        decline_note=referral.decline_note,
        completed_at=referral.completed_at,
        outcome=referral.outcome,
        escalated_at=referral.escalated_at,
    )


class NoteOut(Schema):
    id: UUID
    written_on: datetime.date
    kind: str
    text: str
    visibility: str
    author: str
    agency: AgencyRef


def note_out(note: CaseNote, author: Staff | None = None, agency: Agency | None = None) -> NoteOut:
    return NoteOut(
        id=note.public_id,
        written_on=note.written_on,
        kind=note.kind,
        text=note.text,
        visibility=note.visibility,
        author=str(author or note.author),
        agency=_agency(agency or note.agency),
    )


class EventOut(Schema):
    at: datetime.datetime
    kind: str
    agency: AgencyRef | None
    actor: str | None
    detail: dict[str, Any]
    consultation_id: UUID | None
    referral_id: UUID | None
    handover_id: UUID | None
    note: NoteOut | None


def _event(event: CaseEvent) -> EventOut:
    # A note's author and agency are the event's actor and agency (the service writes both),
    # which the timeline selector has already fetched.
    note = event.note
    return EventOut(
        at=event.at,
        kind=event.kind,
        agency=agency_ref(event.agency),
        actor=_name(event.actor),
        detail=event.detail,
        consultation_id=event.consultation.public_id if event.consultation else None,
        referral_id=event.referral.public_id if event.referral else None,
        handover_id=event.handover.public_id if event.handover else None,
        note=note_out(note, event.actor, event.agency) if note is not None else None,
    )


class CaseMemberOut(Schema):
    person: PersonRef
    relationship: str


class TimelineOut(Schema):
    items: list[EventOut]
    page: PageOut


class CaseOut(CaseSummaryOut):
    fiscal_year: int
    accepted_at: datetime.datetime | None
    is_lead: bool = Field(description="your agency leads the case (主担当)")
    basis: str = Field(description="the legal basis on which you read the case")
    details: bool = Field(
        description="false when your agency knows only that the case exists and who leads it "
        "(no consent, pledged 支援会議 or break-glass): members and timeline are then empty"
    )
    team: list[TeamMemberOut]
    referrals: list[ReferralOut]
    members: list[CaseMemberOut]
    timeline: TimelineOut


def case_out(detail: case_selectors.CaseDetail) -> CaseOut:
    case = detail.case
    return CaseOut(
        **case_summary(case).model_dump(),
        fiscal_year=case.fiscal_year,
        accepted_at=case.accepted_at,
        is_lead=detail.is_lead,
        basis=detail.basis,
        details=detail.details,
        team=[_team_member(m) for m in detail.team],
        referrals=[referral_out(r) for r in detail.referrals],
        members=[
            CaseMemberOut(person=person_ref(m.person), relationship=m.relationship)
            for m in detail.members
        ],
        timeline=TimelineOut(
            items=[_event(e) for e in detail.timeline.object_list],
            page=page_out(detail.timeline),
        ),
    )


class NotePageOut(Schema):
    items: list[NoteOut]
    page: PageOut


def _page(page: int) -> int:
    return max(1, min(page, 100_000))


# --- operations -------------------------------------------------------------------------


@router.get(
    "/agencies",
    response={200: list[AgencyOut], **ERRORS},
    operation_id="agency_list",
    summary="Active agencies, with the ids to refer to",
)
def agency_list(request: HttpRequest) -> list[AgencyOut]:
    caller(request)
    return [
        AgencyOut(id=a.public_id, name=a.name, agency_type=a.agency_type, domains=a.domains)
        for a in Agency.objects.filter(is_active=True).order_by("agency_type", "name")
    ]


@router.post(
    "/cases",
    response={201: CaseOut, **ERRORS},
    operation_id="case_create",
    summary="Open a case for a household, led by your agency",
)
def case_create(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    actor = case_worker(request)
    household = selectors.get_household_for_user(
        actor, payload.household_id, purpose=Purpose.CASE_OPEN
    )
    case = services.case_open(actor=actor, household=household)
    return Status(201, case_out(case_selectors.case_detail_for_user(actor, case.public_id)))


@router.get(
    "/cases",
    response={200: CasePageOut, **ERRORS},
    operation_id="case_list",
    summary="The cases your agency is on, newest first",
)
def case_list(
    request: HttpRequest, page: Query[int] = 1, open_only: Query[bool] = True
) -> CasePageOut:
    actor = case_worker(request)
    result = case_selectors.case_list_for_user(actor, _page(page), open_only=open_only)
    return CasePageOut(items=[case_summary(c) for c in result.object_list], page=page_out(result))


@router.get(
    "/cases/{case_id}",
    response={200: CaseOut, **ERRORS},
    operation_id="case_get",
    summary="A case: its team, referrals, household members and a page of its timeline",
)
def case_get(request: HttpRequest, case_id: UUID, page: Query[int] = 1) -> CaseOut:
    actor = case_worker(request)
    return case_out(case_selectors.case_detail_for_user(actor, case_id, _page(page)))


@router.post(
    "/cases/{case_id}/notes",
    response={201: NoteOut, **ERRORS},
    operation_id="case_note_create",
    summary="Add to the progress record (支援経過記録)",
)
def case_note_create(request: HttpRequest, case_id: UUID, payload: NoteIn) -> Status[NoteOut]:
    actor = case_worker(request)
    case = case_selectors.checked_case(actor, case_id)
    note = services.case_note_create(
        actor=actor,
        case=case,
        written_on=payload.written_on or timezone.localdate(),
        kind=payload.kind,
        text=payload.text,
        visibility=payload.visibility,
    )
    return Status(201, note_out(note))


@router.get(
    "/cases/{case_id}/notes",
    response={200: NotePageOut, **ERRORS},
    operation_id="case_note_list",
    summary="The case's notes you may see (agency-only notes stay in their agency)",
)
def case_note_list(request: HttpRequest, case_id: UUID, page: Query[int] = 1) -> NotePageOut:
    actor = case_worker(request)
    notes = case_selectors.case_notes_for_user(actor, case_id, _page(page))
    return NotePageOut(items=[note_out(n) for n in notes.object_list], page=page_out(notes))


@router.post(
    "/referrals",
    response={201: ReferralOut, **ERRORS},
    operation_id="referral_create",
    summary="Refer a case to another agency (つなぎ); it waits in that agency's inbox",
)
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[ReferralOut]:
    actor = case_worker(request)
    case = case_selectors.checked_case(actor, payload.case_id)
    referral = services.referral_create(
        actor=actor,
        case=case,
        to_agency=agency_by_id(payload.to_agency_id, "to_agency_id"),
        reason=payload.reason,
        request=payload.request,
    )
    return Status(201, referral_out(referral))


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralOut, **ERRORS},
    operation_id="referral_get",
    summary="A referral, for its sender or its addressee",
)
def referral_get(request: HttpRequest, referral_id: UUID) -> ReferralOut:
    actor = case_worker(request)
    return referral_out(case_selectors.get_referral_for_user(actor, referral_id))


@router.post(
    "/referrals/{referral_id}/accept",
    response={200: ReferralOut, **ERRORS},
    operation_id="referral_accept",
    summary="Accept a referral to your agency; your agency joins the case team",
)
def referral_accept(request: HttpRequest, referral_id: UUID) -> ReferralOut:
    actor = case_worker(request)
    referral = case_selectors.get_referral_for_user(actor, referral_id)
    return referral_out(services.referral_accept(actor=actor, referral=referral))


@router.post(
    "/referrals/{referral_id}/decline",
    response={200: ReferralOut, **ERRORS},
    operation_id="referral_decline",
    summary="Decline a referral to your agency, with the reason",
)
def referral_decline(request: HttpRequest, referral_id: UUID, payload: DeclineIn) -> ReferralOut:
    actor = case_worker(request)
    referral = case_selectors.get_referral_for_user(actor, referral_id)
    return referral_out(
        services.referral_decline(
            actor=actor, referral=referral, reason=payload.reason, note=payload.note
        )
    )


@router.post(
    "/referrals/{referral_id}/complete",
    response={200: ReferralOut, **ERRORS},
    operation_id="referral_complete",
    summary="Complete a referral your agency accepted, with its outcome",
)
def referral_complete(request: HttpRequest, referral_id: UUID, payload: CompleteIn) -> ReferralOut:
    actor = case_worker(request)
    referral = case_selectors.get_referral_for_user(actor, referral_id)
    return referral_out(
        services.referral_complete(actor=actor, referral=referral, outcome=payload.outcome)
    )
