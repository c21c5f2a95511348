"""The work cycle of a case in a browser: consent obtained on the person's page, assessment
with its genogram and ecomap, a plan written by the lead agency and approved at a
重層的支援会議, a scheduled review from the inbox, and closure decided at a meeting.
A screenshot of every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kasane.accounts.models import Staff
from kasane.cases import services as case_services
from kasane.conftest import make_household
from kasane.meetings import services as meeting_services
from kasane.meetings.models import MeetingKind
from kasane.plans.models import SupportPlan
from kasane.registry.models import Relationship
from kasane.registry.services import PersonInput, member_add
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

HEAD = "堀田 キヨ"


def sign_out(page: Page) -> None:
    page.get_by_test_id("who").locator("button[type=submit]").click()


def integrated_meeting(coordinator: Staff, case, days: int):
    meeting = meeting_services.meeting_create(
        actor=coordinator,
        kind=MeetingKind.INTEGRATED_MEETING,
        held_at=timezone.now() + datetime.timedelta(days=days),
        place="市役所 第3会議室",
    )
    meeting_services.agenda_add(actor=coordinator, meeting=meeting, case=case)
    return meeting


def test_consent_plan_approval_review_and_closure(page, live_server, demo_city):
    base = live_server.url
    houkatsu = Staff.objects.get(username="houkatsu")
    coordinator = Staff.objects.get(username="coordinator")
    assert houkatsu.agency is not None and coordinator.agency is not None
    household = make_household(
        houkatsu.agency,
        name=HEAD,
        kana="ホッタ キヨ",
        birth_date=datetime.date(1945, 2, 11),
        address="かさね市緑町三丁目2-7",
    )
    head = household.memberships.get().person
    head.sex = "female"
    head.save()
    member_add(
        actor=None,
        household=household,
        person=PersonInput(
            name="堀田 誠", kana="ホッタ マコト", birth_date=datetime.date(1975, 8, 3), sex="male"
        ),
        relationship=Relationship.CHILD,
        started_on=datetime.date(2020, 4, 1),
    )
    case = case_services.case_open(actor=houkatsu, household=household)
    case_services.case_send_to_coordination(
        actor=houkatsu, case=case, reason="8050。息子の就労と母の介護が重なる"
    )
    case_url = f"{base}/cases/{case.public_id}/"

    # 1. The lead agency obtains the mother's consent, covering the 重層的支援会議.
    sign_in(page, base, "houkatsu")
    page.goto(case_url)
    page.locator("main").get_by_role("link", name=HEAD).first.click()
    page.get_by_test_id("consents").get_by_role("link").last.click()
    page.locator("input[name=purposes][value=integrated_meeting]").check()
    page.get_by_label(coordinator.agency.name).check()
    page.get_by_label(houkatsu.agency.name).check()
    shoot(page, "60-consent-for-integrated-meeting")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("consents")).to_contain_text("重層的支援会議")

    # The coordinator records 支援決定; two 重層的支援会議 take the case up.
    case_services.case_accept(actor=coordinator, case=case)
    approval = integrated_meeting(coordinator, case, days=0)
    closing = integrated_meeting(coordinator, case, days=0)
    assert approval != closing

    # 2. Assessment, with the genogram and the ecomap.
    page.goto(case_url)
    page.get_by_test_id("assessment-new").click()
    page.locator("textarea[name=money_situation]").fill("母の年金のみ。息子は無職。")
    page.locator("select[name=money_severity]").select_option("2")
    page.locator("textarea[name=wishes]").fill("息子が働けるようになってほしい")
    shoot(page, "61-assessment-form")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("svg").first).to_be_visible()
    shoot(page, "62-assessment-with-genogram-and-ecomap")
    page.goto(page.url + "print/")
    shoot(page, "63-assessment-print-a4")

    # 3. The plan, version 1: a goal in the person's words, an action, her agreement.
    page.goto(case_url)
    page.get_by_test_id("plan-new").click()
    page.get_by_test_id("goal-form").locator("textarea[name=text]").fill(
        "息子と二人で、この家で暮らし続けたい"
    )
    page.get_by_test_id("goal-form").locator("button[type=submit]").click()
    actions = page.get_by_test_id("action-form")
    actions.locator("textarea[name=what]").fill("月1回の家庭訪問と介護保険サービスの調整")
    actions.locator("select[name=agency]").select_option(label=houkatsu.agency.name)
    actions.locator("button[type=submit]").click()
    header = page.get_by_test_id("header-form")
    header.locator("input[name=agreed_on]").fill(timezone.localdate().isoformat())
    header.locator("select[name=agreement_method]").select_option(index=1)
    header.locator("input[name=review_due_on]").fill(
        (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    )
    header.locator("button[type=submit]").click()
    shoot(page, "64-plan-draft")
    plan_url = page.url
    sign_out(page)

    # 4. The coordinator approves it at the 重層的支援会議 that took the case up.
    sign_in(page, base, "coordinator")
    page.goto(plan_url)
    approve = page.get_by_test_id("approve-form")
    approve.locator("select[name=item]").select_option(index=1)
    shoot(page, "65-plan-approval")
    approve.locator("button[type=submit]").click()
    expect(page.get_by_test_id("approved-at")).to_contain_text("重層的支援会議")
    shoot(page, "66-plan-approved")
    page.goto(plan_url + "print/")
    shoot(page, "67-plan-print-a4")
    page.goto(base)
    sign_out(page)
    plan = SupportPlan.objects.get(case=case)
    assert plan.status == "approved"

    # 5. The review falls due: it waits in the lead agency's inbox.
    SupportPlan.objects.filter(pk=plan.pk).update(
        review_due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    sign_in(page, base, "houkatsu")
    due = page.get_by_test_id("reviews-due")
    expect(due).to_contain_text(case.number)
    shoot(page, "68-inbox-review-overdue")
    page.goto(case_url)
    expect(page.get_by_test_id("review-overdue")).to_be_visible()
    page.get_by_test_id("review-new").click()
    page.locator("select[name^=goal_]").first.select_option("partly")
    page.locator("textarea[name=person_view]").fill("訪問があって気持ちが楽になった")
    page.locator("input[name=next_review_on]").fill(
        (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    )
    shoot(page, "69-review-form")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text("訪問があって気持ちが楽になった")
    shoot(page, "70-review-recorded")
    sign_out(page)

    # 6. Closure, decided at the second 重層的支援会議, with the final evaluation.
    sign_in(page, base, "coordinator")
    page.goto(f"{base}/plans/cases/{case.public_id}/closure/")
    form = page.get_by_test_id("closure-form")
    form.locator("input[name=reason][value=goals_met]").check()
    form.locator("select[name=item]").select_option(index=1)
    form.locator("select[name^=goal_]").first.select_option("achieved")
    form.locator("textarea[name=person_view]").fill("これからは二人でやっていける")
    shoot(page, "71-closure-form")
    form.locator("button[type=submit]").click()
    page.goto(case_url)
    expect(page.get_by_test_id("case-facts")).to_contain_text("終結")
    shoot(page, "72-case-closed")
