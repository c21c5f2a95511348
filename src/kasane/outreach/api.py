"""Outreach API (issue #5): concern reports (filed by a 民生委員 or a watch business, who
read back only their status) and outreach targets with their contact attempts and stage.
Writes go through ``kasane.outreach.services``; reads through
``kasane.outreach.selectors``."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kasane.accounts.models import Staff
from kasane.api.auth import caller
from kasane.api.schemas import ERRORS, AgencyRef, PageOut, agency_ref, page_out
from kasane.audit.models import Purpose
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.outreach import selectors, services
from kasane.outreach.models import (
    CloseReason,
    ConcernReport,
    ConcernSign,
    ContactAttempt,
    ContactMethod,
    ContactResult,
    OutreachTarget,
    ReportStatus,
    Stage,
    Urgency,
)
from kasane.outreach.selectors import TargetRow
from kasane.privacy import outreach as outreach_policy
from kasane.registry.models import Area

router = Router(tags=["outreach"])


def _reporter(request: HttpRequest) -> Staff:
    staff = caller(request)
    if not outreach_policy.may_report(staff):
        raise Http404
    return staff


def _outreach(request: HttpRequest) -> Staff:
    staff = caller(request)
    if not outreach_policy.works_outreach(staff):
        raise Http404
    return staff


def _area(code: str | None) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationError(
            {
                "area": ValidationError(
                    _("There is no area with this code."), code=CoreCode.UNKNOWN_AREA
                )
            }
        )
    return area


# --- concern reports ----------------------------------------------------------------------


class ReportIn(Schema):
    """Only a place is required: an area code or an address (or both)."""

    area: str | None = Field(default=None, description="area code, e.g. K3101", max_length=20)
    address: str = Field(default="", max_length=200)
    who: str = Field(default="", max_length=200, description="as far as known")
    signs: list[ConcernSign] = Field(default_factory=list)
    details: str = Field(default="", max_length=2000)
    noticed_on: datetime.date | None = None
    urgency: Urgency = Urgency.NORMAL


class ReportStatusOut(Schema):
    """What the reporter reads back: the report's status, never what the team found."""

    id: UUID
    received_at: datetime.datetime
    status: ReportStatus
    status_changed_at: datetime.datetime


def _status(report: ConcernReport) -> ReportStatusOut:
    return ReportStatusOut(
        id=report.public_id,
        received_at=report.received_at,
        status=ReportStatus(report.status),
        status_changed_at=report.status_changed_at,
    )


class ReportStatusPage(Schema):
    page: PageOut
    reports: list[ReportStatusOut]


class ReportOut(ReportStatusOut):
    reporter_agency: AgencyRef
    area: str | None
    address: str
    who: str
    signs: list[str]
    details: str
    noticed_on: datetime.date | None
    urgency: str
    target_id: UUID | None


def _report(report: ConcernReport) -> ReportOut:
    agency = agency_ref(report.reporter_agency)
    assert agency is not None
    return ReportOut(
        **_status(report).dict(),
        reporter_agency=agency,
        area=report.area.code if report.area else None,
        address=report.address,
        who=report.who,
        signs=list(report.signs),
        details=report.details,
        noticed_on=report.noticed_on,
        urgency=report.urgency,
        target_id=report.target.public_id if report.target else None,
    )


class ReportStatusIn(Schema):
    status: ReportStatus


@router.post(
    "/outreach/reports",
    response={201: ReportStatusOut, **ERRORS},
    operation_id="concern_report_create",
    summary="File a concern report (民生委員 or a business with a watch agreement)",
)
def report_create(request: HttpRequest, payload: ReportIn) -> Status[ReportStatusOut]:
    actor = _reporter(request)
    report = services.concern_report_create(
        actor=actor,
        area=_area(payload.area),
        address=payload.address,
        who=payload.who,
        signs=[s.value for s in payload.signs],
        details=payload.details,
        noticed_on=payload.noticed_on,
        urgency=payload.urgency,
    )
    return Status(201, _status(report))


@router.get(
    "/outreach/reports/mine",
    response={200: ReportStatusPage, **ERRORS},
    operation_id="concern_report_mine",
    summary="The status of the caller's own concern reports",
)
def reports_mine(request: HttpRequest, page: int = 1) -> ReportStatusPage:
    actor = _reporter(request)
    result = selectors.my_reports(actor, page)
    return ReportStatusPage(page=page_out(result), reports=[_status(r) for r in result])


