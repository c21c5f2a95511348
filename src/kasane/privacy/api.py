"""Privacy API: consents and break-glass, through ``kasane.privacy.services`` and the
privacy selectors, as the pages do."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kasane.accounts.models import Agency, AgencyType
from kasane.api.auth import case_worker
from kasane.api.schemas import ERRORS, AgencyRef
from kasane.audit.models import Purpose
from kasane.cases.selectors import get_case_for_user
from kasane.core.error_codes import ErrorCode as CoreErrorCode
from kasane.privacy import services
from kasane.privacy.consent import get_consent_for_user
from kasane.privacy.consent_export import person_consent_records
from kasane.privacy.error_codes import ErrorCode
from kasane.privacy.models import BreakGlass, Consent, ConsentMethod, ConsentPurpose
from kasane.registry import selectors

router = Router(tags=["privacy"])


class ConsentIn(Schema):
    """A consent as on the 相談受付・申込票 (with consent to share)."""

    purposes: list[ConsentPurpose] = Field(min_length=1, max_length=4)
    agency_ids: list[UUID] = Field(default_factory=list, max_length=50)
    agency_types: list[AgencyType] = Field(default_factory=list, max_length=20)
    method: ConsentMethod
    proxy_name: str = Field(default="", max_length=100)
    proxy_relation: str = Field(default="", max_length=50)
    obtained_on: datetime.date
    expires_on: datetime.date | None = None
    note: str = Field(default="", max_length=2000)


class ConsentEventOut(Schema):
    event: str = Field(description="given, narrowed or withdrawn")
    at: datetime.datetime
    agency: str | None
    removed: dict[str, list[str]]
    cases: list[str]


class ConsentOut(Schema):
    id: UUID
    person_id: UUID = Field(description="whose consent it is")
    purposes: list[str]
    agencies: list[AgencyRef]
    agency_types: list[str]
    method: str
    proxy_name: str
    proxy_relation: str
    obtained_on: datetime.date
    expires_on: datetime.date | None
    withdrawn_at: datetime.datetime | None
    in_force: bool
    recorded_by_agency: str
    history: list[ConsentEventOut]


class ConsentsOut(Schema):
    in_force: list[ConsentOut]
    past: list[ConsentOut]


class WithdrawIn(Schema):
    """Withdraw the whole consent (nothing named), or only some agencies, types, purposes."""

    agency_ids: list[UUID] = Field(default_factory=list, max_length=50)
    agency_types: list[AgencyType] = Field(default_factory=list, max_length=20)
    purposes: list[ConsentPurpose] = Field(default_factory=list, max_length=4)
    note: str = Field(default="", max_length=500)


class BreakGlassIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class BreakGlassOut(Schema):
    id: UUID
    case_number: str
    started_at: datetime.datetime
    expires_at: datetime.datetime


def consent_out(consent: Consent, in_force: bool) -> ConsentOut:
    return ConsentOut(
        id=consent.public_id,
        person_id=consent.person.public_id,
        purposes=list(consent.purposes),
        agencies=[AgencyRef(id=a.public_id, name=a.name) for a in consent.agencies.all()],
        agency_types=list(consent.agency_types),
        method=consent.method,
        proxy_name=consent.proxy_name,
        proxy_relation=consent.proxy_relation,
        obtained_on=consent.obtained_on,
        expires_on=consent.expires_on,
        withdrawn_at=consent.withdrawn_at,
        in_force=in_force,
        recorded_by_agency=consent.recorded_by_agency.name,
        history=[
            ConsentEventOut(
                event=e.kind,
                at=e.at,
                agency=e.actor_agency.name if e.actor_agency else None,
                removed={k: v for k, v in e.removed.items() if k != "agency_names"},
                cases=e.cases,
            )
            for e in consent.events.all()
        ],
    )


def _agencies(ids: list[UUID]) -> list[Agency]:
    """The agencies named, each one that gives support (a clear code otherwise)."""
    found = list(Agency.objects.filter(public_id__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError(
            {
                "agency_ids": ValidationError(
                    _("There is no agency with this id."), code=ErrorCode.BAD_AGENCY
                )
            }
        )
    refused = [a.name for a in found if not a.gives_support]
    if refused:
        raise ValidationError(
            {
                "agency_ids": ValidationError(
                    _(
                        "%(names)s gives no support: a consent names only support agencies "
                        "(not watch-agreement businesses, the welfare volunteers' council or "
                        "administrative offices)."
                    )
                    % {"names": "、".join(refused)},
                    code=CoreErrorCode.NOT_SUPPORT_AGENCY,
                )
            }
        )
    return found


@router.get(
    "/persons/{person_id}/consents",
    response={200: ConsentsOut, **ERRORS},
    operation_id="consent_list",
    summary="A person's consents: in force, and withdrawn or expired",
)
def consent_list(request: HttpRequest, person_id: UUID) -> ConsentsOut:
    actor = case_worker(request)
    detail = selectors.person_detail_for_user(actor, person_id)
    return ConsentsOut(
        in_force=[consent_out(c, True) for c in detail.consents_in_force],
        past=[consent_out(c, False) for c in detail.past_consents],
    )


@router.post(
    "/persons/{person_id}/consents",
    response={201: ConsentOut, **ERRORS},
    operation_id="consent_create",
    summary="Record a person's consent to share (同意)",
)
def consent_create(request: HttpRequest, person_id: UUID, payload: ConsentIn) -> Status[ConsentOut]:
    actor = case_worker(request)
    person = selectors.get_person_for_user(actor, person_id, purpose=Purpose.CONSENT)
    consent = services.consent_record(
        actor=actor,
        person=person,
        data=services.ConsentInput(
            purposes=[str(p) for p in payload.purposes],
            method=str(payload.method),
            obtained_on=payload.obtained_on,
            agencies=_agencies(payload.agency_ids),
            agency_types=[str(t) for t in payload.agency_types],
            proxy_name=payload.proxy_name,
            proxy_relation=payload.proxy_relation,
            expires_on=payload.expires_on,
            note=payload.note,
        ),
    )
    return Status(201, consent_out(consent, True))


@router.post(
    "/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **ERRORS},
    operation_id="consent_withdraw",
    summary="Withdraw a consent, or only some of its agencies, types or purposes; access "
    "resting on what was withdrawn ends with this request",
)
def consent_withdraw(request: HttpRequest, consent_id: UUID, payload: WithdrawIn) -> ConsentOut:
    actor = case_worker(request)
    consent = get_consent_for_user(actor, consent_id)
    partial = bool(payload.agency_ids or payload.agency_types or payload.purposes)
    by_id = {a.public_id: a for a in consent.agencies.all()}
    unknown = [i for i in payload.agency_ids if i not in by_id]
    if unknown:
        raise ValidationError(
            {
                "agency_ids": ValidationError(
                    _("The consent does not name this agency."), code=ErrorCode.BAD_AGENCY
                )
            }
        )
    change = services.ConsentChange(
        agencies=[by_id[i] for i in payload.agency_ids],
        agency_types=[str(t) for t in payload.agency_types],
        purposes=[str(p) for p in payload.purposes],
        entirely=not partial,
    )
    consent = services.consent_narrow(
        actor=actor, consent=consent, change=change, note=payload.note
    )
    return consent_out(consent, consent.withdrawn_at is None)


@router.get(
    "/persons/{person_id}/consents/export",
    response={200: dict[str, Any], **ERRORS},
    operation_id="consent_export",
    summary="A person's consent records as ISO/IEC TS 27560 JSON (audited download)",
)
def consent_export(request: HttpRequest, person_id: UUID) -> dict[str, Any]:
    actor = case_worker(request)
    return person_consent_records(actor, person_id)


@router.post(
    "/cases/{case_id}/break-glass",
    response={201: BreakGlassOut, **ERRORS},
    operation_id="break_glass_start",
    summary="Emergency access to a case's details for 24 hours (protection of life or safety); "
    "the coordinator and auditor are notified and review it",
)
def break_glass_start(
    request: HttpRequest, case_id: UUID, payload: BreakGlassIn
) -> Status[BreakGlassOut]:
    actor = case_worker(request)
    case = get_case_for_user(actor, case_id, purpose=Purpose.BREAK_GLASS)
    glass: BreakGlass = services.break_glass_start(actor=actor, case=case, reason=payload.reason)
    return Status(
        201,
        BreakGlassOut(
            id=glass.public_id,
            case_number=case.number,
            started_at=glass.started_at,
            expires_at=glass.expires_at,
        ),
    )
