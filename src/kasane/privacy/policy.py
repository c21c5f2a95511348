"""Who may see which personal data, and on what legal basis.

Until consent and meetings exist (later issues), the only basis is that the actor's agency
registered the household or person. Administrators, analysts, auditors and volunteers see
no person at all.
"""

from django.db.models import Q

from kasane.accounts.models import Staff
from kasane.privacy.models import LegalBasis
from kasane.registry.models import Household, Person


def may_work_with_persons(actor: Staff) -> bool:
    return bool(actor.is_active and actor.works_cases and actor.agency_id is not None)


def registry_scope(actor: Staff) -> Q | None:
    """The filter on ``registered_by_agency`` that the actor may read, or None for nothing."""
    if not may_work_with_persons(actor):
        return None
    return Q(registered_by_agency_id=actor.agency_id)


def basis_for(actor: Staff, record: Household | Person) -> LegalBasis | None:
    """The legal basis on which the actor may read or change the record, or None."""
    if not may_work_with_persons(actor):
        return None
    if record.registered_by_agency_id == actor.agency_id:
        return LegalBasis.OWN_AGENCY
    return None
