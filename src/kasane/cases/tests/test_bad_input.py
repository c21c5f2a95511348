"""Bad input on cases and referrals: each is answered clearly, nothing is lost, never a 500.

Services answer with a ``ValidationError`` whose ``code`` is stable (the API returns it);
pages show the message beside the form and keep what was typed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from kasane.cases import selectors as case_selectors
from kasane.cases import services
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    DeclineReason,
    EventKind,
    HandoverStatus,
    Referral,
    ReferralStatus,
    TeamMember,
    Triage,
)

pytestmark = pytest.mark.django_db


def _code(call: Callable[[], Any]) -> str | None:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.code


def _row_version(case: Case) -> int:
    """What the edit form, opened now, carries as the case's count of saves."""
    return Case.objects.get(pk=case.pk).row_version


def _shows(response: Any, message: str) -> bool:
    """The page shows the message (in the language the page is in)."""
    return escape(gettext(message)) in response.content.decode()


# --- referring ------------------------------------------------------------------------------


def test_referring_to_own_agency_through_the_page(open_case, caseworker, login):
    url = resolve_url("cases:referral_add", open_case.public_id)
    response = login(caseworker).post(
        url,
        {"to_agency": str(caseworker.agency.pk), "reason": "理由を書いた", "request": "依頼内容"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["to_agency"]
    body = response.content.decode()
    # What was typed is still there to send elsewhere.
    assert "理由を書いた" in body and "依頼内容" in body
    assert not Referral.objects.exists()


def test_referring_to_own_agency_in_the_service(open_case, caseworker):
    code = _code(
        lambda: services.referral_create(
            actor=caseworker, case=open_case, to_agency=caseworker.agency, reason="a", request="b"
        )
    )
    assert code == "referral_to_self"


def test_referring_twice_to_the_same_agency(open_case, caseworker, outsider, login, refer):
    refer(caseworker, open_case, outsider.agency)
    response = login(caseworker).post(
        resolve_url("cases:referral_add", open_case.public_id),
        {"to_agency": str(outsider.agency.pk), "reason": "再度", "request": "依頼"},
    )
    assert response.status_code == 200
    assert _shows(response, "This agency already has an open referral for this case.")
    assert Referral.objects.count() == 1


def test_referral_without_reason_is_refused(open_case, caseworker, outsider):
    code = _code(
        lambda: services.referral_create(
            actor=caseworker, case=open_case, to_agency=outsider.agency, reason=" ", request="b"
        )
    )
    assert code == "reason_required"


# --- answering a referral ---------------------------------------------------------------


def test_accepting_an_already_declined_referral(
    open_case, caseworker, outsider, other_caseworker, login, refer
):
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_decline(actor=outsider, referral=referral, reason=DeclineReason.NO_CAPACITY)
    assert _code(lambda: services.referral_accept(actor=other_caseworker, referral=referral)) == (
        "referral_answered"
    )
    response = login(other_caseworker).post(
        resolve_url("cases:referral_detail", referral.public_id), {"action": "accept"}
    )
    assert response.status_code == 200
    assert (
        escape(gettext("This referral was already declined by %(who)s.") % {"who": str(outsider)})
        in response.content.decode()
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert not TeamMember.objects.filter(case=open_case, agency=outsider.agency).exists()


def test_decline_without_a_reason(open_case, caseworker, outsider, login, refer):
    referral = refer(caseworker, open_case, outsider.agency)
    assert (
        _code(lambda: services.referral_decline(actor=outsider, referral=referral, reason=""))
        == "reason_required"
    )
    assert (
        _code(
            lambda: services.referral_decline(
                actor=outsider, referral=referral, reason=DeclineReason.OTHER, note="  "
            )
        )
        == "reason_required"
    )
    url = resolve_url("cases:referral_detail", referral.public_id)
    client = login(outsider)
    response = client.post(url, {"action": "decline", "reason": "", "note": "空きがない"})
    assert response.status_code == 200
    assert response.context["decline_form"].errors["reason"]
    assert "空きがない" in response.content.decode()
    response = client.post(url, {"action": "decline", "reason": "other", "note": ""})
    assert response.status_code == 200
    assert _shows(response, "Write the reason when you choose “other”.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED


def test_completing_a_referral_never_accepted(open_case, caseworker, outsider, login, refer):
    referral = refer(caseworker, open_case, outsider.agency)
    assert (
        _code(lambda: services.referral_complete(actor=outsider, referral=referral, outcome="済"))
        == "not_accepted"
    )
    response = login(outsider).post(
        resolve_url("cases:referral_detail", referral.public_id),
        {"action": "complete", "outcome": "サービス利用開始"},
    )
    assert response.status_code == 200
    assert _shows(response, "Accept the referral before completing it.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED and referral.outcome == ""


def test_completing_without_an_outcome(open_case, caseworker, outsider, login, refer):
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_accept(actor=outsider, referral=referral)
    assert (
        _code(lambda: services.referral_complete(actor=outsider, referral=referral, outcome=""))
        == "outcome_required"
    )
    response = login(outsider).post(
        resolve_url("cases:referral_detail", referral.public_id),
        {"action": "complete", "outcome": ""},
    )
    assert response.status_code == 200
    assert response.context["complete_form"].errors["outcome"]


def test_an_unknown_action_on_a_referral_is_not_a_500(
    open_case, caseworker, outsider, login, refer
):
    referral = refer(caseworker, open_case, outsider.agency)
    response = login(outsider).post(
        resolve_url("cases:referral_detail", referral.public_id), {"action": "hack"}
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REQUESTED


# --- two staff answering at the same moment ------------------------------------------------


def test_two_staff_accept_one_after_the_other_through_the_page(
    open_case, caseworker, outsider, other_caseworker, login, refer
):
    """The sequential version: both opened the referral; the second to press gets told."""
    referral = refer(caseworker, open_case, outsider.agency)
    url = resolve_url("cases:referral_detail", referral.public_id)
    first, second = login(outsider), login(other_caseworker)
    assert first.get(url).status_code == second.get(url).status_code == 200
    assert first.post(url, {"action": "accept"}).status_code == 302
    response = second.post(url, {"action": "accept"})
    assert response.status_code == 200
    assert (
        escape(gettext("This referral was already accepted by %(who)s.") % {"who": str(outsider)})
        in response.content.decode()
    )
    referral.refresh_from_db()
    assert referral.responded_by == outsider
    assert CaseEvent.objects.filter(kind=EventKind.REFERRAL_ACCEPTED).count() == 1
    assert TeamMember.objects.filter(case=open_case, agency=outsider.agency).count() == 1


def test_one_accepts_while_the_other_declines_through_the_page(
    open_case, caseworker, outsider, other_caseworker, login, refer
):
    referral = refer(caseworker, open_case, outsider.agency)
    url = resolve_url("cases:referral_detail", referral.public_id)
    assert login(outsider).post(url, {"action": "accept"}).status_code == 302
    response = login(other_caseworker).post(
        url, {"action": "decline", "reason": "no_capacity", "note": "空きなし"}
    )
    assert response.status_code == 200
    assert (
        escape(gettext("This referral was already accepted by %(who)s.") % {"who": str(outsider)})
        in response.content.decode()
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.decline_reason == ""


# --- the lead agency ------------------------------------------------------------------------


def test_removing_the_last_lead_agency(open_case, caseworker, coordinator, outsider, refer):
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_accept(actor=outsider, referral=referral)
    for actor in (caseworker, outsider):
        with pytest.raises(ValidationError) as exc:
            services.team_member_remove(actor=actor, case=open_case, agency=caseworker.agency)
        assert exc.value.code == "last_lead"
    open_case.refresh_from_db()
    assert open_case.lead_agency == caseworker.agency
    assert open_case.team.filter(agency=caseworker.agency, left_at__isnull=True).exists()
    # A member may leave; the lead stays.
    services.team_member_remove(actor=outsider, case=open_case, agency=outsider.agency)
    assert not open_case.team.filter(agency=outsider.agency, left_at__isnull=True).exists()


def test_declined_handover_leaves_the_lead_and_the_team_as_they_were(
    open_case, caseworker, outsider, login
):
    handover = services.handover_request(
        actor=caseworker, case=open_case, to_agency=outsider.agency
    )
    # The agency asked to lead may read the case to decide.
    client = login(outsider)
    assert client.get(resolve_url("cases:case_detail", open_case.public_id)).status_code == 200
    response = client.post(
        resolve_url("cases:handover_answer", handover.public_id),
        {"action": "decline", "note": ""},
    )
    assert response.status_code == 200
    assert _shows(response, "Say why you decline.")
    response = client.post(
        resolve_url("cases:handover_answer", handover.public_id),
        {"action": "decline", "note": "担当圏域外"},
    )
    assert response.status_code == 302
    handover.refresh_from_db()
    open_case.refresh_from_db()
    assert handover.status == HandoverStatus.DECLINED
    assert open_case.lead_agency == caseworker.agency
    # Declining to lead is not joining the team: the case is no longer theirs to read.
    assert not open_case.team.filter(agency=outsider.agency, left_at__isnull=True).exists()
    assert client.get(resolve_url("cases:case_detail", open_case.public_id)).status_code == 404


def test_handover_to_a_team_member_who_declines_keeps_them_on_the_team(
    open_case, caseworker, outsider, refer
):
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_accept(actor=outsider, referral=referral)
    handover = services.handover_request(
        actor=caseworker, case=open_case, to_agency=outsider.agency
    )
    services.handover_decline(actor=outsider, handover=handover, note="今は難しい")
    assert open_case.team.filter(agency=outsider.agency, left_at__isnull=True).exists()


def test_accepted_handover_moves_the_lead(open_case, caseworker, outsider):
    handover = services.handover_request(
        actor=caseworker, case=open_case, to_agency=outsider.agency
    )
    services.handover_accept(actor=outsider, handover=handover)
    open_case.refresh_from_db()
    assert open_case.lead_agency == outsider.agency
    assert open_case.team.get(agency=outsider.agency, left_at__isnull=True).role == "lead"
    assert open_case.team.get(agency=caseworker.agency, left_at__isnull=True).role == "member"


def test_second_handover_while_one_is_pending(open_case, caseworker, outsider, third_agency):
    services.handover_request(actor=caseworker, case=open_case, to_agency=outsider.agency)
    assert (
        _code(
            lambda: services.handover_request(
                actor=caseworker, case=open_case, to_agency=third_agency
            )
        )
        == "handover_pending"
    )


# --- coordination ---------------------------------------------------------------------------


def test_triage_c_without_advice(open_case, caseworker, coordinator, login):
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    assert (
        _code(lambda: services.case_triage(actor=coordinator, case=open_case, triage=Triage.C))
        == "advice_required"
    )
    response = login(coordinator).post(
        resolve_url("cases:triage", open_case.public_id),
        {"triage": "C", "advice": "  ", "row_version": _row_version(open_case)},
    )
    assert response.status_code == 200
    assert _shows(response, "For C, write the advice given to the agencies.")
    open_case.refresh_from_db()
    assert open_case.triage == "" and open_case.triaged_at is None


def test_triage_with_an_unknown_letter(open_case, caseworker, coordinator, login):
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    response = login(coordinator).post(
        resolve_url("cases:triage", open_case.public_id), {"triage": "D"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["triage"]
    assert _code(lambda: services.case_triage(actor=coordinator, case=open_case, triage="D")) == (
        "bad_triage"
    )


def test_sending_to_coordination_twice(open_case, caseworker, login):
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    response = login(caseworker).post(
        resolve_url("cases:coordination_send", open_case.public_id), {"reason": "もう一度"}
    )
    assert response.status_code == 200
    assert _shows(response, "This case is already with coordination.")


def test_support_decision_twice(open_case, caseworker, coordinator, login):
    services.case_send_to_coordination(actor=caseworker, case=open_case, reason="8050")
    client = login(coordinator)
    url = resolve_url("cases:accept", open_case.public_id)
    assert client.post(url).status_code == 302
    first = open_case.__class__.objects.get(pk=open_case.pk).accepted_at
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert _shows(response, "Support was already decided.")
    open_case.refresh_from_db()
    assert open_case.accepted_at == first


# --- notes, status, closing -------------------------------------------------------------------


def test_note_dated_in_the_future(open_case, caseworker, login):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert (
        _code(
            lambda: services.case_note_create(
                actor=caseworker, case=open_case, written_on=tomorrow, kind="memo", text="x"
            )
        )
        == "future"
    )
    response = login(caseworker).post(
        resolve_url("cases:note_add", open_case.public_id),
        {
            "written_on": tomorrow.isoformat(),
            "kind": "memo",
            "text": "明日の予定",
            "visibility": "team",
        },
    )
    assert response.status_code == 200
    assert _shows(response, "The date cannot be in the future.")
    assert "明日の予定" in response.content.decode()
    assert not open_case.notes.exists()


def test_empty_note_is_refused(open_case, caseworker):
    with pytest.raises(ValidationError):
        services.case_note_create(
            actor=caseworker,
            case=open_case,
            written_on=timezone.localdate(),
            kind="memo",
            text="   ",
        )
    assert not open_case.notes.exists()


def test_closing_with_an_open_referral(open_case, caseworker, outsider, login, refer):
    refer(caseworker, open_case, outsider.agency)
    response = login(caseworker).post(
        resolve_url("cases:case_close", open_case.public_id),
        {"reason": "moved_away", "held_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert _shows(response, "Answer or withdraw the open referrals before closing the case.")
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.RECEIVED


def test_an_impossible_status_move_is_explained(open_case, caseworker, login):
    response = login(caseworker).post(
        resolve_url("cases:status_change", open_case.public_id),
        {"status": CaseStatus.IN_SUPPORT, "row_version": _row_version(open_case)},
        follow=True,
    )
    assert response.status_code == 200
    assert _shows(response, "A case cannot move from this status to that one.")
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.RECEIVED


def test_a_team_member_cannot_change_the_status(open_case, caseworker, outsider, login, refer):
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_accept(actor=outsider, referral=referral)
    response = login(outsider).post(
        resolve_url("cases:status_change", open_case.public_id),
        {"status": CaseStatus.ASSESSMENT, "row_version": _row_version(open_case)},
        follow=True,
    )
    assert response.status_code == 200
    assert _shows(response, "Only the lead agency changes the status of a case.")


def test_acting_on_a_closed_case(open_case, caseworker, outsider):
    services.case_close(actor=caseworker, case=open_case, reason="転居")
    assert (
        _code(
            lambda: services.referral_create(
                actor=caseworker, case=open_case, to_agency=outsider.agency, reason="a", request="b"
            )
        )
        == "case_closed"
    )
    assert (
        _code(
            lambda: services.case_send_to_coordination(actor=caseworker, case=open_case, reason="x")
        )
        == "case_closed"
    )


def test_bad_page_numbers_are_not_errors(open_case, caseworker, login):
    client = login(caseworker)
    for page in ("abc", "-3", "0", "99999999999"):
        assert (
            client.get(
                resolve_url("cases:case_detail", open_case.public_id), {"page": page}
            ).status_code
            == 200
        )
        assert client.get(resolve_url("cases:case_list"), {"page": page}).status_code == 200


def test_bad_board_year_falls_back(coordinator, login):
    client = login(coordinator)
    for year in ("abc", "1800", "-1", ""):
        assert client.get(resolve_url("cases:board"), {"year": year}).status_code == 200


def test_inbox_lists_the_referral_declined_with_its_reason(
    open_case, caseworker, outsider, login, refer
):
    referral = refer(caseworker, open_case, outsider.agency)
    services.referral_decline(
        actor=outsider, referral=referral, reason=DeclineReason.OTHER, note="対象年齢外のため"
    )
    home = login(caseworker).get("/").content.decode()
    assert "対象年齢外のため" in home and open_case.number in home
    # Acknowledging it takes it off the inbox but not off the case.
    response = login(caseworker).post(
        resolve_url("cases:referral_detail", referral.public_id), {"action": "acknowledge"}
    )
    assert response.status_code == 302
    assert case_selectors.inbox_for(caseworker).referrals_declined == []
    page = login(caseworker).get(resolve_url("cases:case_detail", open_case.public_id))
    assert "対象年齢外のため" in page.content.decode()


def test_addressee_cannot_pass_the_household_on_without_accepting(
    open_case, caseworker, outsider, third_agency, login, refer
):
    referral = refer(caseworker, open_case, outsider.agency)
    code = _code(
        lambda: services.referral_create(
            actor=outsider, case=open_case, to_agency=third_agency, reason="a", request="b"
        )
    )
    assert code == "not_on_team"
    response = login(outsider).post(
        resolve_url("cases:referral_add", open_case.public_id),
        {"to_agency": str(third_agency.pk), "reason": "うちでは無理", "request": "対応を"},
    )
    assert response.status_code == 200
    assert _shows(response, "Accept the referral to your agency before referring the household on.")
    assert "うちでは無理" in response.content.decode()
    assert Referral.objects.count() == 1
    # Once it has accepted, the agency is on the team and may refer onward.
    services.referral_accept(actor=outsider, referral=referral)
    services.referral_create(
        actor=outsider, case=open_case, to_agency=third_agency, reason="a", request="b"
    )
    assert Referral.objects.count() == 2
