"""No lost updates on the support plan (issue #7, 5): two staff edit the same draft's header;
the second save is refused with what changed, and the first's values stay.

The race tests commit from threads with their own connections; on SQLite (one writer at a
time) the same pair of saves runs one connection after the other instead."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from kasane.api.tests.conftest import PREFIX, api  # noqa: F401
from kasane.core.row_version import CONFLICT_MESSAGE, EditConflict
from kasane.plans import services
from kasane.plans.models import SupportPlan
from kasane.plans.tests.conftest import days
from kasane.testing.edits import (
    ON_POSTGRESQL,
    colleague,  # noqa: F401 — a fixture
    held_compare_and_set,
    one_after_the_other,
    opened,
    outcome,
    race,
    resubmitted,
    update_audits,
)


@pytest.fixture
def draft(open_case, caseworker):
    return services.plan_create(actor=caseworker, case=open_case)


@pytest.mark.django_db
def test_the_second_save_is_refused_showing_what_changed(login, draft, caseworker, colleague):
    url = reverse("plans:plan_detail", args=[draft.public_id])
    first, second = login(caseworker), login(colleague)
    mine, theirs = opened(first.get(url), "header_form"), opened(second.get(url), "header_form")
    assert mine["row_version"] == theirs["row_version"] == "0"

    header = reverse("plans:plan_header", args=[draft.public_id])
    saved = first.post(
        header,
        {
            **mine,
            "outreach_requested": "on",
            "review_due_on": days(60).isoformat(),
        },
    )
    assert saved.status_code == 302
    refused = second.post(
        header,
        {
            **theirs,
            "participation_requested": "on",
            "review_due_on": days(90).isoformat(),
        },
    )

    assert refused.status_code == 409
    page = refused.content.decode()
    assert escape(str(CONFLICT_MESSAGE)) in page
    assert 'data-testid="edit-conflict"' in page
    changes = {c.name: c for c in refused.context["conflict"]}
    # What the first editor changed — not what the second one changed on their own.
    assert set(changes) == {"outreach_requested", "review_due_on"}
    assert changes["review_due_on"].current == days(60).isoformat()
    assert changes["review_due_on"].yours == days(90).isoformat()
    assert 'data-field="outreach_requested"' in page
    draft.refresh_from_db()
    assert draft.outreach_requested and not draft.participation_requested
    assert draft.review_due_on == days(60)
    assert draft.row_version == 1
    assert update_audits("support_plan", draft.public_id) == 1

    # Having seen the differences, the second editor saves again on purpose: it goes through.
    again = second.post(header, resubmitted(refused, "header_form"))
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.participation_requested and draft.review_due_on == days(90)
    assert draft.row_version == 2
    assert update_audits("support_plan", draft.public_id) == 2


@pytest.mark.django_db
def test_a_save_at_the_current_version_succeeds_and_counts(draft, caseworker, colleague):
    plan = services.plan_update(
        actor=caseworker, plan=draft, outreach_requested=True, row_version=0
    )
    assert plan.row_version == 1
    assert SupportPlan.objects.get(pk=draft.pk).row_version == 1
    with pytest.raises(EditConflict) as refused:
        services.plan_update(actor=colleague, plan=draft, outreach_requested=False, row_version=0)
    assert refused.value.current_row_version == 1
    assert SupportPlan.objects.get(pk=draft.pk).outreach_requested
    plan = services.plan_update(
        actor=colleague, plan=draft, outreach_requested=False, row_version=1
    )
    assert plan.row_version == 2 and not SupportPlan.objects.get(pk=draft.pk).outreach_requested
    assert update_audits("support_plan", draft.public_id) == 2


@pytest.mark.django_db
def test_the_api_refuses_a_stale_row_version(api, draft, caseworker, colleague):
    """plan_update takes the row_version the caller read (plan_get gives it): a stale one is
    answered 409 edit_conflict and nothing is saved."""
    path = f"{PREFIX}/plans/{draft.public_id}"
    first, second = api(caseworker).client, api(colleague).client
    seen = first.get(path).json()["row_version"]
    assert seen == 0

    def put(client, body):
        return client.put(path, body, content_type="application/json")

    ok = put(first, {"outreach_requested": True, "row_version": seen})
    assert ok.status_code == 200 and ok.json()["row_version"] == 1
    stale = put(second, {"participation_requested": True, "row_version": seen})
    assert stale.status_code == 409 and stale.json()["code"] == "edit_conflict"
    plan = SupportPlan.objects.get(pk=draft.pk)
    assert plan.outreach_requested and not plan.participation_requested and plan.row_version == 1
    assert update_audits("support_plan", draft.public_id) == 1


def _update(actor, plan, **values):
    return lambda: services.plan_update(actor=actor, plan=plan, row_version=0, **values)


@ON_POSTGRESQL
def test_two_saves_at_the_same_moment_one_wins(
    need_types_kept, transactional_db, draft, caseworker, colleague
):
    results = race(
        _update(caseworker, draft, outreach_requested=True),
        _update(colleague, draft, participation_requested=True),
    )
    won, lost = outcome(results)
    assert len(won) == 1 and len(lost) == 1, results
    plan = SupportPlan.objects.get(pk=draft.pk)
    assert plan.row_version == 1
    assert (plan.outreach_requested, plan.participation_requested) == (
        won[0].outreach_requested,
        won[0].participation_requested,
    )
    assert update_audits("support_plan", draft.public_id) == 1


@ON_POSTGRESQL
def test_the_compare_and_set_itself_lets_one_through(need_types_kept, transactional_db, draft):
    """No row lock taken first: the UPDATE's own WHERE decides, the second transaction
    waiting on the first's uncommitted row."""
    results = race(
        held_compare_and_set(SupportPlan, draft.pk, 0, {"outreach_requested": True}),
        held_compare_and_set(SupportPlan, draft.pk, 0, {"participation_requested": True}),
    )
    won, lost = outcome(results)
    assert won == [1] and len(lost) == 1, results
    plan = SupportPlan.objects.get(pk=draft.pk)
    assert plan.row_version == 1
    assert plan.outreach_requested != plan.participation_requested


