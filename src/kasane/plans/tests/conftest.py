"""Plan fixtures: a case with 支援決定 and consent, on the agenda of a 重層的支援会議 held by
the coordinator; the 障害 agency on the team; and a draft plan ready for approval."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.cases import services as case_services
from kasane.meetings import services as meeting_services
from kasane.meetings.models import AgendaItem, Meeting
from kasane.meetings.tests.conftest import (  # noqa: F401
    coord_case,
    give_consent,
    integrated_meeting,
    support_meeting,
    when,
)
from kasane.plans import services
from kasane.plans.models import AgreementMethod, SupportPlan


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def team_member(open_case: Any, caseworker: Staff, outsider: Staff) -> Staff:
    """The 障害 agency's caseworker, on the case's team after accepting a referral; without
    consent it has no basis to read the case's details."""
    assert outsider.agency is not None
    referral = case_services.referral_create(
        actor=caseworker,
        case=open_case,
        to_agency=outsider.agency,
        reason="障害福祉サービスの検討",
        request="同行訪問",
    )
    case_services.referral_accept(actor=outsider, referral=referral)
    return outsider


@pytest.fixture
def accepted_case(coord_case: Any, coordinator: Staff, give_consent: Callable[..., Any]) -> Any:
    """The case with 支援決定, and the head's consent covering coordination and the lead."""
    case = case_services.case_accept(actor=coordinator, case=coord_case)
    give_consent(case, agencies=[coordinator.agency, case.lead_agency])
    return case


@pytest.fixture
def integrated_item(
    accepted_case: Any, coordinator: Staff, integrated_meeting: Meeting
) -> AgendaItem:
    return meeting_services.agenda_add(
        actor=coordinator, meeting=integrated_meeting, case=accepted_case
    )


@pytest.fixture
def make_plan() -> Callable[..., SupportPlan]:
    """``make_plan(actor, case)``: a draft with a goal, an action for the lead agency and the
    person's agreement — ready for approval."""

    def _make(actor: Staff, case: Any, *, agreed: bool = True) -> SupportPlan:
        plan = services.plan_create(actor=actor, case=case)
        goal = services.goal_add(
            actor=actor, plan=plan, term="long", text="家族みんなが安心して暮らしたい"
        )
        services.action_add(
            actor=actor, goal=goal, what="月1回の訪問", agency=case.lead_agency, due_on=days(30)
        )
        if agreed:
            plan = services.plan_update(
                actor=actor,
                plan=plan,
                agreed_on=today(),
                agreement_method=AgreementMethod.SIGNED,
                review_due_on=days(90),
            )
        return plan

    return _make
