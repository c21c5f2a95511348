"""Who reaches which case page: every page of ``cases/urls.py``, for insiders and outsiders.

An outsider learns nothing: the answer for a case they may not see is the same 404 as for a
case that does not exist, whether they read (GET) or try to act (POST).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.accounts.models import Agency, Staff
from kasane.audit.models import AuditAction, AuditEvent
from kasane.cases import services, urls
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    DeclineReason,
    Handover,
    HandoverStatus,
    NoteVisibility,
    Referral,
    ReferralStatus,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    case: Case
    referral: Referral
    handover: Handover
    third_agency: Agency


@pytest.fixture
def world(open_case, caseworker, outsider, coordinator, third_agency, refer) -> World:
    """A case of the caseworker's agency: referred to the outsider's agency, a hand-over
    asked of it, and sent to coordination. The stranger's agency has no part in it."""
    referral = refer(caseworker, open_case, outsider.agency)
    handover = services.handover_request(
        actor=caseworker, case=open_case, to_agency=outsider.agency
    )
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    return World(open_case, referral, handover, third_agency)


# Each page: how to build its address, and a POST an insider could legitimately send.
PAGES: dict[str, Any] = {
    "case_list": lambda w: resolve_url("cases:case_list"),
    "case_list_csv": lambda w: resolve_url("cases:case_list_csv"),
    "board": lambda w: resolve_url("cases:board"),
    "board_csv": lambda w: resolve_url("cases:board_csv"),
    "case_detail": lambda w: resolve_url("cases:case_detail", w.case.public_id),
    "note_add": lambda w: resolve_url("cases:note_add", w.case.public_id),
    "referral_add": lambda w: resolve_url("cases:referral_add", w.case.public_id),
    "coordination_send": lambda w: resolve_url("cases:coordination_send", w.case.public_id),
    "handover_request": lambda w: resolve_url("cases:handover_request", w.case.public_id),
    "status_change": lambda w: resolve_url("cases:status_change", w.case.public_id),
    "case_close": lambda w: resolve_url("cases:case_close", w.case.public_id),
    "triage": lambda w: resolve_url("cases:triage", w.case.public_id),
    "accept": lambda w: resolve_url("cases:accept", w.case.public_id),
    "name_lead": lambda w: resolve_url("cases:name_lead", w.case.public_id),
    "referral_detail": lambda w: resolve_url("cases:referral_detail", w.referral.public_id),
    "handover_answer": lambda w: resolve_url("cases:handover_answer", w.handover.public_id),
}


def _row_version(w: World) -> int:
    """The case's count of saves as a page opened now would carry it (no lost updates)."""
    return Case.objects.get(pk=w.case.pk).row_version


POST_DATA: dict[str, Any] = {
    "case_list": lambda w: {},
    "case_list_csv": lambda w: {},
    "board": lambda w: {},
    "board_csv": lambda w: {},
    "case_detail": lambda w: {},
    "note_add": lambda w: {
        "written_on": timezone.localdate().isoformat(),
        "kind": "memo",
        "text": "外部からの書き込み",
        "visibility": "team",
    },
    "referral_add": lambda w: {
        "to_agency": str(w.third_agency.pk),
        "reason": "理由",
        "request": "依頼",
    },
    "coordination_send": lambda w: {"reason": "理由"},
    "handover_request": lambda w: {"to_agency": str(w.third_agency.pk), "note": ""},
    "status_change": lambda w: {"status": "assessment", "row_version": _row_version(w)},
    "case_close": lambda w: {"reason": "転居"},
    "triage": lambda w: {"triage": "A", "advice": "", "row_version": _row_version(w)},
    "accept": lambda w: {},
    "name_lead": lambda w: {"agency": str(w.third_agency.pk)},
    "referral_detail": lambda w: {"action": "accept"},
    "handover_answer": lambda w: {"action": "accept", "note": ""},
}

# Pages that list what the actor's own agency has: an outsider gets an empty page, not 404.
OWN_LISTS = {"case_list", "case_list_csv"}
POST_ONLY = {"status_change", "accept", "name_lead"}
COORDINATOR_ONLY = {"board", "board_csv", "triage", "accept", "name_lead"}


def test_every_case_page_is_covered():
    assert {p.name for p in urls.urlpatterns} == set(PAGES) == set(POST_DATA)


def _snapshot(w: World) -> tuple[Any, ...]:
    w.case.refresh_from_db()
    return (
        CaseEvent.objects.filter(case=w.case).count(),
        Referral.objects.filter(case=w.case).count(),
        list(Referral.objects.filter(case=w.case).values_list("status", flat=True)),
        list(Handover.objects.filter(case=w.case).values_list("status", flat=True)),
        CaseNote.objects.count(),
        w.case.status,
        w.case.lead_agency_id,
        w.case.triage,
        w.case.accepted_at,
    )


