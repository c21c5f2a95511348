"""Query-count guards: the meeting list and the meeting page cost the same for many rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kasane.accounts.models import Role
from kasane.cases import services as case_services
from kasane.conftest import AgencyFactory, StaffFactory, make_household
from kasane.meetings import services
from kasane.meetings.models import MeetingKind
from kasane.meetings.tests.conftest import when

pytestmark = pytest.mark.django_db

MANY = 12


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _case(caseworker: Any, coordinator: Any, n: int) -> Any:
    household = make_household(
        caseworker.agency,
        name=f"世帯{n}",
        kana=f"セタイ {'アイウエオカキクケコサシスセソ'[n % 15]}",
        birth_date=None,
    )
    case = case_services.case_open(actor=caseworker, household=household)
    case_services.case_send_to_coordination(actor=caseworker, case=case, reason="8050")
    return case_services.case_triage(actor=coordinator, case=case, triage="A")


def _add_rows(meeting: Any, coordinator: Any, caseworker: Any, n: int, give_consent: Any) -> None:
    for i in range(n):
        agency = AgencyFactory.create()
        staff = StaffFactory.create(agency=agency, role=Role.CASEWORKER)
        attendee = services.attendee_add(
            actor=coordinator, meeting=meeting, agency=agency, staff=staff
        )
        case = _case(caseworker, coordinator, i + 100 * meeting.pk)
        if meeting.kind == MeetingKind.SUPPORT_MEETING:
            services.pledge_record(actor=coordinator, attendee=attendee)
        else:
            case = case_services.case_accept(actor=coordinator, case=case)
            give_consent(case, agencies=[agency, coordinator.agency])
        item = services.agenda_add(
            actor=coordinator,
            meeting=meeting,
            case=case,
            members=[attendee, meeting.attendees.first()],
        )
        services.minutes_record(actor=coordinator, item=item, minutes=f"議事{i}")


@pytest.mark.parametrize("kind", [MeetingKind.SUPPORT_MEETING, MeetingKind.INTEGRATED_MEETING])
def test_meeting_page_does_not_grow_with_attendees_and_cases(
    login, coordinator, caseworker, give_consent, kind
):
    meeting = services.meeting_create(actor=coordinator, kind=kind, held_at=when(), place="市役所")
    if kind == MeetingKind.SUPPORT_MEETING:
        services.pledge_record(actor=coordinator, attendee=meeting.attendees.get())
    client = login(coordinator)
    url = reverse("meetings:meeting_detail", args=[meeting.public_id])
    _add_rows(meeting, coordinator, caseworker, 1, give_consent)
    few = _count(client, url)
    assert "議事0" in client.get(url).content.decode()
    _add_rows(meeting, coordinator, caseworker, MANY, give_consent)
    assert _count(client, url) <= few


def test_meeting_list_does_not_grow_with_meetings(login, coordinator, caseworker):
    client = login(coordinator)
    url = reverse("meetings:meeting_list")
    services.meeting_create(
        actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=when(), place="市役所"
    )
    few = _count(client, url)
    for i in range(MANY):
        meeting = services.meeting_create(
            actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=when(i + 2), place="市役所"
        )
        services.agenda_add(
            actor=coordinator, meeting=meeting, case=_case(caseworker, coordinator, i)
        )
    assert _count(client, url) <= few
