"""The rules of cases and referrals, as the services enforce them."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from kasane.cases import selectors as case_selectors
from kasane.cases import services
from kasane.cases.models import (
    Case,
    CaseStatus,
    DeclineReason,
    EventKind,
    ReferralStatus,
    TeamRole,
    Triage,
)

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def case(caseworker, household):
    return services.case_open(actor=caseworker, household=household)


def test_case_number_counts_within_the_fiscal_year(caseworker, household):
    first = services.case_open(
        actor=caseworker,
        household=household,
        opened_at=datetime.datetime(2024, 5, 1, 10, tzinfo=TOKYO),
    )
    second = services.case_open(
        actor=caseworker,
        household=household,
        opened_at=datetime.datetime(2025, 3, 31, 10, tzinfo=TOKYO),
    )
    next_year = services.case_open(
        actor=caseworker,
        household=household,
        opened_at=datetime.datetime(2025, 4, 1, 10, tzinfo=TOKYO),
    )
    assert (first.number, second.number, next_year.number) == ("R6-0001", "R6-0002", "R7-0001")


def test_open_case_is_led_by_the_opening_agency(case, caseworker):
    assert case.lead_agency == caseworker.agency
    assert case.team.get().role == TeamRole.LEAD


def test_database_refuses_an_open_case_without_lead(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(lead_agency=None)


def test_referral_flow_accept_and_complete(case, caseworker, outsider, other_caseworker):
    referral = services.referral_create(
        actor=caseworker,
        case=case,
        to_agency=outsider.agency,
        reason="障害の疑い",
        request="同行訪問",
    )
    # The addressee sees the case while the referral is open.
    assert case_selectors.get_case_for_user(outsider, case.public_id) == case
    services.referral_accept(actor=outsider, referral=referral)
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(actor=other_caseworker, referral=referral)
    assert exc.value.code == "referral_answered"
    assert case.team.filter(agency=outsider.agency, left_at__isnull=True).exists()
    services.referral_complete(actor=outsider, referral=referral, outcome="サービス利用開始")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    kinds = list(case.events.values_list("kind", flat=True))
    assert EventKind.REFERRAL_ACCEPTED in kinds and EventKind.REFERRAL_COMPLETED in kinds


def test_referral_to_own_agency_is_refused(case, caseworker):
    with pytest.raises(ValidationError) as exc:
        services.referral_create(
            actor=caseworker, case=case, to_agency=caseworker.agency, reason="a", request="b"
        )
    assert exc.value.code == "referral_to_self"


def test_declined_referral_returns_to_sender_and_cannot_be_accepted(case, caseworker, outsider):
    referral = services.referral_create(
        actor=caseworker, case=case, to_agency=outsider.agency, reason="a", request="b"
    )
    services.referral_decline(actor=outsider, referral=referral, reason=DeclineReason.NO_CAPACITY)
    inbox = case_selectors.inbox_for(caseworker)
    assert [r.pk for r in inbox.referrals_declined] == [referral.pk]
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(actor=outsider, referral=referral)
    assert exc.value.code == "referral_answered"
    services.referral_decline_acknowledge(actor=caseworker, referral=referral)
    assert case_selectors.inbox_for(caseworker).referrals_declined == []
    # Once declined, the other agency no longer sees the case.
    with pytest.raises(Http404):
        case_selectors.get_case_for_user(outsider, case.public_id)


def test_stranger_gets_404_and_cannot_act(case, stranger):
    with pytest.raises(Http404):
        case_selectors.get_case_for_user(stranger, case.public_id)
    with pytest.raises(PermissionDenied):
        services.case_note_create(
            actor=stranger, case=case, written_on=timezone.localdate(), kind="memo", text="x"
        )


def test_lead_agency_cannot_leave_and_handover_needs_acceptance(case, caseworker, outsider):
    with pytest.raises(ValidationError) as exc:
        services.team_member_remove(actor=caseworker, case=case, agency=caseworker.agency)
    assert exc.value.code == "last_lead"
    handover = services.handover_request(actor=caseworker, case=case, to_agency=outsider.agency)
    case.refresh_from_db()
    assert case.lead_agency == caseworker.agency
    services.handover_accept(actor=outsider, handover=handover)
    case.refresh_from_db()
    assert case.lead_agency == outsider.agency
    assert case.team.get(agency=caseworker.agency, left_at__isnull=True).role == TeamRole.MEMBER


def test_coordination_triage_and_board(case, caseworker, coordinator, outsider):
    with pytest.raises(Http404):
        case_selectors.get_case_for_user(coordinator, case.public_id)
    services.case_send_to_coordination(actor=caseworker, case=case, reason="8050")
    assert case_selectors.get_case_for_user(coordinator, case.public_id) == case
    with pytest.raises(ValidationError):
        services.case_triage(actor=coordinator, case=case, triage=Triage.C)
    services.case_triage(actor=coordinator, case=case, triage=Triage.C, advice="包括と障害で")
    services.case_accept(actor=coordinator, case=case)
    services.case_name_lead(actor=coordinator, case=case, agency=outsider.agency)
    case.refresh_from_db()
    assert case.lead_agency == outsider.agency
    counts = case_selectors.board_counts(case.fiscal_year)
    assert (counts.received, counts.a, counts.b, counts.c, counts.accepted) == (1, 0, 0, 1, 1)


def test_agency_only_note_stays_in_the_agency(case, caseworker, outsider):
    services.referral_create(
        actor=caseworker, case=case, to_agency=outsider.agency, reason="a", request="b"
    )
    services.case_note_create(
        actor=caseworker,
        case=case,
        written_on=timezone.localdate(),
        kind="memo",
        text="内部メモ",
        visibility="agency",
    )
    mine = case_selectors.case_detail_for_user(caseworker, case.public_id)
    theirs = case_selectors.case_detail_for_user(outsider, case.public_id)
    assert any(e.kind == EventKind.NOTE for e in mine.timeline)
    assert not any(e.kind == EventKind.NOTE for e in theirs.timeline)


def test_taraimawashi_flag(case, caseworker, outsider, third_agency, coordination_agency):
    for agency in (outsider.agency, third_agency, coordination_agency):
        referral = services.referral_create(
            actor=caseworker, case=case, to_agency=agency, reason="a", request="b"
        )
        referral.status = ReferralStatus.DECLINED
        referral.decline_reason = DeclineReason.NOT_ELIGIBLE
        referral.save()
    flags = case_selectors.taraimawashi_flags(timezone.now())
    assert [f.case.pk for f in flags] == [case.pk]
    assert flags[0].referrals == 3


def test_closed_case_status(case, caseworker):
    services.case_status_change(actor=caseworker, case=case, status=CaseStatus.ASSESSMENT)
    services.case_close(actor=caseworker, case=case, reason="転居")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
