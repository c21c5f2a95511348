"""The annual report workbook (事業実績報告): opened with openpyxl and checked against the
database on a hand-built 年度 (FY2024) made through the real services."""

from __future__ import annotations

import datetime
import io
import itertools
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kasane.accounts.models import Agency, Staff
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.cases.services import clock_at
from kasane.conftest import make_household
from kasane.core.cellkey import N, perturb
from kasane.evaluation.computations import REGISTRY, compute
from kasane.evaluation.dashboard import services as evaluation_services
from kasane.evaluation.models import Indicator, IndicatorSource
from kasane.evaluation.report.workbook import (
    CASE_SHEET,
    INDICATOR_SHEET,
    PROJECT_SHEETS,
    build_annual_report,
)
from kasane.intake import services as intake_services
from kasane.intake.models import Consultation, NeedType, Outcome
from kasane.plans import services as plan_services

pytestmark = pytest.mark.django_db

YEAR = 2024
JST = zoneinfo.ZoneInfo("Asia/Tokyo")
HEADER_ROWS = 5  # title, generated at, period, note, column headings
_serial = itertools.count()


def _kana() -> str:
    n = next(_serial)
    return f"テスト {chr(0x30A2 + n % 40 * 2)}{chr(0x30A2 + n // 40 % 40 * 2)}"


def at(year: int, month: int, day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=JST)


