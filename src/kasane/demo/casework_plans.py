"""Plans in the demo's casework: assessment, the plan's versions, reviews (モニタリング) and
closures."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from kasane.accounts.models import Notification
from kasane.accounts.notifications import notifications_read
from kasane.cases import services as cases
from kasane.cases.models import Case, ReferralStatus
from kasane.meetings import services as meetings
from kasane.meetings.models import (
    AgendaItem,
    DecisionKind,
    MeetingKind,
)
from kasane.plans import services as plans
from kasane.plans.models import (
    AgreementMethod,
    ClosureReason,
    GoalResult,
    GoalTerm,
    PlanStatus,
    SupportPlan,
    Trend,
)

if TYPE_CHECKING:
    pass
from kasane.demo.casework_meetings import MeetingWork
from kasane.demo.casework_texts import (
    AREAS,
    CLOSURE_NOTES,
    DAY,
    DIRECTIONS,
    GOALS,
    PERSON_VIEWS,
    REVIEW_EVERY,
    STRENGTHS,
)
from kasane.demo.meeting_calendar import Story, month_day


class PlanWork(MeetingWork):
    def assess(self, story: Story, day: datetime.date) -> None:
        rows = AREAS[story.theme]
        with cases.clock_at(self.clock(day)):
            plans.assessment_create(
                actor=self.coordinator,
                case=story.case,
                assessed_on=min(day, self.today - DAY),
                areas=[plans.AreaInput(a, s, v) for a, s, v in rows],
                strengths=self.rng.choice(STRENGTHS),
                wishes=GOALS[story.theme][0],
            )

    def draft(self, story: Story, meeting_day: datetime.date, *, revise: bool) -> SupportPlan:
        """A draft plan (version 1, or the next version revising a short-term goal),
        agreed by the person before the meeting that approves it."""
        case = story.case
        long_goal, short_goals, revised = GOALS[story.theme]
        team = self.team_keys(case)
        written = meeting_day - self.rng.randint(5, 9) * DAY
        with cases.clock_at(self.clock(written)):
            plan = plans.plan_create(actor=self.coordinator, case=case)
            if not revise:
                goal = plans.goal_add(
                    actor=self.coordinator, plan=plan, term=GoalTerm.LONG, text=long_goal
                )
                for number, text in enumerate(short_goals):
                    short = plans.goal_add(
                        actor=self.coordinator, plan=plan, term=GoalTerm.SHORT, text=text
                    )
                    for key in team[number::2] or team[:1]:
                        plans.action_add(
                            actor=self.coordinator,
                            goal=short,
                            what=self.task(key),
                            agency=self.a.agencies[key],
                            due_on=meeting_day + REVIEW_EVERY * DAY,
                        )
                del goal
            else:
                last = plan.goals.filter(term=GoalTerm.SHORT).order_by("-order").first()
                assert last is not None
                plans.goal_update(
                    actor=self.coordinator, goal=last, term=GoalTerm.SHORT, text=revised
                )
                plans.action_add(
                    actor=self.coordinator,
                    goal=last,
                    what=f"「{revised}」に向けた同行と振り返り",
                    agency=self.a.agencies[team[-1]],
                    due_on=meeting_day + 60 * DAY,
                )
        agreed = meeting_day - self.rng.randint(1, 4) * DAY
        roll = self.rng.random()
        method = (
            AgreementMethod.SIGNED
            if roll < 0.8
            else AgreementMethod.ORAL
            if roll < 0.93
            else AgreementMethod.PROXY
        )
        with cases.clock_at(self.clock(agreed)):
            return plans.plan_update(
                actor=self.coordinator,
                plan=plan,
                participation_requested=story.theme in ("8050", "disability", "working_age_single"),
                outreach_requested=story.theme == "8050",
                agreed_on=agreed,
                agreement_method=method,
                review_due_on=self.review_day(meeting_day, REVIEW_EVERY),
            )

    def integrated_item(self, story: Story, day: datetime.date, **kw: bool) -> AgendaItem:
        case = story.case
        meeting = self.meeting(MeetingKind.INTEGRATED_MEETING, day)
        return self.take_up(
            meeting, case, [self.key(case.lead_agency_id), *self.team_keys(case)], **kw
        )

    def approved(self, case: Case) -> SupportPlan:
        plan = case.plans.filter(status=PlanStatus.APPROVED).first()
        assert plan is not None
        return plan

    def plan_year(self, story: Story, day: datetime.date) -> None:
        """支援決定 and plan version 1 at a 重層的支援会議, then reviews until today: some on
        schedule, some late, the last perhaps overdue; a revised version; perhaps 終結."""
        case = story.case
        self.assess(story, day - self.rng.randint(8, 14) * DAY)
        plan = self.draft(story, day, revise=False)
        item = self.integrated_item(story, day, to_decide_support=True)
        with cases.clock_at(item.meeting.held_at):
            meetings.decision_add(
                actor=self.coordinator,
                item=item,
                kind=DecisionKind.SUPPORT_DECISION,
                text="世帯全体への支援を決定。多機関協働で支援チームをつくり、プランに沿って支援する。",
            )
            plan = plans.plan_approve(actor=self.coordinator, plan=plan, item=item)
            roles = self.actions(item, case, self.team_keys(case)[:2], day)
            meetings.minutes_record(
                actor=self.coordinator,
                item=item,
                minutes=f"【支援決定】{DIRECTIONS[story.theme]}\n"
                f"【プラン】第1版を確認。本人の同意（{plan.get_agreement_method_display()}、"
                f"{month_day(plan.agreed_on or day)}）を確認のうえ承認した。\n"
                f"【役割分担】\n{roles}\n"
                f"【次回評価】{month_day(plan.review_due_on or day)}頃",
            )
        due = plan.review_due_on
        assert due is not None
        index = 0
        revised = False
        while due < self.today:
            outcome = self.review_outcome(story, index, due)
            if outcome == "overdue":
                return
            held = self.review(story, index, due, outcome)
            if held is None:
                return
            closing = story.close_after == index or (
                story.drawn
                and story.close_after is None
                and index >= 1
                and self.rng.random() < 0.35
            )
            if closing:
                self.close_at_meeting(story, held)
                return
            revising = not revised and (
                story.revise_after == index
                or (story.drawn and story.revise_after is None and self.rng.random() < 0.4)
            )
            if revising:
                revised = self.revise(story, held) or revised
            case.refresh_from_db()
            due = self.approved(case).review_due_on or self.today
            index += 1

    def review_day(self, after: datetime.date, days: int) -> datetime.date:
        """The date of a review about ``days`` after: a 重層的支援会議's day, where the plan
        is reviewed on schedule."""
        return self.calendar.integrated_after(after + (days - 10) * DAY) or after + days * DAY

    def review_outcome(self, story: Story, index: int, due: datetime.date) -> str:
        if story.reviews is not None and index < len(story.reviews):
            return story.reviews[index]
        if not story.drawn:
            return "on_time"
        recent = self.today - due < 45 * DAY
        roll = self.rng.random()
        if recent and (roll < 0.35 or not self.forced_overdue):
            self.forced_overdue = True
            return "overdue"
        return "on_time" if roll < 0.65 else "late"

    def review(
        self, story: Story, index: int, due: datetime.date, outcome: str
    ) -> datetime.date | None:
        """One モニタリング: on schedule at the 重層的支援会議 before the due date, or late
        by the lead agency. Returns the day it was held."""
        case = story.case
        plan = self.approved(case)
        results = self.goal_results(plan, final=False)
        areas = self.area_results(story)
        meeting_day = self.calendar.integrated_after(due - 16 * DAY)
        item = None
        if outcome == "on_time" and meeting_day is not None and meeting_day <= due:
            held = meeting_day
            item = self.integrated_item(story, held)
            actor = self.coordinator
        else:
            held = (
                due - self.rng.randint(0, 5) * DAY
                if outcome == "on_time"
                else due + self.rng.randint(10, 35) * DAY
            )
            if held >= self.today:
                return None
            actor = self.a.worker(self.key(case.lead_agency_id))
        upcoming = self.story_next(story, index + 1)
        every = story.review_every or (
            self.rng.choice([60, 60, REVIEW_EVERY]) if story.drawn else REVIEW_EVERY
        )
        next_due = self.review_day(held, every)
        if upcoming == "overdue" and held + 30 * DAY < self.today - 5 * DAY:
            # The review after this one was not held: it is overdue today.
            next_due = max(self.today - self.rng.randint(5, 25) * DAY, held + 30 * DAY)
        elif upcoming is None and not story.drawn:
            # A scripted story ends with its last review: the next is still ahead.
            next_due = max(next_due, self.review_day(self.today, 14))
        view = self.rng.choice(PERSON_VIEWS)
        with cases.clock_at(self.clock(held, 15)):
            if item is not None:
                meetings.decision_add(
                    actor=self.coordinator,
                    item=item,
                    kind=DecisionKind.REVIEW,
                    text="プランを継続し、次回あらためて評価する。",
                    next_review_on=next_due,
                )
                meetings.minutes_record(
                    actor=self.coordinator,
                    item=item,
                    minutes=f"【モニタリング】第{plan.version}版の目標ごとに達成状況を確認した。"
                    f"本人の声：「{view}」\n【次回評価】{month_day(next_due)}",
                )
            plans.review_record(
                actor=actor,
                case=case,
                held_on=held,
                goal_results=results,
                area_results=areas,
                person_view=view,
                next_review_on=next_due,
                meeting_item=item,
            )
        return held

    def story_next(self, story: Story, index: int) -> str | None:
        if story.reviews is not None and index < len(story.reviews):
            return story.reviews[index]
        return None

    def goal_results(self, plan: SupportPlan, *, final: bool) -> dict[int, str]:
        weights = (
            [GoalResult.ACHIEVED] * 6 + [GoalResult.PARTLY] * 3 + [GoalResult.NOT]
            if final
            else [GoalResult.ACHIEVED] * 3 + [GoalResult.PARTLY] * 5 + [GoalResult.NOT] * 2
        )
        return {g.pk: self.rng.choice(weights).value for g in plan.goals.all()}

    def area_results(self, story: Story) -> dict[str, str]:
        trends = [Trend.BETTER] * 5 + [Trend.SAME] * 4 + [Trend.WORSE]
        return {a: self.rng.choice(trends).value for a, _s, _v in AREAS[story.theme]}

    def revise(self, story: Story, after: datetime.date) -> bool:
        """Plan version 2 (a short-term goal reached, the next step set), approved at the
        next 重層的支援会議."""
        day = self.calendar.held_integrated_after(after + 10 * DAY)
        if day is None:
            return False
        case = story.case
        plan = self.draft(story, day, revise=True)
        item = self.integrated_item(story, day)
        with cases.clock_at(item.meeting.held_at):
            plan = plans.plan_approve(actor=self.coordinator, plan=plan, item=item)
            meetings.minutes_record(
                actor=self.coordinator,
                item=item,
                minutes=f"【プランの見直し】前回の評価で短期目標の一部が達成されたため、"
                f"次の段階の目標を本人と話し合った。第{plan.version}版を承認した。\n"
                f"【次回評価】{month_day(plan.review_due_on or day)}頃",
            )
        case.refresh_from_db()
        return True

    def finish_referrals(self, case: Case, day: datetime.date) -> bool:
        if case.referrals.filter(status=ReferralStatus.REQUESTED).exists():
            return False
        with cases.clock_at(self.clock(day)):
            for referral in case.referrals.filter(status=ReferralStatus.ACCEPTED):
                cases.referral_complete(
                    actor=self.a.worker(self.key(referral.to_agency_id)),
                    referral=referral,
                    outcome="役割を終え、状況が安定した。",
                )
        return True

    def close_at_meeting(self, story: Story, after: datetime.date) -> None:
        """終結 decided at the 重層的支援会議, with the final evaluation."""
        day = self.calendar.held_integrated_after(after + 7 * DAY)
        case = story.case
        if day is None or not self.finish_referrals(case, day - 3 * DAY):
            return
        reason = story.close_reason or self.rng.choice(
            [ClosureReason.GOALS_MET] * 5 + [ClosureReason.TRANSFERRED, ClosureReason.MOVED_AWAY]
        )
        plan = self.approved(case)
        item = self.integrated_item(story, day)
        view = self.rng.choice(PERSON_VIEWS)
        with cases.clock_at(item.meeting.held_at):
            meetings.minutes_record(
                actor=self.coordinator,
                item=item,
                minutes=f"【終結の検討】第{plan.version}版の目標の達成状況を確認した。"
                f"{CLOSURE_NOTES[ClosureReason(reason)]}\n本人の声：「{view}」\n"
                "【決定】終結とする。必要なときはいつでも相談できることを本人に伝える。",
            )
            plans.closure_record(
                actor=self.coordinator,
                case=case,
                reason=reason,
                note=CLOSURE_NOTES[ClosureReason(reason)],
                item=item,
                held_on=day,
                goal_results=self.goal_results(plan, final=True),
                area_results=self.area_results(story),
                person_view=view,
            )
        self.protected.discard(case.household_id)

    def close_by_lead(
        self, case: Case, day: datetime.date, reason: str, *, theme: str = ""
    ) -> None:
        """終結 of a case without 支援決定, by its lead agency, with its evaluation; the
        coordinator is told (and has read what is more than a month old)."""
        day = min(day, self.today - DAY)
        case.refresh_from_db()
        if case.lead_agency_id is None or not case.is_open:
            return
        if not self.finish_referrals(case, day):
            return
        areas = {}
        if theme:
            trends = [Trend.BETTER] * 3 + [Trend.SAME]
            areas = {a: self.rng.choice(trends).value for a, _s, _v in AREAS[theme][:2]}
        before = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with cases.clock_at(self.clock(day)):
            plans.closure_record(
                actor=self.a.worker(self.key(case.lead_agency_id)),
                case=case,
                reason=reason,
                note=CLOSURE_NOTES[ClosureReason(reason)],
                held_on=day,
                area_results=areas,
                person_view=self.rng.choice(PERSON_VIEWS),
            )
        if day < self.today - 30 * DAY:
            notifications_read(
                self.coordinator,
                Notification.objects.filter(id__gt=before).values_list("id", flat=True),
            )

    # --- B: a meeting planned ------------------------------------------------------------
