"""The meeting pages as staff use them: hold a meeting, invite, pledge, take a case up,
record minutes and decisions; refusals shown on the form with the reason."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from kasane.audit.models import AuditAction, AuditEvent
from kasane.cases import services as case_services
from kasane.meetings import services
from kasane.meetings.models import AgendaItem, Decision, Meeting

pytestmark = pytest.mark.django_db


def test_hold_a_support_meeting_through_the_pages(login, coordinator, coord_case, outsider):
    client = login(coordinator)
    response = client.post(
        reverse("meetings:meeting_create"),
        {"kind": "support_meeting", "held_at": "2026-12-01T14:00", "place": "市役所 3階"},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{meeting.public_id}/")
    client.post(
        reverse("meetings:attendee_add", args=[meeting.public_id]),
        {"agency": outsider.agency.pk, "staff": outsider.pk},
    )
    for attendee in meeting.attendees.all():
        client.post(reverse("meetings:pledge", args=[meeting.public_id, attendee.public_id]))
    assert all(a.pledge for a in meeting.attendees.all())
    response = client.post(
        reverse("meetings:agenda_add", args=[meeting.public_id]), {"case_number": coord_case.number}
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    url = reverse("meetings:item_detail", args=[item.public_id])
    client.post(url, {"action": "minutes", "minutes": "本人との接触方法を検討"})
    client.post(
        url,
        {
            "action": "decision",
            "kind": "action",
            "text": "同行訪問",
            "owner": coord_case.lead_agency.pk,
            "due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.public_id])).content.decode()
    assert "本人との接触方法を検討" in page and "同行訪問" in page and coord_case.number in page


def test_action_for_an_agency_not_on_the_team_is_refused_on_the_form(
    login, coordinator, coord_case, support_meeting, stranger
):
    services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    response = login(coordinator).post(
        reverse("meetings:item_detail", args=[item.public_id]),
        {
            "action": "decision",
            "kind": "action",
            "text": "就労体験の調整",
            "owner": stranger.agency.pk,
            "due_on": "2027-01-10",
        },
    )
    assert response.status_code == 200
    assert stranger.agency.name in response.content.decode()
    assert not Decision.objects.exists()


def test_integrated_meeting_without_consent_is_refused_on_the_form(
    login, coordinator, coord_case, integrated_meeting
):
    case_services.case_accept(actor=coordinator, case=coord_case)
    response = login(coordinator).post(
        reverse("meetings:agenda_add", args=[integrated_meeting.public_id]),
        {"case_number": coord_case.number},
    )
    assert response.status_code == 200
    assert 'class="errors"' in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_an_unknown_case_number_is_refused(login, coordinator, support_meeting, open_case):
    # The case exists, but was never sent to coordination: the coordinator cannot see it.
    response = login(coordinator).post(
        reverse("meetings:agenda_add", args=[support_meeting.public_id]),
        {"case_number": open_case.number},
    )
    assert response.status_code == 200 and not AgendaItem.objects.exists()


def test_attendees_cannot_write_minutes(login, coordinator, coord_case, support_meeting, outsider):
    guest = services.attendee_add(
        actor=coordinator, meeting=support_meeting, agency=outsider.agency
    )
    services.pledge_record(actor=outsider, attendee=guest)
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    response = login(outsider).post(
        reverse("meetings:item_detail", args=[item.public_id]),
        {"action": "minutes", "minutes": "書き換え"},
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.minutes == ""


def test_print_page_is_a4_and_self_contained(login, coordinator, coord_case, support_meeting):
    services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    body = (
        login(coordinator)
        .get(reverse("meetings:item_print", args=[item.public_id]))
        .content.decode()
    )
    # The A4 layout is a static stylesheet (the CSP allows no inline <style>).
    assert "kasane/print-minutes.css" in body
    assert "http://" not in body and "https://" not in body
    css = finders.find("kasane/print-minutes.css")
    assert css is not None
    text = Path(css).read_text(encoding="utf-8")
    assert "size: A4" in text and "@media print" in text
    assert AuditEvent.objects.filter(object_type="agenda_item", detail__purpose="print").exists()


def test_board_splits_a_by_meeting_kind(login, coordinator, coord_case, support_meeting):
    services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    # A means a meeting held: a planned one does not count yet.
    split = login(coordinator).get(reverse("cases:board")).context["a_split"]
    assert (split.support_meeting, split.integrated_meeting) == (0, 0)
    services.meeting_status_change(actor=coordinator, meeting=support_meeting, status="held")
    response = login(coordinator).get(reverse("cases:board"))
    split = response.context["a_split"]
    assert (split.support_meeting, split.integrated_meeting) == (1, 0)
    assert 'data-testid="board-a-split"' in response.content.decode()


def test_minutes_saved_through_the_item_page_are_one_update(
    login, coordinator, coord_case, support_meeting
):
    """The write is audited by its service: the access check behind the POST writes no view."""
    services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    client = login(coordinator)
    url = reverse("meetings:item_detail", args=[item.public_id])
    start = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    assert client.post(url, {"action": "minutes", "minutes": "通院同行の調整"}).status_code == 302
    written = AuditEvent.objects.filter(sequence__gt=start)
    assert [(e.action, e.object_type) for e in written] == [(AuditAction.UPDATE, "agenda_item")]
    # Refused by its form, the page is shown again: one view.
    start = max(e.sequence for e in written)
    assert client.post(url, {"action": "minutes", "minutes": ""}).status_code == 200
    again = AuditEvent.objects.filter(sequence__gt=start)
    assert [(e.action, e.object_type) for e in again] == [(AuditAction.VIEW, "agenda_item")]
