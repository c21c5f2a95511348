"""Meetings, plans, days to a first plan and reviews on a hand-built FY2024 (2024-04-01 to
2025-03-31, JST), made through the real services.

The story, by case:
- P1: consultation at 00:30 on 2024-04-01 (the first hour of the 年度), sent to coordination;
  taken up at the 支援会議 S1; v1 approved at the 重層的支援会議 M1 on 2024-05-11 (40 days);
  reviewed 2024-08-01 (due 08-10: on time) and 2024-11-05 (due 11-01: late), next due
  2025-02-01 — never held, but v2 is approved at M3 in the last hour of the 年度, so at the
  year's end the plan in force is v2 (due 2025-06-30) and nothing is overdue for P1.
- P2: opened 2024-06-01 with no consultation (counted from the opening); on S1's agenda; v1
  approved at M2 on 2024-07-21 (50 days); reviewed 2024-10-21 (due that day: on time), next
  due 2025-03-15, held only on 2025-04-10 — overdue at the end of FY2024, late in FY2025.
- P3: consultation 2024-09-01; v1 approved at M3 at 23:30 on 2025-03-31 (211 days).
- P4: consultation 2025-02-01; v1 approved at M4 at 00:10 on 2025-04-01 (FY2025).
A planned 支援会議 and a cancelled 重層的支援会議 in FY2024 count for nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.cases.services import clock_at
from kasane.conftest import StaffFactory, make_household
from kasane.core.dates import fiscal_year
from kasane.evaluation.computations import compute
from kasane.evaluation.tests.test_computations import YEAR, at
from kasane.intake import services as intake_services
from kasane.intake.models import NeedType, Outcome
from kasane.meetings import services as meeting_services
from kasane.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from kasane.meetings.tests.conftest import give_consent  # noqa: F401
from kasane.plans import services as plan_services
from kasane.plans.models import AgreementMethod, SupportPlan

D = datetime.date


@pytest.fixture
def chair(db: Any) -> Staff:
    """The municipality's coordinator, who holds the 支援会議."""
    agency = Agency.objects.create(
        name="かさね市 福祉政策課",
        agency_type="municipality",
        confidentiality_basis="public_servant",
    )
    return StaffFactory.create(username="chair", agency=agency, role=Role.COORDINATOR)


class Story:
    def __init__(
        self, caseworker: Staff, coordinator: Staff, chair: Staff, consent: Callable[..., Any]
    ) -> None:
        self.caseworker = caseworker
        self.coordinator = coordinator
        self.chair = chair
        self.consent = consent
        self.kana = iter(f"ケイカク {chr(0x30A2 + i)}" for i in range(0, 40, 2))
        self.need = NeedType.objects.get(code="8050")

    def consulted(self, when: datetime.datetime) -> Case:
        """A consultation sent to coordination: it opens the case at that moment."""
        household = make_household(self.caseworker.agency, kana=next(self.kana))  # type: ignore[arg-type]
        with clock_at(when):
            consultation = intake_services.consultation_record(
                actor=self.caseworker,
                received_at=when,
                requester="family",
                channel="phone",
                household=household,
                needs=[self.need],
                main_need=self.need,
                domains=["elderly"],
                summary="母と息子の今後が心配。",
                outcome=Outcome.COORDINATION,
                coordination_reason="複合課題",
            )
        assert consultation.case is not None
        return self.accepted(consultation.case, when)

    def opened(self, when: datetime.datetime) -> Case:
        household = make_household(self.caseworker.agency, kana=next(self.kana))  # type: ignore[arg-type]
        case = case_services.case_open(actor=self.caseworker, household=household, opened_at=when)
        with clock_at(when):
            case_services.case_send_to_coordination(actor=self.caseworker, case=case, reason="複合")
        return self.accepted(case, when)

    def accepted(self, case: Case, when: datetime.datetime) -> Case:
        with clock_at(when):
            case_services.case_triage(actor=self.coordinator, case=case, triage="A")
            case = case_services.case_accept(actor=self.coordinator, case=case, at=when)
        self.consent(case, agencies=[self.coordinator.agency, case.lead_agency])
        return case

    def meeting(
        self, kind: str, when: datetime.datetime, status: str = MeetingStatus.HELD
    ) -> Meeting:
        actor = self.chair if kind == MeetingKind.SUPPORT_MEETING else self.coordinator
        meeting = meeting_services.meeting_create(
            actor=actor, kind=kind, held_at=when, place="市役所 会議室A"
        )
        return meeting_services.meeting_status_change(actor=actor, meeting=meeting, status=status)

    def take_up(self, meeting: Meeting, case: Case) -> AgendaItem:
        actor = self.chair if meeting.kind == MeetingKind.SUPPORT_MEETING else self.coordinator
        return meeting_services.agenda_add(actor=actor, meeting=meeting, case=case)

    def approve(self, case: Case, meeting: Meeting, review_due_on: D) -> SupportPlan:
        item = self.take_up(meeting, case)
        plan = plan_services.plan_create(actor=self.caseworker, case=case)
        if plan.version == 1:
            goal = plan_services.goal_add(
                actor=self.caseworker, plan=plan, term="long", text="安心して暮らしたい"
            )
            plan_services.action_add(
                actor=self.caseworker,
                goal=goal,
                what="月1回の訪問",
                agency=case.lead_agency,  # type: ignore[arg-type]
            )
        plan = plan_services.plan_update(
            actor=self.caseworker,
            plan=plan,
            agreed_on=meeting.held_at.date(),
            agreement_method=AgreementMethod.SIGNED,
            review_due_on=review_due_on,
        )
        return plan_services.plan_approve(
            actor=self.coordinator, plan=plan, item=item, review_due_on=review_due_on
        )

    def review(self, case: Case, held_on: D, next_on: D) -> None:
        plan = case.plans.get(status="approved")
        plan_services.review_record(
            actor=self.caseworker,
            case=case,
            held_on=held_on,
            goal_results={goal.pk: "partly" for goal in plan.goals.all()},
            next_review_on=next_on,
        )


