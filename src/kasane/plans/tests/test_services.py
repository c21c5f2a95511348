"""Plan services: assessment, versioned plans, approval at a 重層的支援会議, reviews and
closure — including every bad input of issue #4 that concerns plans."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kasane.accounts.models import Notification
from kasane.audit.models import AuditEvent, LegalBasis
from kasane.cases import services as case_services
from kasane.cases.models import CaseStatus
from kasane.conftest import head_of, make_household
from kasane.meetings import services as meeting_services
from kasane.meetings.models import Decision, DecisionKind
from kasane.plans import services
from kasane.plans.models import (
    Closure,
    ClosureReason,
    GoalResult,
    PlanStatus,
    ReviewKind,
    Severity,
    SupportPlan,
)
from kasane.plans.services import AreaInput
from kasane.plans.tests.conftest import days, today
from kasane.privacy.cases import NoDetailBasis

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [e.code or "" for errors in error.error_dict.values() for e in errors]
    return [e.code or "" for e in error.error_list]


def refused(call, code: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    assert codes(caught.value) == [code], caught.value
    return caught.value


# --- assessment --------------------------------------------------------------------------


def test_assessment_of_the_household_and_of_a_member(open_case, caseworker):
    household_level = services.assessment_create(
        actor=caseworker,
        case=open_case,
        assessed_on=today(),
        areas=[
            AreaInput("money", "年金のみで家計が逼迫", Severity.SERIOUS),
            AreaInput("health", "", Severity.NONE),  # nothing to say: not stored
        ],
        strengths="近所づきあいがある",
        wishes="このまま家で暮らしたい",
    )
    assert household_level.person is None
    assert [(a.area, a.severity) for a in household_level.areas.all()] == [("money", 2)]
    head = head_of(open_case.household)
    member_level = services.assessment_create(
        actor=caseworker,
        case=open_case,
        person=head,
        assessed_on=today(),
        areas=[AreaInput("social", "外出は週1回", Severity.MILD)],
    )
    assert member_level.person == head
    event = AuditEvent.objects.filter(object_type="assessment").first()
    assert event is not None and event.legal_basis == LegalBasis.OWN_AGENCY


def test_assessment_refuses_a_person_of_another_household(open_case, caseworker):
    other = head_of(make_household(caseworker.agency, name="別世帯 太郎", kana="ベツセタイ タロウ"))
    refused(
        lambda: services.assessment_create(
            actor=caseworker,
            case=open_case,
            person=other,
            assessed_on=today(),
            areas=[AreaInput("money", "x", Severity.MILD)],
        ),
        "person_not_member",
    )
    refused(
        lambda: services.assessment_create(
            actor=caseworker, case=open_case, assessed_on=today(), areas=[]
        ),
        "empty_assessment",
    )
    refused(
        lambda: services.assessment_create(
            actor=caseworker,
            case=open_case,
            assessed_on=days(3),
            areas=[AreaInput("money", "x", Severity.MILD)],
        ),
        "future",
    )


def test_outsider_and_team_agency_without_basis_cannot_write(
    open_case, team_member, stranger, give_consent
):
    def write(actor):
        return services.assessment_create(
            actor=actor,
            case=open_case,
            assessed_on=today(),
            areas=[AreaInput("money", "x", Severity.MILD)],
        )

    with pytest.raises(PermissionDenied) as outside:
        write(stranger)
    assert not isinstance(outside.value, NoDetailBasis)
    with pytest.raises(NoDetailBasis):
        write(team_member)
    give_consent(open_case, agencies=[team_member.agency])
    assessment = write(team_member)
    event = AuditEvent.objects.filter(object_type="assessment", actor=team_member).get()
    assert assessment.pk and event.legal_basis == LegalBasis.CONSENT


# --- plans -------------------------------------------------------------------------------


def test_action_for_an_agency_not_on_the_team_is_refused(open_case, caseworker, stranger):
    plan = services.plan_create(actor=caseworker, case=open_case)
    goal = services.goal_add(actor=caseworker, plan=plan, term="short", text="週1回外出する")
    error = refused(
        lambda: services.action_add(
            actor=caseworker, goal=goal, what="就労体験の調整", agency=stranger.agency
        ),
        "agency_not_on_team",
    )
    assert stranger.agency.name in error.messages[0]
    assert not goal.actions.exists()


def test_plan_approved_at_the_integrated_meeting_that_took_up_the_case(
    accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    plan = make_plan(caseworker, accepted_case)
    # The lead agency did not hold the meeting: the organiser records the approval.
    refused(
        lambda: services.plan_approve(actor=caseworker, plan=plan, item=integrated_item),
        "not_organizer",
    )
    plan = services.plan_approve(actor=coordinator, plan=plan, item=integrated_item)
    assert plan.status == PlanStatus.APPROVED and plan.approved_at == integrated_item
    accepted_case.refresh_from_db()
    assert accepted_case.status == "in_support"  # the plan is approved: 支援中
    decision = Decision.objects.get()
    assert decision.kind == DecisionKind.PLAN_APPROVAL and decision.item == integrated_item
    assert plan.approval_decision == decision
    event = AuditEvent.objects.filter(
        object_type="support_plan", action="update", actor=coordinator
    ).get()
    # The head's consent covers the coordination agency (the strongest basis is named).
    assert event.legal_basis == LegalBasis.CONSENT


def test_plan_approval_at_a_meeting_that_did_not_take_up_the_case_is_refused(
    accepted_case,
    caseworker,
    coordinator,
    integrated_meeting,
    integrated_item,
    make_plan,
    give_consent,
):
    other = case_services.case_open(
        actor=caseworker,
        household=make_household(caseworker.agency, name="別世帯 花子", kana="ベツセタイ ハナコ"),
    )
    case_services.case_send_to_coordination(actor=caseworker, case=other, reason="困窮")
    case_services.case_triage(actor=coordinator, case=other, triage="A")
    other = case_services.case_accept(actor=coordinator, case=other)
    give_consent(other, agencies=[coordinator.agency])
    other_item = meeting_services.agenda_add(
        actor=coordinator, meeting=integrated_meeting, case=other
    )
    plan = make_plan(caseworker, accepted_case)
    error = refused(
        lambda: services.plan_approve(actor=coordinator, plan=plan, item=other_item),
        "approval_meeting_other_case",
    )
    assert "取り上げていません" in error.messages[0]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not Decision.objects.exists()


def test_plan_approval_at_a_support_meeting_is_refused(
    accepted_case, caseworker, coordinator, support_meeting, make_plan
):
    meeting_services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = meeting_services.agenda_add(
        actor=coordinator, meeting=support_meeting, case=accepted_case
    )
    plan = make_plan(caseworker, accepted_case)
    refused(
        lambda: services.plan_approve(actor=coordinator, plan=plan, item=item),
        "approval_needs_integrated_meeting",
    )


def test_plan_approval_needs_goals_and_the_persons_agreement(
    accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    plan = make_plan(caseworker, accepted_case, agreed=False)
    refused(
        lambda: services.plan_approve(actor=coordinator, plan=plan, item=integrated_item),
        "agreement_required",
    )
    empty = SupportPlan.objects.get(pk=plan.pk)
    empty.goals.all().delete()
    refused(
        lambda: services.plan_approve(actor=coordinator, plan=empty, item=integrated_item),
        "plan_without_goals",
    )


def test_a_new_version_copies_the_old_and_never_overwrites_it(
    accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    v1 = services.plan_approve(
        actor=coordinator, plan=make_plan(caseworker, accepted_case), item=integrated_item
    )
    v2 = services.plan_create(actor=caseworker, case=accepted_case)
    assert v2.version == 2 and v2.status == PlanStatus.DRAFT
    assert v2.agreed_on is None  # the person agrees to each version anew
    [goal] = v2.goals.all()
    [old_goal] = v1.goals.all()
    assert (goal.text, goal.lineage) == (old_goal.text, old_goal.lineage) and goal.pk != old_goal.pk
    assert [a.what for a in goal.actions.all()] == ["月1回の訪問"]
    services.goal_update(actor=caseworker, goal=goal, term="long", text="息子が働きたい")
    services.goal_add(actor=caseworker, plan=v2, term="short", text="ハローワークに行く")
    old_goal.refresh_from_db()
    assert old_goal.text == "家族みんなが安心して暮らしたい"
    refused(lambda: services.plan_create(actor=caseworker, case=accepted_case), "draft_exists")
    refused(
        lambda: services.goal_add(actor=caseworker, plan=v1, term="long", text="x"),
        "plan_not_draft",
    )
    services.plan_update(
        actor=caseworker,
        plan=v2,
        agreed_on=today(),
        agreement_method="oral",
        review_due_on=days(60),
    )
    services.plan_approve(actor=coordinator, plan=v2, item=integrated_item)
    v1.refresh_from_db()
    assert v1.status == PlanStatus.SUPERSEDED
    assert Decision.objects.filter(kind=DecisionKind.PLAN_APPROVAL).count() == 2


# --- reviews -----------------------------------------------------------------------------


def _approved(case, caseworker, coordinator, item, make_plan):
    return services.plan_approve(actor=coordinator, plan=make_plan(caseworker, case), item=item)


def test_review_evaluates_every_goal_and_moves_the_next_review(
    accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    plan = _approved(accepted_case, caseworker, coordinator, integrated_item, make_plan)
    goal = plan.goals.get()
    refused(
        lambda: services.review_record(
            actor=caseworker,
            case=accepted_case,
            held_on=today(),
            goal_results={},
            next_review_on=days(60),
        ),
        "goals_not_evaluated",
    )
    review = services.review_record(
        actor=caseworker,
        case=accepted_case,
        held_on=today(),
        goal_results={goal.pk: GoalResult.PARTLY},
        area_results={"money": "better", "health": "same"},
        person_view="少し楽になった",
        next_review_on=days(60),
    )
    assert review.kind == ReviewKind.REVIEW and review.plan == plan
    assert review.due_on == days(90)
    plan.refresh_from_db()
    assert plan.review_due_on == days(60)
    assert {a.area: a.trend for a in review.area_results.all()} == {
        "money": "better",
        "health": "same",
    }


def test_a_review_of_a_closed_case_is_refused(open_case, caseworker):
    case_services.case_close(actor=caseworker, case=open_case, reason="転居")
    error = refused(
        lambda: services.review_record(
            actor=caseworker,
            case=open_case,
            held_on=today(),
            goal_results={},
            next_review_on=days(30),
        ),
        "case_closed",
    )
    assert "終結" in error.messages[0]


def test_a_review_needs_an_approved_plan(open_case, caseworker):
    refused(
        lambda: services.review_record(
            actor=caseworker,
            case=open_case,
            held_on=today(),
            goal_results={},
            next_review_on=days(30),
        ),
        "no_approved_plan",
    )


# --- closure -----------------------------------------------------------------------------


def test_closure_of_an_accepted_case_without_an_integrated_meeting_is_refused(
    accepted_case, caseworker, coordinator, support_meeting
):
    error = refused(
        lambda: services.closure_record(
            actor=caseworker, case=accepted_case, reason=ClosureReason.GOALS_MET
        ),
        "closure_needs_integrated_meeting",
    )
    assert "重層的支援会議" in error.messages[0]
    meeting_services.pledge_record(actor=coordinator, attendee=support_meeting.attendees.get())
    item = meeting_services.agenda_add(
        actor=coordinator, meeting=support_meeting, case=accepted_case
    )
    refused(
        lambda: services.closure_record(
            actor=coordinator, case=accepted_case, reason=ClosureReason.GOALS_MET, item=item
        ),
        "closure_needs_integrated_meeting",
    )
    accepted_case.refresh_from_db()
    assert accepted_case.is_open and not Closure.objects.exists()


def test_closure_decided_at_the_integrated_meeting(
    accepted_case, caseworker, coordinator, integrated_item, make_plan
):
    plan = _approved(accepted_case, caseworker, coordinator, integrated_item, make_plan)
    goal = plan.goals.get()
    closure = services.closure_record(
        actor=coordinator,
        case=accepted_case,
        reason=ClosureReason.GOALS_MET,
        item=integrated_item,
        goal_results={goal.pk: GoalResult.ACHIEVED},
        area_results={"family": "better"},
        person_view="安心して暮らせている",
    )
    accepted_case.refresh_from_db()
    assert accepted_case.status == CaseStatus.CLOSED
    assert closure.decided_at == integrated_item
    assert closure.evaluation is not None and closure.evaluation.kind == ReviewKind.CLOSURE
    assert closure.evaluation.goal_results.get().result == GoalResult.ACHIEVED
    assert Decision.objects.filter(kind=DecisionKind.CLOSURE, item=integrated_item).exists()
    refused(
        lambda: services.closure_record(
            actor=coordinator, case=accepted_case, reason="goals_met", item=integrated_item
        ),
        "case_closed",
    )


def test_closure_without_support_decision_by_the_lead_tells_the_coordinator(
    coord_case, caseworker, coordinator, team_member, give_consent
):
    give_consent(coord_case, agencies=[team_member.agency])
    refused(
        lambda: services.closure_record(
            actor=team_member, case=coord_case, reason=ClosureReason.MOVED_AWAY
        ),
        "not_lead",
    )
    refused(
        lambda: services.closure_record(actor=caseworker, case=coord_case, reason="other"),
        "reason_required",
    )
    services.closure_record(actor=caseworker, case=coord_case, reason=ClosureReason.MOVED_AWAY)
    coord_case.refresh_from_db()
    assert coord_case.status == CaseStatus.CLOSED
    note = Notification.objects.get(recipient=coordinator)
    assert coord_case.number in note.message
    status_event = coord_case.events.filter(kind="status").get()
    assert status_event.detail["to"] == "closed"


def test_closure_with_an_open_referral_saves_nothing(open_case, caseworker, stranger, refer):
    refer(caseworker, open_case, stranger.agency)
    refused(
        lambda: services.closure_record(
            actor=caseworker, case=open_case, reason=ClosureReason.REFUSED
        ),
        "open_referrals",
    )
    assert not Closure.objects.exists()
    open_case.refresh_from_db()
    assert open_case.is_open


def test_a_bare_plan_approval_or_closure_decision_is_refused(
    accepted_case, coordinator, integrated_item
):
    from kasane.meetings import services as meeting_services

    for kind in (DecisionKind.PLAN_APPROVAL, DecisionKind.CLOSURE):
        refused(
            lambda kind=kind: meeting_services.decision_add(
                actor=coordinator, item=integrated_item, kind=kind, text="承認"
            ),
            "use_plan_pages",
        )
    assert not Decision.objects.exists()
