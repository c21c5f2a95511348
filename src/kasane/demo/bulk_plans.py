"""Meetings, consents, assessments, plans and reviews for the bulk cases of a large demo
city (see ``kasane.demo.bulk_activity``), as ``kasane.demo.casework`` tells them for the
story's cases through the services.

A city of 100,000 households takes up some thirty cases a month at its 支援会議 and
重層的支援会議: more than the story's monthly meetings hold, so the bulk cases go to the
meetings of the first and third week (支援会議 on Tuesdays, 重層的支援会議 on Thursdays),
the story's being on the second Tuesday and the fourth Thursday. A case triaged A is taken
up at the next 支援会議 (one triaged B a month later) with its team, who pledge
confidentiality; the agencies on the team get their actions. About two in three households
then consent to the 重層的支援会議, which decides 支援決定 and approves plan version 1
(assessed and agreed by the person beforehand); the plan is reviewed about every three
months, mostly at a 重層的支援会議 on time, sometimes late by the lead agency, and now and
then the review is overdue. Each record comes with its audit event and case event, as
its service writes them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from kasane.audit.models import AuditAction, LegalBasis
from kasane.cases.models import CaseStatus, EventKind, Triage
from kasane.demo.bulk import insert
from kasane.demo.casework_texts import (
    AREAS,
    DIRECTIONS,
    GOALS,
    PERSON_VIEWS,
    REVIEW_EVERY,
    STRENGTHS,
    TASKS,
)
from kasane.meetings.models import (
    DecisionKind,
    MeetingKind,
)
from kasane.plans.builders import (
    build_action,
    build_assessment,
    build_assessment_areas,
    build_evaluations,
    build_goal,
    build_plan,
    build_review,
)
from kasane.plans.models import (
    AgreementMethod,
    AreaEvaluation,
    Assessment,
    AssessmentArea,
    GoalEvaluation,
    GoalResult,
    GoalTerm,
    PlanAction,
    PlanGoal,
    PlanStatus,
    Review,
    ReviewKind,
    SupportPlan,
    Trend,
)
from kasane.privacy.builders import build_consent, given_events
from kasane.privacy.models import Consent, ConsentEvent, ConsentMethod, ConsentPurpose

if TYPE_CHECKING:
    from kasane.demo.bulk_activity import BulkActivity
    from kasane.demo.bulk_cases import BulkCase

from kasane.demo.bulk_meetings import BulkMeetings

DAY = datetime.timedelta(days=1)
CONSENT_SHARE = 0.65  # households that consent to the 重層的支援会議 after the 支援会議
PARTICIPATION_THEMES = ("8050", "disability", "working_age_single")
CONSENT_NOTE = "支援会議の後、訪問して説明し、重層的支援会議での検討に同意を得た。"
SUPPORT_DECISION = (
    "世帯全体への支援を決定。多機関協働で支援チームをつくり、プランに沿って支援する。"
)


class BulkPlans(BulkMeetings):
    def __init__(self, work: BulkActivity, heads: dict[int, tuple[int, str]]) -> None:
        super().__init__(work)
        self.heads = heads  # household id → the current head's person id and public id
        self.consents: list[Consent] = []
        self.consent_agencies: list[tuple[Consent, int]] = []
        self.assessments: list[Assessment] = []
        self.assessment_areas: list[AssessmentArea] = []
        self.plans: list[SupportPlan] = []
        self.goals: list[PlanGoal] = []
        self.actions: list[PlanAction] = []
        self.reviews: list[Review] = []
        self.goal_results: list[GoalEvaluation] = []
        self.area_results: list[AreaEvaluation] = []

    # --- one case ----------------------------------------------------------------------------

    def theme(self, bulk: BulkCase) -> str:
        return bulk.kind if bulk.kind in AREAS and bulk.kind in GOALS else "family"

    def run(self, cases: Iterable[BulkCase]) -> None:
        for bulk in cases:
            case = bulk.case
            if case.triaged_at is None or case.closed_at is not None:
                continue
            triaged = timezone.localtime(case.triaged_at).date()
            if case.triage == Triage.A:
                day = self._after(self.support_days, triaged + 2 * DAY)
            elif case.triage == Triage.B:
                day = self._after(self.support_days, triaged + 30 * DAY)
            else:
                continue
            if day is None:
                continue
            self.support_meeting(bulk, day)
            if self.rng.random() < CONSENT_SHARE:
                self.plan_year(bulk, day)

    def support_meeting(self, bulk: BulkCase, day: datetime.date) -> None:
        item = self.take_up(bulk, MeetingKind.SUPPORT_MEETING, day)
        assert item is not None
        lines = []
        for agency in self.team_agencies(bulk)[1:]:
            due = day + self.rng.choice([14, 21, 30, 45, 60]) * DAY
            key = self.w.a.key_of[agency.pk]
            text = f"{self.task(key)}"
            self.decide(item, DecisionKind.ACTION, text, owner=agency, due_on=due)
            lines.append(f"・{agency.name}：{text}（{due.month}月{due.day}日まで）")
        self.minutes(
            item,
            f"【課題の整理】{'。'.join(a[1] for a in AREAS[self.theme(bulk)][:3])}。\n"
            f"【支援の方向性】{DIRECTIONS[self.theme(bulk)]}\n【役割分担】\n"
            + "\n".join(lines)
            + "\n【守秘義務】出席者全員が社会福祉法第106条の6の守秘義務を確認し、誓約した。",
        )

    @staticmethod
    def task(key: str) -> str:
        return TASKS["houkatsu"] if key.startswith("houkatsu") else TASKS.get(key, TASKS["shakyo"])

    def plan_year(self, bulk: BulkCase, support_day: datetime.date) -> None:
        case = bulk.case
        head = self.heads.get(case.household_id)
        if head is None:
            return
        head_id, head_public_id = head
        obtained = support_day + self.rng.randint(3, 15) * DAY
        day = self._after(self.integrated_days, obtained + 3 * DAY)
        if day is None:
            return
        lead = bulk.lead
        consent = build_consent(
            person=head_id,
            actor=lead,
            purposes=[ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.INTEGRATED_MEETING],
            # The head consents for themself: mostly on the form, sometimes orally.
            method=ConsentMethod.ORAL if head_id % 5 == 0 else ConsentMethod.WRITTEN,
            obtained_on=obtained,
            note=CONSENT_NOTE,
        )
        consent.created_at = consent.updated_at = self.clock(obtained, 16)
        self.consents.append(consent)
        self.consent_agencies.extend((consent, a.pk) for a in self.team_agencies(bulk))
        theme = self.theme(bulk)
        participation = self.w.participation
        matched = (
            theme in PARTICIPATION_THEMES and participation is not None and participation.ready
        )
        if matched:
            assert participation is not None
            consent.purposes = sorted([*consent.purposes, ConsentPurpose.PARTICIPATION])
            if participation.agency.pk not in bulk.team:
                self.consent_agencies.append((consent, participation.agency.pk))
        self.w.log(
            lead,
            AuditAction.CREATE,
            LegalBasis.CASE_TEAM,
            "consent",
            consent,
            person=head_public_id,
            purposes=consent.purposes,
        )
        coordinator = self.coordinator
        agency = coordinator.agency
        assert agency is not None
        assessed = day - self.rng.randint(8, 14) * DAY
        assessment = build_assessment(
            case=case,
            actor=coordinator,
            assessed_on=assessed,
            strengths=self.rng.choice(STRENGTHS),
            wishes=GOALS[theme][0],
        )
        assessment.created_at = assessment.updated_at = self.clock(assessed, 16)
        self.assessments.append(assessment)
        self.assessment_areas.extend(build_assessment_areas(assessment, AREAS[theme]))
        self.w.log(
            coordinator,
            AuditAction.CREATE,
            LegalBasis.COORDINATION,
            "assessment",
            assessment,
            case=case,
            person=None,
        )
        written = day - self.rng.randint(5, 9) * DAY
        agreed = day - self.rng.randint(1, 4) * DAY
        roll = self.rng.random()
        method = (
            AgreementMethod.SIGNED
            if roll < 0.8
            else AgreementMethod.ORAL
            if roll < 0.93
            else AgreementMethod.PROXY
        )
        review_due = self._after(self.integrated_days, day + (REVIEW_EVERY - 10) * DAY) or (
            day + REVIEW_EVERY * DAY
        )
        item = self.take_up(bulk, MeetingKind.INTEGRATED_MEETING, day, to_decide=True)
        assert item is not None
        plan = build_plan(
            case=case,
            actor=coordinator,
            version=1,
            participation_requested=theme in PARTICIPATION_THEMES,
            outreach_requested=theme == "8050",
        )
        # As plan_update, then plan_approve at the meeting's item, leave it.
        plan.agreed_on, plan.agreement_method = agreed, method
        plan.status, plan.approved_at, plan.review_due_on = PlanStatus.APPROVED, item, review_due
        plan.created_at, plan.updated_at = self.clock(written, 16), item.meeting.held_at
        self.plans.append(plan)
        long_goal, short_goals, _revised = GOALS[theme]
        team = self.team_agencies(bulk)
        goals = [build_goal(plan=plan, term=GoalTerm.LONG, text=long_goal, order=0)]
        for number, text in enumerate(short_goals):
            short = build_goal(plan=plan, term=GoalTerm.SHORT, text=text, order=number + 1)
            goals.append(short)
            for owner in team[number::2] or team[:1]:
                self.actions.append(
                    build_action(
                        goal=short,
                        what=self.task(self.w.a.key_of[owner.pk]),
                        agency=owner,
                        due_on=day + REVIEW_EVERY * DAY,
                    )
                )
        self.goals.extend(goals)
        log = self.w.log
        log(
            coordinator,
            AuditAction.CREATE,
            LegalBasis.COORDINATION,
            "support_plan",
            plan,
            case=case,
            version=1,
            copied_from=None,
        )
        log(
            coordinator,
            AuditAction.UPDATE,
            LegalBasis.COORDINATION,
            "support_plan",
            plan,
            fields=["goals", "actions", "agreed_on", "agreement_method", "review_due_on"],
        )
        held_at = item.meeting.held_at
        self.decide(item, DecisionKind.SUPPORT_DECISION, SUPPORT_DECISION)
        case.accepted_at = held_at
        self.w.event(case, EventKind.ACCEPTED, coordinator, held_at)
        log(
            coordinator,
            AuditAction.UPDATE,
            LegalBasis.COORDINATION,
            "case",
            case,
            fields=["accepted_at"],
        )
        plan.approval_decision = self.decide(
            item, DecisionKind.PLAN_APPROVAL, "支援プラン第1版を承認した。"
        )
        case.status = CaseStatus.IN_SUPPORT
        log(
            coordinator,
            AuditAction.UPDATE,
            LegalBasis.COORDINATION,
            "support_plan",
            plan,
            fields=["status", "approved_at", "review_due_on"],
            item=item,
        )
        self.minutes(
            item,
            f"【支援決定】{DIRECTIONS[theme]}\n【プラン】第1版を確認。本人の同意"
            f"（{agreed.month}月{agreed.day}日）を確認のうえ承認した。\n"
            f"【次回評価】{review_due.month}月{review_due.day}日頃",
        )
        if matched:
            assert participation is not None
            participation.propose(case, head_id, head_public_id, day)
        self.reviews_of(bulk, plan, goals, theme)

    def reviews_of(
        self, bulk: BulkCase, plan: SupportPlan, goals: list[PlanGoal], theme: str
    ) -> None:
        """モニタリング until today: on time at a 重層的支援会議 before the due date, late by
        the lead agency, or — the last, now and then — not held: overdue."""
        case = bulk.case
        due = plan.review_due_on
        assert due is not None
        trends = [Trend.BETTER] * 5 + [Trend.SAME] * 4 + [Trend.WORSE]
        results = [GoalResult.ACHIEVED] * 3 + [GoalResult.PARTLY] * 5 + [GoalResult.NOT] * 2
        while due < self.today:
            roll = self.rng.random()
            if roll < 0.1:
                return  # overdue: not held (yet)
            meeting_day = self._after(self.integrated_days, due - 16 * DAY)
            item = None
            if roll < 0.75 and meeting_day is not None and meeting_day <= due:
                item = self.take_up(bulk, MeetingKind.INTEGRATED_MEETING, meeting_day)
            if item is not None:
                held = timezone.localtime(item.meeting.held_at).date()
                actor = self.coordinator
                basis = LegalBasis.COORDINATION
            else:
                held = due + self.rng.randint(10, 35) * DAY
                actor = bulk.lead
                basis = LegalBasis.CASE_TEAM
            if held >= self.today:
                return
            every = self.rng.choice([60, 60, REVIEW_EVERY])
            next_due = self._after(self.integrated_days, held + (every - 10) * DAY) or (
                held + every * DAY
            )
            view = self.rng.choice(PERSON_VIEWS)
            if item is not None:
                self.decide(
                    item,
                    DecisionKind.REVIEW,
                    "プランを継続し、次回あらためて評価する。",
                    next_review_on=next_due,
                )
                self.minutes(
                    item,
                    f"【モニタリング】第1版の目標ごとに達成状況を確認した。本人の声：「{view}」\n"
                    f"【次回評価】{next_due.month}月{next_due.day}日",
                )
            assert actor.agency is not None
            review = build_review(
                case=case,
                actor=actor,
                kind=ReviewKind.REVIEW,
                plan=plan,
                held_on=held,
                person_view=view,
                next_review_on=next_due,
                meeting_item=item,
            )
            review.created_at = review.updated_at = self.clock(held, 16)
            self.reviews.append(review)
            goal_rows, area_rows = build_evaluations(
                review,
                [(g, self.rng.choice(results).value) for g in goals],
                [(a, self.rng.choice(trends).value) for a, _s, _v in AREAS[theme]],
            )
            self.goal_results.extend(goal_rows)
            self.area_results.extend(area_rows)
            self.w.log(
                actor, AuditAction.CREATE, basis, "review", review, case=case, plan_version=1
            )
            plan.review_due_on = next_due
            due = next_due

    # --- writing ---------------------------------------------------------------------------

    def write(self) -> None:
        """After the cases are written (their ids set); before their events."""
        self.write_meetings()
        insert(Consent, self.consents)
        agencies = Consent.agencies.through
        insert(agencies, [agencies(consent=c, agency_id=a) for c, a in self.consent_agencies])
        insert(ConsentEvent, given_events(self.consents))
        insert(Assessment, self.assessments)
        insert(AssessmentArea, self.assessment_areas)
        insert(SupportPlan, self.plans)
        insert(PlanGoal, self.goals)
        insert(PlanAction, self.actions)
        insert(Review, self.reviews)
        insert(GoalEvaluation, self.goal_results)
        insert(AreaEvaluation, self.area_results)
