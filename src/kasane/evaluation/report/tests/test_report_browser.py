"""Downloading the annual report in a browser: the coordinator chooses the 年度, downloads
the workbook, and its figures match the database; the analyst's page offers no case list."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from kasane.cases.models import Case
from kasane.core.dates import fiscal_year
from kasane.demo.activity import build_demo_activity
from kasane.evaluation.computations import compute
from kasane.evaluation.report.workbook import CASE_SHEET, PROJECT_SHEETS
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_coordinator_downloads_the_annual_report(page, live_server, demo_city):
    build_demo_activity(seed=1, today=timezone.localdate())
    base = live_server.url
    year = fiscal_year(timezone.localdate())

    sign_in(page, base, "coordinator")
    page.goto(f"{base}/evaluation/report/")
    expect(page.get_by_test_id("report-sheets")).to_contain_text("支援ケース一覧")
    page.locator("select[name=fy]").select_option(str(year))
    page.locator("form[data-testid=report-year] button[type=submit]").click()
    expect(page.get_by_test_id("report-download")).to_be_visible()
    shoot(page, "93-evaluation-annual-report")

    with page.expect_download() as info:
        page.get_by_test_id("report-download").click()
    download = info.value
    assert download.suggested_filename.endswith(f"_{year}.xlsx")
    with open(download.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    totals = {
        row[2]: row[3]
        for row in book[PROJECT_SHEETS["comprehensive_consultation"]].iter_rows(
            min_row=6, values_only=True
        )
        if row[1] == "合計"
    }
    assert totals["consultations_received"] == compute("consultations_received", year).value
    cases = list(book[CASE_SHEET].iter_rows(min_row=6, values_only=True))
    assert cases, "the demo year has coordination cases"
    numbers = {row[0] for row in cases}
    assert numbers <= set(Case.objects.values_list("number", flat=True))


def test_an_analyst_sees_aggregates_only(page, live_server, demo_city):
    base = live_server.url
    sign_in(page, base, "analyst")
    page.goto(f"{base}/evaluation/report/")
    expect(page.get_by_test_id("report-analyst-note")).to_be_visible()
    expect(page.get_by_test_id("report-cases-download")).to_have_count(0)
    expect(page.get_by_test_id("report-sheets")).not_to_contain_text("支援ケース一覧")
    shoot(page, "94-evaluation-annual-report-analyst")
