"""A 支援会議 in a browser: the coordinator holds it for a household that has given no
consent, invites the agencies, records the pledges, takes the case up, writes the minutes
and a decision, and prints them; an invited agency without its pledge sees no case."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kasane.accounts.models import Staff
from kasane.cases import services as case_services
from kasane.conftest import make_household
from kasane.privacy.models import Consent
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_support_meeting_for_a_household_without_consent(page, live_server, demo_city):
    base = live_server.url
    houkatsu = Staff.objects.get(username="houkatsu")
    coordinator = Staff.objects.get(username="coordinator")
    assert houkatsu.agency is not None
    household = make_household(
        houkatsu.agency, name="岩城 ハル", kana="イワキ ハル", address="かさね市本町二丁目3-4"
    )
    case = case_services.case_open(actor=houkatsu, household=household)
    case_services.case_send_to_coordination(
        actor=houkatsu, case=case, reason="同居の長男が支援を拒否。本人同意が得られない"
    )
    case_services.case_triage(actor=coordinator, case=case, triage="A")
    assert not Consent.objects.filter(person__memberships__household=household).exists()

    # 1. The coordinator holds a 支援会議 at city hall.
    sign_in(page, base, "coordinator")
    page.locator("nav.site-nav a[href='/meetings/']").click()
    shoot(page, "40-meeting-list")
    page.get_by_test_id("meeting-new").click()
    page.locator("input[name=kind][value=support_meeting]").check()
    page.locator("input[name=title]").fill("第3回 支援会議")
    page.locator("input[name=held_at]").fill("2026-12-01T14:00")
    page.locator("input[name=place]").fill("かさね市役所 3階 第2会議室")
    shoot(page, "41-meeting-create")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("meeting-facts").locator(".kind-support_meeting")).to_be_visible()

    # 2. Invite the 包括 and the 障害 agency, by name of the staff who attend.
    form = page.get_by_test_id("attendee-form")
    for agency, staff in [
        (houkatsu.agency.name, str(houkatsu)),
        ("かさね市障害者相談支援センター", "障害相談 相談員 北川"),
    ]:
        form.locator("select[name=agency]").select_option(label=agency)
        form.locator("select[name=staff]").select_option(label=f"{staff}（{agency}）")
        form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("attendees")).to_contain_text(staff)
        form = page.get_by_test_id("attendee-form")

    # 3. Pledges of the chair and the 包括; the 障害 agency's is still to come.
    attendees = page.get_by_test_id("attendees")
    for name in [str(coordinator), str(houkatsu)]:
        attendees.locator("tr", has_text=name).get_by_test_id("pledge-button").click()
        row = page.get_by_test_id("attendees").locator("tr", has_text=name)
        expect(row.get_by_test_id("pledged")).to_be_visible()
    shoot(page, "42-meeting-pledges")

    # 4. The household goes on the agenda without consent and before 支援決定.
    page.get_by_test_id("agenda-add").click()
    page.locator("input[name=case_number]").fill(case.number)
    shoot(page, "43-agenda-add")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("岩城 ハル")
    meeting_url = page.url

    # 5. Minutes and an action for the lead agency.
    page.get_by_test_id("agenda").get_by_role("link", name=case.number).click()
    page.locator("textarea[name=minutes]").fill(
        "長男（52）は支援を拒否している。本人（84）は通院が途絶えがち。\n"
        "包括が月2回訪問し、受診につなげる。障害相談は長男との接点を探る。"
    )
    page.get_by_test_id("minutes-form").locator("button[type=submit]").click()
    decision = page.get_by_test_id("decision-form")
    decision.locator("select[name=kind]").select_option("action")
    decision.locator("textarea[name=text]").fill("月2回の訪問と受診同行")
    decision.locator("select[name=owner]").select_option(label=houkatsu.agency.name)
    decision.locator("input[name=due_on]").fill("2026-12-15")
    decision.locator("button[type=submit]").click()
    expect(page.get_by_test_id("decisions")).to_contain_text("月2回の訪問と受診同行")
    shoot(page, "44-minutes-and-decisions")
    page.goto(meeting_url)
    expect(page.get_by_test_id("minutes")).to_contain_text("受診につなげる")
    shoot(page, "45-meeting-with-minutes")

    # 6. The A4 print of the minutes for this case.
    print_url = page.get_by_test_id("agenda").locator("a[href$='/print/']").get_attribute("href")
    page.goto(f"{base}{print_url}")
    expect(page.get_by_test_id("print-minutes")).to_contain_text("受診につなげる")
    page.emulate_media(media="print")
    shoot(page, "46-minutes-print-a4")
    page.emulate_media(media="screen")

    # 7. The 障害 agency, invited but without its pledge, sees the meeting and no case.
    page.context.clear_cookies()
    sign_in(page, base, "shogai")
    page.goto(meeting_url)
    expect(page.get_by_test_id("pledge-needed")).to_be_visible()
    expect(page.get_by_test_id("hidden-items")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("岩城")
    shoot(page, "47-meeting-without-pledge")
    page.get_by_test_id("pledge-button").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("岩城 ハル")
    shoot(page, "48-meeting-after-pledge")
