"""Query-count guards: each list page costs the same number of queries for 1 row as for 15.

Each test measures a page with a few rows, adds many more of every kind the page shows, and
measures again. A page that fetches per row (N+1) fails with the queries listed.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.cases import services
from kasane.cases.models import Case, DeclineReason, EventKind
from kasane.conftest import AgencyFactory, StaffFactory, make_household
from kasane.intake import services as intake_services
from kasane.intake.models import NeedType, Outcome

pytestmark = pytest.mark.django_db

MANY = 15
_kana = itertools.count(1)


def _queries(client: Client, url: str, **params: Any) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _assert_flat(few: tuple[int, list[str]], many: tuple[int, list[str]]) -> None:
    assert many[0] <= few[0], "\n".join(many[1])


KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ"


def _household(agency: Agency | None) -> Any:
    """A household of its own for each row, its head named in kana without digits."""
    assert agency is not None
    n = next(_kana)
    letters = KANA[n % len(KANA)] + KANA[n // len(KANA) % len(KANA)]
    return make_household(agency, name=f"世帯主{n}", kana=f"セタイ {letters}", birth_date=None)


def _caseworker(agency: Agency | None = None) -> Staff:
    return StaffFactory.create(agency=agency or AgencyFactory.create(), role=Role.CASEWORKER)


def _household_agency(staff: Staff) -> Agency:
    assert staff.agency is not None
    return staff.agency


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


# --- the inbox ------------------------------------------------------------------------------


def _fill_inbox(me: Staff, n: int) -> None:
    """n of everything a caseworker's inbox lists, each case with its own household."""
    assert me.agency is not None
    for _ in range(n):
        other = _caseworker()
        # A referral waiting for my agency (some overdue).
        theirs = services.case_open(actor=other, household=_household(other.agency))
        services.referral_create(
            actor=other,
            case=theirs,
            to_agency=me.agency,
            reason="理由",
            request="依頼",
            requested_at=_ago(10),
        )
        # A hand-over of another case waiting for my agency.
        handed = services.case_open(actor=other, household=_household(other.agency))
        services.handover_request(actor=other, case=handed, to_agency=me.agency)
        # My referral, declined and not yet seen; another of mine overdue.
        mine = services.case_open(actor=me, household=_household(me.agency), opened_at=_ago(60))
        declined = services.referral_create(
            actor=me, case=mine, to_agency=_household_agency(other), reason="理由", request="依頼"
        )
        services.referral_decline(actor=other, referral=declined, reason=DeclineReason.NO_CAPACITY)
        third = AgencyFactory.create()
        services.referral_create(
            actor=me,
            case=mine,
            to_agency=third,
            reason="理由",
            request="依頼",
            requested_at=_ago(10),
        )
        # ``mine`` was opened 60 days ago and has no note: a quiet case.


def test_caseworker_inbox_does_not_grow_with_rows(caseworker, login):
    client = login(caseworker)
    _fill_inbox(caseworker, 1)
    few = _queries(client, "/")
    _fill_inbox(caseworker, MANY)
    many = _queries(client, "/")
    _assert_flat(few, many)


def _fill_coordination(coordinator: Staff, n: int) -> None:
    """n cases in triage, n たらい回し households, n escalated referrals, n cases whose lead
    agency closed down."""
    for _ in range(n):
        worker = _caseworker()
        assert worker.agency is not None
        case = services.case_open(actor=worker, household=_household(worker.agency))
        services.case_send_to_coordination(actor=worker, case=case, reason="8050")
        for _ in range(3):
            referral = services.referral_create(
                actor=worker,
                case=case,
                to_agency=AgencyFactory.create(),
                reason="理由",
                request="依頼",
                requested_at=_ago(10),
            )
            services.referral_decline(
                actor=_caseworker(referral.to_agency),
                referral=referral,
                reason=DeclineReason.NOT_ELIGIBLE,
            )
        services.referral_create(
            actor=worker,
            case=case,
            to_agency=AgencyFactory.create(),
            reason="理由",
            request="依頼",
            requested_at=_ago(10),
        )
        # A case whose lead agency has since closed down.
        gone = _caseworker()
        assert gone.agency is not None
        services.case_open(actor=gone, household=_household(gone.agency))
        Agency.objects.filter(pk=gone.agency.pk).update(is_active=False)
    services.referrals_escalate()


def test_coordinator_inbox_does_not_grow_with_rows(coordinator, login):
    client = login(coordinator)
    _fill_coordination(coordinator, 1)
    _fill_inbox(coordinator, 1)
    few = _queries(client, "/")
    _fill_coordination(coordinator, MANY)
    _fill_inbox(coordinator, MANY)
    many = _queries(client, "/")
    _assert_flat(few, many)


def test_coordination_board_does_not_grow_with_rows(coordinator, login):
    client = login(coordinator)
    _fill_coordination(coordinator, 1)
    few = _queries(client, resolve_url("cases:board"))
    _fill_coordination(coordinator, MANY)
    # Triaged cases show their triage and support decision too.
    for case in Case.objects.filter(sent_to_coordination_at__isnull=False, triage="")[:5]:
        services.case_triage(actor=coordinator, case=case, triage="C", advice="既存の連携で")
        services.case_accept(actor=coordinator, case=case)
    many = _queries(client, resolve_url("cases:board"))
    _assert_flat(few, many)


