"""A household is visible to the agencies working a case about it, and to nobody else."""

import pytest
from django.http import Http404

from kasane.cases import services
from kasane.conftest import head_of
from kasane.privacy import selectors
from kasane.privacy.models import AuditEvent, LegalBasis


@pytest.fixture
def case(caseworker, household):
    return services.case_open(actor=caseworker, household=household)


def test_referral_addressee_sees_the_household_and_its_members(
    case, caseworker, outsider, household
):
    with pytest.raises(Http404):
        selectors.household_detail_for_user(outsider, household.public_id)
    referral = services.referral_create(
        actor=caseworker, case=case, to_agency=outsider.agency, reason="r", request="q"
    )
    detail = selectors.household_detail_for_user(outsider, household.public_id)
    assert [m.person for m in detail.current] == [head_of(household)]
    event = AuditEvent.objects.filter(actor=outsider, object_type="household").first()
    assert event is not None and event.legal_basis == LegalBasis.REFERRAL
    assert selectors.get_person_for_user(outsider, head_of(household).public_id)

    services.referral_decline(actor=outsider, referral=referral, reason="no_capacity")
    with pytest.raises(Http404):
        selectors.household_detail_for_user(outsider, household.public_id)


def test_team_agency_reads_with_the_case_team_basis(
    case, caseworker, outsider, household, stranger
):
    referral = services.referral_create(
        actor=caseworker, case=case, to_agency=outsider.agency, reason="r", request="q"
    )
    services.referral_accept(actor=outsider, referral=referral)
    selectors.get_household_for_user(outsider, household.public_id)
    event = AuditEvent.objects.filter(actor=outsider, object_type="household").first()
    assert event is not None and event.legal_basis == LegalBasis.CASE_TEAM
    result = selectors.search_persons(outsider, "クサノ")
    assert [p.pk for p in result.persons] == [head_of(household).pk]
    # An agency with nothing to do with the case still finds nobody.
    assert selectors.search_persons(stranger, "クサノ").persons == []
    with pytest.raises(Http404):
        selectors.get_household_for_user(stranger, household.public_id)


def test_coordinator_sees_the_household_once_sent_to_coordination(
    case, caseworker, coordinator, household
):
    with pytest.raises(Http404):
        selectors.get_household_for_user(coordinator, household.public_id)
    services.case_send_to_coordination(actor=caseworker, case=case, reason="8050")
    selectors.get_household_for_user(coordinator, household.public_id)
