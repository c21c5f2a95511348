"""Outreach targets (アウトリーチ対象): opened, updated, attempts, stages, closed, reopened."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.core.services import submission_record, submission_seen
from kasane.outreach.builders import build_attempt, build_target
from kasane.outreach.error_codes import ErrorCode
from kasane.outreach.models import (
    STAGE_ORDER,
    ChangeKind,
    CloseReason,
    ConcernReport,
    ContactAttempt,
    ContactMethod,
    ContactResult,
    OutreachTarget,
    ReportStatus,
    Stage,
)
from kasane.outreach.services.base import (
    _change,
    _check_case,
    _check_person,
    _check_worker,
    _lock,
    _now,
    _require_open,
    _require_outreach,
    _target_basis,
)
from kasane.outreach.services.reports import _set_status
from kasane.registry.models import Area, Person


@transaction.atomic
def target_open(
    *,
    actor: Staff,
    label: str,
    description: str = "",
    area: Area | None = None,
    address: str = "",
    name: str = "",
    kana: str = "",
    age_band: str = "",
    person: Person | None = None,
    case: Case | None = None,
    worker: Staff | None = None,
    report: ConcernReport | None = None,
    stage: str = Stage.GRASPED,
    token: UUID | None = None,
) -> OutreachTarget:
    """Open an outreach target with as little as is known ("the son at this address, 40s").

    Opened from a concern report, the report is linked and marked 対応中. A person or a case
    is linked only if the actor may already read it.
    """
    agency = _require_outreach(actor)
    previous = submission_seen(token, "outreach_target")
    if previous is not None:
        return OutreachTarget.objects.get(public_id=previous)
    _check_person(actor, person)
    _check_case(actor, case)
    _check_worker(agency, worker)
    if not label.strip():
        raise ValidationError(
            {"label": _("Say how the target is known, e.g. “the son at this address”.")},
            code=ErrorCode.NO_LABEL,
        )
    now = _now()
    target = build_target(
        agency=agency,
        label=label,
        description=description,
        area_id=area.pk if area else None,
        address=address,
        name=name,
        kana=kana,
        age_band=age_band,
        person_id=person.pk if person else None,
        case_id=case.pk if case else None,
        worker=worker or (actor if actor.role == Role.OUTREACH_WORKER else None),
        stage=stage,
        opened_at=now,
    )
    target.full_clean()
    target.save()
    submission_record(token, "outreach_target", target.public_id)
    _change(target, ChangeKind.OPENED, actor, now, to_stage=stage)
    if report is not None:
        report = ConcernReport.objects.select_for_update().get(pk=report.pk)
        report.target = target
        report.save(update_fields=["target", "updated_at"])
        if report.status == ReportStatus.RECEIVED:
            _set_status(report, ReportStatus.IN_PROGRESS, now)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={
            "report": str(report.public_id) if report else None,
            "person": str(person.public_id) if person else None,
        },
    )
    return target


TARGET_FIELDS = ("label", "description", "area", "address", "name", "kana", "age_band", "worker")


@transaction.atomic
def target_update(
    *,
    actor: Staff,
    target: OutreachTarget,
    label: str,
    description: str = "",
    area: Area | None = None,
    address: str = "",
    name: str = "",
    kana: str = "",
    age_band: str = "",
    worker: Staff | None = None,
    person: Person | None = None,
) -> OutreachTarget:
    """Write down what has become known; link the registered person once identified."""
    basis = _target_basis(actor, target)
    target = _lock(target)
    _check_worker(target.agency, worker)
    if person is not None and person.pk != target.person_id:
        _check_person(actor, person)
        target.person = person
    before = {f: getattr(target, f) for f in TARGET_FIELDS}
    target.label = label.strip()
    target.description = description.strip()
    target.area = area
    target.address = address.strip()
    target.name = " ".join(name.split())
    target.kana = kana.strip()
    target.age_band = age_band.strip()
    target.worker = worker
    if not target.label:
        raise ValidationError(
            {"label": _("Say how the target is known, e.g. “the son at this address”.")},
            code=ErrorCode.NO_LABEL,
        )
    target.full_clean()
    target.save()
    changed = sorted(f for f in TARGET_FIELDS if before[f] != getattr(target, f))
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"fields": changed},
    )
    return target


@transaction.atomic
def attempt_record(
    *,
    actor: Staff,
    target: OutreachTarget,
    attempted_on: datetime.date,
    method: str,
    result: str,
    staff: Staff | None = None,
    companions: str = "",
    note: str = "",
) -> ContactAttempt:
    """Log one visit, letter or call: the date, who went, and what came of it.

    Refused for a closed target, for a date in the future or before the target was opened;
    the concern reports behind the target show 対応中 from the first attempt.
    """
    basis = _target_basis(actor, target)
    target = _lock(target)
    _require_open(target)
    errors: dict[str, list[ValidationError]] = {}
    if method not in ContactMethod.values:
        errors.setdefault("method", []).append(ValidationError(_("Choose how contact was tried.")))
    if result not in ContactResult.values:
        errors.setdefault("result", []).append(ValidationError(_("Choose the result.")))
    opened_on = timezone.localtime(target.opened_at).date()
    if attempted_on < opened_on:
        errors.setdefault("attempted_on", []).append(
            ValidationError(
                _("The date is before the target was opened."), code=ErrorCode.BEFORE_OPENED
            )
        )
    if errors:
        raise ValidationError(errors)
    attempt = build_attempt(
        target=target,
        attempted_on=attempted_on,
        method=method,
        result=result,
        staff=staff or actor,
        companions=companions,
        note=note,
    )
    attempt.full_clean()
    attempt.save()
    now = _now()
    for report in target.reports.select_for_update().filter(status=ReportStatus.RECEIVED):
        _set_status(report, ReportStatus.IN_PROGRESS, now)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.CONTACT_ATTEMPT,
        object_id=attempt.public_id,
        detail={"target": str(target.public_id), "result": result},
    )
    return attempt


@transaction.atomic
def target_stage_move(
    *, actor: Staff, target: OutreachTarget, stage: str, note: str = ""
) -> OutreachTarget:
    """Move the stage (把握 → 接触 → 関係構築 → 相談につながる → 支援, or back when the
    relationship is lost); each move is kept in the history."""
    basis = _target_basis(actor, target)
    target = _lock(target)
    _require_open(target)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Choose a stage from the list.")}, code=ErrorCode.STAGE)
    if stage == target.stage:
        raise ValidationError(
            {"stage": _("The target is already at this stage.")}, code=ErrorCode.SAME_STAGE
        )
    previous = target.stage
    target.stage = stage
    target.save(update_fields=["stage", "updated_at"])
    _change(target, ChangeKind.STAGE, actor, _now(), from_stage=previous, to_stage=stage, note=note)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"stage": [previous, stage]},
    )
    return target


@transaction.atomic
def target_close(
    *, actor: Staff, target: OutreachTarget, reason: str, note: str = ""
) -> OutreachTarget:
    """Close the target (connected to support, moved away, ended); its reports show 対応済."""
    basis = _target_basis(actor, target)
    target = _lock(target)
    _require_open(target)
    if reason not in CloseReason.values:
        raise ValidationError(
            {"reason": _("Choose why the target is closed.")}, code=ErrorCode.REASON
        )
    now = _now()
    target.closed_at = now
    target.close_reason = reason
    target.save(update_fields=["closed_at", "close_reason", "updated_at"])
    _change(target, ChangeKind.CLOSED, actor, now, close_reason=reason, note=note)
    for report in target.reports.select_for_update().exclude(status=ReportStatus.DONE):
        _set_status(report, ReportStatus.DONE, now)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"closed": reason},
    )
    return target


@transaction.atomic
def target_reopen(*, actor: Staff, target: OutreachTarget, note: str = "") -> OutreachTarget:
    """A closed target comes back (the month's "returned" inflow), at the stage it left."""
    basis = _target_basis(actor, target)
    target = _lock(target)
    if target.is_open:
        raise ValidationError(_("This outreach target is open."), code=ErrorCode.TARGET_OPEN)
    target.closed_at = None
    target.close_reason = ""
    target.quiet_alerted_at = None
    target.save(update_fields=["closed_at", "close_reason", "quiet_alerted_at", "updated_at"])
    _change(target, ChangeKind.REOPENED, actor, _now(), to_stage=target.stage, note=note)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=target.public_id,
        detail={"reopened": True},
    )
    return target


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(Stage(stage))
