"""Who may see which personal data, and on what legal basis.

A household or person is visible to the staff of the agency that registered it, and to the
agencies that work a case about the household (its team, the addressee of an open referral
or hand-over, and the coordinator once the case is sent to coordination — see
``kasane.privacy.cases``). Administrators, analysts, auditors and volunteers see no person
at all. Consent and 支援会議 (issue #4) will narrow what a team agency reads.
"""

from django.db.models import Q

from kasane.accounts.models import Staff
from kasane.cases.models import Case
from kasane.privacy.cases import case_basis, case_scope
from kasane.privacy.models import LegalBasis
from kasane.registry.models import Household, Membership, Person


def may_work_with_persons(actor: Staff) -> bool:
    return bool(actor.is_active and actor.works_cases and actor.agency_id is not None)


def _case_households(actor: Staff) -> Q | None:
    scope = case_scope(actor)
    if scope is None:
        return None
    return Q(id__in=Case.objects.filter(scope).values("household_id"))


def household_scope(actor: Staff) -> Q | None:
    """The filter on Household that the actor may read, or None for nothing."""
    if not may_work_with_persons(actor):
        return None
    own = Q(registered_by_agency_id=actor.agency_id)
    on_cases = _case_households(actor)
    return own if on_cases is None else own | on_cases


def person_scope(actor: Staff) -> Q | None:
    """The filter on Person that the actor may read, or None for nothing."""
    if not may_work_with_persons(actor):
        return None
    own = Q(registered_by_agency_id=actor.agency_id)
    scope = case_scope(actor)
    if scope is None:
        return own
    households = Case.objects.filter(scope).values("household_id")
    members = Membership.objects.filter(household_id__in=households).values("person_id")
    return own | Q(id__in=members)


def basis_for(actor: Staff, record: Household | Person) -> LegalBasis | None:
    """The legal basis on which the actor may read or change the record, or None."""
    if not may_work_with_persons(actor):
        return None
    if record.registered_by_agency_id == actor.agency_id:
        return LegalBasis.OWN_AGENCY
    scope = case_scope(actor)
    if scope is None:
        return None
    cases = Case.objects.filter(scope)
    if isinstance(record, Household):
        cases = cases.filter(household=record)
    else:
        cases = cases.filter(household__memberships__person=record)
    case = cases.order_by("-opened_at").first()
    return None if case is None else case_basis(actor, case)
