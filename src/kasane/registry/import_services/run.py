"""Who may import, and one import: checked, written in one transaction, audited."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Collection, Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kasane.accounts.models import AgencyType, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.registry.import_services.results import ImportResult, ResidentImportError
from kasane.registry.import_services.rows import _import
from kasane.registry.resident_import import ResidentRow, RowError


def may_import_residents(actor: Staff) -> bool:
    agency = actor.agency
    return bool(
        actor.is_active
        and actor.role == Role.COORDINATOR
        and agency is not None
        and agency.agency_type == AgencyType.MUNICIPALITY
    )


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def _require_importer(actor: Staff) -> None:
    if not may_import_residents(actor):
        raise PermissionDenied


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def residents_import(
    *,
    actor: Staff,
    rows: Sequence[ResidentRow],
    digest: str = "",
    dry_run: bool = False,
    today: datetime.date | None = None,
    faults: Sequence[RowError] = (),
    incomplete: Collection[str] = (),
) -> ImportResult:
    """Create or update the households and persons of a parsed register file.

    Raises ResidentImportError with every refused row (nothing written), PermissionDenied
    for anyone but a municipal coordinator. ``dry_run`` does everything, counts it, and
    rolls it all back.
    """
    _require_importer(actor)
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            _import(actor, rows, result, today or timezone.localdate(), faults, incomplete)
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                legal_basis=LegalBasis.OWN_AGENCY,
                object_type=ObjectType.RESIDENT_IMPORT,
                object_id=digest[:16],
                detail={"rows": len(rows), **result.as_detail()},
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        # The check read the register's persons against Kasane's: recorded, though nothing
        # of it was kept.
        _audit_attempt(
            actor, ObjectType.RESIDENT_IMPORT_CHECK, digest, rows=len(rows), **result.as_detail()
        )
    except ResidentImportError as refused:
        _audit_attempt(
            actor,
            ObjectType.RESIDENT_IMPORT_REFUSED,
            digest,
            rows=len(rows),
            faults=len(refused.errors),
        )
        raise
    return result


def _audit_attempt(
    actor: Staff, object_type: ObjectType, digest: str, **detail: int | bool
) -> None:
    """A check or a refused import writes nothing of the file, but it compared the file with
    the records: its own event, outside the transaction that was rolled back."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=object_type,
            object_id=digest[:16],
            detail=detail,
        )
