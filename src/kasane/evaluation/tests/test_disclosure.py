"""The analyst's attacks of issue 14 on a generated city, against the cell-key method
(``core.cellkey``): differencing two area levels, a year and its months, a need and the
total, a line's small cells against its total, two snapshots around one new consultation,
and the page against the workbook.

The criterion, for every cell whose true count is 1–4 and every attack:

* what the attacker derives is the published total minus the published other cells; the
  true counts consistent with those published values (each published value's ``preimage``
  under the table, which the attacker knows, the keys being secret) are at least two —
  the small count is never certain;
* and the derived difference is in fact wrong often: over all small cells of all attacks
  it equals the true count far less often than always (the old suppression: always).

Beside it: no published count is 1–4; the same cell has the same value in every view and
on repeat; coordinators see the true counts.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kasane.accounts.models import Agency, Staff
from kasane.conftest import make_household
from kasane.core.cellkey import BOUND, THRESHOLD, preimage
from kasane.core.models import Domain
from kasane.evaluation.computations import REGISTRY, Scope, compute
from kasane.evaluation.dashboard import selectors
from kasane.evaluation.figures import COUNT_UNITS, published_figure
from kasane.evaluation.report.tests.test_report import breakdown, open_book, totals
from kasane.evaluation.report.workbook import PROJECT_SHEETS, build_annual_report
from kasane.intake.models import Channel, Consultation, ConsultationNeed, NeedType
from kasane.registry.models import Area, AreaKind

JST = zoneinfo.ZoneInfo("Asia/Tokyo")
YEAR = 2024
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
Login = Callable[[Staff], Client]


@pytest.fixture
def areas(db: Any) -> dict[str, Area]:
    """One city, two 圏域, each of two 中学校区, each of one 町丁目."""
    made: dict[str, Area] = {}

    def add(code: str, kind: AreaKind, parent: str | None) -> None:
        made[code] = Area.objects.create(
            code=code, name=code, kind=kind, parent=made[parent] if parent else None
        )

    add("C", AreaKind.CITY, None)
    for s in ("S1", "S2"):
        add(s, AreaKind.SPHERE, "C")
        for d in ("a", "b"):
            add(f"{s}{d}", AreaKind.SCHOOL_DISTRICT, s)
            add(f"{s}{d}-1", AreaKind.BLOCK, f"{s}{d}")
    return made


def new_consultation(
    agency: Agency, staff: Staff, rng: random.Random, blocks: list[Area], needs: list[NeedType]
) -> Consultation:
    month = rng.choice(MONTHS)
    when = datetime.datetime(YEAR + (month < 4), month, rng.randint(1, 28), 10, tzinfo=JST)
    household = make_household(agency, kana="シケン タロウ", area=rng.choice(blocks))
    consultation = Consultation.objects.create(
        received_at=when,
        agency=agency,
        staff=staff,
        requester="self",
        channel=rng.choices(Channel.values, weights=[3, 12, 2, 1, 1])[0],
        household=household,
        summary="テスト",
        outcome="handled",
        domains=rng.sample(Domain.values, rng.choice([1, 1, 2])),
    )
    ConsultationNeed.objects.create(
        consultation=consultation, need_type=rng.choice(needs), is_main=True
    )
    return consultation


@pytest.fixture
def world(areas: dict[str, Area], caseworker: Staff) -> dict[str, Any]:
    """About 260 consultations spread over channels, domains, needs, months and areas:
    many cells of 1–4 at the lower levels."""
    rng = random.Random(14)
    blocks = [a for a in areas.values() if a.kind == AreaKind.BLOCK]
    needs = list(NeedType.objects.order_by("sort_order")[:6])
    agency: Agency = caseworker.agency  # type: ignore[assignment]
    for _ in range(260):
        new_consultation(agency, caseworker, rng, blocks, needs)
    return {"areas": areas, "rng": rng, "blocks": blocks, "needs": needs}


def published(code: str, **scope: Any) -> tuple[int, dict[str, int]]:
    """An indicator's count and breakdown as an analyst sees them."""
    figure = published_figure(compute(code, YEAR, **scope), "件")
    assert figure.value is not None
    cells = {k: v for k, v in figure.breakdown.items() if v is not None}
    assert len(cells) == len(figure.breakdown)
    return int(figure.value), cells


def true(code: str, **scope: Any) -> tuple[int, dict[str, int]]:
    result = compute(code, YEAR, **scope)
    assert result.value is not None
    return int(result.value), dict(result.breakdown)


