"""Each computation on a small hand-built 年度 (FY2024: 2024-04-01 to 2025-03-31, JST) whose
answer is known, with records made through the real services."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from kasane.accounts.models import Agency, Staff
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.cases.services import clock_at
from kasane.conftest import make_household
from kasane.evaluation.computations import REGISTRY, Scope, compute
from kasane.evaluation.dashboard.selectors import monthly_consultations
from kasane.intake import services as intake_services
from kasane.intake.models import NeedType, Outcome
from kasane.plans import services as plan_services

YEAR = 2024
JST = zoneinfo.ZoneInfo("Asia/Tokyo")

_kana = iter(f"テスト {chr(0x30A2 + i)}" for i in range(0, 80, 2))


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=JST)


def new_case(actor: Staff, when: datetime.datetime) -> Case:
    household = make_household(actor.agency, kana=next(_kana))  # type: ignore[arg-type]
    return case_services.case_open(actor=actor, household=household, opened_at=when)


def refer(actor: Staff, case: Case, to: Agency, when: datetime.datetime) -> Any:
    with clock_at(when):
        return case_services.referral_create(
            actor=actor, case=case, to_agency=to, reason="障害福祉サービスの検討", request="同行"
        )


def test_every_computation_answers_an_empty_year(db: Any) -> None:
    for code in REGISTRY:
        result = compute(code, YEAR)
        assert result.value in (Decimal(0), None), code


def test_consultations_received_by_channel_domain_and_main_need(
    caseworker: Staff, household: Any
) -> None:
    need = {n.code: n for n in NeedType.objects.filter(code__in=["8050", "hikikomori"])}

    def record(when: datetime.datetime, channel: str, domains: list[str], main: str) -> None:
        intake_services.consultation_record(
            actor=caseworker,
            received_at=when,
            requester="family",
            channel=channel,
            household=household,
            needs=list(need.values()),
            main_need=need[main],
            domains=domains,
            summary="母が息子のひきこもりを心配している。",
            outcome=Outcome.HANDLED,
        )

    record(at(2024, 4, 1, 0, 30), "phone", ["elderly", "youth"], "8050")  # first hour of FY
    record(at(2025, 3, 31, 23, 30), "walk_in", ["elderly"], "hikikomori")  # last hour
    record(at(2024, 10, 1), "phone", ["youth"], "8050")
    record(at(2024, 3, 31, 23, 30), "phone", ["elderly"], "8050")  # FY2023
    record(at(2025, 4, 1, 0, 10), "email", ["elderly"], "8050")  # FY2025

    received = compute("consultations_received", YEAR)
    assert received.value == 3
    assert received.breakdown["phone"] == 2
    assert received.breakdown["walk_in"] == 1
    assert received.breakdown["email"] == 0

    by_domain = compute("consultations_by_domain", YEAR)
    assert by_domain.value == 3
    assert by_domain.breakdown == {"elderly": 2, "youth": 2}

    by_need = compute("consultations_by_main_need", YEAR)
    assert by_need.value == 3
    assert by_need.breakdown == {"8050": 2, "hikikomori": 1}
    assert compute("consultations_received", YEAR - 1).value == 1
    # The month chart puts each one in its month in Japan time, at the edges too.
    months = monthly_consultations(Scope(YEAR))
    assert months.counts == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    record(at(2024, 4, 30, 23, 59), "phone", ["elderly"], "8050")
    record(at(2024, 5, 1, 0, 0), "phone", ["elderly"], "8050")
    assert monthly_consultations(Scope(YEAR)).counts[:2] == [2, 1]


def test_coordination_cases_by_triage(caseworker: Staff, coordinator: Staff) -> None:
    def send(when: datetime.datetime, triage: str = "") -> None:
        case = new_case(caseworker, when)
        with clock_at(when):
            case_services.case_send_to_coordination(actor=caseworker, case=case, reason="複合")
        if triage:
            case_services.case_triage(
                actor=coordinator, case=case, triage=triage, advice="既存の連携で対応"
            )

    send(at(2024, 5, 1), "A")
    send(at(2024, 6, 1), "A")
    send(at(2024, 7, 1), "C")
    send(at(2025, 1, 10))
    send(at(2025, 5, 1), "B")  # FY2025
    new_case(caseworker, at(2024, 8, 1))  # never sent

    result = compute("coordination_cases", YEAR)
    assert result.value == 4
    assert result.breakdown == {"A": 2, "B": 0, "C": 1, "untriaged": 1}


def test_referrals_by_outcome_and_median_days_to_answer(
    caseworker: Staff, outsider: Staff, stranger: Staff
) -> None:
    case = new_case(caseworker, at(2024, 5, 1))
    first = refer(caseworker, case, outsider.agency, at(2024, 5, 1))  # type: ignore[arg-type]
    with clock_at(at(2024, 5, 3)):  # two days
        case_services.referral_accept(actor=outsider, referral=first)
    second = refer(caseworker, case, stranger.agency, at(2024, 6, 1))  # type: ignore[arg-type]
    with clock_at(at(2024, 6, 5)):  # four days
        case_services.referral_decline(actor=stranger, referral=second, reason="no_capacity")
    other = new_case(caseworker, at(2024, 9, 1))
    refer(caseworker, other, outsider.agency, at(2024, 9, 1))  # type: ignore[arg-type]  # unanswered
    late = new_case(caseworker, at(2025, 4, 2))
    refer(caseworker, late, outsider.agency, at(2025, 4, 2))  # type: ignore[arg-type]  # FY2025

    result = compute("referrals", YEAR)
    assert result.value == 3
    assert result.breakdown == {"requested": 1, "accepted": 1, "declined": 1, "completed": 0}
    assert result.figures["median_days_to_answer"] == Decimal("3.0")


def test_collaboration_breadth_counts_distinct_agency_pairs(
    caseworker: Staff, outsider: Staff, coordinator: Staff, stranger: Staff, agency: Agency
) -> None:
    # Case 1: {agency, other}.
    one = new_case(caseworker, at(2024, 5, 1))
    r = refer(caseworker, one, outsider.agency, at(2024, 5, 1))  # type: ignore[arg-type]
    with clock_at(at(2024, 5, 2)):
        case_services.referral_accept(actor=outsider, referral=r)
    # Case 2: {agency, coordination, other} — adds (agency, coordination), (coordination, other).
    two = new_case(caseworker, at(2024, 6, 1))
    with clock_at(at(2024, 6, 1)):
        case_services.case_send_to_coordination(actor=caseworker, case=two, reason="複合")
        case_services.case_triage(actor=coordinator, case=two, triage="A")
    r = refer(caseworker, two, outsider.agency, at(2024, 6, 2))  # type: ignore[arg-type]
    with clock_at(at(2024, 6, 3)):
        case_services.referral_accept(actor=outsider, referral=r)
    # Case 3, FY2025 only: (third, agency) is not a FY2024 pair.
    three = new_case(stranger, at(2025, 5, 1))
    r = refer(stranger, three, agency, at(2025, 5, 1))
    with clock_at(at(2025, 5, 2)):
        case_services.referral_accept(actor=caseworker, referral=r)

    result = compute("collaboration_breadth", YEAR)
    assert result.value == 3
    assert result.breakdown == {"cases": 2, "agencies": 3}
    assert result.figures["mean_agencies_per_case"] == Decimal("2.50")


def test_closures_by_reason_and_share_with_goals_achieved(caseworker: Staff) -> None:
    def close(opened: datetime.datetime, closed: datetime.datetime, reason: str) -> None:
        case = new_case(caseworker, opened)
        with clock_at(closed):
            plan_services.closure_record(
                actor=caseworker, case=case, reason=reason, held_on=closed.date()
            )

    close(at(2024, 4, 10), at(2024, 9, 1), "goals_met")
    close(at(2024, 4, 11), at(2024, 10, 1), "goals_met")
    close(at(2024, 4, 12), at(2025, 2, 1), "goals_met")
    close(at(2024, 4, 13), at(2025, 3, 1), "refused")
    close(at(2024, 4, 14), at(2025, 4, 5), "goals_met")  # FY2025
    new_case(caseworker, at(2024, 5, 1))  # still open

    result = compute("closures", YEAR)
    assert result.value == 4
    assert result.breakdown["goals_met"] == 3
    assert result.breakdown["refused"] == 1
    assert result.figures["goals_achieved_share"] == Decimal("0.75")


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_each_computation_is_a_few_queries(
    code: str, db: Any, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    with django_assert_max_num_queries(3):
        compute(code, YEAR)
