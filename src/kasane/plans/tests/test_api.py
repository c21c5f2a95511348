"""Plans through the API: the same services and privacy selectors as the pages."""

from __future__ import annotations

import pytest

from kasane.api.tests.conftest import api, assert_error  # noqa: F401
from kasane.audit.models import AuditEvent, LegalBasis
from kasane.cases import services as case_services
from kasane.conftest import head_of
from kasane.meetings import services as meeting_services
from kasane.plans.models import Closure, PlanStatus, SupportPlan
from kasane.plans.tests.conftest import days, today

pytestmark = pytest.mark.django_db


def test_assessment_through_the_api(api, open_case, caseworker, stranger, team_member):
    client = api(caseworker)
    head = head_of(open_case.household)
    response = client.post(
        f"/cases/{open_case.public_id}/assessments",
        {
            "person_id": str(head.public_id),
            "assessed_on": today().isoformat(),
            "areas": [{"area": "money", "situation": "年金のみ", "severity": 2}],
            "wishes": "家で暮らしたい",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person_id"] == str(head.public_id)
    assert body["areas"] == [{"area": "money", "situation": "年金のみ", "severity": 2}]
    got = client.get(f"/assessments/{body['id']}")
    assert got.status_code == 200 and got.json()["wishes"] == "家で暮らしたい"
    assert_error(
        client.post(
            f"/cases/{open_case.public_id}/assessments",
            {"assessed_on": today().isoformat()},
        ),
        400,
        "empty_assessment",
    )
    # Outsiders and a team agency without a basis: nothing.
    assert_error(api(stranger).get(f"/assessments/{body['id']}"), 404, "not_found")
    assert_error(api(team_member).get(f"/assessments/{body['id']}"), 404, "not_found")


def test_plan_versions_and_approval_through_the_api(
    api, accepted_case, caseworker, coordinator, integrated_item, stranger, integrated_meeting
):
    lead = api(caseworker)
    response = lead.post(
        f"/cases/{accepted_case.public_id}/plans",
        {
            "goals": [
                {
                    "term": "long",
                    "text": "家で暮らし続けたい",
                    "actions": [
                        {
                            "what": "訪問",
                            "agency_id": str(caseworker.agency.public_id),
                            "due_on": days(30).isoformat(),
                        }
                    ],
                }
            ],
            "header": {
                "agreed_on": today().isoformat(),
                "agreement_method": "signed",
                "review_due_on": days(90).isoformat(),
            },
        },
    )
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["version"] == 1 and plan["status"] == "draft"
    goal_id = plan["goals"][0]["goal_id"]
    # An action for an agency not on the team is refused, naming it.
    refused = assert_error(
        lead.post(
            f"/plans/{plan['id']}/goals",
            {
                "term": "short",
                "text": "x",
                "actions": [{"what": "y", "agency_id": str(stranger.agency.public_id)}],
            },
        ),
        400,
        "agency_not_on_team",
    )
    assert stranger.agency.name in refused["message"]
    assert SupportPlan.objects.get().goals.count() == 1  # the refused goal left nothing
    # Approved at a meeting that did not take up this case: refused.
    other_meeting = meeting_services.meeting_create(
        actor=coordinator,
        kind="support_meeting",
        held_at=integrated_meeting.held_at,
        place="市役所",
    )
    meeting_services.pledge_record(actor=coordinator, attendee=other_meeting.attendees.get())
    other_item = meeting_services.agenda_add(
        actor=coordinator, meeting=other_meeting, case=accepted_case
    )
    coord = api(coordinator)
    assert_error(
        coord.post(f"/plans/{plan['id']}/approve", {"agenda_item_id": str(other_item.public_id)}),
        400,
        "approval_needs_integrated_meeting",
    )
    response = coord.post(
        f"/plans/{plan['id']}/approve", {"agenda_item_id": str(integrated_item.public_id)}
    )
    assert response.status_code == 200, response.content
    approved = response.json()
    assert approved["status"] == "approved"
    assert approved["approved_at"]["agenda_item_id"] == str(integrated_item.public_id)
    assert approved["approved_at"]["decision_id"]
    # A second version copies the goals, keeping their ids.
    v2 = lead.post(f"/cases/{accepted_case.public_id}/plans", {}).json()
    assert v2["version"] == 2 and v2["goals"][0]["goal_id"] == goal_id
    assert SupportPlan.objects.get(version=1).status == PlanStatus.APPROVED
    # Review and closure.
    review = lead.post(
        f"/cases/{accepted_case.public_id}/reviews",
        {
            "held_on": today().isoformat(),
            "goals": [{"goal_id": goal_id, "result": "partly"}],
            "areas": [{"area": "money", "trend": "better"}],
            "next_review_on": days(60).isoformat(),
        },
    )
    assert review.status_code == 201, review.content
    assert_error(
        lead.post(
            f"/cases/{accepted_case.public_id}/closure",
            {"reason": "goals_met", "held_on": today().isoformat()},
        ),
        400,
        "closure_needs_integrated_meeting",
    )
    closed = coord.post(
        f"/cases/{accepted_case.public_id}/closure",
        {
            "reason": "goals_met",
            "held_on": today().isoformat(),
            "agenda_item_id": str(integrated_item.public_id),
            "goals": [{"goal_id": goal_id, "result": "achieved"}],
        },
    )
    assert closed.status_code == 201, closed.content
    assert closed.json()["evaluation"]["kind"] == "closure"
    assert Closure.objects.get().decided_at == integrated_item
    assert_error(
        lead.post(
            f"/cases/{accepted_case.public_id}/reviews",
            {
                "held_on": today().isoformat(),
                "goals": [{"goal_id": goal_id, "result": "partly"}],
                "next_review_on": days(60).isoformat(),
            },
        ),
        400,
        "case_closed",
    )
    read = AuditEvent.objects.filter(
        object_type="support_plan", action="view", actor=caseworker
    ).first()
    assert read is not None and read.legal_basis == LegalBasis.OWN_AGENCY


def test_a_review_of_a_closed_case_through_the_api(api, open_case, caseworker):
    case_services.case_close(actor=caseworker, case=open_case, reason="転居")
    assert_error(
        api(caseworker).post(
            f"/cases/{open_case.public_id}/reviews",
            {"held_on": today().isoformat(), "next_review_on": days(30).isoformat()},
        ),
        400,
        "case_closed",
    )