@router.get(
    "/outreach/reports/mine/{report_id}",
    response={200: ReportStatusOut, **ERRORS},
    operation_id="concern_report_status",
    summary="The status of one of the caller's own concern reports",
)
def report_status(request: HttpRequest, report_id: UUID) -> ReportStatusOut:
    return _status(selectors.get_my_report(caller(request), report_id))


@router.get(
    "/outreach/reports/{report_id}",
    response={200: ReportOut, **ERRORS},
    operation_id="concern_report_get",
    summary="A concern report as the outreach team reads it",
)
def report_get(request: HttpRequest, report_id: UUID) -> ReportOut:
    return _report(selectors.get_report_for_outreach(_outreach(request), report_id))


@router.put(
    "/outreach/reports/{report_id}/status",
    response={200: ReportOut, **ERRORS},
    operation_id="concern_report_status_set",
    summary="Set the status the reporter sees (受付済 / 対応中 / 対応済)",
)
def report_status_set(request: HttpRequest, report_id: UUID, payload: ReportStatusIn) -> ReportOut:
    actor = _outreach(request)
    report = selectors.get_report_for_outreach(actor, report_id, purpose=Purpose.STATUS)
    services.concern_report_status_set(actor=actor, report=report, status=payload.status)
    return _report(selectors.get_report_for_outreach(actor, report_id))


# --- outreach targets ---------------------------------------------------------------------


class TargetIn(Schema):
    label: str = Field(min_length=1, max_length=100, examples=["この住所の息子（40代）"])
    description: str = Field(default="", max_length=2000)
    area: str | None = Field(default=None, max_length=20, description="area code")
    address: str = Field(default="", max_length=200)
    name: str = Field(default="", max_length=100)
    kana: str = Field(default="", max_length=100)
    age_band: str = Field(default="", max_length=20)
    report_id: UUID | None = Field(default=None, description="the concern report it comes from")


class TargetOut(Schema):
    id: UUID
    label: str
    description: str
    area: str | None
    address: str
    name: str
    kana: str
    age_band: str
    stage: str
    agency: AgencyRef
    worker: str | None
    person_id: UUID | None
    case_id: UUID | None
    case_number: str | None
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    close_reason: str
    last_contact: datetime.date | None = None
    days_since_contact: int | None = None
    attempts: int | None = None


def _target(target: OutreachTarget, row: TargetRow | None = None) -> TargetOut:
    agency = agency_ref(target.agency)
    assert agency is not None
    out = TargetOut(
        id=target.public_id,
        label=target.label,
        description=target.description,
        area=target.area.code if target.area else None,
        address=target.address,
        name=target.name,
        kana=target.kana,
        age_band=target.age_band,
        stage=target.stage,
        agency=agency,
        worker=str(target.worker) if target.worker else None,
        person_id=target.person.public_id if target.person else None,
        case_id=target.case.public_id if target.case else None,
        case_number=target.case.number if target.case else None,
        opened_at=target.opened_at,
        closed_at=target.closed_at,
        close_reason=target.close_reason,
    )
    if row is not None:
        out.last_contact = row.last_contact
        out.days_since_contact = row.days_since_contact
        out.attempts = row.attempts
    return out


class FlowOut(Schema):
    month: datetime.date
    new: int
    returned: int
    connected: int
    moved: int
    ended: int


class TargetPage(Schema):
    page: PageOut
    quiet_days: int
    flow: FlowOut
    targets: list[TargetOut]


class AttemptIn(Schema):
    attempted_on: datetime.date
    method: ContactMethod
    result: ContactResult
    companions: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class AttemptOut(Schema):
    id: UUID
    attempted_on: datetime.date
    method: str
    result: str
    staff: str
    companions: str
    note: str


def _attempt(attempt: ContactAttempt) -> AttemptOut:
    return AttemptOut(
        id=attempt.public_id,
        attempted_on=attempt.attempted_on,
        method=attempt.method,
        result=attempt.result,
        staff=str(attempt.staff),
        companions=attempt.companions,
        note=attempt.note,
    )


class StageChangeOut(Schema):
    at: datetime.datetime
    kind: str
    from_stage: str
    to_stage: str
    close_reason: str


class TargetDetailOut(TargetOut):
    attempt_list: list[AttemptOut]
    history: list[StageChangeOut]


