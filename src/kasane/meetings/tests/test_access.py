"""Who reads what of a meeting: outsiders get 404 on every page; at a 支援会議 only attendees
with a pledge (and, when the chair named members, only those) read a case; a policy meeting
never shows a name; every read is audited with its basis."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kasane.audit.models import AuditEvent, LegalBasis
from kasane.cases import services as case_services
from kasane.meetings import services
from kasane.meetings.models import MeetingKind
from kasane.meetings.tests.conftest import when

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(coordinator, coord_case, support_meeting, outsider):
    """A 支援会議 with the coordinator (pledged) and the 障害 agency (not yet pledged), the
    case on its agenda with minutes."""
    services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    guest = services.attendee_add(
        actor=coordinator, meeting=support_meeting, agency=outsider.agency, staff=outsider
    )
    item = services.agenda_add(actor=coordinator, meeting=support_meeting, case=coord_case)
    services.minutes_record(actor=coordinator, item=item, minutes="長男の受診について協議")
    return support_meeting, item, guest


def pages(meeting, item, guest):
    return [
        ("get", reverse("meetings:meeting_detail", args=[meeting.public_id])),
        ("get", reverse("meetings:agenda_add", args=[meeting.public_id])),
        ("get", reverse("meetings:item_detail", args=[item.public_id])),
        ("get", reverse("meetings:item_print", args=[item.public_id])),
        ("post", reverse("meetings:attendee_add", args=[meeting.public_id])),
        ("post", reverse("meetings:pledge", args=[meeting.public_id, guest.public_id])),
    ]


def test_every_meeting_page_is_404_to_outsiders(login, held, stranger, analyst, auditor):
    meeting, item, guest = held
    for who in (stranger, analyst, auditor):
        client = login(who)
        for method, url in pages(meeting, item, guest):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (who.username, url)
        assert "市役所" not in login(who).get(reverse("meetings:meeting_list")).content.decode()


def test_list_and_create_pages_are_404_to_roles_without_cases(login, analyst):
    client = login(analyst)
    assert client.get(reverse("meetings:meeting_list")).status_code == 404
    assert client.get(reverse("meetings:meeting_create")).status_code == 404


def test_a_support_meeting_attendee_without_pledge_reads_nothing(login, held, outsider):
    meeting, item, guest = held
    client = login(outsider)
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.public_id]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "長男の受診" not in body and "草野" not in body and item.case.number not in body
    assert 'data-testid="pledge-needed"' in body and 'data-testid="hidden-items"' in body
    assert client.get(reverse("meetings:item_detail", args=[item.public_id])).status_code == 404
    assert client.get(reverse("meetings:item_print", args=[item.public_id])).status_code == 404
    # Once the pledge is recorded, the case and its minutes open.
    assert (
        client.post(
            reverse("meetings:pledge", args=[meeting.public_id, guest.public_id])
        ).status_code
        == 302
    )
    printed = client.get(reverse("meetings:item_print", args=[item.public_id]))
    assert printed.status_code == 200
    assert "長男の受診" in printed.content.decode() and "草野 和夫" in printed.content.decode()
    event = AuditEvent.objects.filter(object_type="agenda_item", actor=outsider).first()
    assert event is not None and event.legal_basis == LegalBasis.SUPPORT_MEETING


def test_minutes_are_404_to_a_non_attendee_on_the_case_team(login, held, caseworker):
    """The lead agency works the case, but did not attend this 支援会議."""
    meeting, item, _guest = held
    client = login(caseworker)
    assert client.get(reverse("meetings:item_detail", args=[item.public_id])).status_code == 404
    assert client.get(reverse("meetings:item_print", args=[item.public_id])).status_code == 404
    assert (
        client.get(reverse("meetings:meeting_detail", args=[meeting.public_id])).status_code == 404
    )


def test_members_named_by_the_chair_alone_read_the_case(
    login, coordinator, coord_case, outsider, stranger
):
    meeting = services.meeting_create(
        actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=when(), place="市役所"
    )
    chair = meeting.attendees.get()
    a = services.attendee_add(actor=coordinator, meeting=meeting, agency=outsider.agency)
    b = services.attendee_add(actor=coordinator, meeting=meeting, agency=stranger.agency)
    for attendee in (chair, a, b):
        services.pledge_record(actor=coordinator, attendee=attendee)
    item = services.agenda_add(
        actor=coordinator, meeting=meeting, case=coord_case, members=[chair, a]
    )
    url = reverse("meetings:item_detail", args=[item.public_id])
    assert login(outsider).get(url).status_code == 200
    assert login(stranger).get(url).status_code == 404


def test_integrated_meeting_reads_on_consent(
    login, coordinator, coord_case, integrated_meeting, give_consent, outsider, stranger
):
    coord_case = case_services.case_accept(actor=coordinator, case=coord_case)
    give_consent(coord_case, agencies=[outsider.agency])
    for who in (outsider, stranger):
        services.attendee_add(actor=coordinator, meeting=integrated_meeting, agency=who.agency)
    item = services.agenda_add(actor=coordinator, meeting=integrated_meeting, case=coord_case)
    url = reverse("meetings:item_detail", args=[item.public_id])
    assert login(outsider).get(url).status_code == 200
    read = AuditEvent.objects.filter(actor=outsider, object_type="agenda_item").get()
    assert read.legal_basis == LegalBasis.CONSENT
    # Attending without the person's consent covering the agency: nothing.
    assert login(stranger).get(url).status_code == 404


def test_policy_meeting_shows_only_the_deidentified_summary(login, coordinator, coord_case):
    meeting = services.meeting_create(
        actor=coordinator, kind=MeetingKind.POLICY_MEETING, held_at=when(), place="市役所"
    )
    item = services.agenda_add(
        actor=coordinator,
        meeting=meeting,
        case=coord_case,
        deidentified_summary="中央圏域：80代の親と50代の子の世帯（8050）",
    )
    services.minutes_record(actor=coordinator, item=item, minutes="圏域に居場所が不足")
    client = login(coordinator)
    for url in (
        reverse("meetings:meeting_detail", args=[meeting.public_id]),
        reverse("meetings:item_detail", args=[item.public_id]),
        reverse("meetings:item_print", args=[item.public_id]),
    ):
        body = client.get(url).content.decode()
        assert "圏域に居場所が不足" in body
        assert "草野" not in body and coord_case.number not in body, url


def test_case_page_lists_the_meetings_of_the_case(login, held, coordinator, caseworker):
    _meeting, item, _guest = held
    url = reverse("meetings:case_meetings", args=[item.case.public_id])
    body = login(coordinator).get(url).content.decode()
    assert reverse("meetings:item_detail", args=[item.public_id]) in body
    # The lead agency did not attend: the meeting is not listed for it at all.
    assert (
        reverse("meetings:item_detail", args=[item.public_id])
        not in login(caseworker).get(url).content.decode()
    )
    case_page = login(caseworker).get(reverse("cases:case_detail", args=[item.case.public_id]))
    assert 'data-testid="meetings-section"' in case_page.content.decode()
