"""Meeting services: who holds which meeting, which case it may take up, and the decisions
that create work — including every bad input of issue #4 that concerns meetings."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kasane.accounts.models import AgencyType
from kasane.audit.models import AuditEvent, LegalBasis
from kasane.cases import services as case_services
from kasane.meetings import services
from kasane.meetings.models import ConfidentialityPledge, DecisionKind, MeetingKind
from kasane.meetings.tests.conftest import when
from kasane.privacy.models import ConsentPurpose

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [e.code or "" for errors in error.error_dict.values() for e in errors]
    return [e.code or "" for e in error.error_list]


def test_support_meeting_is_held_by_the_municipality(caseworker, coordinator):
    caseworker.agency.agency_type = AgencyType.COMMUNITY_GENERAL_SUPPORT
    caseworker.agency.save()
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            actor=caseworker, kind=MeetingKind.SUPPORT_MEETING, held_at=when(), place="包括"
        )
    assert codes(refused.value) == ["support_meeting_by_municipality"]
    meeting = services.meeting_create(
        actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=when(), place="市役所"
    )
    assert meeting.organizer == coordinator.agency and meeting.chair == coordinator
    assert [a.staff for a in meeting.attendees.all()] == [coordinator]


def test_integrated_meeting_is_held_by_a_coordinator(caseworker):
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(
            actor=caseworker, kind=MeetingKind.INTEGRATED_MEETING, held_at=when(), online=True
        )
    assert codes(refused.value) == ["integrated_meeting_by_coordination"]


def test_a_meeting_needs_a_place_or_online(coordinator):
    with pytest.raises(ValidationError) as refused:
        services.meeting_create(actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=when())
    assert codes(refused.value) == ["place_required"]


def test_support_meeting_takes_up_a_case_without_consent_or_support_decision(
    coordinator, coord_case, support_meeting
):
    assert coord_case.accepted_at is None
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    assert item.case == coord_case
    event = AuditEvent.objects.filter(object_type="agenda_item").get()
    assert event.legal_basis == LegalBasis.SUPPORT_MEETING


def test_integrated_meeting_refuses_a_case_without_support_decision(
    coordinator, coord_case, integrated_meeting, give_consent
):
    give_consent(coord_case)
    with pytest.raises(ValidationError) as refused:
        services.agenda_add(actor=coordinator, meeting=integrated_meeting, case=coord_case)
    assert codes(refused.value) == ["not_accepted"]
    assert "支援決定" in refused.value.messages[0]


def test_integrated_meeting_refuses_a_case_without_consent(
    coordinator, coord_case, integrated_meeting, give_consent
):
    case_services.case_accept(actor=coordinator, case=coord_case)
    with pytest.raises(ValidationError) as refused:
        services.agenda_add(actor=coordinator, meeting=integrated_meeting, case=coord_case)
    assert codes(refused.value) == ["no_consent"]
    assert "同意" in refused.value.messages[0]
    # A consent for other purposes, or withdrawn, or not yet given, does not count either.
    give_consent(coord_case, purposes=[ConsentPurpose.INFORMATION_SHARING])
    give_consent(coord_case, withdrawn_at=timezone.now())
    give_consent(coord_case, obtained_on=timezone.localdate() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        services.agenda_add(actor=coordinator, meeting=integrated_meeting, case=coord_case)
    assert codes(refused.value) == ["no_consent"]
    give_consent(coord_case)
    item = services.agenda_add(actor=coordinator, meeting=integrated_meeting, case=coord_case)
    assert item.pk


def test_integrated_meeting_decides_support(
    coordinator, coord_case, integrated_meeting, give_consent
):
    give_consent(coord_case)
    item = services.agenda_add(
        actor=coordinator, meeting=integrated_meeting, case=coord_case, to_decide_support=True
    )
    decision = services.decision_add(
        actor=coordinator, item=item, kind=DecisionKind.SUPPORT_DECISION
    )
    coord_case.refresh_from_db()
    assert coord_case.accepted_at == integrated_meeting.held_at
    assert decision.text


def test_support_decision_only_at_an_integrated_meeting(coordinator, coord_case, support_meeting):
    attendee = support_meeting.attendees.get()
    services.pledge_record(actor=coordinator, attendee=attendee)
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    with pytest.raises(ValidationError) as refused:
        services.decision_add(actor=coordinator, item=item, kind=DecisionKind.SUPPORT_DECISION)
    assert codes(refused.value) == ["decision_needs_integrated_meeting"]


def test_pledge_only_at_a_support_meeting(coordinator, integrated_meeting):
    attendee = integrated_meeting.attendees.get()
    with pytest.raises(ValidationError) as refused:
        services.pledge_record(actor=coordinator, attendee=attendee)
    assert codes(refused.value) == ["pledge_not_support_meeting"]
    assert not ConfidentialityPledge.objects.exists()


def test_pledge_once_per_attendee_and_meeting(coordinator, support_meeting, outsider):
    attendee = services.attendee_add(
        actor=coordinator, meeting=support_meeting, agency=outsider.agency, staff=outsider
    )
    # The attendee records their own pledge; a stranger to the meeting cannot.
    services.pledge_record(actor=outsider, attendee=attendee)
    with pytest.raises(ValidationError) as refused:
        services.pledge_record(actor=coordinator, attendee=attendee)
    assert codes(refused.value) == ["pledge_duplicate"]


def test_only_the_organizer_invites_attendees(support_meeting, outsider, caseworker):
    with pytest.raises(PermissionDenied):
        services.attendee_add(actor=caseworker, meeting=support_meeting, agency=outsider.agency)


def test_action_needs_an_owner_on_the_team(
    coordinator, coord_case, support_meeting, caseworker, stranger
):
    services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    due = timezone.localdate() + datetime.timedelta(days=14)
    with pytest.raises(ValidationError) as refused:
        services.decision_add(
            actor=coordinator,
            item=item,
            kind=DecisionKind.ACTION,
            text="家庭訪問",
            owner=stranger.agency,
            due_on=due,
        )
    assert codes(refused.value) == ["owner_not_on_team"]
    assert stranger.agency.name in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        services.decision_add(
            actor=coordinator,
            item=item,
            kind=DecisionKind.ACTION,
            text="家庭訪問",
            owner=caseworker.agency,
        )
    assert codes(refused.value) == ["due_required"]
    decision = services.decision_add(
        actor=coordinator,
        item=item,
        kind=DecisionKind.ACTION,
        text="家庭訪問",
        owner=caseworker.agency,
        due_on=due,
    )
    assert decision.owner == caseworker.agency and decision.due_on == due


def test_review_needs_the_next_date(coordinator, coord_case, support_meeting):
    services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    with pytest.raises(ValidationError) as refused:
        services.decision_add(
            actor=coordinator, item=item, kind=DecisionKind.REVIEW, text="3か月後"
        )
    assert codes(refused.value) == ["review_date_required"]
    next_on = timezone.localdate() + datetime.timedelta(days=90)
    decision = services.decision_add(
        actor=coordinator,
        item=item,
        kind=DecisionKind.REVIEW,
        text="3か月後",
        next_review_on=next_on,
    )
    assert decision.next_review_on == next_on


def test_missing_resource_needs_its_description(coordinator, coord_case, support_meeting):
    services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    with pytest.raises(ValidationError) as refused:
        services.decision_add(actor=coordinator, item=item, kind=DecisionKind.MISSING_RESOURCE)
    assert codes(refused.value) == ["text_required"]


def test_the_organizer_without_pledge_cannot_write_minutes(
    coordinator, coord_case, support_meeting
):
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    with pytest.raises(PermissionDenied):
        services.minutes_record(actor=coordinator, item=item, minutes="…")
    services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = services.minutes_record(actor=coordinator, item=item, minutes="母の介護と息子の就労")
    assert item.minutes == "母の介護と息子の就労"


def test_only_the_chair_names_members(coordinator, coord_case, support_meeting, outsider):
    colleague = type(coordinator).objects.create(
        username="coordinator2", agency=coordinator.agency, role=coordinator.role
    )
    attendee = services.attendee_add(
        actor=coordinator, meeting=support_meeting, agency=outsider.agency
    )
    with pytest.raises(ValidationError) as refused:
        services.agenda_add(
            actor=colleague, meeting=support_meeting, case=coord_case, members=[attendee]
        )
    assert codes(refused.value) == ["not_chair"]


def test_a_case_once_per_meeting(coordinator, coord_case, support_meeting):
    services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    with pytest.raises(ValidationError) as refused:
        services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    assert codes(refused.value) == ["agenda_duplicate"]


def test_the_organizer_takes_up_only_cases_it_can_see(coordinator, open_case, support_meeting):
    # Not sent to coordination: the coordinator does not know the case exists.
    with pytest.raises(PermissionDenied):
        services.agenda_add(actor=coordinator, meeting=support_meeting, case=open_case)
