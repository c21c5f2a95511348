"""Another agency's consultation (issue #7): read only on a recorded basis for the case.

A team agency that only knows the case exists (it accepted a referral, without consent,
pledge or break-glass) gets the same 404 as a stranger, page and API, and no read is
audited. With a basis it reads the consultation (household, needs) audited with that basis;
the summary — what the person told the receiving agency — only when the basis covers the
agency itself: a consent in force naming it, a pledged 支援会議 that took up the case, or its
break-glass. The tick "consented to sharing" alone is no such basis, and neither is the
lead agency's or the coordinator's reading of the case.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from kasane.accounts.models import Staff
from kasane.api.services import api_token_create
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.conftest import head_of
from kasane.intake import services
from kasane.intake.models import Consultation, NeedType, Outcome
from kasane.meetings import services as meetings
from kasane.meetings.models import MeetingKind
from kasane.privacy import services as privacy

pytestmark = pytest.mark.django_db

SUMMARY = "息子が十年以上自室から出てこない。母は自分の通院も難しくなってきた。"
HOUSEHOLD = "草野"
NEED = "8050"
NOT_COVERED = (
    "The summary stays with the receiving agency: no consent of the person, pledged support "
    "meeting or emergency access covers your agency."
)


def _record(actor: Staff, household: Any, **overrides: Any) -> Consultation:
    need = NeedType.objects.get(code=NEED)
    values: dict[str, Any] = {
        "actor": actor,
        "received_at": timezone.now(),
        "requester": "family",
        "channel": "phone",
        "household": household,
        "persons": [head_of(household)],
        "needs": [need],
        "main_need": need,
        "summary": SUMMARY,
        "outcome": Outcome.HANDLED,
    }
    values.update(overrides)
    return services.consultation_record(**values)


def _join_team(caseworker: Staff, case: Case, member: Staff) -> None:
    """The member's agency accepts a referral: it is on the team, with no basis by itself."""
    assert member.agency is not None
    referral = case_services.referral_create(
        actor=caseworker, case=case, to_agency=member.agency, reason="孫の登校", request="情報共有"
    )
    case_services.referral_accept(actor=member, referral=referral)


def _api(staff: Staff) -> Client:
    _token, secret = api_token_create(staff=staff, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _page(c: Consultation) -> str:
    return resolve_url("intake:consultation_detail", c.public_id)


def _api_path(c: Consultation | None) -> str:
    return f"/api/v1/consultations/{c.public_id if c is not None else uuid.uuid4()}"


def _reads(actor: Staff) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            actor=actor, action=AuditAction.VIEW, object_type__startswith="consultation"
        )
    )


@pytest.fixture
def case_on_team(caseworker, household, outsider):
    """The lead agency's consultation on its case; the outsider's agency joined the team by
    accepting a referral. The person consented to sharing — with the lead agency only."""
    consultation = _record(caseworker, household, consent_to_share=True)
    case = case_services.case_open(actor=caseworker, household=household)
    consultation.refresh_from_db()
    if consultation.case is None:  # recorded before the case: the next one joins it
        consultation = _record(caseworker, household, consent_to_share=True)
    assert consultation.case == case
    _join_team(caseworker, case, outsider)
    return consultation


def test_team_agency_without_basis_gets_the_strangers_404(
    case_on_team, caseworker, outsider, stranger, login
):
    consultation = case_on_team
    assert consultation.consent_to_share
    missing = resolve_url("intake:consultation_detail", uuid.uuid4())
    team_page = login(outsider).get(_page(consultation))
    stranger_page = login(stranger).get(_page(consultation))
    missing_page = login(outsider).get(missing)
    assert team_page.status_code == stranger_page.status_code == missing_page.status_code == 404
    assert team_page.content == stranger_page.content == missing_page.content
    for body in (team_page.content.decode(),):
        assert HOUSEHOLD not in body and SUMMARY not in body
    # The case page says the agency has no basis: it sees the case exists, nothing more.
    case_page = login(outsider).get(resolve_url("cases:case_detail", consultation.case.public_id))
    assert case_page.status_code == 200
    assert HOUSEHOLD not in case_page.content.decode()
    # The correction page neither.
    edit = login(outsider).get(resolve_url("intake:consultation_edit", consultation.public_id))
    assert edit.status_code == 404 and edit.content == missing_page.content
    # A refused read is no read: nothing audited as one.
    assert _reads(outsider) == []
    # The receiving agency still reads it all.
    own = login(caseworker).get(_page(consultation)).content.decode()
    assert HOUSEHOLD in own and SUMMARY in own


