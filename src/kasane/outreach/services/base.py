"""What the outreach services share: the clock, access checks, the lock, the change log."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Role, Staff
from kasane.audit.models import LegalBasis
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.outreach.builders import build_change
from kasane.outreach.error_codes import ErrorCode
from kasane.outreach.models import (
    ChangeKind,
    OutreachTarget,
    StageChange,
)
from kasane.privacy import outreach as access
from kasane.privacy.cases import case_basis
from kasane.privacy.policy import basis_for
from kasane.registry.models import Person


def _now() -> datetime.datetime:
    # The demo loader writes a past year through ``kasane.cases.services.clock_at``.
    return case_services._now()


def _require_outreach(actor: Staff) -> Agency:
    if not access.works_outreach(actor) or actor.agency is None:
        raise PermissionDenied
    return actor.agency


def _target_basis(actor: Staff, target: OutreachTarget) -> LegalBasis:
    basis = access.target_basis(actor, target)
    if basis is None:
        raise PermissionDenied
    return basis


def _require_open(target: OutreachTarget) -> None:
    if not target.is_open:
        raise ValidationError(_("This outreach target is closed."), code=ErrorCode.TARGET_CLOSED)


def _lock(target: OutreachTarget) -> OutreachTarget:
    return OutreachTarget.objects.select_for_update().get(pk=target.pk)


def _team() -> QuerySet[Staff]:
    return Staff.objects.filter(is_active=True, role=Role.OUTREACH_WORKER)


def _change(
    target: OutreachTarget,
    kind: ChangeKind,
    actor: Staff | None,
    at: datetime.datetime,
    *,
    from_stage: str = "",
    to_stage: str = "",
    close_reason: str = "",
    note: str = "",
) -> StageChange:
    change = build_change(
        target,
        kind,
        actor,
        at,
        from_stage=from_stage,
        to_stage=to_stage,
        close_reason=close_reason,
        note=note,
    )
    change.save()
    return change


def _check_person(actor: Staff, person: Person | None) -> None:
    if person is not None and basis_for(actor, person) is None:
        raise PermissionDenied


def _check_case(actor: Staff, case: Case | None) -> None:
    if case is not None and case_basis(actor, case) is None:
        raise PermissionDenied


def _check_worker(agency: Agency, worker: Staff | None) -> None:
    if worker is not None and (
        worker.agency_id != agency.pk or worker.role != Role.OUTREACH_WORKER
    ):
        raise ValidationError(
            {"worker": _("Choose an outreach worker of the agency.")}, code=ErrorCode.WORKER
        )
