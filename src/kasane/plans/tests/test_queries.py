"""Query-count guards: the case's plans section, a plan with many goals and actions, the
diff, and the reviews due on the home page cost the same for many rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kasane.cases import services as case_services
from kasane.conftest import make_household
from kasane.meetings import services as meeting_services
from kasane.plans import services
from kasane.plans.models import Severity, SupportPlan
from kasane.plans.selectors import reviews_due_for
from kasane.plans.services import AreaInput
from kasane.plans.tests.conftest import days, today

pytestmark = pytest.mark.django_db

MANY = 10


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_plans_section_does_not_grow_with_assessments_and_reviews(
    login, accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    plan = services.plan_approve(
        actor=coordinator, plan=make_plan(caseworker, accepted_case), item=integrated_item
    )
    goal = plan.goals.get()

    def add(n: int) -> None:
        for _ in range(n):
            services.assessment_create(
                actor=caseworker,
                case=accepted_case,
                assessed_on=today(),
                areas=[AreaInput("money", "x", Severity.MILD)],
            )
            services.review_record(
                actor=caseworker,
                case=accepted_case,
                held_on=today(),
                goal_results={goal.pk: "partly"},
                next_review_on=days(30),
            )

    client = login(caseworker)
    url = reverse("plans:case_plans", args=[accepted_case.public_id])
    add(1)
    few = _count(client, url)
    add(MANY)
    assert _count(client, url) <= few


def test_plan_page_and_diff_do_not_grow_with_goals_and_actions(
    login, accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    services.plan_approve(
        actor=coordinator, plan=make_plan(caseworker, accepted_case), item=integrated_item
    )
    draft = services.plan_create(actor=caseworker, case=accepted_case)

    def add(n: int) -> None:
        for i in range(n):
            goal = services.goal_add(actor=caseworker, plan=draft, term="short", text=f"目標{i}")
            for j in range(3):
                services.action_add(
                    actor=caseworker, goal=goal, what=f"役割{i}-{j}", agency=caseworker.agency
                )

    client = login(caseworker)
    page = reverse("plans:plan_detail", args=[draft.public_id])
    diff = reverse("plans:plan_diff", args=[draft.public_id])
    printed = reverse("plans:plan_print", args=[draft.public_id])
    add(1)
    few = [_count(client, url) for url in (page, diff, printed)]
    add(MANY)
    for url, before in zip((page, diff, printed), few, strict=True):
        assert _count(client, url) <= before, url


def _accepted_case_with_plan(caseworker, coordinator, meeting, give_consent, n: int) -> None:
    household = make_household(
        caseworker.agency,
        name=f"世帯{n}",
        kana=f"セタイ {'アイウエオカキクケコサシスセソ'[n % 15]}",
    )
    case = case_services.case_open(actor=caseworker, household=household)
    case_services.case_send_to_coordination(actor=caseworker, case=case, reason="8050")
    case_services.case_triage(actor=coordinator, case=case, triage="A")
    case = case_services.case_accept(actor=coordinator, case=case)
    give_consent(case, agencies=[coordinator.agency, caseworker.agency])
    item = meeting_services.agenda_add(actor=coordinator, meeting=meeting, case=case)
    plan = services.plan_create(actor=caseworker, case=case)
    goal = services.goal_add(actor=caseworker, plan=plan, term="long", text="安心")
    services.action_add(actor=caseworker, goal=goal, what="訪問", agency=caseworker.agency)
    services.plan_update(
        actor=caseworker,
        plan=plan,
        agreed_on=today(),
        agreement_method="signed",
        review_due_on=days(90),
    )
    plan = services.plan_approve(actor=coordinator, plan=plan, item=item)
    SupportPlan.objects.filter(pk=plan.pk).update(review_due_on=days(-n))


def test_reviews_due_do_not_grow_with_rows(
    login, caseworker, coordinator, integrated_meeting, give_consent, django_assert_max_num_queries
):
    _accepted_case_with_plan(caseworker, coordinator, integrated_meeting, give_consent, 1)
    client = login(caseworker)
    few = _count(client, "/")
    with CaptureQueriesContext(connection) as ctx:
        assert len(reviews_due_for(coordinator)) == 1
    selector_few = len(ctx.captured_queries)
    for n in range(2, MANY + 2):
        _accepted_case_with_plan(caseworker, coordinator, integrated_meeting, give_consent, n)
    assert _count(client, "/") <= few
    with django_assert_max_num_queries(selector_few):
        due = reviews_due_for(coordinator)
    assert len(due) == MANY + 1 and all(d.overdue for d in due)
    for who in (caseworker, coordinator):
        with django_assert_max_num_queries(selector_few):
            assert len(reviews_due_for(who)) == MANY + 1
