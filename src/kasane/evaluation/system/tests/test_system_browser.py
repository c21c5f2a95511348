"""The self-assessment and the staffing estimate in a browser: a coordinator re-scores the
current 年度 of the demo city, reads a PDCA review, and changes a staffing assumption."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kasane.demo.activity import build_demo_activity
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_score_the_self_assessment_and_view_staffing(page, live_server, demo_city):
    today = timezone.localdate()
    build_demo_activity(seed=1, today=today)  # with the demo's evaluation records
    base = live_server.url
    sign_in(page, base, "coordinator")

    # The current 年度: three functions, evidence beside each question, the history chart.
    page.goto(f"{base}/evaluation/system/")
    expect(page.get_by_test_id("function-mutual_support")).to_be_visible()
    expect(page.get_by_test_id("item-co_breadth")).to_contain_text("協働した機関の組み合わせ数")
    expect(page.get_by_test_id("item-ms_residents_consult")).to_contain_text("61.2")
    expect(page.get_by_test_id("history-chart").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("history").locator("tbody tr")).to_have_count(2)
    shoot(page, "85-self-assessment")

    # Re-score: 南部 still has no 多世代交流拠点, but ① improves on watching over.
    page.get_by_test_id("score-button").click()
    item = page.get_by_test_id("form-item-ms_coordinators")
    item.locator("select").select_option("2")
    item.locator("input[type=text]").fill("社協CSWと生活支援コーディネーターの定例会を毎月開催。")
    shoot(page, "86-self-assessment-form")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("ul.messages")).to_be_visible()
    expect(page.get_by_test_id("item-ms_coordinators")).to_contain_text("定例会を毎月開催")
    expect(page.get_by_test_id("assessment-meta")).to_contain_text("上田")

    # The year-end review of the previous 年度.
    page.get_by_role("link", name="All PDCA reviews").or_(
        page.get_by_role("link", name="PDCAの記録一覧")
    ).click()
    page.get_by_test_id("pdca-list").get_by_role("link").filter(has_text="年度末").click()
    expect(page.get_by_test_id("pdca-review")).to_contain_text("参加の場のカタログ")
    shoot(page, "87-pdca-review")

    # Staffing: the load, the arithmetic, the staff known.
    page.goto(f"{base}/evaluation/staffing/")
    expect(page.get_by_test_id("fte-coordinator")).to_contain_text("÷ 120 h")
    expect(page.get_by_test_id("line-case")).to_be_visible()
    expect(page.get_by_test_id("known-staff")).to_contain_text("1")
    shoot(page, "88-staffing")
    page.get_by_test_id("edit-assumptions").click()
    page.locator("input[name=hours_per_fte_month]").fill("100")
    page.locator("input[name=hours_triage_a]").fill("10")
    shoot(page, "89-staffing-assumptions")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("fte-coordinator")).to_contain_text("÷ 100 h")
    expect(page.get_by_test_id("line-triage_a")).to_contain_text("× 10")
