"""The shapes of the outreach API: concern reports and outreach targets, in and out."""

from __future__ import annotations

import datetime
from uuid import UUID

from ninja import Field, Schema

from kasane.api.schemas import AgencyRef, PageOut, VisibleName, agency_ref
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


class TargetIn(Schema):
    label: str = Field(min_length=1, max_length=100, examples=["この住所の息子（40代）"])
    description: str = Field(default="", max_length=2000)
    area: str | None = Field(default=None, max_length=20, description="area code")
    address: str = Field(default="", max_length=200)
    name: VisibleName = Field(default="", max_length=100)
    kana: VisibleName = Field(default="", max_length=100)
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