class StageIn(Schema):
    stage: Stage
    note: str = Field(default="", max_length=500)


class CloseIn(Schema):
    reason: CloseReason
    note: str = Field(default="", max_length=500)


class MonthQuery(Schema):
    page: int = 1
    month: datetime.date | None = Field(default=None, description="any day of the month")


@router.get(
    "/outreach/targets",
    response={200: TargetPage, **ERRORS},
    operation_id="outreach_target_list",
    summary="Open targets: stage, days since the last contact, attempts; the month's flow",
)
def target_list(request: HttpRequest, query: Query[MonthQuery]) -> TargetPage:
    actor = _outreach(request)
    listing = selectors.target_list_for_user(actor, query.page, month=query.month)
    return TargetPage(
        page=page_out(listing.page),
        quiet_days=listing.quiet_days,
        flow=FlowOut(**listing.flow.__dict__),
        targets=[_target(r.target, r) for r in listing.rows],
    )


def _detail(actor: Staff, target_id: UUID) -> TargetDetailOut:
    detail = selectors.target_detail_for_user(actor, target_id)
    return TargetDetailOut(
        **_target(detail.target, detail.row).dict(),
        attempt_list=[_attempt(a) for a in detail.attempts],
        history=[
            StageChangeOut(
                at=c.at,
                kind=c.kind,
                from_stage=c.from_stage,
                to_stage=c.to_stage,
                close_reason=c.close_reason,
            )
            for c in detail.changes
        ],
    )


@router.post(
    "/outreach/targets",
    response={201: TargetDetailOut, **ERRORS},
    operation_id="outreach_target_open",
    summary="Open an outreach target with what is known (from a concern report or not)",
)
def target_open(request: HttpRequest, payload: TargetIn) -> Status[TargetDetailOut]:
    actor = _outreach(request)
    report = (
        selectors.get_report_for_outreach(actor, payload.report_id, purpose=Purpose.OPEN_TARGET)
        if payload.report_id
        else None
    )
    target = services.target_open(
        actor=actor,
        label=payload.label,
        description=payload.description,
        area=_area(payload.area),
        address=payload.address,
        name=payload.name,
        kana=payload.kana,
        age_band=payload.age_band,
        report=report,
    )
    return Status(201, _detail(actor, target.public_id))


@router.get(
    "/outreach/targets/{target_id}",
    response={200: TargetDetailOut, **ERRORS},
    operation_id="outreach_target_get",
    summary="One target with its contact attempts and the history of its stage",
)
def target_get(request: HttpRequest, target_id: UUID) -> TargetDetailOut:
    return _detail(_outreach(request), target_id)


@router.post(
    "/outreach/targets/{target_id}/attempts",
    response={201: AttemptOut, **ERRORS},
    operation_id="outreach_attempt_record",
    summary="Log a contact attempt: date, method and result (the caller went)",
)
def attempt_record(request: HttpRequest, target_id: UUID, payload: AttemptIn) -> Status[AttemptOut]:
    actor = _outreach(request)
    target = selectors.get_target_for_user(actor, target_id, purpose=Purpose.ATTEMPT)
    attempt = services.attempt_record(actor=actor, target=target, **payload.dict())
    return Status(201, _attempt(attempt))


@router.post(
    "/outreach/targets/{target_id}/stage",
    response={200: TargetDetailOut, **ERRORS},
    operation_id="outreach_stage_move",
    summary="Move the stage (把握 → 接触 → 関係構築 → 相談につながる → 支援)",
)
def stage_move(request: HttpRequest, target_id: UUID, payload: StageIn) -> TargetDetailOut:
    actor = _outreach(request)
    target = selectors.get_target_for_user(actor, target_id, purpose=Purpose.STAGE)
    services.target_stage_move(actor=actor, target=target, stage=payload.stage, note=payload.note)
    return _detail(actor, target_id)


@router.post(
    "/outreach/targets/{target_id}/close",
    response={200: TargetDetailOut, **ERRORS},
    operation_id="outreach_target_close",
    summary="Close the target: connected to support, moved away, or ended",
)
def target_close(request: HttpRequest, target_id: UUID, payload: CloseIn) -> TargetDetailOut:
    actor = _outreach(request)
    target = selectors.get_target_for_user(actor, target_id, purpose=Purpose.CLOSE)
    services.target_close(actor=actor, target=target, reason=payload.reason, note=payload.note)
    return _detail(actor, target_id)
