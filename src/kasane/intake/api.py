"""Intake API: consultations (相談受付) and the taxonomy of needs. Writes go through
``kasane.intake.services``, reads through ``kasane.intake.selectors``."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kasane.accounts.models import Staff
from kasane.api.auth import caller, case_worker
from kasane.api.lookups import agency_by_id
from kasane.api.schemas import (
    ERRORS,
    AgencyRef,
    MemberIn,
    PageOut,
    PersonIn,
    PersonRef,
    agency_ref,
    page_out,
    person_ref,
)
from kasane.audit.models import Purpose
from kasane.core.models import Domain
from kasane.intake import selectors as intake_selectors
from kasane.intake import services
from kasane.intake.error_codes import ErrorCode
from kasane.intake.models import Channel, Consultation, NeedType, Outcome, Requester
from kasane.privacy.consent_services import ConsentMethod, GivenHow
from kasane.registry import selectors
from kasane.registry.api import area_by_code, check_persons, refuse_duplicates

if TYPE_CHECKING:  # annotations only: pages read persons through the selectors
    from kasane.registry.models import Household, Person

router = Router(tags=["intake"])


# --- input ------------------------------------------------------------------------------


class NewHouseholdIn(Schema):
    head: PersonIn
    members: list[MemberIn] = Field(default_factory=list, max_length=20)
    address: str = Field(default="", max_length=200)
    area_code: str | None = Field(default=None, description="code of a town block (町丁目)")
    phone: str = Field(default="", max_length=20)


class ConsenterIn(Schema):
    """One member who consented on the 相談受付・申込票, and how (代理 names the proxy)."""

    person_id: UUID | None = Field(default=None, description="a registered member of the household")
    new_member_index: int | None = Field(
        default=None, ge=0, le=20, description="a row of new_household: 0 the head, then members"
    )
    method: ConsentMethod = ConsentMethod.WRITTEN
    proxy_name: str = Field(default="", max_length=100)
    proxy_relation: str = Field(default="", max_length=50)


class ConsultationReferralIn(Schema):
    to_agency_id: UUID
    reason: str = Field(max_length=2000)
    request: str = Field(max_length=2000, description="what you ask of the other agency")


class ConsultationIn(Schema):
    """The 相談受付票: about a known household, known persons, or a new household."""

    received_at: datetime.datetime | None = Field(
        default=None, description="default: now; without an offset, Japan time"
    )
    requester: Requester
    channel: Channel
    household_id: UUID | None = None
    person_ids: list[UUID] = Field(default_factory=list, max_length=20)
    new_household: NewHouseholdIn | None = None
    needs: list[str] = Field(max_length=30, description="need codes, from GET /need-types")
    main_need: str | None = Field(default=None, description="one of the needs: the 主訴")
    domains: list[Domain] = Field(default_factory=list)
    summary: str = Field(max_length=4000)
    outcome: Outcome
    consent_to_share: bool = False
    consenters: list[ConsenterIn] | None = Field(
        default=None,
        max_length=21,
        description="who consented and how; default: the persons concerned (or the new "
        "household's head). Nothing is recorded for the other members.",
    )
    referral: ConsultationReferralIn | None = Field(
        default=None, description="required when referred"
    )
    coordination_reason: str = Field(default="", max_length=2000)
    confirm_not_duplicate: bool = False
    token: UUID | None = Field(
        default=None,
        description="any UUID the client makes once per consultation: a retried POST "
        "with the same token returns the first consultation instead of a second",
    )


def _need_types(codes: list[str], main: str | None) -> tuple[list[NeedType], NeedType | None]:
    found = {n.code: n for n in NeedType.objects.filter(code__in=[*codes, main], is_active=True)}
    errors: dict[str, ValidationError] = {}
    unknown = [c for c in codes if c not in found]
    if unknown:
        errors["needs"] = ValidationError(
            _("Unknown need codes: %(codes)s.") % {"codes": ", ".join(unknown)},
            code=ErrorCode.UNKNOWN_NEED,
        )
    if main is not None and main not in found:
        errors["main_need"] = ValidationError(
            _("Unknown need codes: %(codes)s.") % {"codes": main}, code=ErrorCode.UNKNOWN_NEED
        )
    if errors:
        raise ValidationError(errors)
    return [found[c] for c in codes], (found[main] if main is not None else None)


def _subject(
    actor: Staff, payload: ConsultationIn
) -> tuple[Household | None, list[Person], services.NewHousehold | None]:
    """Whom the consultation is about, each record fetched through the privacy selectors."""
    if payload.new_household is not None and (payload.household_id or payload.person_ids):
        raise ValidationError(
            _("Send either a known household and persons, or a new household, not both."),
            code=ErrorCode.AMBIGUOUS_SUBJECT,
        )
    household = (
        selectors.get_household_for_user(actor, payload.household_id, purpose=Purpose.INTAKE)
        if payload.household_id
        else None
    )
    persons = [
        selectors.get_person_for_user(actor, p, purpose=Purpose.INTAKE) for p in payload.person_ids
    ]
    if household is not None and persons:
        members = {m.person_id for m in household.current_memberships}  # type: ignore[attr-defined]
        if any(p.pk not in members for p in persons):
            raise ValidationError(
                {
                    "person_ids": ValidationError(
                        _("The persons must be current members of the household."),
                        code=ErrorCode.PERSON_NOT_IN_HOUSEHOLD,
                    )
                }
            )
    new = payload.new_household
    if new is None:
        return household, persons, None
    area = area_by_code(new.area_code, "new_household.area_code")
    check_persons("new_household.", new.head, new.members)
    refuse_duplicates(actor, [new.head, *new.members], payload.confirm_not_duplicate)
    return (
        None,
        [],
        services.NewHousehold(
            head=new.head.to_input(area),
            address=new.address,
            area=area,
            phone=new.phone,
            members=[(m.to_input(area), m.relationship) for m in new.members],
        ),
    )


def _consenters(actor: Staff, given: list[ConsenterIn] | None) -> list[services.Consenter] | None:
    if given is None:
        return None
    return [
        services.Consenter(
            person=selectors.get_person_for_user(actor, c.person_id, purpose=Purpose.INTAKE)
            if c.person_id is not None
            else None,
            row=c.new_member_index,
            how=GivenHow(
                method=str(c.method), proxy_name=c.proxy_name, proxy_relation=c.proxy_relation
            ),
        )
        for c in given
    ]


# --- output -----------------------------------------------------------------------------


class NeedTypeOut(Schema):
    code: str
    name: str


class ConsultationSummaryOut(Schema):
    id: UUID
    received_at: datetime.datetime
    received_by: str
    requester: str
    channel: str
    household_id: UUID | None
    household_head: PersonRef | None
    needs: list[str]
    main_need: str | None
    outcome: str
    case_id: UUID | None


class ConsultationOut(ConsultationSummaryOut):
    agency: AgencyRef
    persons: list[PersonRef]
    domains: list[str]
    summary: str | None = Field(
        description=(
            "null for another agency unless a consent in force naming it, a pledged "
            "support meeting (支援会議) or its break-glass covers it"
        )
    )
    consent_to_share: bool
    referral_ids: list[UUID]


class ConsultationPageOut(Schema):
    items: list[ConsultationSummaryOut]
    page: PageOut


def consultation_summary(c: Consultation) -> ConsultationSummaryOut:
    """From a consultation as the intake selectors fetch it (needs and heads prefetched)."""
    needs = list(c.needs.all())
    heads = c.household.heads if c.household else []  # type: ignore[attr-defined]
    return ConsultationSummaryOut(
        id=c.public_id,
        received_at=c.received_at,
        received_by=str(c.staff),
        requester=c.requester,
        channel=c.channel,
        household_id=c.household.public_id if c.household else None,
        household_head=person_ref(heads[0].person) if heads else None,
        needs=[n.need_type.code for n in needs],
        main_need=next((n.need_type.code for n in needs if n.is_main), None),
        outcome=c.outcome,
        case_id=c.case.public_id if c.case else None,
    )


def consultation_out(actor: Staff, c: Consultation) -> ConsultationOut:
    agency = agency_ref(c.agency)
    assert agency is not None
    return ConsultationOut(
        **consultation_summary(c).model_dump(),
        agency=agency,
        persons=[person_ref(p) for p in c.persons.all()],
        domains=list(c.domains),
        summary=c.summary if intake_selectors.summary_visible(actor, c) else None,
        consent_to_share=c.consent_to_share,
        referral_ids=[r.public_id for r in c.referrals.order_by("requested_at", "id")],
    )


# --- operations -------------------------------------------------------------------------


@router.get(
    "/need-types",
    response={200: list[NeedTypeOut], **ERRORS},
    operation_id="need_type_list",
    summary="The needs (課題) a consultation may name, by code",
)
def need_type_list(request: HttpRequest) -> list[NeedTypeOut]:
    caller(request)
    return [
        NeedTypeOut(code=n.code, name=n.name)
        for n in NeedType.objects.filter(is_active=True).order_by("sort_order", "code")
    ]


@router.post(
    "/consultations",
    response={201: ConsultationOut, **ERRORS},
    operation_id="consultation_create",
    summary="Record a consultation; referring it or sending it to coordination opens a case",
)
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Status[ConsultationOut]:
    actor = case_worker(request)
    received_at = payload.received_at or timezone.now()
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    needs, main_need = _need_types(payload.needs, payload.main_need)
    household, persons, new_household = _subject(actor, payload)
    referral = None
    if payload.referral is not None and payload.outcome == Outcome.REFERRED:
        referral = services.ReferralRequest(
            to_agency=agency_by_id(payload.referral.to_agency_id, "referral.to_agency_id"),
            reason=payload.referral.reason,
            request=payload.referral.request,
        )
    consultation = services.consultation_record(
        actor=actor,
        received_at=received_at,
        requester=payload.requester,
        channel=payload.channel,
        household=household,
        persons=persons,
        new_household=new_household,
        needs=needs,
        main_need=main_need,
        domains=list(payload.domains),
        summary=payload.summary,
        outcome=payload.outcome,
        consent_to_share=payload.consent_to_share,
        consenters=_consenters(actor, payload.consenters),
        referral=referral,
        coordination_reason=payload.coordination_reason,
        token=payload.token,
    )
    read = intake_selectors.get_consultation_for_user(actor, consultation.public_id)
    return Status(201, consultation_out(actor, read))


@router.get(
    "/consultations",
    response={200: ConsultationPageOut, **ERRORS},
    operation_id="consultation_list",
    summary="The consultations your agency received, newest first",
)
def consultation_list(request: HttpRequest, page: Query[int] = 1) -> ConsultationPageOut:
    actor = case_worker(request)
    result = intake_selectors.consultation_list_for_user(actor, max(1, min(page, 100_000)))
    return ConsultationPageOut(
        items=[consultation_summary(c) for c in result.object_list],
        page=page_out(result),
    )


@router.get(
    "/consultations/{consultation_id}",
    response={200: ConsultationOut, **ERRORS},
    operation_id="consultation_get",
    summary=(
        "One consultation: your agency's, or on a case whose details you may read (404 "
        "otherwise); its summary only where your agency's basis covers it"
    ),
)
def consultation_get(request: HttpRequest, consultation_id: UUID) -> ConsultationOut:
    actor = case_worker(request)
    return consultation_out(
        actor, intake_selectors.get_consultation_for_user(actor, consultation_id)
    )
