"""Whole lists of cases for CSV exports: the same records, under the same rules, as the
pages (each reuses the page's own query), without the paging, and audited as one export
with every record's id in the same transaction.
"""

from __future__ import annotations

from django.db import transaction

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.cases.selectors import board_cases


@transaction.atomic
def coordination_board_export_for_user(actor: Staff, fiscal_year: int) -> list[Case]:
    """The cases sent to coordination in the 年度, by triage (as on the coordinator's
    board), each with its head of household as the actor may see them; audited as
    ``coordination_board_export``."""
    cases = list(board_cases(actor, fiscal_year))
    if cases:
        audit.record(
            actor=actor,
            action=AuditAction.DOWNLOAD,
            legal_basis=LegalBasis.COORDINATION,
            object_type=ObjectType.COORDINATION_BOARD_EXPORT,
            detail={"fiscal_year": fiscal_year, "cases": [str(c.public_id) for c in cases]},
        )
    return cases
