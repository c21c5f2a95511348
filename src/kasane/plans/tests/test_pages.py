"""The plan pages as staff use them, in Japanese: the assessment sheet, the plan with its
versions, approval at the 重層的支援会議, the differences, the review, the closure, and the
A4 prints; refusals shown on the form with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from kasane.audit.models import AuditEvent
from kasane.cases.models import CaseStatus
from kasane.meetings.models import Decision
from kasane.plans import services
from kasane.plans.models import Assessment, Closure, PlanStatus, Review, SupportPlan
from kasane.plans.tests.conftest import days, today

pytestmark = pytest.mark.django_db


def body(response) -> str:
    text: str = response.content.decode()
    return text


def test_case_page_has_the_plans_section(login, open_case, caseworker):
    client = login(caseworker)
    page = body(client.get(reverse("cases:case_detail", args=[open_case.public_id])))
    assert 'data-testid="plans-section"' in page
    assert reverse("plans:case_plans", args=[open_case.public_id]) in page
    section = client.get(reverse("plans:case_plans", args=[open_case.public_id]))
    assert section.status_code == 200
    assert "アセスメント" in body(section)
    assert reverse("plans:assessment_create", args=[open_case.public_id]) in body(section)


def test_record_an_assessment_through_the_sheet(login, open_case, caseworker):
    client = login(caseworker)
    url = reverse("plans:assessment_create", args=[open_case.public_id])
    form = client.get(url)
    assert form.status_code == 200 and "強み" in body(form) and "生活領域" in body(form)
    response = client.post(
        url,
        {
            "person": "",
            "assessed_on": today().isoformat(),
            "money_situation": "年金のみ",
            "money_severity": "2",
            "health_severity": "0",
            "wishes": "このまま家で暮らしたい",
        },
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:assessment_detail", args=[assessment.public_id])
    page = body(client.get(response["Location"]))
    assert "このまま家で暮らしたい" in page and "年金のみ" in page
    printed = client.get(reverse("plans:assessment_print", args=[assessment.public_id]))
    text = body(printed)
    # A4 layout from a static stylesheet: the CSP allows no inline <style>.
    assert "kasane/print-sheet.css" in text
    css = Path(finders.find("kasane/print-sheet.css") or "").read_text(encoding="utf-8")
    assert "size: A4" in css and "@media print" in css
    assert 'data-testid="genogram"' in text and 'data-testid="ecomap"' in text
    assert text.count("<svg") >= 2  # drawn by kasane.plans.diagrams
    assert "http://" not in text.replace("http://www.w3.org", "")
    assert "https://" not in text
    assert AuditEvent.objects.filter(object_type="assessment", detail__purpose="print").exists()


def test_an_empty_sheet_is_refused_on_the_form(login, open_case, caseworker):
    response = login(caseworker).post(
        reverse("plans:assessment_create", args=[open_case.public_id]),
        {"assessed_on": today().isoformat()},
    )
    assert response.status_code == 200 and 'class="errors"' in body(response)
    assert not Assessment.objects.exists()


def test_write_and_approve_a_plan_through_the_pages(
    login, accepted_case, caseworker, coordinator, integrated_item, stranger
):
    lead = login(caseworker)
    response = lead.post(reverse("plans:plan_create", args=[accepted_case.public_id]))
    plan = SupportPlan.objects.get()
    url = reverse("plans:plan_detail", args=[plan.public_id])
    assert response["Location"] == url
    lead.post(
        reverse("plans:plan_goal_add", args=[plan.public_id]),
        {"term": "long", "text": "母と二人で暮らし続けたい"},
    )
    goal = plan.goals.get()
    add_action = reverse("plans:plan_action_add", args=[plan.public_id])
    refused = lead.post(
        add_action,
        {"goal": goal.pk, "what": "就労体験", "agency": stranger.agency.pk},
    )
    assert refused.status_code == 200 and stranger.agency.name in body(refused)
    assert not goal.actions.exists()
    lead.post(
        add_action,
        {
            "goal": goal.pk,
            "what": "月1回の訪問",
            "agency": caseworker.agency.pk,
            "due_on": days(30).isoformat(),
        },
    )
    lead.post(
        reverse("plans:plan_header", args=[plan.public_id]),
        {
            "row_version": SupportPlan.objects.get(pk=plan.pk).row_version,
            "participation_requested": "on",
            "agreed_on": today().isoformat(),
            "agreement_method": "signed",
            "review_due_on": days(90).isoformat(),
        },
    )
    plan.refresh_from_db()
    assert plan.participation_requested and plan.agreement_method == "signed"
    # The coordinator who held the meeting approves it there.
    approver = login(coordinator)
    page = body(approver.get(url))
    assert 'data-testid="approve-form"' in page
    response = approver.post(
        reverse("plans:plan_approve", args=[plan.public_id]),
        {
            "item": integrated_item.pk,
            "row_version": SupportPlan.objects.get(pk=plan.pk).row_version,
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and Decision.objects.get().kind == "plan_approval"
    page = body(lead.get(url))
    assert "重層的支援会議" in page and 'data-testid="approved-at"' in page
    printed = body(lead.get(reverse("plans:plan_print", args=[plan.public_id])))
    assert "kasane/print-sheet.css" in printed and "母と二人で暮らし続けたい" in printed
    assert "月1回の訪問" in printed and "重層的支援会議" in printed


def test_approval_at_a_meeting_of_another_case_is_refused_on_the_form(
    login, accepted_case, caseworker, coordinator, integrated_item, support_meeting, make_plan
):
    from kasane.meetings import services as meeting_services

    meeting_services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    other_kind = meeting_services.agenda_add(
        actor=coordinator, meeting=support_meeting, case=accepted_case
    )
    plan = make_plan(caseworker, accepted_case)
    response = login(coordinator).post(
        reverse("plans:plan_approve", args=[plan.public_id]),
        {"item": other_kind.pk, "row_version": plan.row_version},
    )
    assert response.status_code == 200 and 'class="errors"' in body(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_differences_between_versions(
    login, accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    v1 = services.plan_approve(
        actor=coordinator, plan=make_plan(caseworker, accepted_case), item=integrated_item
    )
    v2 = services.plan_create(actor=caseworker, case=accepted_case)
    goal = v2.goals.get()
    services.goal_update(actor=caseworker, goal=goal, term="long", text="息子が働きたい")
    services.goal_add(actor=caseworker, plan=v2, term="short", text="ハローワークに行く")
    services.action_remove(actor=caseworker, action=goal.actions.get())
    response = login(caseworker).get(reverse("plans:plan_diff", args=[v2.public_id]))
    page = body(response)
    assert response.status_code == 200
    diff = response.context["diff"]
    assert diff.old == v1 and diff.counts == {"added": 1, "removed": 1, "changed": 1}
    assert (
        "<del>家族みんなが安心して暮らしたい</del>" in page and "<ins>息子が働きたい</ins>" in page
    )
    assert "ハローワークに行く" in page
    other = login(caseworker).get(reverse("plans:plan_diff", args=[v1.public_id]) + "?against=2")
    assert other.status_code == 200
    assert (
        login(caseworker).get(reverse("plans:plan_diff", args=[v1.public_id])).status_code == 404
    )  # version 1 has no version before it


def test_review_through_the_evaluation_sheet(
    login, accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    plan = services.plan_approve(
        actor=coordinator, plan=make_plan(caseworker, accepted_case), item=integrated_item
    )
    goal = plan.goals.get()
    client = login(caseworker)
    url = reverse("plans:review_create", args=[accepted_case.public_id])
    assert "本人の受け止め" in body(client.get(url))
    missing = client.post(url, {"held_on": today().isoformat(), "next_review_on": days(60)})
    assert missing.status_code == 200 and not Review.objects.exists()
    response = client.post(
        url,
        {
            "held_on": today().isoformat(),
            f"goal_{goal.pk}": "partly",
            "area_money": "better",
            "person_view": "少し楽になった",
            "next_review_on": days(60).isoformat(),
        },
    )
    review = Review.objects.get()
    assert response["Location"] == reverse("plans:review_detail", args=[review.public_id])
    page = body(client.get(response["Location"]))
    assert "少し楽になった" in page and "一部達成" in page


def test_closing_through_the_case_pages_goes_through_the_closure(
    login, open_case, caseworker, coordinator
):
    client = login(caseworker)
    url = reverse("cases:case_close", args=[open_case.public_id])
    page = body(client.get(url))
    assert 'data-testid="closure-form"' in page and "死亡" in page
    old_style = client.post(url, {"reason": "転居"})
    assert old_style.status_code == 200 and not Closure.objects.exists()
    response = client.post(
        url, {"reason": "moved_away", "held_on": today().isoformat(), "person_view": "転居先で"}
    )
    assert response.status_code == 302
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.CLOSED
    closure = Closure.objects.get()
    assert closure.evaluation is not None and closure.evaluation.person_view == "転居先で"


def test_an_accepted_case_is_not_closed_without_the_integrated_meeting(
    login, accepted_case, caseworker
):
    response = login(caseworker).post(
        reverse("cases:case_close", args=[accepted_case.public_id]),
        {"reason": "goals_met", "held_on": today().isoformat()},
    )
    assert response.status_code == 200 and 'class="errors"' in body(response)
    accepted_case.refresh_from_db()
    assert accepted_case.is_open


def test_home_shows_reviews_due_and_flags_the_overdue(
    login, accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    plan = services.plan_approve(
        actor=coordinator, plan=make_plan(caseworker, accepted_case), item=integrated_item
    )
    SupportPlan.objects.filter(pk=plan.pk).update(review_due_on=days(-3))
    for who in (caseworker, coordinator):
        page = body(login(who).get("/"))
        assert 'data-testid="reviews-due"' in page and accepted_case.number in page
        assert 'data-testid="review-overdue"' in page


def test_coordinator_sees_closures_by_a_lead_agency(login, open_case, caseworker, coordinator):
    services.closure_record(actor=caseworker, case=open_case, reason="refused")
    page = body(login(coordinator).get("/"))
    assert 'data-testid="closures-by-lead"' in page and open_case.number in page