# --- the case page and its timeline -------------------------------------------------------


_round = itertools.count(1)


def _grow_case(case: Case, lead: Staff, n: int, *, since: datetime.datetime) -> None:
    """n more rounds of work on the case, each a minute after the last from ``since``: a team
    agency joining through an accepted referral, a declined referral, notes of both
    visibilities, a consultation."""
    need = NeedType.objects.get(code="8050")
    others = list(NeedType.objects.exclude(pk=need.pk)[:2])
    for _ in range(n):
        at = since + datetime.timedelta(minutes=next(_round))
        with services.clock_at(at):
            member = _caseworker()
            assert member.agency is not None
            referral = services.referral_create(
                actor=lead, case=case, to_agency=member.agency, reason="理由", request="依頼"
            )
            services.referral_accept(actor=member, referral=referral)
            services.case_note_create(
                actor=member,
                case=case,
                written_on=timezone.localdate(),
                kind="visit",
                text="訪問",
            )
            refused = services.referral_create(
                actor=lead,
                case=case,
                to_agency=AgencyFactory.create(),
                reason="理由",
                request="依頼",
            )
            services.referral_decline(
                actor=_caseworker(refused.to_agency),
                referral=refused,
                reason=DeclineReason.OTHER,
                note="対象年齢外",
            )
            services.case_note_create(
                actor=lead,
                case=case,
                written_on=timezone.localdate(),
                kind="memo",
                text="所内",
                visibility="agency",
            )
            intake_services.consultation_record(
                actor=lead,
                received_at=at,
                requester="family",
                channel="phone",
                household=case.household,
                needs=[need, *others],
                main_need=need,
                summary="相談",
                outcome=Outcome.COORDINATION,
                coordination_reason="8050",
            )


def _kinds_shown(client: Client, url: str, **params: Any) -> set[str]:
    response = client.get(url, params)
    return {e.kind for e in response.context["detail"].timeline}


# Each kind of line the timeline draws differently must be on the page measured.
KINDS = {
    EventKind.CONSULTATION,
    EventKind.NOTE,
    EventKind.REFERRAL_REQUESTED,
    EventKind.REFERRAL_ACCEPTED,
    EventKind.REFERRAL_DECLINED,
}


def test_case_page_does_not_grow_with_team_referrals_and_notes(
    open_case, caseworker, outsider, login
):
    since = timezone.now() - datetime.timedelta(hours=12)
    _grow_case(open_case, caseworker, 1, since=since)
    url = resolve_url("cases:case_detail", open_case.public_id)
    lead, member = login(caseworker), login(outsider)
    few = _queries(lead, url)
    _grow_case(open_case, caseworker, MANY, since=since)
    services.handover_request(actor=caseworker, case=open_case, to_agency=outsider.agency)
    many = _queries(lead, url)
    assert _kinds_shown(lead, url) >= KINDS
    _assert_flat(few, many)
    # A team member sees the same page at the same cost.
    referral = services.referral_create(
        actor=caseworker, case=open_case, to_agency=outsider.agency, reason="a", request="b"
    )
    services.referral_accept(actor=outsider, referral=referral)
    assert _queries(member, url)[0] <= few[0]


def test_timeline_second_page_does_not_grow_with_rows(open_case, caseworker, login):
    url = resolve_url("cases:case_detail", open_case.public_id)
    client = login(caseworker)
    since = timezone.now() - datetime.timedelta(days=3)
    _grow_case(open_case, caseworker, 1, since=since)
    # Today's notes fill page 1, so the earlier work is on page 2.
    for i in range(30):
        services.case_note_create(
            actor=caseworker,
            case=open_case,
            written_on=timezone.localdate(),
            kind="phone",
            text=f"電話 {i}",
        )
    few = _queries(client, url, page=2)
    _grow_case(open_case, caseworker, MANY, since=since)
    many = _queries(client, url, page=2)
    assert _kinds_shown(client, url, page=2) >= KINDS
    _assert_flat(few, many)


# --- lists ----------------------------------------------------------------------------------


def test_case_list_does_not_grow_with_rows(caseworker, login):
    client = login(caseworker)

    def add(n: int) -> None:
        for _ in range(n):
            case = services.case_open(actor=caseworker, household=_household(caseworker.agency))
            services.case_send_to_coordination(actor=caseworker, case=case, reason="8050")
            # Cases where my agency is a member, led by another.
            other = _caseworker()
            theirs = services.case_open(actor=other, household=_household(other.agency))
            referral = services.referral_create(
                actor=other, case=theirs, to_agency=caseworker.agency, reason="a", request="b"
            )
            services.referral_accept(actor=caseworker, referral=referral)

    add(1)
    few = _queries(client, resolve_url("cases:case_list"))
    add(MANY)
    many = _queries(client, resolve_url("cases:case_list"))
    _assert_flat(few, many)
