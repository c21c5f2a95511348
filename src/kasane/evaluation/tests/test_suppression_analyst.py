"""What analysts see of the evaluation figures: no count from 1 to 4 can be given back by
subtracting shown figures from a shown total, on the dashboard, the staffing page and in
the workbook alike (the reviewer's leaks, one test each)."""

from __future__ import annotations

import datetime
import io
import re
import zoneinfo
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kasane.accounts.models import Staff
from kasane.conftest import make_household
from kasane.core.suppression import suppress, suppress_line
from kasane.evaluation import figures
from kasane.evaluation.computations import REGISTRY, Result, Scope
from kasane.evaluation.dashboard import charts, selectors
from kasane.evaluation.report.workbook import PROJECT_SHEETS, build_annual_report
from kasane.evaluation.staffing.tests.test_staffing import (  # noqa: F401  (fixtures)
    city,
    houkatsu,
    worker,
)
from kasane.intake import services as intake_services
from kasane.intake.models import NeedType, Outcome

JST = zoneinfo.ZoneInfo("Asia/Tokyo")
YEAR = 2024
Login = Callable[[Staff], Client]
_names = iter(f"ヒトク {chr(0x30A2 + i)}{chr(0x30A2 + j)}" for i in range(0, 80, 2) for j in (0, 2))


def recoverable(shown: Sequence[int | None], total: int | None) -> bool:
    """Whether a reader can tell a hidden cell's value from the shown cells and total,
    knowing (as the page says) that a hidden cell is never zero."""
    if total is None:
        return False
    hidden = sum(1 for v in shown if v is None)
    if hidden == 0:
        return False
    rest = total - sum(v for v in shown if v is not None)
    # Each hidden cell is at least 1; one of them can be anything from 1 to rest - (k-1).
    return hidden == 1 or rest == hidden


def consult(actor: Staff, when: datetime.datetime, channel: str) -> None:
    need = NeedType.objects.get(code="8050")
    intake_services.consultation_record(
        actor=actor,
        received_at=when,
        requester="self",
        channel=channel,
        household=make_household(actor.agency, kana=next(_names)),  # type: ignore[arg-type]
        needs=[need],
        main_need=need,
        domains=["elderly"],
        summary="相談内容",
        outcome=Outcome.HANDLED,
    )


def at(month: int, day: int = 2) -> datetime.datetime:
    return datetime.datetime(YEAR + (month < 4), month, day, 10, tzinfo=JST)


# --- 1. a line's hidden cells add up to five or more ------------------------------------------


@pytest.mark.parametrize(
    "counts",
    [[1, 1, 236], [2, 2, 200], [1, 1, 1, 1, 1], [3, 50, 9, 20], [4, 0, 5], [1, 0, 0, 9], [2, 3]],
)
def test_no_hidden_cell_of_a_line_is_recoverable(counts: list[int]) -> None:
    cells, total = suppress_line(counts)
    shown = [c.shown for c in cells]
    assert all(c.hidden for c in cells if 0 < c.value < 5)
    assert not recoverable(shown, total.shown)
    hidden = [c.value for c in cells if c.hidden]
    if hidden and not total.hidden:
        assert len(hidden) >= 2 and sum(hidden) >= 5


def test_the_reviewers_line_total_238_shown_236() -> None:
    # The old rule hid the two 1s only: 238 - 236 = 2 said both were 1.
    cells, total = suppress_line([1, 1, 236])
    assert total.shown == 238 and [c.shown for c in cells] == [None, None, None]


def test_tables_of_the_community_app_hold_the_same_rule() -> None:
    table = suppress([[1, 1, 30], [12, 0, 40], [5, 5, 5]])
    for row, total in zip(table.cells, table.row_totals, strict=True):
        assert not recoverable([c.shown for c in row], total.shown)
    for j, total in enumerate(table.column_totals):
        assert not recoverable([row[j].shown for row in table.cells], total.shown)


def test_a_channel_line_on_the_dashboard(
    login: Login, caseworker: Staff, analyst: Staff, coordinator: Staff
) -> None:
    """consultations_received: 10 by phone, 1 walk-in, 1 e-mail. The total (12) is shown;
    the old rule hid the two 1s and showed 10, so 12 - 10 gave both away."""
    for _ in range(10):
        consult(caseworker, at(6), "phone")
    consult(caseworker, at(6), "walk_in")
    consult(caseworker, at(7), "email")
    rows = selectors.indicator_rows(Scope(YEAR), aggregates_only=True, with_previous=False)
    figure = next(r.current for r in rows if r.indicator.code == "consultations_received")
    assert figure is not None
    assert not recoverable(
        list(figure.breakdown.values()), None if figure.hidden else int(figure.value or 0)
    )
    assert figure.breakdown["phone"] is None  # the complement
    # Coordinators see everything.
    full = selectors.indicator_rows(Scope(YEAR), aggregates_only=False, with_previous=False)
    theirs = next(r.current for r in full if r.indicator.code == "consultations_received")
    assert theirs is not None and theirs.breakdown["phone"] == 10 and theirs.value == 12


