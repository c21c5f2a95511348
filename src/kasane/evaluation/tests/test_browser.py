"""Evaluation in a browser: the dashboard as a coordinator and as an analyst, the logic model
with a target set on an indicator's page, and the annual report downloaded and opened, its
figures checked against the database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from kasane.core.dates import fiscal_year
from kasane.demo.activity import build_demo_activity
from kasane.evaluation.computations import year_span
from kasane.intake.models import Consultation
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_dashboard_logic_model_and_annual_report(page, live_server, demo_city):
    today = timezone.localdate()
    build_demo_activity(seed=1, today=today)
    year = fiscal_year(today)
    start, end = year_span(year)
    received = Consultation.objects.filter(received_at__gte=start, received_at__lt=end).count()
    assert received > 0
    base = live_server.url

    # The coordinator's dashboard: indicators against last year, charts drawn on the server.
    sign_in(page, base, "coordinator")
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="評価").click()
    row = page.get_by_test_id("indicator-consultations_received")
    expect(row.get_by_test_id("value")).to_have_text(f"{received:,}件")
    expect(page.get_by_test_id("monthly-chart").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("network-chart").locator("svg circle").first).to_be_visible()
    shoot(page, "95-evaluation-dashboard")

    # A target set on the indicator's page shows as achievement on the logic model.
    row.get_by_role("link").click()
    form = page.get_by_test_id("target-form")
    form.locator("input[name='target-fiscal_year']").fill(str(year))
    form.locator("input[name='target-value']").fill(str(received * 2))
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("history")).to_contain_text(f"{received * 2:,}")
    page.get_by_test_id("nav-logic-model").click()
    item = page.get_by_test_id("lm-consultations_received")
    expect(item).to_contain_text("50%")
    expect(page.get_by_test_id("lm-goals")).to_be_visible()
    shoot(page, "96-evaluation-logic-model")

    # The annual report: one click, then the workbook's figures against the database.
    page.get_by_test_id("nav-report").click()
    shoot(page, "97-evaluation-annual-report")
    with page.expect_download() as download_info:
        page.get_by_test_id("report-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    assert "支援ケース一覧" in book.sheetnames
    found = None
    for sheet_name in book.sheetnames:
        for values in book[sheet_name].iter_rows(values_only=True):
            if len(values) > 3 and values[2] == "consultations_received" and values[1] == "合計":
                found = values[3]
    assert found == received

    # The analyst: the same page with small counts hidden, and no case list in the workbook.
    page.context.clear_cookies()
    sign_in(page, base, "analyst")
    page.goto(f"{base}/evaluation/")
    expect(page.get_by_test_id("aggregates-note")).to_be_visible()
    shoot(page, "98-evaluation-dashboard-analyst")
