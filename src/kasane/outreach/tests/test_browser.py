"""Outreach in a browser: a 民生委員 files a concern report and sees only its status; an
outreach worker opens a target from it, logs three contact attempts and moves the stage."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from kasane.outreach.models import ConcernReport, ReportStatus, Stage
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def ja(label: object) -> str:
    """The label as a Japanese page shows it (its msgid until the translator adds it)."""
    with translation.override("ja"):
        return str(label)


def sign_out(page: Page) -> None:
    page.get_by_test_id("who").locator("button[type=submit]").click()


def test_a_report_its_status_and_three_attempts(page, live_server, demo_city):
    base = live_server.url
    today = timezone.localdate().isoformat()

    # 1. The 民生委員 files a report: an impossible date is refused in Japanese.
    sign_in(page, base, "minsei")
    expect(page.get_by_test_id("reporter-home")).to_be_visible()
    shoot(page, "60-reporter-home")
    page.get_by_test_id("reporter-home").get_by_role("link").first.click()
    form = page.get_by_test_id("report-form")
    form.locator("select[name=area]").select_option(index=3)
    form.locator("input[name=who]").fill("高齢の夫婦の息子（40代）")
    form.locator("input[value=not_seen]").check()
    form.locator("textarea[name=details]").fill("何年も外出していないと母親が話していた。")
    form.locator("input[name=noticed_on]").evaluate("el => { el.type = 'text'; }")
    form.locator("input[name=noticed_on]").fill("2026-02-30")
    shoot(page, "61-report-form")
    form.locator("button[type=submit]").click()
    expect(page.locator(".error").first).to_contain_text("正しい日付を入力してください")
    shoot(page, "62-report-form-impossible-date")
    page.get_by_test_id("report-form").locator("input[name=noticed_on]").fill(today)
    page.get_by_test_id("report-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("report-status")).to_contain_text(ja(ReportStatus.RECEIVED.label))
    shoot(page, "63-report-status")
    report = ConcernReport.objects.get()
    sign_out(page)

    # 2. The outreach worker opens a target from it, logs three attempts, moves the stage.
    sign_in(page, base, "outreach")
    expect(page.get_by_test_id("outreach-home")).to_be_visible()
    shoot(page, "64-outreach-home")
    page.goto(f"{base}/outreach/reports/")
    expect(page.get_by_test_id("reports")).to_contain_text(ja(ReportStatus.RECEIVED.label))
    shoot(page, "65-report-list")
    page.goto(f"{base}/outreach/reports/{report.public_id}/")
    page.get_by_test_id("open-target").click()
    page.locator("input[name=age_band]").fill("40代")
    shoot(page, "66-target-form")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("高齢の夫婦の息子")
    for method, result in (("visit", "absent"), ("letter", "letter_left"), ("visit", "family")):
        attempt = page.get_by_test_id("attempt-form")
        attempt.locator("input[name=attempted_on]").fill(today)
        attempt.locator("select[name=method]").select_option(method)
        attempt.locator("select[name=result]").select_option(result)
        attempt.locator("button[type=submit]").click()
        expect(page.locator(".messages")).to_be_visible()
    expect(page.get_by_test_id("attempts").locator("tbody tr")).to_have_count(3)
    stage = page.get_by_test_id("stage-form")
    stage.locator("select[name=stage]").select_option("contacted")
    stage.locator("input[name=note]").fill("母親と話せた")
    stage.locator("button[type=submit]").click()
    expect(page.get_by_test_id("stage")).to_have_text(ja(Stage.CONTACTED.label))
    expect(page.get_by_test_id("history")).to_contain_text("母親と話せた")
    shoot(page, "67-target-detail")
    page.goto(f"{base}/outreach/targets/")
    expect(page.get_by_test_id("targets")).to_contain_text("高齢の夫婦の息子")
    shoot(page, "68-target-list")
    sign_out(page)

    # 3. The 民生委員 sees 対応中, and nothing the team found.
    sign_in(page, base, "minsei")
    page.goto(f"{base}/outreach/reports/mine/")
    expect(page.get_by_test_id("my-reports")).to_contain_text(ja(ReportStatus.IN_PROGRESS.label))
    shoot(page, "69-my-reports")
    page.goto(f"{base}/outreach/reports/mine/{report.public_id}/")
    expect(page.get_by_test_id("report-status")).to_contain_text(ja(ReportStatus.IN_PROGRESS.label))
    expect(page.locator("main")).not_to_contain_text("母親と話せた")
    expect(page.locator("main")).not_to_contain_text("手紙")
    shoot(page, "70-my-report-in-progress")
