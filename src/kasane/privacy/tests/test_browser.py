"""The legal basis of sharing in a browser: a team agency without basis sees only that the
case exists; break-glass opens it for 24 hours and tells the coordinator and auditor, who
review it; a consent recorded on the person's page opens it, and its withdrawal closes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from kasane.accounts.models import Staff
from kasane.cases import services as case_services
from kasane.conftest import make_household
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

NAME = "岩城 ハル"


def sign_out(page: Page) -> None:
    page.get_by_test_id("who").locator("button[type=submit]").click()


def test_existence_only_break_glass_and_consent(page, live_server, demo_city):
    base = live_server.url
    houkatsu = Staff.objects.get(username="houkatsu")
    shogai = Staff.objects.get(username="shogai")
    assert houkatsu.agency is not None and shogai.agency is not None
    household = make_household(
        houkatsu.agency, name=NAME, kana="イワキ ハル", address="かさね市本町二丁目3-4"
    )
    case = case_services.case_open(actor=houkatsu, household=household)
    referral = case_services.referral_create(
        actor=houkatsu, case=case, to_agency=shogai.agency, reason="障害の疑い", request="訪問"
    )
    case_services.referral_accept(actor=shogai, referral=referral)
    case_url = f"{base}/cases/{case.public_id}/"

    # 1. On the team without a basis: the case number and the lead, nothing else.
    sign_in(page, base, "shogai")
    page.goto(case_url)
    expect(page.get_by_test_id("no-basis")).to_be_visible()
    expect(page.get_by_test_id("team")).to_contain_text("中央地域包括支援センター")
    expect(page.locator("main")).not_to_contain_text(NAME)
    shoot(page, "50-case-existence-only")

    # 2. Life or safety at risk: break-glass, with a reason.
    page.locator("details summary").click()
    page.locator("textarea[name=reason]").fill(
        "訪問しても応答がなく、室内で倒れている可能性がある。"
    )
    shoot(page, "51-break-glass-form")
    page.locator("form[action$='break-glass/'] button[type=submit]").click()
    expect(page.get_by_test_id("break-glass-running")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(NAME)
    shoot(page, "52-case-under-break-glass")
    sign_out(page)

    # 3. The coordinator is told at once; the auditor reviews the use.
    sign_in(page, base, "coordinator")
    expect(page.get_by_test_id("notifications")).to_contain_text(case.number)
    shoot(page, "53-home-notification")
    sign_out(page)
    sign_in(page, base, "auditor")
    expect(page.get_by_test_id("notifications")).to_contain_text(case.number)
    page.get_by_test_id("notifications").get_by_role("link").first.click()
    expect(page.get_by_test_id("break-glass")).to_contain_text(case.number)
    shoot(page, "54-break-glass-list")
    page.get_by_test_id("break-glass").get_by_role("link").first.click()
    page.locator("textarea[name=note]").fill("安否確認のための閲覧で、範囲も妥当。")
    shoot(page, "55-break-glass-review")
    # The review, not "end the emergency access now" (the 24 hours are still running).
    page.locator("main form button[type=submit]:not([name=end_now])").click()
    expect(page.get_by_test_id("break-glass")).to_contain_text("妥当")
    sign_out(page)

    # 4. The lead agency records the person's consent to share with the 障害 agency.
    sign_in(page, base, "houkatsu")
    page.goto(case_url)
    page.locator("main").get_by_role("link", name=NAME).first.click()
    expect(page.get_by_test_id("consents")).to_be_visible()
    page.get_by_test_id("consents").get_by_role("link").last.click()
    page.get_by_label(shogai.agency.name).check()
    page.locator("select[name=method]").select_option("written")
    shoot(page, "56-consent-form")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("consents")).to_contain_text(shogai.agency.name)
    shoot(page, "57-person-with-consent")
    sign_out(page)
