"""The meeting list as CSV: the meetings the agency holds or attends, no case named."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.shortcuts import resolve_url
from django.test import Client

from kasane.accounts.models import Staff
from kasane.audit.models import AuditEvent
from kasane.meetings import services
from kasane.meetings.models import Meeting

pytestmark = pytest.mark.django_db

URL = "meetings:meeting_list_csv"


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_the_meetings_of_the_agency_without_case_names(
    coordinator: Staff,
    support_meeting: Meeting,
    coord_case: Any,
    outsider: Staff,
    login: Callable[..., Client],
) -> None:
    services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    response = login(coordinator).get(resolve_url(URL))
    assert response.status_code == 200
    _header, *rows = _rows(response.content)
    assert len(rows) == 1
    assert rows[0][1] == support_meeting.get_kind_display()
    assert rows[0][4] == "市役所 会議室A" and rows[0][6] == "1"
    text = response.content.decode("utf-8-sig")
    assert coord_case.number not in text
    event = AuditEvent.objects.get(object_type="meeting_list_export")
    assert event.detail["meetings"] == [str(support_meeting.public_id)]
    # Another agency that neither holds nor attends it gets an empty list.
    other = _rows(login(outsider).get(resolve_url(URL)).content)
    assert other[1:] == []


def test_roles_without_cases_are_refused(
    support_meeting: Meeting, analyst: Staff, auditor: Staff, login: Callable[..., Client]
) -> None:
    for staff in (analyst, auditor):
        assert login(staff).get(resolve_url(URL)).status_code in (403, 404)


def test_the_query_count_does_not_grow_with_the_meetings(
    coordinator: Staff, support_meeting: Meeting, login: Callable[..., Client]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kasane.meetings.models import MeetingKind
    from kasane.meetings.tests.conftest import when

    client = login(coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(resolve_url(URL))
    for n in range(6):
        services.meeting_create(
            actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=when(n + 2), place="会議室"
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(resolve_url(URL))
    assert len(_rows(response.content)) == 8
    assert len(many) == len(few)
