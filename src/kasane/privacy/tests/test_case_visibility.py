"""A household is visible to the agencies working a case about it, and to nobody else."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from kasane.audit.models import AuditEvent, LegalBasis
from kasane.cases import services
from kasane.conftest import head_of
from kasane.meetings import services as meeting_services
from kasane.meetings.models import MeetingKind
from kasane.privacy import services as privacy_services
from kasane.registry import selectors


@pytest.fixture
def case(caseworker, household):
    return services.case_open(actor=caseworker, household=household)


def test_referral_addressee_sees_the_household_only_with_the_persons_consent(
    case, caseworker, outsider, household, give_consent
):
    with pytest.raises(Http404):
        selectors.household_detail_for_user(outsider, household.public_id)
    referral = services.referral_create(
        actor=caseworker, case=case, to_agency=outsider.agency, reason="r", request="q"
    )
    # Addressed, the agency knows the case exists: not who lives in the household.
    with pytest.raises(Http404):
        selectors.household_detail_for_user(outsider, household.public_id)
    consent = give_consent(household, outsider.agency)
    detail = selectors.household_detail_for_user(outsider, household.public_id)
    assert [m.person for m in detail.current] == [head_of(household)]
    event = AuditEvent.objects.filter(actor=outsider, object_type="household").first()
    assert event is not None and event.legal_basis == LegalBasis.CONSENT
    assert selectors.get_person_for_user(outsider, head_of(household).public_id)

    privacy_services.consent_withdraw(actor=caseworker, consent=consent)
    with pytest.raises(Http404):
        selectors.household_detail_for_user(outsider, household.public_id)
    services.referral_decline(actor=outsider, referral=referral, reason="no_capacity")


def test_team_agency_reads_on_a_pledged_support_meeting(
    case, caseworker, outsider, household, stranger, coordinator
):
    referral = services.referral_create(
        actor=caseworker, case=case, to_agency=outsider.agency, reason="r", request="q"
    )
    services.referral_accept(actor=outsider, referral=referral)
    # On the team, without a basis: the household stays closed.
    with pytest.raises(Http404):
        selectors.get_household_for_user(outsider, household.public_id)
    assert selectors.search_persons(outsider, "クサノ").persons == []

    services.case_send_to_coordination(actor=caseworker, case=case, reason="8050")
    meeting = meeting_services.meeting_create(
        actor=coordinator,
        kind=MeetingKind.SUPPORT_MEETING,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        place="会議室",
    )
    attendee = meeting_services.attendee_add(
        actor=coordinator, meeting=meeting, agency=outsider.agency
    )
    meeting_services.agenda_add(actor=coordinator, meeting=meeting, case=case)
    with pytest.raises(Http404):  # attending without a pledge is no basis
        selectors.get_household_for_user(outsider, household.public_id)
    meeting_services.pledge_record(actor=coordinator, attendee=attendee)
    selectors.get_household_for_user(outsider, household.public_id)
    event = AuditEvent.objects.filter(actor=outsider, object_type="household").first()
    assert event is not None and event.legal_basis == LegalBasis.SUPPORT_MEETING
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
