"""The shapes of the cases API: what it takes in and answers with, and how records become them."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from kasane.accounts.models import Agency, Staff
from kasane.api.schemas import (
    AgencyRef,
    PageOut,
    PersonRef,
    agency_ref,
    page_out,
    person_ref,
)
from kasane.cases import selectors as case_selectors
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
    written_on: datetime.date | None = Field(
        default=None,
        description="default: today; from the case's opening to today (Japan time), or "
        "earlier with a backdate_reason",
    )
    kind: NoteKind
    text: str = Field(max_length=8000)
    visibility: NoteVisibility = NoteVisibility.TEAM
    backdate_reason: str = Field(
        default="", max_length=500, description="why the note is dated before the case opened"
    )
    token: UUID | None = Field(
        default=None,
        description="a one-time id of this note: sent again, the note is saved once "
        "(an Idempotency-Key header does the same)",
    )


class AgencyOut(Schema):
    id: UUID
    name: str
    agency_type: str
    domains: list[str]
    gives_support: bool = Field(
        description="a support agency: the only kind a referral, a hand-over or a meeting names"
    )


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
    backdate_reason: str = Field(default="", description="why it is dated before the case opened")


def note_out(note: CaseNote, author: Staff | None = None, agency: Agency | None = None) -> NoteOut:
    return NoteOut(
        id=note.public_id,
        written_on=note.written_on,
        kind=note.kind,
        text=note.text,
        visibility=note.visibility,
        backdate_reason=note.backdate_reason,
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
