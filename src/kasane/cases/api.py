"""Cases API: cases, their referrals (つなぎ) and notes (支援経過記録), and the agencies to
refer to. Writes go through ``kasane.cases.services``; reads through
``kasane.cases.selectors``."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from kasane.accounts.models import Agency
from kasane.api.auth import caller, case_worker
from kasane.api.lookups import agency_by_id
from kasane.api.schemas import (
    ERRORS,
    page_out,
)
from kasane.audit.models import Purpose
from kasane.cases import selectors as case_selectors
from kasane.cases import services
from kasane.cases.api_schemas import (
    AgencyOut,
    CaseIn,
    CaseOut,
    CasePageOut,
    CompleteIn,
    DeclineIn,
    NoteIn,
    NoteOut,
    NotePageOut,
    ReferralIn,
    ReferralOut,
    case_out,
    case_summary,
    note_out,
    referral_out,
)
from kasane.registry import selectors

router = Router(tags=["cases"])


def _page(page: int) -> int:
    return max(1, min(page, 100_000))


@router.get(
    "/agencies",
    response={200: list[AgencyOut], **ERRORS},
    operation_id="agency_list",
    summary="Active agencies, with the ids to refer to",
)
def agency_list(request: HttpRequest) -> list[AgencyOut]:
    caller(request)
    return [
        AgencyOut(
            id=a.public_id,
            name=a.name,
            agency_type=a.agency_type,
            domains=a.domains,
            gives_support=a.gives_support,
        )
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
    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    note = services.case_note_create(
        actor=actor,
        case=case,
        written_on=payload.written_on or timezone.localdate(),
        kind=payload.kind,
        text=payload.text,
        visibility=payload.visibility,
        backdate_reason=payload.backdate_reason,
        token=services.api_note_token(actor, case, key) if key else payload.token,
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