def consistent(total: int, others: list[int]) -> set[int]:
    """The true counts of the cell that is ``total`` minus ``others`` consistent with the
    published values, knowing the table but not the keys: the true total ranges over the
    preimage of its published value, each other cell over its own."""
    totals_ = preimage(total)
    low = sum(min(preimage(o)) for o in others)
    high = sum(max(preimage(o)) for o in others)
    return {v for v in range(min(totals_) - high, max(totals_) - low + 1) if v >= 0}


class Ledger:
    """Every attack on a small cell: what the attacker derived and what was true."""

    def __init__(self) -> None:
        self.small: list[tuple[str, int, int, set[int]]] = []

    def attack(self, what: str, truth: int, total: int, others: list[int]) -> None:
        if not 1 <= truth < THRESHOLD:
            return
        self.small.append((what, truth, total - sum(others), consistent(total, others)))

    def check(self, at_least: int) -> None:
        assert len(self.small) >= at_least, len(self.small)
        for what, truth, _derived, candidates in self.small:
            assert truth in candidates, what
            assert len(candidates) >= 2, what  # never certain
        exact = sum(derived == truth for _w, truth, derived, _c in self.small)
        # Under per-view suppression every one of them came back exactly.
        assert exact <= len(self.small) // 2, (exact, len(self.small))


def test_two_area_levels_give_no_small_count_back(world: dict[str, Any]) -> None:
    """圏域 minus its other 中学校区 (西部圏域 権利擁護 6 − 西中学校区 5 = 1)."""
    ledger = Ledger()
    areas = world["areas"]
    for code in ("consultations_received", "consultations_by_main_need"):
        for sphere in ("S1", "S2"):
            total, total_cells = published(code, area=areas[sphere])
            subs = [f"{sphere}a", f"{sphere}b"]
            shown = {d: published(code, area=areas[d]) for d in subs}
            truth = {d: true(code, area=areas[d]) for d in subs}
            for target, other in (subs, subs[::-1]):
                ledger.attack(code, truth[target][0], total, [shown[other][0]])
                for key, n in truth[target][1].items():
                    ledger.attack(
                        f"{code}:{key}", n, total_cells.get(key, 0), [shown[other][1].get(key, 0)]
                    )
    ledger.check(at_least=5)


def test_a_year_minus_its_months_gives_no_month_back(world: dict[str, Any]) -> None:
    """つなぎ 78 − (April…November) 74 = December 4: here for consultations, per area."""
    ledger = Ledger()
    for area in [None, *world["areas"].values()]:
        if area is not None and area.kind == AreaKind.BLOCK:
            continue
        scope = Scope(YEAR, None, area)
        year, _cells = published("consultations_received", area=area)
        months = selectors.monthly_consultations(scope)
        shown = months.published()
        assert None not in shown
        for i, n in enumerate(months.counts):
            others = [v for j, v in enumerate(shown) if j != i]
            ledger.attack(f"month {i}", n, year, others)  # type: ignore[arg-type]
    ledger.check(at_least=10)


def test_domain_and_need_against_the_total(world: dict[str, Any]) -> None:
    """A need (or a channel) as the total minus every other one; and a domain's cell is the
    same number whether asked as a breakdown cell or as the domain filter's total."""
    ledger = Ledger()
    for area in world["areas"].values():
        if area.kind == AreaKind.BLOCK:
            continue
        for code in ("consultations_by_main_need", "consultations_received"):
            total, cells = published(code, area=area)
            _t, truth = true(code, area=area)
            for key, n in truth.items():
                ledger.attack(key, n, total, [v for k, v in cells.items() if k != key])
        _total, by_domain = published("consultations_by_domain", area=area)
        for domain, n in by_domain.items():
            assert published("consultations_received", area=area, domain=domain)[0] == n
    ledger.check(at_least=5)


def test_small_cells_of_a_line_never_sum_to_their_count(world: dict[str, Any]) -> None:
    """k hidden cells adding up to k gave each away as 1. No published count is 1–4, so
    there is nothing to sum: what is shown as 0 or 5 stands for several true counts."""
    for area in world["areas"].values():
        for code in ("consultations_received", "consultations_by_main_need"):
            total, cells = published(code, area=area)
            _t, truth = true(code, area=area)
            for value in [total, *cells.values()]:
                assert value == 0 or value >= THRESHOLD
            for key, n in truth.items():
                assert abs(cells[key] - n) <= (BOUND if n >= THRESHOLD else THRESHOLD - 1)
            zeros = [k for k, v in cells.items() if truth[k] > 0 and v == 0]
            if zeros:
                # The total minus the shown cells leaves more than one possible sum for
                # the cells shown as 0.
                assert len(consistent(total, [v for v in cells.values() if v])) >= 2