@pytest.fixture
def story(
    caseworker: Staff, coordinator: Staff, chair: Staff, give_consent: Callable[..., Any]
) -> dict[str, Case]:
    s = Story(caseworker, coordinator, chair, give_consent)
    p1 = s.consulted(at(2024, 4, 1, 0, 30))
    p2 = s.opened(at(2024, 6, 1))
    p3 = s.consulted(at(2024, 9, 1))
    p4 = s.consulted(at(2025, 2, 1))

    s1 = s.meeting(MeetingKind.SUPPORT_MEETING, at(2024, 6, 11, 14))
    s.take_up(s1, p1)
    s.take_up(s1, p2)
    s.meeting(MeetingKind.SUPPORT_MEETING, at(2024, 10, 8, 14), MeetingStatus.PLANNED)
    s.meeting(MeetingKind.INTEGRATED_MEETING, at(2024, 12, 12, 14), MeetingStatus.CANCELLED)
    m1 = s.meeting(MeetingKind.INTEGRATED_MEETING, at(2024, 5, 11, 10))
    m2 = s.meeting(MeetingKind.INTEGRATED_MEETING, at(2024, 7, 21, 10))
    m3 = s.meeting(MeetingKind.INTEGRATED_MEETING, at(2025, 3, 31, 23, 30))
    m4 = s.meeting(MeetingKind.INTEGRATED_MEETING, at(2025, 4, 1, 0, 10))

    s.approve(p1, m1, D(2024, 8, 10))
    s.review(p1, D(2024, 8, 1), D(2024, 11, 1))  # on time
    s.review(p1, D(2024, 11, 5), D(2025, 2, 1))  # late
    s.approve(p2, m2, D(2024, 10, 21))
    s.review(p2, D(2024, 10, 21), D(2025, 3, 15))  # on time, on the day
    s.review(p2, D(2025, 4, 10), D(2025, 7, 1))  # late, in FY2025
    # The plan's own schedule is moved by the review on 2025-04-10; P1's v2 replaces v1.
    s.approve(p1, m3, D(2025, 6, 30))
    s.approve(p3, m3, D(2025, 6, 30))
    s.approve(p4, m4, D(2025, 7, 1))
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4}


def test_meetings_held_and_the_cases_they_took_up(story: dict[str, Case]) -> None:
    result = compute("meetings_held", YEAR)
    assert result.value == 4  # S1, M1, M2, M3; not the planned S2 nor the cancelled one
    assert result.breakdown == {"support_meeting": 1, "integrated_meeting": 3}
    assert result.figures["cases_support_meeting"] == 2  # P1, P2
    assert result.figures["cases_integrated_meeting"] == 3  # P1 (twice), P2, P3
    assert result.figures["cases"] == 3

    later = compute("meetings_held", YEAR + 1)
    assert later.value == 1 and later.breakdown["integrated_meeting"] == 1
    assert later.figures["cases"] == 1


