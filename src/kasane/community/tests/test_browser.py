"""地域づくり in a browser: the area view (table and SVG chart per 中学校区), the 地域課題
aggregates, and a community issue recorded with its discussion and action."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kasane.demo.activity import build_demo_activity
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_area_view_aggregates_and_a_community_issue(page, live_server, demo_city):
    build_demo_activity(seed=1, today=timezone.localdate())
    base = live_server.url

    # The area view: places per 中学校区, a chart drawn on the server, gaps in hubs marked.
    sign_in(page, base, "csw")
    page.goto(f"{base}/community/?level=school_district")
    expect(page.get_by_test_id("area-table")).to_contain_text("湖南中学校区")
    expect(page.get_by_test_id("area-chart").locator("svg")).to_be_visible()
    expect(page.locator("tr.no-hub")).to_have_count(2)
    shoot(page, "70-community-area-view")
    page.get_by_test_id("area-table").get_by_role("link", name="北中学校区").click()
    expect(page.get_by_test_id("places")).to_contain_text("いきいき百歳体操")
    shoot(page, "71-community-places")

    # 地域課題: households per need and area, small counts hidden.
    page.goto(f"{base}/community/issues/")
    expect(page.get_by_test_id("needs")).to_be_visible()
    expect(page.get_by_test_id("legend")).to_be_visible()
    expect(page.get_by_test_id("issue-list")).to_contain_text("8050世帯の孤立")
    shoot(page, "72-community-issues")

    # Record an issue, its discussion and an action.
    page.get_by_test_id("issue-new").click()
    page.locator("select[name=area]").select_option(label="　桜中学校区")
    page.locator("input[name=title]").fill("買い物に困る高齢者が増えている")
    page.locator("textarea[name=description]").fill(
        "桜台のスーパーが閉店し、坂の上の住宅地から買い物に行けない高齢者が増えている。"
    )
    page.get_by_label("社会的孤立").check()
    shoot(page, "73-community-issue-form")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("買い物に困る高齢者が増えている")
    page.get_by_text("Record a discussion").or_(page.get_by_text("話し合いを記録")).click()
    form = page.get_by_test_id("discussion-form")
    form.locator("input[name=forum]").fill("北部圏域 第2層協議体")
    form.locator("textarea[name=summary]").fill(
        "移動販売車の誘致と、買い物同行ボランティアを検討。"
    )
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("discussions")).to_contain_text("移動販売車")
    page.get_by_text("Record an action").or_(page.get_by_text("取組を記録")).click()
    form = page.get_by_test_id("action-form")
    form.locator("input[name=who]").fill("社協 CSW・桜台自治会")
    form.locator("input[name=what]").fill("移動販売の事業者に相談する")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("actions")).to_contain_text("移動販売の事業者に相談する")
    shoot(page, "74-community-issue")
