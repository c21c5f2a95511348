"""Concern reports (見守り通報): received, and moved along their statuses."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.accounts.notifications import notify
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.core.services import submission_record, submission_seen
from kasane.outreach.builders import build_report
from kasane.outreach.error_codes import ErrorCode
from kasane.outreach.models import (
    ConcernReport,
    ConcernSign,
    ReportStatus,
    Urgency,
)
from kasane.outreach.services.base import _now, _team
from kasane.privacy import outreach as access
from kasane.registry.models import Area


@transaction.atomic
def concern_report_create(
    *,
    actor: Staff,
    area: Area | None = None,
    address: str = "",
    who: str = "",
    signs: Sequence[str] = (),
    details: str = "",
    noticed_on: datetime.date | None = None,
    urgency: str = Urgency.NORMAL,
    token: UUID | None = None,
) -> ConcernReport:
    """File a concern report. Only a place is required — an area or an address — since that
    is all some reporters know. An urgent report tells the outreach team at once, by a
    message that names no one."""
    if not access.may_report(actor):
        raise PermissionDenied
    assert actor.agency is not None
    previous = submission_seen(token, "concern_report")
    if previous is not None:
        return ConcernReport.objects.get(public_id=previous)
    errors: dict[str, list[ValidationError]] = {}
    if area is None and not address.strip():
        errors.setdefault("address", []).append(
            ValidationError(
                _("Say where: choose an area, or write an address or a landmark."),
                code=ErrorCode.NO_PLACE,
            )
        )
    if set(signs) - set(ConcernSign.values):
        errors.setdefault("signs", []).append(
            ValidationError(
                _("Choose what was noticed from the list."), code=ErrorCode.UNKNOWN_SIGN
            )
        )
    if errors:
        raise ValidationError(errors)
    now = _now()
    report = build_report(
        actor=actor,
        area_id=area.pk if area else None,
        address=address,
        who=who,
        signs=signs,
        details=details,
        noticed_on=noticed_on,
        urgency=urgency,
        received_at=now,
    )
    report.full_clean()
    report.save()
    submission_record(token, "concern_report", report.public_id)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.CONCERN_REPORT,
        object_id=report.public_id,
        detail={"urgency": report.urgency},
    )
    if report.urgency == Urgency.URGENT:
        notify(
            _team(),
            kind="concern_report_urgent",
            message=_("An urgent concern report has arrived. Please look at it at once."),
            link=reverse("outreach:report_detail", args=[report.public_id]),
        )
    return report


def _set_status(report: ConcernReport, status: str, at: datetime.datetime) -> bool:
    if report.status == status:
        return False
    report.status = status
    report.status_changed_at = at
    report.save(update_fields=["status", "status_changed_at", "updated_at"])
    return True


@transaction.atomic
def concern_report_status_set(*, actor: Staff, report: ConcernReport, status: str) -> ConcernReport:
    """The outreach team says how far the report has been handled; the reporter sees it."""
    basis = access.report_basis(actor)
    if basis is None:
        raise PermissionDenied
    if status not in ReportStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")}, code=CoreCode.STATUS)
    report = ConcernReport.objects.select_for_update().get(pk=report.pk)
    if _set_status(report, status, _now()):
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            legal_basis=basis,
            object_type=ObjectType.CONCERN_REPORT,
            object_id=report.public_id,
            detail={"status": status},
        )
    return report
