"""Who may see which household or person, and on what legal basis.

Read from the ``AccessGrant`` rows that ``kasane.privacy.grants`` keeps (each basis is defined
there once): a household is visible to the agency that registered it and to whoever reads the
details of one of its cases; a person also to the agency that registered the person and to the
agencies the person's consent in force covers. An agency that only knows a case exists (on
its team, or addressed by a referral, without a basis) does not see the household.
Administrators, analysts, auditors and volunteers see no person at all.
"""

from django.db.models import Q

from kasane.accounts.models import Staff
from kasane.audit.models import LegalBasis
from kasane.privacy.cases import grants, works_cases
from kasane.privacy.grants import strongest
from kasane.privacy.models import GrantLevel
from kasane.registry.models import Household, Person


def may_work_with_persons(actor: Staff) -> bool:
    return works_cases(actor)


def household_scope(actor: Staff) -> Q | None:
    """The filter on Household that the actor may read, or None for nothing."""
    if not may_work_with_persons(actor):
        return None
    return Q(id__in=grants(actor, GrantLevel.HOUSEHOLD).values("household_id"))


def person_scope(actor: Staff) -> Q | None:
    """The filter on Person that the actor may read, or None for nothing."""
    if not may_work_with_persons(actor):
        return None
    return Q(id__in=grants(actor, GrantLevel.PERSON).values("person_id"))


def basis_for(actor: Staff, record: Household | Person) -> LegalBasis | None:
    """The legal basis on which the actor may read or change the record, or None."""
    if not may_work_with_persons(actor):
        return None
    if isinstance(record, Household):
        rows = grants(actor, GrantLevel.HOUSEHOLD).filter(household_id=record.pk)
    else:
        rows = grants(actor, GrantLevel.PERSON).filter(person_id=record.pk)
    return strongest(rows.values_list("basis", flat=True))
