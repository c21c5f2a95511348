"""Meetings through the API: the same services and privacy selectors as the pages."""

from __future__ import annotations

import pytest

from kasane.api.tests.conftest import api, assert_error  # noqa: F401
from kasane.cases import services as case_services
from kasane.meetings.models import AgendaItem, Meeting

pytestmark = pytest.mark.django_db


def test_hold_a_support_meeting_through_the_api(api, coordinator, coord_case, outsider, stranger):
    client = api(coordinator)
    response = client.post(
        "/meetings",
        {"kind": "support_meeting", "held_at": "2026-12-01T14:00:00+09:00", "place": "市役所"},
    )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    response = client.post(
        f"/meetings/{meeting_id}/attendees",
        {"agency_id": str(outsider.agency.public_id), "staff_id": str(outsider.public_id)},
    )
    assert response.status_code == 201, response.content
    guest_id = response.json()["id"]
    chair_id = Meeting.objects.get().attendees.get(staff=coordinator).public_id
    assert client.post(f"/meetings/{meeting_id}/attendees/{chair_id}/pledge").status_code == 201
    response = client.post(f"/meetings/{meeting_id}/agenda", {"case_id": str(coord_case.public_id)})
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    assert response.json()["legal_basis"] == "support_meeting"
    response = client.client.put(
        f"/api/v1/agenda-items/{item_id}/minutes",
        {"minutes": "通院同行の調整"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["minutes"] == "通院同行の調整"
    response = client.post(
        f"/agenda-items/{item_id}/decisions",
        {
            "kind": "action",
            "text": "訪問",
            "owner_id": str(stranger.agency.public_id),
            "due_on": "2027-01-10",
        },
    )
    assert_error(response, 400, "owner_not_on_team")

    # The invited agency without its pledge: the meeting, but not the case.
    guest = api(outsider)
    body = guest.get(f"/meetings/{meeting_id}").json()
    assert body["agenda"] == [] and body["closed_items"] == 1
    assert_error(guest.get(f"/agenda-items/{item_id}"), 404, "not_found")
    assert guest.post(f"/meetings/{meeting_id}/attendees/{guest_id}/pledge").status_code == 201
    assert guest.get(f"/agenda-items/{item_id}").json()["minutes"] == "通院同行の調整"
    # Outsiders: nothing.
    assert_error(api(stranger).get(f"/meetings/{meeting_id}"), 404, "not_found")


def test_integrated_meeting_refusals_through_the_api(api, coordinator, coord_case):
    client = api(coordinator)
    meeting_id = client.post(
        "/meetings",
        {"kind": "integrated_meeting", "held_at": "2026-12-01T14:00:00+09:00", "online": True},
    ).json()["id"]
    response = client.post(f"/meetings/{meeting_id}/agenda", {"case_id": str(coord_case.public_id)})
    assert_error(response, 400, "not_accepted")
    case_services.case_accept(actor=coordinator, case=coord_case)
    response = client.post(f"/meetings/{meeting_id}/agenda", {"case_id": str(coord_case.public_id)})
    assert_error(response, 400, "no_consent")
    chair = Meeting.objects.get().attendees.get()
    assert_error(
        client.post(f"/meetings/{meeting_id}/attendees/{chair.public_id}/pledge"),
        400,
        "pledge_not_support_meeting",
    )
    assert not AgendaItem.objects.exists()
