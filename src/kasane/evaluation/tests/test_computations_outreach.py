"""Outreach on a hand-built FY2024: the share of consultations reached through outreach,
concern reports, and outreach targets by stage at the year's end with the year's flow —
all made through the real services with their clock set to each moment."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kasane.accounts.models import Staff
from kasane.cases import services as case_services
from kasane.cases.services import clock_at
from kasane.conftest import AreaFactory, make_household
from kasane.evaluation.computations import compute
from kasane.evaluation.tests.test_computations import YEAR, at
from kasane.intake import services as intake_services
from kasane.intake.models import NeedType, Outcome
from kasane.outreach import services as outreach_services
from kasane.outreach.models import OutreachTarget
from kasane.outreach.tests.conftest import (  # noqa: F401
    minsei,
    outreach_agency,
    outreach_worker,
    shinbun,
)
from kasane.privacy.models import ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentInput
from kasane.registry.models import Area, AreaKind, Household


@pytest.fixture
def blocks(db: Any) -> dict[str, Area]:
    """かさね市 ⊃ 北圏域 ⊃ 北中学校区 ⊃ 本町一丁目 (b1), 本町二丁目 (b2)."""
    city = AreaFactory.create(code="K", name="かさね市", kind=AreaKind.CITY)
    sphere = AreaFactory.create(code="K1", name="北圏域", kind=AreaKind.SPHERE, parent=city)
    district = AreaFactory.create(
        code="K11", name="北中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=sphere
    )
    return {
        "district": district,
        "b1": AreaFactory.create(
            code="K111", name="本町一丁目", kind=AreaKind.BLOCK, parent=district
        ),
        "b2": AreaFactory.create(
            code="K112", name="本町二丁目", kind=AreaKind.BLOCK, parent=district
        ),
    }


def consult(
    actor: Staff,
    household: Household,
    when: datetime.datetime,
    channel: str = "phone",
    outcome: str = Outcome.HANDLED,
) -> Any:
    need = NeedType.objects.get(code="hikikomori")
    with clock_at(when):
        return intake_services.consultation_record(
            actor=actor,
            received_at=when,
            requester="family",
            channel=channel,
            household=household,
            needs=[need],
            main_need=need,
            domains=["youth"],
            summary="息子が長く家から出ていない。",
            outcome=outcome,
            coordination_reason="複合" if outcome == Outcome.COORDINATION else "",
        )


def test_share_of_consultations_reached_through_outreach(
    caseworker: Staff, outreach_worker: Staff
) -> None:
    # Taken by outreach itself.
    agency = caseworker.agency
    assert agency is not None
    consult(caseworker, make_household(agency, kana="アウト イチ"), at(2024, 5, 1), "outreach")
    # A target known only by a name becomes a case; the consultation on it afterwards counts.
    with clock_at(at(2024, 6, 1)):
        target = outreach_services.target_open(
            actor=outreach_worker, label="3丁目の息子さん", name="間宮 亮", kana="マミヤ リョウ"
        )
    with clock_at(at(2024, 6, 10)):
        case = outreach_services.target_to_case(
            actor=outreach_worker,
            target=target,
            consent=ConsentInput(
                purposes=[ConsentPurpose.INFORMATION_SHARING],
                method=ConsentMethod.ORAL,
                obtained_on=datetime.date(2024, 6, 10),
            ),
        )
    consult(outreach_worker, case.household, at(2024, 7, 1), "home_visit")
    # A case that began at a desk (05-20); outreach joins it later (09-01): the consultation
    # before the target does not count, the one after it does.
    household = make_household(agency, kana="マド グチ")
    desk = consult(caseworker, household, at(2024, 5, 20), outcome=Outcome.COORDINATION).case
    with clock_at(at(2024, 8, 1)):
        referral = case_services.referral_create(
            actor=caseworker,
            case=desk,
            to_agency=outreach_worker.agency,  # type: ignore[arg-type]
            reason="訪問を",
            request="同行",
        )
        case_services.referral_accept(actor=outreach_worker, referral=referral)
    with clock_at(at(2024, 9, 1)):
        outreach_services.target_open(actor=outreach_worker, label="窓口の世帯の息子", case=desk)
    consult(caseworker, household, at(2024, 10, 1))
    # Unrelated, and another 年度.
    consult(caseworker, make_household(agency, kana="ベツ ノ"), at(2024, 8, 1))
    consult(caseworker, make_household(agency, kana="ライ ネン"), at(2025, 4, 1, 0, 10), "outreach")

    result = compute("outreach_share", YEAR)
    assert result.breakdown == {"outreach_channel": 1, "outreach_target": 2, "other": 2}
    assert result.value == Decimal("60.0")
    assert result.figures["outreach_consultations"] == 3
    assert compute("outreach_share", YEAR, month=7).value == Decimal("100.0")
    assert compute("outreach_share", YEAR, month=8).value == Decimal(0)
    assert compute("outreach_share", YEAR, domain="elderly").value is None
    assert compute("outreach_share", YEAR + 1).value == Decimal("100.0")


def test_concern_reports_by_reporter_and_area(
    minsei: Staff, shinbun: Staff, outreach_worker: Staff, blocks: dict[str, Area]
) -> None:
    with clock_at(at(2024, 4, 1, 0, 30)):
        outreach_services.concern_report_create(actor=minsei, area=blocks["b1"], signs=["not_seen"])
    with clock_at(at(2024, 10, 1)):
        report = outreach_services.concern_report_create(
            actor=shinbun, area=blocks["b2"], signs=["newspapers"]
        )
        outreach_services.target_open(actor=outreach_worker, label="新聞の溜まる家", report=report)
    with clock_at(at(2025, 3, 31, 23, 30)):
        outreach_services.concern_report_create(actor=minsei, address="駅前の公園")
    with clock_at(at(2024, 3, 31, 23, 30)):
        outreach_services.concern_report_create(actor=minsei, area=blocks["b1"])

    result = compute("concern_reports", YEAR)
    assert result.value == 3
    assert result.breakdown == {"watch_business": 1, "volunteer": 2}
    assert result.figures["to_target"] == 1
    assert compute("concern_reports", YEAR, area=blocks["b1"]).value == 1
    assert compute("concern_reports", YEAR, area=blocks["district"]).value == 2
    assert compute("concern_reports", YEAR - 1).value == 1
    assert compute("concern_reports", YEAR, month=10).breakdown == {
        "watch_business": 1,
        "volunteer": 0,
    }


def _open(worker: Staff, when: datetime.datetime, area: Area, label: str) -> OutreachTarget:
    with clock_at(when):
        return outreach_services.target_open(actor=worker, label=label, area=area)


def _move(worker: Staff, target: OutreachTarget, stage: str, when: datetime.datetime) -> None:
    with clock_at(when):
        outreach_services.target_stage_move(actor=worker, target=target, stage=stage)


def _close(worker: Staff, target: OutreachTarget, reason: str, when: datetime.datetime) -> None:
    with clock_at(when):
        outreach_services.target_close(actor=worker, target=target, reason=reason)


def test_outreach_targets_by_stage_at_year_end_with_inflow_and_outflow(
    outreach_worker: Staff, blocks: dict[str, Area]
) -> None:
    w, b1, b2 = outreach_worker, blocks["b1"], blocks["b2"]
    t1 = _open(w, at(2024, 4, 1, 0, 30), b1, "T1")
    _move(w, t1, "contacted", at(2024, 6, 1))
    _move(w, t1, "relationship", at(2024, 9, 1))
    t2 = _open(w, at(2024, 5, 1), b2, "T2")
    _close(w, t2, "connected", at(2024, 8, 1))
    t3 = _open(w, at(2023, 12, 1), b1, "T3")
    _close(w, t3, "moved", at(2024, 7, 1))
    with clock_at(at(2025, 1, 10)):
        outreach_services.target_reopen(actor=w, target=t3)
    _open(w, at(2025, 3, 31, 23, 30), b2, "T4")
    _open(w, at(2025, 4, 1, 0, 10), b1, "T5")
    t6 = _open(w, at(2024, 6, 1), b1, "T6")
    _close(w, t6, "ended", at(2025, 3, 31, 23, 30))

    result = compute("outreach_targets", YEAR)
    assert result.value == 3  # T1, T3 (returned), T4
    assert result.breakdown == {
        "grasped": 2,
        "contacted": 0,
        "relationship": 1,
        "consulting": 0,
        "supported": 0,
    }
    assert result.figures == {
        "new": 4,
        "returned": 1,
        "connected": 1,
        "moved": 1,
        "ended": 1,
    }
    # Read as it stood: at the end of FY2023 only T3 was open, just found.
    before = compute("outreach_targets", YEAR - 1)
    assert before.value == 1 and before.breakdown["grasped"] == 1
    # At the end of June 2024: T1 contacted; T2, T3 and T6 just found.
    june = compute("outreach_targets", YEAR, month=6)
    assert june.value == 4
    assert june.breakdown["contacted"] == 1 and june.breakdown["grasped"] == 3
    assert june.figures["new"] == 1
    # 本町一丁目 alone: T1 and T3 open; T1 and T6 new.
    north = compute("outreach_targets", YEAR, area=b1)
    assert north.value == 2
    assert north.figures == {"new": 2, "returned": 1, "connected": 0, "moved": 1, "ended": 1}
    assert compute("outreach_targets", YEAR, area=blocks["district"]).value == 3
