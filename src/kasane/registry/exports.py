"""The whole list of households for the CSV export: the same records, under the same rules,
as the household list (its own query), without the paging, and audited as one export with
every record's id in the same transaction.
"""

from __future__ import annotations

from django.db import transaction

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.registry.models import Household
from kasane.registry.selectors import _current_memberships, registered_households


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
        audit.record(
            actor=actor,
            action=AuditAction.DOWNLOAD,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.HOUSEHOLD_LIST_EXPORT,
            detail={"households": [str(h.public_id) for h in households]},
        )
    return households