def test_team_agency_without_basis_gets_the_strangers_404_from_the_api(
    case_on_team, outsider, stranger
):
    team = _api(outsider).get(_api_path(case_on_team))
    strange = _api(stranger).get(_api_path(case_on_team))
    missing = _api(outsider).get(_api_path(None))
    assert team.status_code == strange.status_code == missing.status_code == 404
    assert team.json() == strange.json() == missing.json()
    assert HOUSEHOLD not in team.content.decode()
    assert _reads(outsider) == []


def test_consent_naming_the_agency_opens_the_consultation_and_its_summary(
    case_on_team, outsider, login, give_consent, household
):
    give_consent(household, outsider.agency)
    page = login(outsider).get(_page(case_on_team))
    assert page.status_code == 200
    body = page.content.decode()
    assert HOUSEHOLD in body and SUMMARY in body
    api = _api(outsider).get(_api_path(case_on_team))
    assert api.status_code == 200
    assert api.json()["summary"] == SUMMARY
    assert api.json()["household_head"]["name"].startswith(HOUSEHOLD)
    assert [e.legal_basis for e in _reads(outsider)] == [LegalBasis.CONSENT] * 2
    # Reading is not correcting.
    edit = login(outsider).get(resolve_url("intake:consultation_edit", case_on_team.public_id))
    assert edit.status_code == 404
    assert len(_reads(outsider)) == 2


def test_consent_for_another_purpose_is_no_basis(
    case_on_team, outsider, login, give_consent, household
):
    give_consent(household, outsider.agency, purposes=("integrated_meeting",))
    assert login(outsider).get(_page(case_on_team)).status_code == 404
    assert _api(outsider).get(_api_path(case_on_team)).status_code == 404


def test_consent_ticked_at_intake_covers_the_agency_referred_to(
    caseworker, household, outsider, login
):
    consultation = _record(
        caseworker,
        household,
        outcome=Outcome.REFERRED,
        referral=services.ReferralRequest(outsider.agency, "障害の疑い", "同行訪問"),
        consent_to_share=True,
    )
    page = login(outsider).get(_page(consultation))
    assert page.status_code == 200 and SUMMARY in page.content.decode()


def test_coordinator_reads_the_consultation_but_not_an_uncovered_summary(
    case_on_team, caseworker, coordinator, login
):
    """Coordination reads the case (triage needs the facts); the person's words to the
    receiving agency travel only where a consent, a pledge or break-glass covers it."""
    case_services.case_send_to_coordination(actor=caseworker, case=case_on_team.case, reason="8050")
    page = login(coordinator).get(_page(case_on_team))
    assert page.status_code == 200
    body = page.content.decode()
    assert HOUSEHOLD in body and SUMMARY not in body
    # Said so, and not that the person declined: the person did tick "consented to sharing".
    with translation.override("ja"):
        assert gettext(NOT_COVERED) in body
    api = _api(coordinator).get(_api_path(case_on_team))
    assert api.status_code == 200 and api.json()["summary"] is None
    assert [e.legal_basis for e in _reads(coordinator)] == [LegalBasis.COORDINATION] * 2