def test_two_connections_one_after_the_other(
    need_types_kept, transactional_db, draft, caseworker, colleague
):
    results = one_after_the_other(
        _update(caseworker, draft, outreach_requested=True),
        _update(colleague, draft, participation_requested=True),
    )
    assert isinstance(results[0], SupportPlan) and isinstance(results[1], EditConflict), results
    plan = SupportPlan.objects.get(pk=draft.pk)
    assert plan.outreach_requested and not plan.participation_requested and plan.row_version == 1
    assert update_audits("support_plan", draft.public_id) == 1


@pytest.mark.django_db
def test_an_approval_opened_before_the_plan_changed_is_refused(
    login, accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    """The coordinator approves the plan they saw: a goal added after they opened the page
    refuses the approval (nothing approved, a message), and approving again then works."""
    from kasane.plans.models import PlanStatus

    plan = make_plan(caseworker, accepted_case)
    approver = login(coordinator)
    seen = SupportPlan.objects.get(pk=plan.pk).row_version
    services.goal_add(actor=caseworker, plan=plan, term="short", text="週1回は外出する")
    assert SupportPlan.objects.get(pk=plan.pk).row_version == seen + 1

    post = {"item": integrated_item.pk}
    approve = reverse("plans:plan_approve", args=[plan.public_id])
    refused = approver.post(approve, {**post, "row_version": seen}, follow=True)
    assert "approved" not in [m.tags for m in refused.context["messages"]]
    assert "ほかの人が変更したため、承認されませんでした" in refused.content.decode()
    assert SupportPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT

    current = SupportPlan.objects.get(pk=plan.pk).row_version
    assert approver.post(approve, {**post, "row_version": current}).status_code == 302
    assert SupportPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


@pytest.mark.django_db
def test_editing_a_goal_or_an_action_counts_as_a_save_of_the_plan(draft, caseworker, colleague):
    goal = services.goal_add(actor=caseworker, plan=draft, term="long", text="家で暮らし続けたい")
    opened_at = SupportPlan.objects.get(pk=draft.pk).row_version
    services.goal_update(actor=colleague, goal=goal, term="long", text="母と家で暮らし続けたい")
    with pytest.raises(EditConflict):
        services.plan_update(
            actor=caseworker, plan=draft, participation_requested=True, row_version=opened_at
        )
    after_goal = SupportPlan.objects.get(pk=draft.pk).row_version
    action = services.action_add(
        actor=colleague, goal=goal, what="月1回の訪問", agency=caseworker.agency
    )
    services.action_remove(actor=colleague, action=action)
    assert SupportPlan.objects.get(pk=draft.pk).row_version == after_goal + 2
