"""The closed loop in a browser: intake → referral → acceptance → coordination → triage.

Four people at three agencies, each signing in as they would; a screenshot of every page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def sign_out(page: Page) -> None:
    page.get_by_test_id("who").locator("button[type=submit]").click()


def test_consultation_referral_acceptance_and_triage(page, live_server, demo_city):
    base = live_server.url

    # 1. The 包括 records a consultation about a new household of three with two needs.
    sign_in(page, base, "houkatsu")
    page.goto(f"{base}/intake/")
    shoot(page, "10-intake-start")
    page.get_by_test_id("new-household").click()
    page.locator("input[name=requester][value=family]").check()
    page.locator("input[name=channel][value=phone]").check()
    rows = [
        ("head", "柳田 トメ", "やなぎだ とめ", "1941-07-15"),
        ("child", "柳田 勝也", "ﾔﾅｷﾞﾀﾞ ｶﾂﾔ", "1973-10-02"),
        ("grandchild", "柳田 美咲", "ヤナギダ ミサキ", "2011-12-24"),
    ]
    for i, (relationship, name, kana, birth) in enumerate(rows):
        page.locator(f"select[name=p-{i}-relationship]").select_option(relationship)
        page.locator(f"input[name=p-{i}-name]").fill(name)
        page.locator(f"input[name=p-{i}-kana]").fill(kana)
        page.locator(f"input[name=p-{i}-birth_date]").fill(birth)
    page.locator("input[name=hh-address]").fill("かさね市本町一丁目5-8")
    page.get_by_label("8050", exact=True).check()
    page.get_by_label("ひきこもり", exact=True).check()
    page.locator("select[name=main_need]").select_option(label="8050")
    page.locator("input[name=domains][value=elderly]").check()
    page.locator("textarea[name=summary]").fill(
        "祖母（85）から、同居の息子（53）が長年ひきこもっており、孫の世話も心配との電話。"
    )
    page.locator("input[name=consent_to_share]").check()
    page.locator("input[name=outcome][value=referred]").check()
    page.locator("select[name=referral_to]").select_option(label="かさね市障害者相談支援センター")
    page.locator("textarea[name=referral_reason]").fill("息子に障害の可能性がある")
    page.locator("textarea[name=referral_request]").fill("家庭訪問への同行をお願いします")
    shoot(page, "11-consultation-form")
    page.locator("form.consultation button[type=submit]").click()

    expect(page.locator("h1")).to_contain_text("柳田 トメ")
    expect(page.get_by_test_id("referrals")).to_contain_text("かさね市障害者相談支援センター")
    expect(page.get_by_test_id("timeline")).to_contain_text("ひきこもり")
    case_url = page.url
    shoot(page, "12-case-after-intake")
    sign_out(page)

    # 2. The 障害 agency finds the referral in its inbox and accepts it.
    sign_in(page, base, "shogai")
    inbox = page.get_by_test_id("referrals-waiting")
    expect(inbox).to_contain_text("柳田 トメ")
    shoot(page, "13-inbox-referral-waiting")
    inbox.get_by_role("link").first.click()
    shoot(page, "14-referral")
    page.locator("form:has(input[name=action][value=accept]) button[type=submit]").click()
    expect(page.get_by_test_id("team")).to_contain_text("かさね市障害者相談支援センター")

    # 3. Two agencies cannot untangle it alone: send the case to coordination.
    page.locator("a[href$='coordination/']").first.click()
    page.locator("textarea[name=reason]").fill("8050と孫の養育が重なり、方向性の調整が必要")
    shoot(page, "15-send-to-coordination")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("case-facts")).to_contain_text("2")  # a date is shown
    sign_out(page)

    # 4. The coordinator triages it from the board.
    sign_in(page, base, "coordinator")
    page.goto(f"{base}/cases/board/")
    queue = page.get_by_test_id("triage-queue")
    expect(queue).to_contain_text("柳田 トメ")
    shoot(page, "16-coordination-board")
    queue.get_by_role("link").first.click()
    page.locator("input[name=triage][value=A]").check()
    shoot(page, "17-triage")
    page.locator("main form").first.locator("button[type=submit]").click()
    expect(page.get_by_test_id("case-facts")).to_contain_text("A")
    assert page.url == case_url
    shoot(page, "18-case-triaged")
    page.goto(f"{base}/cases/board/")
    expect(page.get_by_test_id("board-counts")).to_contain_text("1")