def test_snapshots_around_one_new_consultation(world: dict[str, Any], caseworker: Staff) -> None:
    """Yesterday's and today's figures around one new consultation: the published change
    of a cell holding it is not +1 as a rule, and a small cell is still 0 or 5."""
    agency: Agency = caseworker.agency  # type: ignore[assignment]
    areas = [a for a in world["areas"].values() if a.kind != AreaKind.BLOCK]
    changes: list[int] = []
    for _ in range(12):
        before = {a.pk: published("consultations_received", area=a) for a in areas}
        added = new_consultation(agency, caseworker, world["rng"], world["blocks"], world["needs"])
        assert added.household is not None and added.household.area is not None
        block = added.household.area.code
        for area in areas:
            after = published("consultations_received", area=area)
            if area.code == "C" or area.code in block:
                changes.append(after[0] - before[area.pk][0])
                changes.append(after[1][added.channel] - before[area.pk][1][added.channel])
            for value in after[1].values():
                assert value == 0 or value >= THRESHOLD
    assert len(changes) >= 48
    assert sum(change == 1 for change in changes) <= len(changes) // 2
    assert {c for c in changes if c != 1}  # changes that say nothing exact


def test_same_cell_same_value_in_every_view_and_on_repeat(
    world: dict[str, Any], analyst: Staff, coordinator: Staff, login: Login
) -> None:
    """The dashboard page, the indicator rows, the workbook: one value per cell, every
    time; coordinators get the true counts."""
    first = published("consultations_received")
    assert published("consultations_received") == first
    rows = selectors.indicator_rows(Scope(YEAR), aggregates_only=True)
    row = next(r for r in rows if r.indicator.computation == "consultations_received")
    assert row.current is not None
    assert (int(row.current.value or 0), row.current.breakdown) == first
    page = login(analyst).get(reverse("evaluation:dashboard"), {"fy": YEAR})
    assert page.status_code == 200
    monthly = selectors.monthly_consultations(Scope(YEAR))
    assert [n for _l, n, _b in page.context["monthly_rows"]] == monthly.published()
    book = open_book(build_annual_report(actor=analyst, fiscal_year=YEAR))
    sheet = book[PROJECT_SHEETS["comprehensive_consultation"]]
    assert totals(sheet)["consultations_received"][0] == first[0]
    assert breakdown(sheet, "consultations_received") == first[1]
    again = open_book(build_annual_report(actor=analyst, fiscal_year=YEAR))
    assert totals(again[PROJECT_SHEETS["comprehensive_consultation"]]) == totals(sheet)
    # Coordinators: the true counts.
    exact = true("consultations_received")
    theirs = open_book(build_annual_report(actor=coordinator, fiscal_year=YEAR))
    sheet = theirs[PROJECT_SHEETS["comprehensive_consultation"]]
    assert totals(sheet)["consultations_received"][0] == exact[0] == 260
    assert breakdown(sheet, "consultations_received") == exact[1]
    rows = selectors.indicator_rows(Scope(YEAR), aggregates_only=False)
    row = next(r for r in rows if r.indicator.computation == "consultations_received")
    assert row.current is not None and row.current.value == Decimal(260)


def test_shares_are_computed_from_the_published_counts(world: dict[str, Any]) -> None:
    """A true share beside a perturbed total gives the numerator back (25.0% of 12 = 3):
    the analyst's share is the published numerator over the published total."""
    for area in [None, *world["areas"].values()]:
        figure = published_figure(compute("outreach_share", YEAR, area=area), "%")
        cells = figure.breakdown
        whole = sum(v or 0 for v in cells.values())
        reached = figure.figures["outreach_consultations"]
        if whole and reached is not None:
            expected = (Decimal(100) * reached / Decimal(whole)).quantize(Decimal("0.1"))
            assert figure.value == expected


def test_every_computation_publishes_every_count_perturbed(world: dict[str, Any]) -> None:
    """Each registered computation gives its records' keys for every count it shows: an
    analyst sees no count withheld for want of them, and none from 1 to 4 — city-wide and
    per area, this year and the last."""
    for code, entry in REGISTRY.items():
        for area in [None, *world["areas"].values()]:
            for year in (YEAR, YEAR - 1):
                result = entry.function(Scope(year, None, area))
                figure = published_figure(result, entry.unit)
                if result.exact:
                    continue
                assert None not in figure.breakdown.values(), code
                counts = [v for v in figure.breakdown.values() if v is not None]
                counts += [
                    int(v) for k, v in figure.figures.items() if k in result.figure_keys and v
                ]
                if entry.unit in COUNT_UNITS and figure.value is not None:
                    counts.append(int(figure.value))
                for n in counts:
                    assert n == 0 or n >= THRESHOLD, (code, n)