def _insider(name: str, caseworker: Staff, outsider: Staff, coordinator: Staff) -> Staff:
    if name in COORDINATOR_ONLY:
        return coordinator
    if name == "handover_answer":
        return outsider
    return caseworker


@pytest.mark.parametrize("name", sorted(PAGES))
def test_insider_reaches_the_page(name, world, login, caseworker, outsider, coordinator):
    """Guards the guard: the addresses below are right, so a 404 means 'refused'."""
    client = login(_insider(name, caseworker, outsider, coordinator))
    response = client.get(PAGES[name](world))
    assert response.status_code == (405 if name in POST_ONLY else 200)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_stranger_gets_404_and_changes_nothing(name, world, login, stranger):
    client = login(stranger)
    url = PAGES[name](world)
    before = _snapshot(world)
    got = client.get(url)
    posted = client.post(url, POST_DATA[name](world))
    if name in OWN_LISTS:
        assert got.status_code == 200
        assert world.case.number not in got.content.decode()
    else:
        assert got.status_code == (405 if name in POST_ONLY else 404)
        assert posted.status_code == 404
    assert _snapshot(world) == before


@pytest.mark.parametrize("persona", ["auditor", "analyst", "admin_user"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_roles_without_cases_get_404(name, persona, world, login, request):
    client = login(request.getfixturevalue(persona))
    url = PAGES[name](world)
    before = _snapshot(world)
    assert client.get(url).status_code == (405 if name in POST_ONLY else 404)
    assert client.post(url, POST_DATA[name](world)).status_code == 404
    assert _snapshot(world) == before


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_is_sent_to_login(name, world, client):
    url = PAGES[name](world)
    login_url = resolve_url(settings.LOGIN_URL)
    before = _snapshot(world)
    for response in (client.get(url), client.post(url, POST_DATA[name](world))):
        assert response.status_code == 302
        assert response["Location"].startswith(login_url)
    assert _snapshot(world) == before


@pytest.mark.parametrize("name", sorted(set(PAGES) - POST_ONLY))
def test_every_read_is_audited(name, world, login, caseworker, outsider, coordinator):
    actor = _insider(name, caseworker, outsider, coordinator)
    # A page is a view; a file (the CSV exports) a download.
    reads = AuditEvent.objects.filter(
        actor=actor, action__in=[AuditAction.VIEW, AuditAction.DOWNLOAD]
    )
    before = reads.count()
    assert login(actor).get(PAGES[name](world)).status_code == 200
    assert reads.count() > before


# --- the addressee of a referral ----------------------------------------------------------


def test_addressee_sees_the_case_while_the_referral_is_open(
    open_case, caseworker, outsider, login, refer
):
    client = login(outsider)
    url = resolve_url("cases:case_detail", open_case.public_id)
    assert client.get(url).status_code == 404
    referral = refer(caseworker, open_case, outsider.agency)
    assert client.get(url).status_code == 200
    services.referral_decline(actor=outsider, referral=referral, reason=DeclineReason.NO_CAPACITY)
    assert client.get(url).status_code == 404
    for name in ("note_add", "referral_add", "coordination_send", "case_close"):
        assert client.get(resolve_url(f"cases:{name}", open_case.public_id)).status_code == 404
    assert (
        client.post(
            resolve_url("cases:note_add", open_case.public_id),
            {"written_on": timezone.localdate().isoformat(), "kind": "memo", "text": "x"},
        ).status_code
        == 404
    )
    # Nor does the case stay in their inbox or their list of cases.
    assert open_case.number not in client.get("/").content.decode()
    assert open_case.number not in client.get(resolve_url("cases:case_list")).content.decode()


def test_addressee_who_accepted_stays_on_the_case(open_case, caseworker, outsider, login, refer):
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_accept(actor=outsider, referral=referral)
    client = login(outsider)
    assert client.get(resolve_url("cases:case_detail", open_case.public_id)).status_code == 200
    assert open_case.number in client.get(resolve_url("cases:case_list")).content.decode()


def test_other_staff_of_the_declining_agency_do_not_see_the_case(
    open_case, caseworker, outsider, other_caseworker, login, refer
):
    referral = refer(caseworker, open_case, outsider.agency)
    client = login(other_caseworker)
    url = resolve_url("cases:case_detail", open_case.public_id)
    assert client.get(url).status_code == 200
    services.referral_decline(actor=outsider, referral=referral, reason=DeclineReason.NOT_ELIGIBLE)
    assert client.get(url).status_code == 404


# --- the coordinator ----------------------------------------------------------------------


def test_coordinator_sees_a_case_only_once_sent_to_coordination(
    open_case, caseworker, coordinator, login
):
    client = login(coordinator)
    detail = resolve_url("cases:case_detail", open_case.public_id)
    triage = resolve_url("cases:triage", open_case.public_id)
    assert client.get(detail).status_code == 404
    assert client.get(triage).status_code == 404
    assert client.post(triage, {"triage": "A"}).status_code == 404
    assert open_case.number not in client.get(resolve_url("cases:board")).content.decode()
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050の疑い")
    assert client.get(detail).status_code == 200
    assert client.get(triage).status_code == 200
    assert open_case.number in client.get(resolve_url("cases:board")).content.decode()


def test_caseworker_cannot_use_the_coordinator_pages(open_case, caseworker, login):
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    client = login(caseworker)
    assert client.get(resolve_url("cases:board")).status_code == 404
    assert client.get(resolve_url("cases:triage", open_case.public_id)).status_code == 404
    assert (
        client.post(resolve_url("cases:triage", open_case.public_id), {"triage": "A"}).status_code
        == 404
    )
    assert client.post(resolve_url("cases:accept", open_case.public_id)).status_code == 404
    open_case.refresh_from_db()
    assert open_case.triage == "" and open_case.accepted_at is None


# --- agency-only notes --------------------------------------------------------------------

SECRET = "所内限定：家族間の金銭トラブルの詳細"


def test_agency_only_note_never_reaches_another_team_agency(
    open_case, caseworker, outsider, coordinator, login, refer
):
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_accept(actor=outsider, referral=referral)
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    services.case_note_create(
        actor=caseworker,
        case=open_case,
        written_on=timezone.localdate(),
        kind="memo",
        text=SECRET,
        visibility=NoteVisibility.AGENCY,
    )
    # Enough team-visible lines after it to push it onto the timeline's second page.
    for i in range(35):
        services.case_note_create(
            actor=caseworker,
            case=open_case,
            written_on=timezone.localdate(),
            kind="phone",
            text=f"電話連絡 {i}",
        )
    url = resolve_url("cases:case_detail", open_case.public_id)
    own = login(caseworker)
    own_pages = own.get(url).content.decode() + own.get(url, {"page": 2}).content.decode()
    assert SECRET in own_pages
    for other in (outsider, coordinator):
        client = login(other)
        for page in (1, 2, 3):
            response = client.get(url, {"page": page})
            assert response.status_code == 200
            assert SECRET not in response.content.decode()


def test_agency_only_note_written_by_the_other_agency_stays_there(
    open_case, caseworker, outsider, login, refer, give_consent
):
    give_consent(open_case.household, outsider.agency)
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_accept(actor=outsider, referral=referral)
    services.case_note_create(
        actor=outsider,
        case=open_case,
        written_on=timezone.localdate(),
        kind="visit",
        text=SECRET,
        visibility=NoteVisibility.AGENCY,
    )
    url = resolve_url("cases:case_detail", open_case.public_id)
    assert SECRET in login(outsider).get(url).content.decode()
    assert SECRET not in login(caseworker).get(url).content.decode()


def test_note_added_through_the_page_keeps_its_visibility(
    open_case, caseworker, outsider, login, refer
):
    refer(caseworker, open_case, outsider.agency)
    response = login(caseworker).post(
        resolve_url("cases:note_add", open_case.public_id),
        {
            "written_on": timezone.localdate().isoformat(),
            "kind": "memo",
            "text": SECRET,
            "visibility": "agency",
        },
    )
    assert response.status_code == 302
    assert CaseNote.objects.get().visibility == NoteVisibility.AGENCY
    page = login(outsider).get(resolve_url("cases:case_detail", open_case.public_id))
    assert page.status_code == 200
    assert SECRET not in page.content.decode()


def test_handover_page_is_for_the_two_agencies_only(
    open_case, caseworker, outsider, stranger, login
):
    handover = services.handover_request(
        actor=caseworker, case=open_case, to_agency=outsider.agency
    )
    url = resolve_url("cases:handover_answer", handover.public_id)
    assert login(stranger).post(url, {"action": "accept"}).status_code == 404
    # The requesting agency sees it but cannot answer its own request.
    assert login(caseworker).post(url, {"action": "accept"}).status_code == 200
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING
    open_case.refresh_from_db()
    assert open_case.lead_agency == caseworker.agency


def test_referral_page_after_answer_is_not_a_back_door(
    open_case, caseworker, outsider, login, refer
):
    """The agency that declined keeps its record of the referral, but not a way to the case."""
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_decline(actor=outsider, referral=referral, reason=DeclineReason.NO_CAPACITY)
    client = login(outsider)
    page = client.get(resolve_url("cases:referral_detail", referral.public_id))
    assert page.status_code == 200
    assert resolve_url("cases:case_detail", open_case.public_id) not in page.content.decode()
    # Acting on it again changes nothing.
    client.post(resolve_url("cases:referral_detail", referral.public_id), {"action": "accept"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
