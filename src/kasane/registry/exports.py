"""The whole list of households for the CSV export: the same records, under the same rules,
as the household list (its own query), without the paging, and audited as one export with
every record's id in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kasane.accounts.models import Staff
from kasane.privacy.audit import audit_record
from kasane.privacy.models import AuditAction, LegalBasis
from kasane.registry.models import Household
from kasane.registry.selectors import _current_memberships, registered_households


def _audit_export(actor: Staff, basis: LegalBasis, object_type: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=object_type,
        detail=detail,
    )


@transaction.atomic
def household_list_export_for_user(actor: Staff) -> list[Household]:
    """Every household the actor's agency registered, newest first (as on the household
    list), with their current members; audited as ``household_list_export``."""
    households = list(
        registered_households(actor)
        .select_related("area")
        .prefetch_related(_current_memberships())
        .order_by("-created_at", "-id")
    )
    if households:
        _audit_export(
            actor,
            LegalBasis.OWN_AGENCY,
            "household_list_export",
            households=[str(h.public_id) for h in households],
        )
    return households
