"""Cases on hand-built years: たらい回し by the board's rule, caseload per staff member, the
year on year breadth of collaboration, and month / area / domain narrowing of the
consultation and coordination counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.cases import selectors as case_selectors
from kasane.cases import services as case_services
from kasane.cases.models import Case, DeclineReason
from kasane.cases.services import clock_at
from kasane.conftest import AgencyFactory, AreaFactory, StaffFactory, make_household
from kasane.core.dates import fiscal_year
from kasane.evaluation.computations import Scope, compute
from kasane.evaluation.dashboard.selectors import collaboration_network
from kasane.evaluation.figures import published_figure
from kasane.evaluation.tests.test_computations import YEAR, at
from kasane.intake import services as intake_services
from kasane.intake.models import NeedType, Outcome
from kasane.registry.models import Area, AreaKind

_kana = iter(f"ケース {chr(0x30A2 + i)}" for i in range(0, 80, 2))


@pytest.fixture
def blocks(db: Any) -> dict[str, Area]:
    city = AreaFactory.create(code="K", name="かさね市", kind=AreaKind.CITY)
    sphere = AreaFactory.create(code="K1", name="北圏域", kind=AreaKind.SPHERE, parent=city)
    district = AreaFactory.create(
        code="K11", name="北中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=sphere
    )
    other = AreaFactory.create(code="K2", name="南圏域", kind=AreaKind.SPHERE, parent=city)
    return {
        "sphere": sphere,
        "b1": AreaFactory.create(
            code="K111", name="本町一丁目", kind=AreaKind.BLOCK, parent=district
        ),
        "south": AreaFactory.create(code="K211", name="南町", kind=AreaKind.BLOCK, parent=other),
    }


def case_for(actor: Staff, when: datetime.datetime, area: Area | None = None) -> Case:
    assert actor.agency is not None
    household = make_household(actor.agency, kana=next(_kana), area=area)
    return case_services.case_open(actor=actor, household=household, opened_at=when)


def bounce(actor: Staff, case: Case, when: datetime.datetime, answer: str = "decline") -> None:
    """A referral to a new agency at ``when``, declined (or accepted, or left) a day later."""
    agency = AgencyFactory.create()
    staff = StaffFactory.create(agency=agency)
    with clock_at(when):
        referral = case_services.referral_create(
            actor=actor, case=case, to_agency=agency, reason="理由", request="依頼"
        )
    with clock_at(when + datetime.timedelta(days=1)):
        if answer == "decline":
            case_services.referral_decline(
                actor=staff, referral=referral, reason=DeclineReason.NOT_ELIGIBLE
            )
        elif answer == "accept":
            case_services.referral_accept(actor=staff, referral=referral)


def test_tarai_mawashi_households_flagged_in_the_year(
    caseworker: Staff, blocks: dict[str, Area]
) -> None:
    # H1: three declined in 21 days → flagged on 05-01; a fourth, accepted in June.
    h1 = case_for(caseworker, at(2024, 4, 1), blocks["b1"])
    for day in (at(2024, 4, 10), at(2024, 4, 20), at(2024, 5, 1)):
        bounce(caseworker, h1, day)
    bounce(caseworker, h1, at(2024, 6, 1), "accept")
    # H2: two in March (FY2023: not yet three), the third on 04-05 → flagged in FY2024.
    h2 = case_for(caseworker, at(2024, 3, 1))
    bounce(caseworker, h2, at(2024, 3, 20), "none")
    bounce(caseworker, h2, at(2024, 3, 25), "none")
    bounce(caseworker, h2, at(2024, 4, 5))
    # H3: three, but spread over 45 days: never three in 30.
    h3 = case_for(caseworker, at(2024, 4, 1))
    for day in (at(2024, 4, 1), at(2024, 4, 25), at(2024, 5, 16)):
        bounce(caseworker, h3, day)
    # H4: three in 30 days, the second accepted before the third.
    h4 = case_for(caseworker, at(2024, 7, 1))
    bounce(caseworker, h4, at(2024, 7, 1))
    bounce(caseworker, h4, at(2024, 7, 5), "accept")
    bounce(caseworker, h4, at(2024, 7, 20))
    # H5: the third in the last hour of the 年度, on a second case of the same household.
    h5 = case_for(caseworker, at(2025, 3, 1))
    bounce(caseworker, h5, at(2025, 3, 20))
    bounce(caseworker, h5, at(2025, 3, 25))
    case_services.case_close(actor=caseworker, case=h5, reason="転居")
    h5b = case_services.case_open(
        actor=caseworker, household=h5.household, opened_at=at(2025, 3, 31, 23, 0)
    )
    bounce(caseworker, h5b, at(2025, 3, 31, 23, 30), "none")

    result = compute("tarai_mawashi", YEAR)
    assert result.breakdown == {"accepted_later": 1, "not_accepted": 2}
    assert result.value == 3
    assert compute("tarai_mawashi", YEAR - 1).value == 0
    assert compute("tarai_mawashi", YEAR, month=5).value == 1
    assert compute("tarai_mawashi", YEAR, area=blocks["b1"]).value == 1
    assert compute("tarai_mawashi", YEAR, area=blocks["south"]).value == 0


def test_tarai_mawashi_agrees_with_the_coordinators_board_today(caseworker: Staff) -> None:
    now = timezone.now()
    case = case_for(caseworker, now - datetime.timedelta(days=40))
    for days in (20, 10, 1):
        bounce(caseworker, case, now - datetime.timedelta(days=days, hours=2))
    calm = case_for(caseworker, now - datetime.timedelta(days=40))
    for days in (20, 10):
        bounce(caseworker, calm, now - datetime.timedelta(days=days))
    flags = case_selectors.taraimawashi_flags(timezone.now())
    assert [f.case.pk for f in flags] == [case.pk]
    result = compute("tarai_mawashi", fiscal_year(timezone.localdate()))
    assert result.breakdown == {"accepted_later": 0, "not_accepted": 1}


def test_caseload_per_staff_member_by_agency_at_year_end(
    caseworker: Staff, outsider: Staff, coordinator: Staff
) -> None:
    StaffFactory.create(agency=caseworker.agency, role=Role.CASEWORKER)
    StaffFactory.create(agency=caseworker.agency, role=Role.CASEWORKER, is_active=False)
    StaffFactory.create(agency=caseworker.agency, role=Role.VOLUNTEER)
    case_for(caseworker, at(2024, 5, 1))  # open
    case_for(caseworker, at(2023, 10, 1))  # open since the year before
    closed = case_for(caseworker, at(2024, 6, 1))
    with clock_at(at(2025, 2, 1)):
        case_services.case_close(actor=caseworker, case=closed, reason="目標達成")
    later_closed = case_for(caseworker, at(2024, 7, 1))
    with clock_at(at(2025, 4, 10)):
        case_services.case_close(actor=caseworker, case=later_closed, reason="目標達成")
    case_for(caseworker, at(2025, 4, 5))  # FY2025
    case_for(outsider, at(2024, 8, 1))
    # An agency whose only worker has since left still leads a case.
    gone = StaffFactory.create(agency=AgencyFactory.create(name="旧NPO"), role=Role.CASEWORKER)
    case_for(gone, at(2024, 9, 1))
    Staff.objects.filter(pk=gone.pk).update(is_active=False)

    result = compute("caseload_per_staff", YEAR)
    mine, theirs = caseworker.agency.name, outsider.agency.name  # type: ignore[union-attr]
    coordination = coordinator.agency.name  # type: ignore[union-attr]
    assert result.breakdown == {mine: 3, theirs: 1, coordination: 0, "旧NPO": 1}
    assert result.figures[mine] == Decimal("1.5")
    assert result.figures[theirs] == Decimal("1.0")
    assert result.figures[coordination] == Decimal("0.0")
    assert result.figures["旧NPO"] is None
    assert result.figures["open_cases"] == 5
    assert result.figures["staff"] == 4
    # Over the agencies with both cases and staff: (3 + 1) / (2 + 1).
    assert result.value == Decimal("1.3")
    # At the end of FY2023 only the case opened in October 2023 was open.
    assert compute("caseload_per_staff", YEAR - 1).breakdown[mine] == 1


def _team_up(
    actor: Staff, case: Case, to: Agency, answerer: Staff, when: datetime.datetime
) -> None:
    with clock_at(when):
        referral = case_services.referral_create(
            actor=actor, case=case, to_agency=to, reason="連携", request="同行"
        )
        case_services.referral_accept(actor=answerer, referral=referral)


def test_collaboration_breadth_year_on_year(
    caseworker: Staff, outsider: Staff, coordinator: Staff
) -> None:
    assert outsider.agency is not None
    # FY2023: (包括, 障害) on a case closed before FY2024 began.
    old = case_for(caseworker, at(2023, 6, 1))
    _team_up(caseworker, old, outsider.agency, outsider, at(2023, 6, 1))
    with clock_at(at(2024, 3, 1)):
        case_services.referral_complete(
            actor=outsider, referral=old.referrals.get(), outcome="サービス利用開始"
        )
        case_services.case_close(actor=caseworker, case=old, reason="目標達成")
    # FY2024: the same pair again, and (包括, coordination) for the first time.
    again = case_for(caseworker, at(2024, 5, 1))
    _team_up(caseworker, again, outsider.agency, outsider, at(2024, 5, 1))
    new = case_for(caseworker, at(2024, 6, 1))
    with clock_at(at(2024, 6, 1)):
        case_services.case_send_to_coordination(actor=caseworker, case=new, reason="複合")
        case_services.case_triage(actor=coordinator, case=new, triage="A")

    result = compute("collaboration_breadth", YEAR)
    assert result.value == 2
    assert result.breakdown == {"cases": 2, "agencies": 3}
    assert result.figures["pairs_last_year"] == 1
    assert result.figures["new_pairs"] == 1
    before = compute("collaboration_breadth", YEAR - 1)
    assert before.value == 1 and before.figures["new_pairs"] == 1


def test_consultation_and_coordination_counts_narrow_by_month_area_and_domain(
    caseworker: Staff, coordinator: Staff, blocks: dict[str, Area]
) -> None:
    need = NeedType.objects.get(code="8050")
    assert caseworker.agency is not None

    def record(
        when: datetime.datetime, area: Area | None, domains: list[str], coordination: bool
    ) -> None:
        household = make_household(caseworker.agency, kana=next(_kana), area=area)  # type: ignore[arg-type]
        with clock_at(when):
            consultation = intake_services.consultation_record(
                actor=caseworker,
                received_at=when,
                requester="self",
                channel="walk_in",
                household=household,
                needs=[need],
                main_need=need,
                domains=domains,
                summary="相談",
                outcome=Outcome.COORDINATION if coordination else Outcome.HANDLED,
                coordination_reason="複合" if coordination else "",
            )
        if coordination:
            assert consultation.case is not None
            case_services.case_triage(actor=coordinator, case=consultation.case, triage="A")

    record(at(2024, 5, 1), blocks["b1"], ["elderly", "youth"], True)
    record(at(2024, 5, 20), blocks["south"], ["child"], True)
    record(at(2024, 6, 3), blocks["b1"], ["child"], False)
    record(at(2024, 6, 4), None, ["elderly"], False)

    assert compute("consultations_received", YEAR).value == 4
    assert compute("consultations_received", YEAR, month=5).value == 2
    assert compute("consultations_received", YEAR, month=6).value == 2
    assert compute("consultations_received", YEAR, month=7).value == 0
    assert compute("consultations_received", YEAR, area=blocks["b1"]).value == 2
    assert compute("consultations_received", YEAR, area=blocks["sphere"]).value == 2
    assert compute("consultations_received", YEAR, area=blocks["south"]).value == 1
    assert compute("consultations_received", YEAR, domain="elderly").value == 2
    assert compute("consultations_received", YEAR, domain="child", area=blocks["b1"]).value == 1
    assert compute("consultations_by_domain", YEAR, area=blocks["b1"]).breakdown == {
        "child": 1,
        "elderly": 1,
        "youth": 1,
    }

    assert compute("coordination_cases", YEAR).breakdown["A"] == 2
    assert compute("coordination_cases", YEAR, month=5).value == 2
    assert compute("coordination_cases", YEAR, month=6).value == 0
    assert compute("coordination_cases", YEAR, area=blocks["sphere"]).value == 1
    assert compute("coordination_cases", YEAR, area=blocks["south"]).value == 1
    assert compute("coordination_cases", YEAR, domain="youth").value == 1
    assert compute("coordination_cases", YEAR, domain="housing").value == 0


def test_the_collaboration_counts_an_analyst_sees_are_perturbed(
    caseworker: Staff, outsider: Staff
) -> None:
    """Three cases shared by one pair of agencies: the coordinator's network says 3, the
    analyst's 0 or 5 (a pair published as 0 is not drawn); the pairs, agencies and cases of
    collaboration_breadth are perturbed too, the same on repeat."""
    assert outsider.agency is not None
    for day in (1, 2, 3):
        case = case_for(caseworker, at(2024, 5, day))
        _team_up(caseworker, case, outsider.agency, outsider, at(2024, 5, day))
    exact = collaboration_network(Scope(YEAR), aggregates_only=False)
    assert [n for _a, _b, n in exact.edges] == [3]
    shown = collaboration_network(Scope(YEAR), aggregates_only=True)
    assert [n for _a, _b, n in shown.edges] in ([], [5])
    assert shown == collaboration_network(Scope(YEAR), aggregates_only=True)
    figure = published_figure(compute("collaboration_breadth", YEAR), "組")
    assert figure.value in (0, 5)  # 1 pair
    assert figure.breakdown["cases"] in (0, 5) and figure.breakdown["agencies"] in (0, 5)
    assert figure == published_figure(compute("collaboration_breadth", YEAR), "組")