def _support_meeting(coordinator: Staff, case: Case, attendee: Staff, *, pledge: bool) -> None:
    assert attendee.agency is not None
    held = (timezone.now() - datetime.timedelta(days=1)).replace(microsecond=0)
    meeting = meetings.meeting_create(
        actor=coordinator, kind=MeetingKind.SUPPORT_MEETING, held_at=held, place="会議室A"
    )
    guest = meetings.attendee_add(
        actor=coordinator, meeting=meeting, agency=attendee.agency, staff=attendee
    )
    meetings.pledge_record(actor=coordinator, attendee=meeting.attendees.get(staff=coordinator))
    if pledge:
        meetings.pledge_record(actor=coordinator, attendee=guest, at=held)
    meetings.agenda_add(actor=coordinator, meeting=meeting, case=case)


@pytest.mark.parametrize("pledge", [True, False])
def test_pledged_support_meeting_opens_the_consultation_and_its_summary(
    case_on_team, caseworker, coordinator, outsider, login, pledge
):
    case_services.case_send_to_coordination(actor=caseworker, case=case_on_team.case, reason="8050")
    _support_meeting(coordinator, case_on_team.case, outsider, pledge=pledge)
    page = login(outsider).get(_page(case_on_team))
    api = _api(outsider).get(_api_path(case_on_team))
    if not pledge:
        assert page.status_code == api.status_code == 404
        assert _reads(outsider) == []
        return
    assert page.status_code == 200 and SUMMARY in page.content.decode()
    assert api.status_code == 200 and api.json()["summary"] == SUMMARY
    assert [e.legal_basis for e in _reads(outsider)] == [LegalBasis.SUPPORT_MEETING] * 2


def test_break_glass_opens_the_consultation_until_it_expires(case_on_team, outsider, login):
    privacy.break_glass_start(
        actor=outsider,
        case=case_on_team.case,
        reason="虐待の疑いがあり、緊急に安否を確認する必要がある",
    )
    page = login(outsider).get(_page(case_on_team))
    assert page.status_code == 200 and SUMMARY in page.content.decode()
    assert [e.legal_basis for e in _reads(outsider)] == [LegalBasis.BREAK_GLASS]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        assert login(outsider).get(_page(case_on_team)).status_code == 404


def test_lead_agency_after_a_hand_over_reads_the_consultation_not_an_uncovered_summary(
    case_on_team, caseworker, outsider, login
):
    """The agency now leading the case holds it as its own; what the person told the agency
    that took the consultation stays there unless the person's consent covers the new lead."""
    handover = case_services.handover_request(
        actor=caseworker, case=case_on_team.case, to_agency=outsider.agency
    )
    case_services.handover_accept(actor=outsider, handover=handover)
    page = login(outsider).get(_page(case_on_team))
    assert page.status_code == 200
    body = page.content.decode()
    assert HOUSEHOLD in body and SUMMARY not in body
    assert [e.legal_basis for e in _reads(outsider)] == [LegalBasis.OWN_AGENCY]


def test_receiving_agency_opening_the_correction_page_is_audited_once(
    case_on_team, caseworker, login
):
    edit = resolve_url("intake:consultation_edit", case_on_team.public_id)
    before = len(_reads(caseworker))
    assert login(caseworker).get(edit).status_code == 200
    assert len(_reads(caseworker)) == before + 1


def test_the_case_timeline_shows_the_summary_on_the_same_basis(
    caseworker: Staff,
    household: Any,
    open_case: Case,
    coordinator: Staff,
    login: Any,
    give_consent: Any,
) -> None:
    """The coordinator reads the case sent to coordination, but the summary of a consultation
    the 地域包括 received (ticked "consented to sharing") only once a consent names the
    coordinator's agency — on the case timeline as on the consultation page."""
    _record(caseworker, household, consent_to_share=True)
    case_services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    url = resolve_url("cases:case_detail", open_case.public_id)
    own = login(caseworker).get(url).content.decode()
    assert SUMMARY in own
    page = login(coordinator).get(url).content.decode()
    assert SUMMARY not in page
    assert "貴機関には及んでいません" in page
    give_consent(household, coordinator.agency)
    assert SUMMARY in login(coordinator).get(url).content.decode()
