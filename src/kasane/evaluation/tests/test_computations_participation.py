"""Participation and community building on hand-built years: matches started and settled
(定着率), the change in the UCLA loneliness score, unmet needs with places developed, and
community places per 中学校区 — made through the real services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kasane.accounts.models import Staff
from kasane.community import services as community_services
from kasane.conftest import AreaFactory, head_of, make_household
from kasane.evaluation.computations import compute
from kasane.evaluation.tests.test_computations import YEAR
from kasane.participation.matching import services
from kasane.participation.matching.services import LonelinessInput
from kasane.participation.models import Match, Opportunity, Resource
from kasane.registry.models import Area, AreaKind, Person

D = datetime.date
_kana = iter(f"サンカ {chr(0x30A2 + i)}" for i in range(0, 40, 2))


def place(name: str) -> Opportunity:
    resource, _ = Resource.objects.get_or_create(name="NPO法人 ひだまり")
    return Opportunity.objects.create(resource=resource, name=name, checked_on=D(2024, 4, 1))


def someone(caseworker: Staff) -> Person:
    assert caseworker.agency is not None
    return head_of(make_household(caseworker.agency, kana=next(_kana)))


def match(caseworker: Staff, person: Person, where: Opportunity, *moves: tuple[str, D]) -> Match:
    first = moves[0][1]
    found = services.match_propose(actor=caseworker, person=person, opportunity=where, on=first)
    for stage, day in moves:
        found_match = services.match_move(
            actor=caseworker,
            match=found.match,
            stage=stage,
            on=day,
            end_reason="not_suited" if stage == "ended" else "",
        )
    return found_match


def test_matches_started_settled_and_settlement_rate(caseworker: Staff) -> None:
    a, b = place("料理サロン"), place("農園ボランティア")
    # m1: starts on the first day of the 年度, settles in July.
    match(
        caseworker, someone(caseworker), a, ("started", D(2024, 4, 1)), ("settled", D(2024, 7, 1))
    )
    # m2: starts in June, ends in August without settling.
    match(
        caseworker,
        someone(caseworker),
        a,
        ("visit", D(2024, 5, 1)),
        ("started", D(2024, 6, 1)),
        ("ended", D(2024, 8, 1)),
    )
    # m3: started in FY2023, settles in FY2024.
    match(
        caseworker, someone(caseworker), b, ("started", D(2024, 3, 25)), ("settled", D(2024, 5, 1))
    )
    # m4: settles straight away on the last day of the 年度.
    match(caseworker, someone(caseworker), b, ("settled", D(2025, 3, 31)))
    # m5: FY2025; m6: proposed only.
    match(caseworker, someone(caseworker), a, ("started", D(2025, 4, 1)))
    services.match_propose(
        actor=caseworker, person=someone(caseworker), opportunity=b, on=D(2024, 9, 1)
    )

    result = compute("matches", YEAR)
    assert result.value == 3  # m1, m2, m4
    assert result.breakdown == {"started": 3, "settled": 3}  # settled: m1, m3, m4
    assert result.figures["settled_of_started"] == 2  # m1, m4
    assert result.figures["settlement_rate"] == Decimal("0.6667")
    before = compute("matches", YEAR - 1)
    assert before.breakdown == {"started": 1, "settled": 0}
    assert before.figures["settlement_rate"] == Decimal("1.0000")
    june = compute("matches", YEAR, month=6)
    assert june.breakdown == {"started": 1, "settled": 0}
    assert june.figures["settlement_rate"] == Decimal(0)


def scale(caseworker: Staff, person: Person, day: D, *answers: int) -> None:
    services.loneliness_record(
        actor=caseworker,
        person=person,
        data=LonelinessInput(
            lack_companionship=answers[0], left_out=answers[1], isolated=answers[2], measured_on=day
        ),
    )


def test_change_in_ucla_loneliness_score(caseworker: Staff) -> None:
    p1, p2, p3, p4, p5 = (someone(caseworker) for _ in range(5))
    scale(caseworker, p1, D(2024, 4, 1), 4, 3, 3)  # 10
    scale(caseworker, p1, D(2024, 7, 1), 3, 2, 2)  # 7
    scale(caseworker, p1, D(2024, 10, 1), 2, 2, 2)  # 6: the latest in FY2024, −4
    scale(caseworker, p2, D(2024, 5, 1), 3, 3, 3)  # 9
    scale(caseworker, p2, D(2024, 8, 1), 3, 3, 3)  # 9: the same
    scale(caseworker, p3, D(2023, 4, 10), 2, 3, 3)  # 8, in FY2023
    scale(caseworker, p3, D(2024, 6, 1), 3, 3, 3)  # 9: worse, +1
    scale(caseworker, p4, D(2025, 3, 31), 4, 4, 4)  # one score only: left out
    scale(caseworker, p5, D(2024, 12, 1), 4, 4, 3)  # 11
    scale(caseworker, p5, D(2025, 4, 2), 2, 2, 1)  # 5, in FY2025: −6

    result = compute("loneliness_change", YEAR)
    assert result.value == Decimal("-1.00")  # (−4 + 0 + 1) / 3
    assert result.breakdown == {"better": 1, "same": 1, "worse": 1}
    assert result.figures == {
        "persons": Decimal(3),
        "mean_before": Decimal("9.00"),
        "mean_after": Decimal("8.00"),
    }
    later = compute("loneliness_change", YEAR + 1)
    assert later.value == Decimal("-6.00") and later.figures["persons"] == 1
    july = compute("loneliness_change", YEAR, month=7)
    assert july.value == Decimal("-3.00") and july.breakdown == {"better": 1, "same": 0, "worse": 0}


@pytest.fixture
def areas(db: Any) -> dict[str, Area]:
    """かさね市 ⊃ 北圏域 ⊃ 北中学校区 (⊃ 本町一丁目), 東中学校区; 南圏域 ⊃ 南中学校区 (⊃ 南町)."""
    city = AreaFactory.create(code="K", name="かさね市", kind=AreaKind.CITY)
    north = AreaFactory.create(code="K1", name="北圏域", kind=AreaKind.SPHERE, parent=city)
    south = AreaFactory.create(code="K2", name="南圏域", kind=AreaKind.SPHERE, parent=city)
    kita = AreaFactory.create(
        code="K11", name="北中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=north
    )
    higashi = AreaFactory.create(
        code="K12", name="東中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=north
    )
    minami = AreaFactory.create(
        code="K21", name="南中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=south
    )
    return {
        "north": north,
        "kita": kita,
        "higashi": higashi,
        "minami": minami,
        "honmachi": AreaFactory.create(
            code="K111", name="本町一丁目", kind=AreaKind.BLOCK, parent=kita
        ),
        "minamimachi": AreaFactory.create(
            code="K211", name="南町", kind=AreaKind.BLOCK, parent=minami
        ),
    }


def test_unmet_needs_and_places_developed(caseworker: Staff, areas: dict[str, Area]) -> None:
    new_salon, new_farm = place("新しい居場所"), place("新しい農園")

    def need(kind: str, on: D, area: Area | None) -> Any:
        return services.unmet_need_record(
            actor=caseworker,
            kind=kind,
            age_band="middle",
            description="夜に集まれる場がない",
            area=area,
            for_whom="長くひきこもっていた40代男性",
            recorded_on=on,
        )

    u1 = need("ibasho", D(2024, 4, 1), areas["kita"])
    services.unmet_need_developed(
        actor=caseworker, need=u1, opportunity=new_salon, on=D(2024, 9, 1)
    )
    u2 = need("work_experience", D(2024, 6, 1), areas["north"])
    services.unmet_need_developed(actor=caseworker, need=u2, opportunity=new_farm, on=D(2025, 4, 5))
    need("ibasho", D(2025, 3, 31), None)
    u4 = need("volunteer", D(2024, 3, 1), areas["minami"])
    # The same new place answers a need of the year before, too: one place developed.
    services.unmet_need_developed(
        actor=caseworker, need=u4, opportunity=new_salon, on=D(2024, 5, 1)
    )

    result = compute("unmet_needs", YEAR)
    assert result.value == 3
    assert result.breakdown == {"ibasho": 2, "work_experience": 1}
    assert result.figures == {"developed": Decimal(1), "still_unmet": Decimal(2)}
    assert compute("unmet_needs", YEAR + 1).figures["developed"] == 1
    assert compute("unmet_needs", YEAR - 1).figures["still_unmet"] == 1
    # 北圏域 holds the need recorded for it and the one for its 北中学校区; the district
    # alone does not claim the 圏域's.
    assert compute("unmet_needs", YEAR, area=areas["north"]).value == 2
    assert compute("unmet_needs", YEAR, area=areas["kita"]).breakdown == {"ibasho": 1}
    assert compute("unmet_needs", YEAR, area=areas["minami"]).figures["developed"] == 1


def test_community_places_per_school_district(caseworker: Staff, areas: dict[str, Area]) -> None:
    def register(name: str, area: Area, started: D | None, ended: D | None = None) -> None:
        found = community_services.place_create(
            actor=caseworker,
            name=name,
            kind="salon",
            area=area,
            organizer="町内会",
            organizer_type="residents",
            frequency="monthly",
            started_on=started,
        )
        if ended is not None:
            community_services.place_end(actor=caseworker, place=found, ended_on=ended)

    register("ふれあいサロン", areas["kita"], D(2020, 4, 1))
    register("本町こども食堂", areas["honmachi"], None)  # a block: counted in 北中学校区
    register("新しい通いの場", areas["kita"], D(2024, 10, 1))
    register("閉じたサロン", areas["minamimachi"], D(2019, 4, 1), D(2024, 3, 31))
    register("来年度のサロン", areas["minami"], D(2025, 4, 1))
    register("初日に閉じた会", areas["minami"], D(2018, 4, 1), D(2024, 4, 1))

    result = compute("community_places", YEAR)
    assert result.breakdown == {"北中学校区": 3, "南中学校区": 1, "東中学校区": 0}
    assert result.value == Decimal("1.33")  # 4 places / 3 districts
    assert result.figures == {
        "places": Decimal(4),
        "districts": Decimal(3),
        "districts_without": Decimal(1),
    }
    before = compute("community_places", YEAR - 1)
    assert before.breakdown == {"北中学校区": 2, "南中学校区": 2, "東中学校区": 0}
    north = compute("community_places", YEAR, area=areas["north"])
    assert north.breakdown == {"北中学校区": 3, "東中学校区": 0}
    assert north.value == Decimal("1.50")
    block = compute("community_places", YEAR, area=areas["honmachi"])
    assert block.breakdown == {"北中学校区": 1} and block.value == Decimal("1.00")
    assert compute("community_places", YEAR, month=9).breakdown["北中学校区"] == 2