def test_plans_made_first_and_revised(story: dict[str, Case]) -> None:
    result = compute("plans_made", YEAR)
    assert result.value == 4
    assert result.breakdown == {"first": 3, "revised": 1}
    assert compute("plans_made", YEAR + 1).breakdown == {"first": 1, "revised": 0}
    # Drafts are counted by when they were written: all of them today, none in FY2024.
    assert result.figures["drafts_started"] == 0
    current = compute("plans_made", _this_fiscal_year())
    assert current.figures["drafts_started"] == 5
    assert current.value == 0


def _this_fiscal_year() -> int:
    return fiscal_year(timezone.localdate())


def test_days_from_first_consultation_to_first_approved_plan(story: dict[str, Case]) -> None:
    result = compute("days_to_first_plan", YEAR)
    # P1: 04-01 → 05-11 = 40 days; P2 (no consultation, opened 06-01) → 07-21 = 50 days;
    # P3: 2024-09-01 → 2025-03-31 = 211 days. P1's v2 is not a first plan.
    assert result.breakdown == {"cases": 3}
    assert result.value == Decimal("50.0")  # the median
    # 90th percentile, interpolated: 50 + 0.8 × (211 − 50) = 178.8
    assert result.figures["p90_days"] == Decimal("178.8")
    assert result.figures["mean_days"] == Decimal("100.3")
    later = compute("days_to_first_plan", YEAR + 1)
    assert later.breakdown == {"cases": 1}  # P4: 2025-02-01 → 2025-04-01 = 59 days
    assert later.value == Decimal("59.0")
    assert later.figures["p90_days"] == Decimal("59.0")


def test_reviews_on_time_late_and_overdue(story: dict[str, Case]) -> None:
    result = compute("reviews_on_time", YEAR)
    assert result.breakdown == {"on_time": 2, "late": 1, "overdue": 1}
    assert result.figures["held"] == 3  # reviews held in the year
    assert result.value == Decimal("50.0")  # on time, of the four due

    later = compute("reviews_on_time", YEAR + 1)
    # P2's review of 2025-04-10 was late; never held since: P2 (due 2025-07-01), P1 v2 and
    # P3 (2025-06-30), P4 (2025-07-01).
    assert later.breakdown == {"on_time": 0, "late": 1, "overdue": 4}


def test_month_narrowing_of_meetings_plans_and_reviews(story: dict[str, Case]) -> None:
    may = compute("meetings_held", YEAR, month=5)
    assert may.value == 1 and may.breakdown["integrated_meeting"] == 1
    march = compute("plans_made", YEAR, month=3)
    assert march.breakdown == {"first": 1, "revised": 1}
    august = compute("reviews_on_time", YEAR, month=8)
    assert august.breakdown["on_time"] == 1 and august.breakdown["late"] == 0
    # At the end of February 2025, P1's review due 2025-02-01 had not been held, and v2
    # was not yet approved.
    february = compute("reviews_on_time", YEAR, month=2)
    assert february.breakdown == {"on_time": 0, "late": 0, "overdue": 1}
    assert compute("days_to_first_plan", YEAR, month=7).value == Decimal("50.0")


def test_domain_narrowing_follows_the_consultations_of_the_case(story: dict[str, Case]) -> None:
    # Only P1, P3 and P4 have a consultation (touching elderly); P2 has none.
    elderly = compute("days_to_first_plan", YEAR, domain="elderly")
    assert elderly.breakdown == {"cases": 2}
    child = compute("days_to_first_plan", YEAR, domain="child")
    assert child.breakdown == {"cases": 0} and child.value is None
    meetings = compute("meetings_held", YEAR, domain="elderly")
    assert meetings.breakdown == {"support_meeting": 1, "integrated_meeting": 2}
    assert meetings.figures["cases_support_meeting"] == 1
    assert compute("plans_made", YEAR, domain="elderly").breakdown == {"first": 2, "revised": 1}
    assert compute("reviews_on_time", YEAR, domain="elderly").breakdown == {
        "on_time": 1,
        "late": 1,
        "overdue": 0,
    }
