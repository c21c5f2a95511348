"""The start page: what waits for my agency, and the cases going quiet."""

from __future__ import annotations

import datetime

import pytest
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.cases import selectors as case_selectors
from kasane.cases import services
from kasane.cases.models import CaseNote
from kasane.conftest import make_household

pytestmark = pytest.mark.django_db


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _note(actor, case, **kwargs):
    return services.case_note_create(
        actor=actor, case=case, written_on=timezone.localdate(), kind="phone", text="電話", **kwargs
    )


def test_quiet_cases_are_the_ones_led_without_a_note_for_30_days(
    caseworker, outsider, agency, refer
):
    def case(days: int, kana: str):
        household = make_household(agency, kana=kana, birth_date=None)
        return services.case_open(actor=caseworker, household=household, opened_at=_ago(days))

    silent = case(40, "シズカ")
    noted_today = case(40, "キョウ")
    _note(caseworker, noted_today)
    noted_long_ago = case(60, "ムカシ")
    _note(caseworker, noted_long_ago)
    CaseNote.objects.filter(case=noted_long_ago).update(created_at=_ago(31))
    new = case(10, "アタラシ")
    closed = case(40, "オワリ")
    services.case_close(actor=caseworker, case=closed, reason="終結")
    # Noted by another team agency: the team is at work, the case is not quiet.
    by_team = case(40, "チーム")
    referral = refer(caseworker, by_team, outsider.agency)
    services.referral_accept(actor=outsider, referral=referral)
    _note(outsider, by_team)
    quiet = {c.pk for c in case_selectors.inbox_for(caseworker).quiet_cases}
    assert quiet == {silent.pk, noted_long_ago.pk}
    assert new.pk not in quiet
    # Only the lead agency is reminded.
    assert case_selectors.inbox_for(outsider).quiet_cases == []


def test_handover_waits_in_the_receiving_inbox_until_answered(
    open_case, caseworker, outsider, login
):
    handover = services.handover_request(
        actor=caseworker, case=open_case, to_agency=outsider.agency, note="転居先の圏域のため"
    )
    client = login(outsider)
    home = client.get("/").content.decode()
    assert resolve_url("cases:handover_answer", handover.public_id) in home
    response = client.post(
        resolve_url("cases:handover_answer", handover.public_id), {"action": "accept", "note": ""}
    )
    assert response.status_code == 302
    assert (
        resolve_url("cases:handover_answer", handover.public_id)
        not in client.get("/").content.decode()
    )
    open_case.refresh_from_db()
    assert open_case.lead_agency == outsider.agency


def test_inbox_of_an_agency_shows_only_its_own_work(
    open_case, caseworker, outsider, stranger, login, refer
):
    refer(caseworker, open_case, outsider.agency)
    assert open_case.number in login(outsider).get("/").content.decode()
    assert open_case.number not in login(stranger).get("/").content.decode()
    assert case_selectors.inbox_for(stranger).referrals_waiting == []


def test_roles_without_cases_get_an_empty_inbox(open_case, auditor, analyst, admin_user, login):
    for staff in (auditor, analyst, admin_user):
        response = login(staff).get("/")
        assert response.status_code == 200
        assert open_case.number not in response.content.decode()