# --- 2. a value that is not the sum of its breakdown -------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit"),
    [(Decimal(12), "件"), (Decimal("85.7"), "%"), (Decimal("41.0"), "日")],
)
def test_a_value_beside_a_breakdown_it_is_not_the_sum_of(value: Decimal, unit: str) -> None:
    """reviews_on_time: the value is on time + late (a count), or the share on time (%),
    while the breakdown also holds the overdue; days_to_first_plan's median days."""
    result = Result(
        value, {"on_time": 10, "late": 2, "overdue": 30}, {"on_time_share": Decimal("0.2381")}
    )
    figure = figures.suppressed_figure(result, unit)
    assert figure.breakdown["late"] is None
    # on time shown + value shown would give late back (12 - 10); the share likewise.
    assert figure.hidden and figure.value is None
    assert figure.figures == {"on_time_share": None}
    assert figure.hidden_figures == {"on_time_share"}


def test_a_share_with_nothing_hidden_is_shown() -> None:
    result = Result(Decimal("25.0"), {"on_time": 10, "late": 10, "overdue": 20})
    assert figures.suppressed_figure(result, "%").value == Decimal("25.0")


# --- 3. further figures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "unit"),
    [
        # meetings_held: 10 and 12 meetings, 4 cases at support meetings
        (
            Result(
                Decimal(22),
                {"support_meeting": 10, "integrated_meeting": 12},
                {
                    "cases_support_meeting": Decimal(4),
                    "cases_integrated_meeting": Decimal(9),
                    "cases": Decimal(11),
                },
            ),
            "回",
        ),
        # outreach_targets: 3 moved away
        (
            Result(
                Decimal(20),
                {"grasped": 10, "contacted": 10},
                {"new": Decimal(8), "moved": Decimal(3), "connected": Decimal(6)},
            ),
            "人",
        ),
        # outreach_share: 3 by outreach channel; the numerator is 3 + 50
        (
            Result(
                Decimal("31.5"),
                {"outreach_channel": 3, "outreach_target": 50, "other": 115},
                {"outreach_consultations": Decimal(53)},
            ),
            "%",
        ),
        # closures: 2 goals met; the share times the shown total gives 2 back
        (
            Result(
                Decimal(40),
                {"goals_met": 2, "refused": 18, "moved": 20},
                {"goals_achieved_share": Decimal("0.05")},
            ),
            "件",
        ),
    ],
)
def test_further_figures_give_nothing_back(result: Result, unit: str) -> None:
    figure = figures.suppressed_figure(result, unit)
    small = [k for k, v in result.figures.items() if v is not None and 0 < v < 5]
    for key in small:
        assert figure.figures[key] is None and key in figure.hidden_figures
    # Anything hidden: every further figure goes (a share times its base, or a part of the
    # breakdown, would give a hidden cell back).
    assert all(v is None for v in figure.figures.values())
    assert figure.hidden_figures == frozenset(result.figures)


# --- 4. caseload per staff ----------------------------------------------------------------------


def test_an_agencys_ratio_goes_with_its_hidden_count() -> None:
    result = Result(
        Decimal("4.0"),
        {"包括": 30, "NPO": 2, "社協": 12},
        {
            "包括": Decimal("5.0"),
            "NPO": Decimal("2.0"),
            "社協": Decimal("6.0"),
            "open_cases": Decimal(44),
            "staff": Decimal(11),
        },
    )
    figure = figures.suppressed_figure(result, "件/人")
    assert figure.breakdown["NPO"] is None and figure.figures["NPO"] is None
    hidden_counts = [k for k, v in figure.breakdown.items() if v is None]
    for name in hidden_counts:
        assert figure.figures[name] is None
    assert figure.hidden and figure.value is None


# --- 5. the monthly chart -------------------------------------------------------------------------