def open_book(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def body(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(min_row=HEADER_ROWS + 1, values_only=True))


def totals(sheet: Worksheet) -> dict[str, tuple[Any, Any]]:
    """The 合計 row of each computation on a project sheet: code → (this year, last year)."""
    return {row[2]: (row[3], row[4]) for row in body(sheet) if row[1] == "合計"}


def breakdown(sheet: Worksheet, code: str) -> dict[str, Any]:
    """The 内訳 rows under one computation: key → this year's value."""
    rows = body(sheet)
    start = next(i for i, row in enumerate(rows) if row[1] == "合計" and row[2] == code)
    found: dict[str, Any] = {}
    for row in rows[start + 1 :]:
        if row[1] == "合計":
            break
        if str(row[1]).startswith("内訳"):
            found[row[2]] = row[3]
    return found


def new_case(actor: Staff, when: datetime.datetime, name: str = "草野 和夫") -> Case:
    household = make_household(actor.agency, name=name, kana=_kana())  # type: ignore[arg-type]
    return case_services.case_open(actor=actor, household=household, opened_at=when)


def consult(
    actor: Staff, case: Case, when: datetime.datetime, channel: str, needs: list[str]
) -> None:
    types = list(NeedType.objects.filter(code__in=needs))
    intake_services.consultation_record(
        actor=actor,
        received_at=when,
        requester="family",
        channel=channel,
        household=case.household,
        needs=types,
        main_need=types[0],
        domains=["elderly"],
        summary="母が息子のひきこもりを心配している。",
        outcome=Outcome.HANDLED,
    )


def to_coordination(
    actor: Staff, coordinator: Staff, case: Case, when: datetime.datetime, triage: str
) -> None:
    with clock_at(when):
        case_services.case_send_to_coordination(actor=actor, case=case, reason="複合課題")
        case_services.case_triage(
            actor=coordinator, case=case, triage=triage, advice="既存の支援で対応"
        )


@pytest.fixture
def year_of_work(caseworker: Staff, coordinator: Staff, outsider: Staff) -> dict[str, Case]:
    """FY2024 with cases the coordinator sees on different grounds, and years around it."""
    coordinated = new_case(caseworker, at(2024, 5, 1), name="重層 一郎")
    consult(caseworker, coordinated, at(2024, 5, 1, 13), "phone", ["8050", "hikikomori"])
    consult(caseworker, coordinated, at(2024, 9, 1), "walk_in", ["8050"])
    to_coordination(caseworker, coordinator, coordinated, at(2024, 5, 2), "A")

    # Addressed to the coordination agency by a referral only: the coordinator sees that the
    # case exists, not whose it is.
    referred = new_case(caseworker, at(2024, 6, 1), name="秘密 花子")
    consult(caseworker, referred, at(2024, 6, 1, 13), "phone", ["poverty"])
    with clock_at(at(2024, 6, 2)):
        case_services.referral_create(
            actor=caseworker,
            case=referred,
            to_agency=coordinator.agency,  # type: ignore[arg-type]
            reason="相談",
            request="助言",
        )

    closed_before = new_case(caseworker, at(2023, 5, 1), name="昨年 終結")
    to_coordination(caseworker, coordinator, closed_before, at(2023, 5, 2), "C")
    with clock_at(at(2024, 3, 1)):
        plan_services.closure_record(
            actor=caseworker,
            case=closed_before,
            reason="goals_met",
            held_on=datetime.date(2024, 3, 1),
        )

    closed_in_year = new_case(caseworker, at(2023, 10, 1), name="年度 終結")
    to_coordination(caseworker, coordinator, closed_in_year, at(2023, 10, 2), "B")
    with clock_at(at(2024, 12, 1)):
        plan_services.closure_record(
            actor=caseworker,
            case=closed_in_year,
            reason="goals_met",
            held_on=datetime.date(2024, 12, 1),
        )

    later = new_case(caseworker, at(2025, 5, 1), name="来年 開始")
    to_coordination(caseworker, coordinator, later, at(2025, 5, 2), "A")

    # A case of another agency that the coordinator never hears of.
    new_case(outsider, at(2024, 7, 1), name="無関係 太郎")
    return {
        "coordinated": coordinated,
        "referred": referred,
        "closed_before": closed_before,
        "closed_in_year": closed_in_year,
        "later": later,
    }


def test_every_registered_computation_is_on_its_project_sheet_with_the_database_figures(
    year_of_work: dict[str, Case], coordinator: Staff
) -> None:
    book = open_book(build_annual_report(actor=coordinator, fiscal_year=YEAR))
    assert book.sheetnames == [*PROJECT_SHEETS.values(), INDICATOR_SHEET, CASE_SHEET]
    for entry in REGISTRY.values():
        sheet = book[PROJECT_SHEETS[entry.project]]
        now, before = totals(sheet)[entry.code]
        assert now == compute(entry.code, YEAR).value, entry.code
        assert before == compute(entry.code, YEAR - 1).value, entry.code

    consultations = book[PROJECT_SHEETS["comprehensive_consultation"]]
    in_year = Consultation.objects.filter(
        received_at__gte=at(2024, 4, 1, 0), received_at__lt=at(2025, 4, 1, 0)
    )
    assert totals(consultations)["consultations_received"] == (in_year.count(), 0)
    assert breakdown(consultations, "consultations_received")["phone"] == 2
    assert breakdown(consultations, "consultations_received")["walk_in"] == 1

    coordination = book[PROJECT_SHEETS["coordination"]]
    assert totals(coordination)["coordination_cases"] == (1, 2)
    assert breakdown(coordination, "coordination_cases")["A"] == 1
    # Numbers are numbers, not text that looks like one.
    assert isinstance(totals(coordination)["coordination_cases"][0], int)


def test_header_names_the_municipality_year_and_when_it_was_made(
    year_of_work: dict[str, Case], coordinator: Staff
) -> None:
    from kasane.conftest import AreaFactory

    AreaFactory.create(name="かさね市")
    sheet = open_book(build_annual_report(actor=coordinator, fiscal_year=YEAR))["多機関協働"]
    title = sheet["A1"].value
    assert title.startswith("かさね市 令和6年度（2024年度） 事業実績報告")
    assert sheet["A2"].value.startswith("作成日時: ")
    assert "令和" in sheet["A2"].value
    assert (
        sheet["A3"].value == "対象期間: 2024-04-01 〜 2025-03-31（令和6年4月1日〜令和7年3月31日）"
    )
    assert sheet.freeze_panes == f"A{HEADER_ROWS + 1}"
    assert sheet["D5"].value == "令和6年度"
    assert sheet.column_dimensions["A"].width >= 30


def test_indicators_against_targets_with_achievement(
    year_of_work: dict[str, Case], coordinator: Staff
) -> None:
    evaluation_services.seed_indicators()
    Indicator.objects.create(
        code="resident_survey",
        name="地域の支え合いを感じる住民の割合",
        kind="KGI",
        level="outcome",
        unit="%",
        project="community",
        source=IndicatorSource.MANUAL,
    )
    evaluation_services.target_set(code="coordination_cases", fiscal_year=YEAR, value=4)
    evaluation_services.target_set(code="resident_survey", fiscal_year=YEAR, value="60")
    evaluation_services.manual_value_set(
        actor=coordinator, code="resident_survey", fiscal_year=YEAR, value="45.5", note="住民調査"
    )
    sheet = open_book(build_annual_report(actor=coordinator, fiscal_year=YEAR))[INDICATOR_SHEET]
    rows = {row[1]: row for row in body(sheet)}
    assert set(rows) == set(Indicator.objects.values_list("code", flat=True))
    coordination = rows["coordination_cases"]
    assert coordination[0] == "多機関協働"
    assert coordination[5] == "記録から計算"
    assert coordination[7:11] == (1, 2, 4, 25.0)  # 1 of 4 this year, 2 the year before
    survey = rows["resident_survey"]
    assert survey[5] == "手入力"
    assert survey[7:11] == (45.5, None, 60, 75.8)
    assert survey[11] == "住民調査"
    # No target: no achievement rate rather than a division by nothing.
    assert rows["closures"][9] is None and rows["closures"][10] is None


def test_case_list_holds_the_year_cases_with_names_only_where_the_actor_may_read_them(
    year_of_work: dict[str, Case], coordinator: Staff
) -> None:
    sheet = open_book(build_annual_report(actor=coordinator, fiscal_year=YEAR))[CASE_SHEET]
    rows = {row[0]: row for row in body(sheet)}
    cases = year_of_work
    assert set(rows) == {
        cases["coordinated"].number,
        cases["referred"].number,
        cases["closed_in_year"].number,
    }
    coordinated = rows[cases["coordinated"].number]
    assert coordinated[1] == "重層 一郎"
    assert coordinated[2].date() == datetime.date(2024, 5, 1)  # a date cell, not text
    assert coordinated[3] == "令和6年5月1日"
    assert coordinated[8] == "中央地域包括支援センター"
    assert coordinated[9] == "A"
    assert coordinated[10] == "8050、ひきこもり"

    closed = rows[cases["closed_in_year"].number]
    assert closed[5].date() == datetime.date(2024, 12, 1)
    assert closed[6] == "令和6年12月1日"
    assert closed[9] == "B"

    # Only a referral addressed to the coordination agency: no basis to read the case.
    referred = rows[cases["referred"].number]
    assert referred[1] is None
    assert referred[10] is None
    content = b"".join(str(v).encode() for row in body(sheet) for v in row)
    assert "秘密".encode() not in content
    assert "無関係".encode() not in content


def test_the_case_list_read_is_audited_with_every_case_id(
    year_of_work: dict[str, Case], coordinator: Staff
) -> None:
    build_annual_report(actor=coordinator, fiscal_year=YEAR)
    event = AuditEvent.objects.get(object_type="annual_report_case_list")
    assert event.actor == coordinator
    assert event.action == AuditAction.DOWNLOAD
    assert event.legal_basis == LegalBasis.COORDINATION
    assert sorted(event.detail["cases"]) == sorted(
        str(year_of_work[k].public_id) for k in ("coordinated", "referred", "closed_in_year")
    )
    assert "重層" not in str(event.detail)


def test_a_year_with_no_data_is_an_honest_workbook_of_zeros(coordinator: Staff) -> None:
    book = open_book(build_annual_report(actor=coordinator, fiscal_year=2019))
    assert book.sheetnames == [*PROJECT_SHEETS.values(), INDICATOR_SHEET, CASE_SHEET]
    for entry in REGISTRY.values():
        now, before = totals(book[PROJECT_SHEETS[entry.project]])[entry.code]
        assert now in (0, None), entry.code
        assert before in (0, None), entry.code
    assert body(book[CASE_SHEET]) == []
    assert book[CASE_SHEET]["A1"].value.endswith("支援ケース一覧")
    assert not AuditEvent.objects.filter(object_type="annual_report_case_list").exists()


def published_values(true_count: int) -> set[int]:
    return {perturb(true_count, key) for key in range(N)}


def test_analysts_get_aggregates_without_the_case_list_and_small_counts_hidden(
    year_of_work: dict[str, Case], analyst: Staff, caseworker: Staff
) -> None:
    case = year_of_work["coordinated"]
    for n in range(6):  # phone: 2 + 6 = 8; walk-in: 1; email: 5
        consult(caseworker, case, at(2024, 10, 1 + n), "phone", ["8050"])
    for n in range(5):
        consult(caseworker, case, at(2024, 11, 1 + n), "email", ["8050"])
    book = open_book(build_annual_report(actor=analyst, fiscal_year=YEAR))
    assert book.sheetnames == [*PROJECT_SHEETS.values(), INDICATOR_SHEET]
    sheet = book[PROJECT_SHEETS["comprehensive_consultation"]]
    # Every count perturbed by its cell key (core.cellkey): within the table's reach of
    # the true count, 0 stays 0, and nothing from 1 to 4.
    assert totals(sheet)["consultations_received"][0] in published_values(14)
    received = breakdown(sheet, "consultations_received")
    assert received["phone"] in published_values(8)
    assert received["walk_in"] in (0, 5)  # 1
    assert received["email"] == 5  # 5 stays 5
    assert received["home_visit"] == 0  # "nobody" names no one
    assert "セルキー法" in sheet["A4"].value
    coordination = book[PROJECT_SHEETS["coordination"]]
    for row in body(coordination):
        if row[2] == "staff":  # staff accounts per agency: not the people supported
            continue
        assert not isinstance(row[3], int) or row[3] == 0 or row[3] >= 5, row
    assert not AuditEvent.objects.filter(object_type="annual_report_case_list").exists()


def test_a_formula_in_a_lead_agency_or_a_need_is_written_as_text(
    caseworker: Staff, coordinator: Staff, agency: Agency
) -> None:
    agency.name = '=HYPERLINK("http://evil.example","x")'
    agency.save()
    NeedType.objects.create(code="formula", name="@SUM(1+1)", sort_order=1)
    case = new_case(caseworker, at(2024, 5, 1))
    consult(caseworker, case, at(2024, 5, 1, 13), "phone", ["formula"])
    to_coordination(caseworker, coordinator, case, at(2024, 5, 2), "A")
    sheet = open_book(build_annual_report(actor=coordinator, fiscal_year=YEAR))[CASE_SHEET]
    row = next(sheet.iter_rows(min_row=HEADER_ROWS + 1))
    assert row[8].value == '\'=HYPERLINK("http://evil.example","x")'
    assert row[8].data_type == "s"
    assert row[10].value == "'@SUM(1+1)"
    assert row[10].data_type == "s"
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


def test_building_does_not_grow_with_cases(
    caseworker: Staff, coordinator: Staff, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    one = new_case(caseworker, at(2024, 5, 1))
    consult(caseworker, one, at(2024, 5, 1, 13), "phone", ["8050"])
    to_coordination(caseworker, coordinator, one, at(2024, 5, 2), "A")
    with CaptureQueriesContext(connection) as few:
        build_annual_report(actor=coordinator, fiscal_year=YEAR)
    for n in range(12):
        case = new_case(caseworker, at(2024, 6, 1 + n), name=f"世帯主{n}")
        consult(caseworker, case, at(2024, 6, 1 + n, 13), "phone", ["8050", "hikikomori"])
        to_coordination(caseworker, coordinator, case, at(2024, 6, 2 + n), "B")
    with django_assert_max_num_queries(len(few.captured_queries)):
        content = build_annual_report(actor=coordinator, fiscal_year=YEAR)
    assert len(body(open_book(content)[CASE_SHEET])) == 13


# --- the page and its downloads -------------------------------------------------------------


def test_the_page_offers_the_year_and_the_downloads(
    coordinator: Staff, login: Callable[..., Client]
) -> None:
    page = login(coordinator).get(resolve_url("evaluation:annual_report"), {"fy": "2024"})
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{resolve_url('evaluation:annual_report_xlsx')}?fy=2024" in text
    assert f"{resolve_url('evaluation:annual_report_cases_xlsx')}?fy=2024" in text
    assert "令和6年度" in text


def test_the_download_is_a_workbook_with_a_japanese_file_name(
    year_of_work: dict[str, Case], coordinator: Staff, login: Callable[..., Client]
) -> None:
    response = login(coordinator).get(resolve_url("evaluation:annual_report_xlsx"), {"fy": "2024"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert (
        "%E4%BA%8B%E6%A5%AD%E5%AE%9F%E7%B8%BE%E5%A0%B1%E5%91%8A" in response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "no-store"
    book = open_book(response.content)
    assert CASE_SHEET in book.sheetnames
    assert AuditEvent.objects.filter(object_type="annual_report_case_list").count() == 1


def test_the_case_list_alone_for_a_coordinator(
    year_of_work: dict[str, Case], coordinator: Staff, login: Callable[..., Client]
) -> None:
    response = login(coordinator).get(
        resolve_url("evaluation:annual_report_cases_xlsx"), {"fy": "2024"}
    )
    assert response.status_code == 200
    book = open_book(response.content)
    assert book.sheetnames == [CASE_SHEET]
    assert len(body(book[CASE_SHEET])) == 3
    assert AuditEvent.objects.filter(object_type="annual_report_case_list").count() == 1


def test_an_analyst_asking_for_the_case_list_is_refused(
    year_of_work: dict[str, Case], analyst: Staff, login: Callable[..., Client]
) -> None:
    client = login(analyst)
    refused = client.get(resolve_url("evaluation:annual_report_cases_xlsx"), {"fy": "2024"})
    assert refused.status_code == 404
    assert year_of_work["coordinated"].number.encode() not in refused.content
    page = client.get(resolve_url("evaluation:annual_report"), {"fy": "2024"})
    assert page.status_code == 200
    assert resolve_url("evaluation:annual_report_cases_xlsx") not in page.content.decode()
    workbook = client.get(resolve_url("evaluation:annual_report_xlsx"), {"fy": "2024"})
    assert workbook.status_code == 200
    assert CASE_SHEET not in open_book(workbook.content).sheetnames
    assert not AuditEvent.objects.filter(object_type="annual_report_case_list").exists()


@pytest.mark.parametrize("persona", ["caseworker", "outsider", "auditor", "admin_user"])
@pytest.mark.parametrize(
    "name", ["annual_report", "annual_report_xlsx", "annual_report_cases_xlsx"]
)
def test_roles_without_the_evaluation_pages_are_refused(
    persona: str, name: str, login: Callable[..., Client], request: pytest.FixtureRequest
) -> None:
    response = login(request.getfixturevalue(persona)).get(
        resolve_url(f"evaluation:{name}"), {"fy": "2024"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["abc", "1800", "2999", "", "2024; DROP TABLE"])
def test_a_bad_year_gets_a_clear_error_not_a_500(
    value: str, coordinator: Staff, login: Callable[..., Client]
) -> None:
    client = login(coordinator)
    for name in ("annual_report", "annual_report_xlsx", "annual_report_cases_xlsx"):
        response = client.get(resolve_url(f"evaluation:{name}"), {"fy": value})
        assert response.status_code == 400, (name, value)
        assert response["Content-Type"].startswith("text/html")
        assert 'role="alert"' in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="annual_report_case_list").exists()


def test_a_decimal_target_of_zero_gives_no_achievement(coordinator: Staff) -> None:
    evaluation_services.seed_indicators()
    evaluation_services.target_set(code="closures", fiscal_year=YEAR, value=Decimal(0))
    sheet = open_book(build_annual_report(actor=coordinator, fiscal_year=YEAR))[INDICATOR_SHEET]
    closures = next(row for row in body(sheet) if row[1] == "closures")
    assert closures[9] == 0
    assert closures[10] is None
