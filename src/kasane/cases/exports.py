"""Whole lists of cases for CSV exports: the same records, under the same rules, as the
pages (each reuses the page's own query), without the paging, and audited as one export
with every record's id in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kasane.accounts.models import Staff
from kasane.cases.models import Case
from kasane.cases.selectors import board_cases
from kasane.privacy.audit import audit_record
from kasane.privacy.models import AuditAction, LegalBasis


def _audit_export(actor: Staff, basis: LegalBasis, object_type: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=object_type,
        detail=detail,
    )


@transaction.atomic
def coordination_board_export_for_user(actor: Staff, fiscal_year: int) -> list[Case]:
    """The cases sent to coordination in the 年度, by triage (as on the coordinator's
    board), each with its head of household as the actor may see them; audited as
    ``coordination_board_export``."""
    cases = list(board_cases(actor, fiscal_year))
    if cases:
        _audit_export(
            actor,
            LegalBasis.COORDINATION,
            "coordination_board_export",
            fiscal_year=fiscal_year,
            cases=[str(c.public_id) for c in cases],
        )
    return cases
