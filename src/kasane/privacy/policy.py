"""Who may see which personal data, and on what legal basis.

A household or person is visible to the staff of the agency that registered it, to the
agencies that may read the details of a case about the household (``detail_scope`` in
``kasane.privacy.cases``: the lead agency, a consent in force, a pledged 支援会議, the
coordinator of a case sent to coordination, or break-glass), and a person also to the
agencies that the person's consent in force names. An agency that only knows a case exists
(on its team, or addressed by a referral, without a basis) does not see the household.
Administrators, analysts, auditors and volunteers see no person at all.
"""

from django.db.models import Q
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit.models import LegalBasis
from kasane.cases.models import Case
from kasane.privacy.cases import consenting_person_ids, detail_basis, detail_scope
from kasane.registry.models import Household, Membership, Person


def may_work_with_persons(actor: Staff) -> bool:
    return bool(actor.is_active and actor.works_cases and actor.agency_id is not None)


def _case_households(actor: Staff) -> Q | None:
    scope = detail_scope(actor)
    if scope is None:
        return None
    return Q(id__in=Case.objects.filter(scope).values("household_id"))


def _consenting(actor: Staff) -> Q:
    agency = actor.agency
    assert agency is not None
    return Q(id__in=consenting_person_ids(agency.pk, agency.agency_type, timezone.localdate()))


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
    own = Q(registered_by_agency_id=actor.agency_id) | _consenting(actor)
    scope = detail_scope(actor)
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
    scope = detail_scope(actor)
    if scope is not None:
        cases = Case.objects.filter(scope).select_related("household")
        if isinstance(record, Household):
            cases = cases.filter(household=record)
        else:
            cases = cases.filter(household__memberships__person=record)
        case = cases.order_by("-opened_at").first()
        if case is not None:
            return detail_basis(actor, case)
    if (
        isinstance(record, Person)
        and Person.objects.filter(_consenting(actor), pk=record.pk).exists()
    ):
        return LegalBasis.CONSENT
    return None
