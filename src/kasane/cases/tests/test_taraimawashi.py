"""たらい回し: a household referred more than twice in 30 days with no agency accepting it is
flagged on the coordinator's board."""

from __future__ import annotations

import datetime

import pytest
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.cases import selectors as case_selectors
from kasane.cases import services
from kasane.cases.models import DeclineReason
from kasane.conftest import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _referred(actor, case, days_ago: float, *, answer: str | None = "decline"):
    """A referral to a new agency ``days_ago``, declined (default), accepted or unanswered."""
    agency = AgencyFactory.create()
    referral = services.referral_create(
        actor=actor,
        case=case,
        to_agency=agency,
        reason="理由",
        request="依頼",
        requested_at=_ago(days_ago),
    )
    staff = StaffFactory.create(agency=agency)
    if answer == "decline":
        services.referral_decline(actor=staff, referral=referral, reason=DeclineReason.NOT_ELIGIBLE)
    elif answer == "accept":
        services.referral_accept(actor=staff, referral=referral)
    return referral


def _board_flags(client) -> str:
    body: str = client.get(resolve_url("cases:board")).content.decode()
    if 'data-testid="taraimawashi"' not in body:
        return ""
    return body.split('data-testid="taraimawashi"', 1)[1].split("</table>", 1)[0]


def test_three_referrals_in_30_days_without_acceptance_are_flagged(
    open_case, caseworker, coordinator, login
):
    for days in (20, 10, 1):
        _referred(caseworker, open_case, days)
    flags = case_selectors.taraimawashi_flags(timezone.now())
    assert [(f.case.pk, f.referrals) for f in flags] == [(open_case.pk, 3)]
    assert len(flags[0].agencies) == 3
    client = login(coordinator)
    assert open_case.number in _board_flags(client)
    assert open_case.number in client.get("/").content.decode()


def test_unanswered_referrals_count_too(open_case, caseworker):
    _referred(caseworker, open_case, 25)
    _referred(caseworker, open_case, 15)
    _referred(caseworker, open_case, 2, answer=None)
    assert [f.case.pk for f in case_selectors.taraimawashi_flags(timezone.now())] == [open_case.pk]


def test_two_referrals_are_not_flagged(open_case, caseworker, coordinator, login):
    _referred(caseworker, open_case, 10)
    _referred(caseworker, open_case, 1)
    assert case_selectors.taraimawashi_flags(timezone.now()) == []
    assert open_case.number not in _board_flags(login(coordinator))


def test_one_accepted_referral_clears_the_flag(open_case, caseworker, coordinator, login):
    _referred(caseworker, open_case, 20)
    _referred(caseworker, open_case, 10, answer="accept")
    _referred(caseworker, open_case, 1)
    assert case_selectors.taraimawashi_flags(timezone.now()) == []
    assert open_case.number not in _board_flags(login(coordinator))


def test_three_referrals_spread_over_40_days_are_not_flagged(
    open_case, caseworker, coordinator, login
):
    _referred(caseworker, open_case, 40)
    _referred(caseworker, open_case, 20)
    _referred(caseworker, open_case, 1)
    assert case_selectors.taraimawashi_flags(timezone.now()) == []
    assert open_case.number not in _board_flags(login(coordinator))


def test_the_household_counts_not_the_case(household, caseworker, coordinator, login):
    """Referrals of one household made on two of its cases add up, and it is flagged once."""
    first = services.case_open(actor=caseworker, household=household, opened_at=_ago(50))
    second = services.case_open(actor=caseworker, household=household)
    _referred(caseworker, first, 20)
    _referred(caseworker, first, 10)
    _referred(caseworker, second, 1)
    flags = case_selectors.taraimawashi_flags(timezone.now())
    assert [(f.case.household_id, f.referrals) for f in flags] == [(household.pk, 3)]
    assert len(flags[0].agencies) == 3
    row = _board_flags(login(coordinator))
    assert row.count("<tr>") - 1 == 1  # one household, one row (after the header)


def test_an_acceptance_on_another_case_of_the_household_clears_it(household, caseworker):
    first = services.case_open(actor=caseworker, household=household, opened_at=_ago(50))
    second = services.case_open(actor=caseworker, household=household)
    for days in (20, 10, 1):
        _referred(caseworker, first, days)
    _referred(caseworker, second, 5, answer="accept")
    assert case_selectors.taraimawashi_flags(timezone.now()) == []


def test_closed_case_is_not_flagged(open_case, caseworker):
    for days in (20, 10, 1):
        _referred(caseworker, open_case, days)
    services.case_close(actor=caseworker, case=open_case, reason="転出")
    assert case_selectors.taraimawashi_flags(timezone.now()) == []
