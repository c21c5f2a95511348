"""Outreach API (issue #5): concern reports (filed by a 民生委員 or a watch business, who
read back only their status) and outreach targets with their contact attempts and stage.
Writes go through ``kasane.outreach.services``; reads through
``kasane.outreach.selectors``."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kasane.accounts.models import Staff
from kasane.api.auth import caller
from kasane.api.schemas import ERRORS, page_out
from kasane.audit.models import Purpose
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.outreach import selectors, services
from kasane.outreach.api_schemas import (
    AttemptIn,
    AttemptOut,
    CloseIn,
    FlowOut,
    MonthQuery,
    ReportIn,
    ReportOut,
    ReportStatusIn,
    ReportStatusOut,
    ReportStatusPage,
    StageChangeOut,
    StageIn,
    TargetDetailOut,
    TargetIn,
    TargetPage,
    _attempt,
    _report,
    _status,
    _target,
)
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