def test_monthly_consultations_do_not_give_a_month_back(
    login: Login, caseworker: Staff, analyst: Staff, coordinator: Staff
) -> None:
    """April 6, May 2, the rest none: the old chart hid May only, and 8 (the year's count,
    shown as an indicator) - 6 gave it back."""
    for _ in range(6):
        consult(caseworker, at(4), "phone")
    for _ in range(2):
        consult(caseworker, at(5), "phone")
    page = login(analyst).get(reverse("evaluation:dashboard"), {"fy": YEAR})
    months = [now for _label, now, _before in page.context["monthly_rows"]]
    rows = page.context["sections"]
    received = next(
        r.current for s in rows for r in s.rows if r.indicator.code == "consultations_received"
    )
    year_total = None if received.hidden else int(received.value)
    assert months[1] is None
    assert not recoverable(months, year_total)
    html = page.content.decode()
    chart = str(page.context["monthly_chart"])
    assert ": 6</title>" not in chart and ": 2</title>" not in chart
    assert "1–4" not in chart
    table = re.search(r'data-testid="monthly-chart">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert table is not None and ">6<" not in table.group(1) and ">2<" not in table.group(1)
    theirs = login(coordinator).get(reverse("evaluation:dashboard"), {"fy": YEAR})
    assert [n for _l, n, _b in theirs.context["monthly_rows"]][:2] == [6, 2]


def test_a_hidden_bar_is_never_drawn_with_its_height() -> None:
    svg = str(
        charts.monthly_bars(
            title="t", ident="c", months=["4月", "5月"], series=[("年", [None, 40])]
        )
    )
    stubs = re.findall(r'height="([\d.]+)" fill="#fff"', svg)
    assert stubs == ["6"]


# --- 6. the staffing page ----------------------------------------------------------------------


def test_staffing_totals_are_hidden_where_a_line_is(
    city: dict[str, Any],
    analyst: Staff,
    coordinator: Staff,
    login: Login,
) -> None:
    """Coordinators' lines are all small; workers' outreach (3) and matches (2) are hidden.
    The old page showed each role's hours: with the hours each item takes beside them, an
    equation in the hidden counts."""
    page = login(analyst).get(reverse("evaluation:staffing"))
    html = page.content.decode()
    estimate = page.context["estimate"]
    assert estimate.coordinator_hidden and estimate.worker_hidden
    for role, _lines, hours in page.context["roles"]:
        assert hours is None, role
    assert "29.5 h" not in html and "56.5 h" not in html
    assert re.findall(r'<span class="fte">(.*?)</span>', html) == ["—", "—"]
    totals = re.findall(r'data-testid="total-hours"><strong>(.*?)</strong>', html)
    assert totals == ["—", "—"]
    theirs = login(coordinator).get(reverse("evaluation:staffing")).content.decode()
    assert "29.5 h ÷ 120 h = 0.2" in theirs and "56.5 h ÷ 120 h = 0.5" in theirs


# --- 7. the workbook applies the dashboard's rule -------------------------------------------------


def test_the_workbook_shows_what_the_dashboard_shows(caseworker: Staff, analyst: Staff) -> None:
    for _ in range(10):
        consult(caseworker, at(6), "phone")
    consult(caseworker, at(6), "walk_in")
    consult(caseworker, at(7), "email")
    for _ in range(3):
        consult(caseworker, datetime.datetime(YEAR, 1, 10, 10, tzinfo=JST), "phone")
    book = load_workbook(io.BytesIO(build_annual_report(actor=analyst, fiscal_year=YEAR)))
    project_sheets = [book[title] for title in PROJECT_SHEETS.values()]
    written: dict[str, dict[str, tuple[Any, Any]]] = {}
    code = ""
    for sheet in project_sheets:
        for row in sheet.iter_rows(min_row=6, values_only=True):
            if len(row) < 5 or not isinstance(row[2], str):
                continue
            if row[1] == "合計":
                code = row[2]
                written[code] = {"=": (row[3], row[4])}
            elif str(row[1]).startswith("内訳"):
                written[code][f"b:{row[2]}"] = (row[3], row[4])
            else:
                written[code][f"f:{row[2]}"] = (row[3], row[4])
    assert "consultations_received" in written
    for code, entry in REGISTRY.items():
        for column, year in ((0, YEAR), (1, YEAR - 1)):
            shown = figures.suppressed_figure(entry.function(Scope(year)), entry.unit)
            cells = written[code]
            got = cells["="][column]
            if shown.hidden:
                assert got == "—", (code, year)
            elif shown.value is None:
                assert got is None, (code, year)
            else:
                assert Decimal(str(got)) == shown.value, (code, year)
            for key, n in shown.breakdown.items():
                assert cells[f"b:{key}"][column] == ("—" if n is None else n), (code, key, year)
            for key in shown.hidden_figures:
                assert cells[f"f:{key}"][column] == "—", (code, key, year)
    this_year = written["consultations_received"]
    assert this_year["b:phone"][0] == "—" and this_year["b:walk_in"][0] == "—"
    assert this_year["="][0] == 12
    # The previous year's 3 January consultations: total and cell hidden.
    assert this_year["="][1] == "—" and this_year["b:phone"][1] == "—"
    # 増減 is never computed from a hidden figure.
    for sheet in project_sheets:
        for row in sheet.iter_rows(min_row=6, values_only=True):
            if len(row) >= 6 and "—" in (row[3], row[4]):
                assert row[5] is None
