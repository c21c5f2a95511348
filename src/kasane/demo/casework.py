"""The demo's year of casework after intake: consents, meetings, plans, reviews and closures.

Everything goes through the services staff use, with the case services' clock set to the
day it happened, so that the audit log and the rules hold (DESIGN.md, "Meetings and the
legal basis of sharing"):

- a consultation where the household agreed to share (相談受付・申込票) records the head's
  consent for the agencies the case involves — for a case sent to coordination also the
  municipal coordination, the agencies usually on such a case and the 重層的支援会議;
  a few consents are withdrawn;
- every case triaged A (meeting held) was taken up at a 支援会議 (§106-6) held by the
  municipality before its triage, every attendee pledged; the agencies given a role there
  are referred to and join the team; B cases wait on next month's planned 支援会議;
- a case whose household consents goes to the monthly 重層的支援会議: 支援決定 and plan
  version 1 approved there, reviews (on schedule, late, some now overdue), a revised version
  for some, and 終結 with its evaluation for others.

Seed 003's two households follow their story: ① 草野 (A: a 支援会議 with 障害, 自立相談 and
社協, then 支援決定, a plan and one review) and ② 髙木 (B: outreach, a meeting planned).
Two more households always show a revised plan with an overdue review, and a closure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kasane.cases.models import Case, ReferralStatus, Triage
from kasane.intake.models import Outcome
from kasane.meetings.models import (
    MeetingKind,
)
from kasane.plans.models import (
    ClosureReason,
    PlanStatus,
    SupportPlan,
)
from kasane.privacy.models import Consent

if TYPE_CHECKING:
    pass
from kasane.demo.casework_plans import PlanWork
from kasane.demo.casework_texts import DAY
from kasane.demo.meeting_calendar import MeetingCalendar as MeetingCalendar
from kasane.demo.meeting_calendar import Story as Story


class Casework(PlanWork):
    def run_story(self, story: Story) -> None:
        case = story.case
        self.support_meeting(story, story.support_on)
        case.refresh_from_db()
        consented = self.has_meeting_consent(case)
        if story.later_consent is None:
            story.later_consent = not consented and self.rng.random() < 0.5
        if story.later_consent and not consented:
            day = self.a.working_day(story.support_on, self.rng.randint(5, 15))
            if day < self.today:
                lead = self.key(case.lead_agency_id)
                self.consent(
                    case.household_id,
                    lead,
                    day,
                    [lead, *self.team_keys(case), *story.invite],
                    coordination=True,
                    method=story.consent_method,
                    note="支援会議の後、訪問して説明し、重層的支援会議での検討に同意を得た。",
                )
                consented = self.has_meeting_consent(case)
        if story.integrated is None:
            story.integrated = consented and self.rng.random() < 0.85
        if not (story.integrated and consented):
            self.without_decision(story)
            return
        start = story.support_on + 10 * DAY
        first_consent = (
            Consent.objects.filter(person__memberships__household_id=case.household_id)
            .order_by("obtained_on")
            .values_list("obtained_on", flat=True)
            .first()
        )
        if first_consent is not None:
            start = max(start, first_consent + 3 * DAY)
        meeting_day = self.calendar.held_integrated_after(start)
        if meeting_day is None:
            self.without_decision(story)
            return
        self.protected.add(case.household_id)
        self.plan_year(story, meeting_day)

    def without_decision(self, story: Story) -> None:
        """A case discussed at the 支援会議 only: perhaps again, perhaps closed by its lead."""
        case = story.case
        if self.rng.random() < 0.5:
            again = self.calendar.held_support_after(story.support_on + 50 * DAY)
            if again is not None:
                self.support_meeting(story, again, first=False)
        if (
            self.today - story.support_on > 150 * DAY
            and self.rng.random() < 0.3
            and not case.referrals.filter(status=ReferralStatus.REQUESTED).exists()
        ):
            day = story.support_on + self.rng.randint(90, 140) * DAY
            reason = self.rng.choice([ClosureReason.TRANSFERRED, ClosureReason.GOALS_MET])
            self.close_by_lead(case, day, reason, theme=story.theme)

    # --- plans ---------------------------------------------------------------------------------

    def planned(self) -> None:
        """Cases triaged B wait on the next 支援会議, already on its agenda; plans due for
        review at the next 重層的支援会議 are on its agenda."""
        day = self.calendar.integrated_after(self.today + DAY)
        assert day is not None
        for plan in SupportPlan.objects.filter(
            status=PlanStatus.APPROVED, review_due_on=day, case__accepted_at__isnull=False
        ).select_related("case"):
            if plan.case.is_open and self.has_meeting_consent(plan.case):
                meeting = self.meeting(MeetingKind.INTEGRATED_MEETING, day)
                self.take_up(
                    meeting,
                    plan.case,
                    [self.key(plan.case.lead_agency_id), *self.team_keys(plan.case)],
                )
        day = self.calendar.support_after(self.today + DAY)
        assert day is not None
        for case in Case.objects.filter(triage=Triage.B).order_by("triaged_at", "id"):
            if not case.is_open:
                continue
            meeting = self.meeting(MeetingKind.SUPPORT_MEETING, day)
            keys = [self.key(case.lead_agency_id), *self.team_keys(case)]
            keys += [
                self.key(a)
                for a in case.referrals.filter(status=ReferralStatus.REQUESTED).values_list(
                    "to_agency_id", flat=True
                )
            ]
            self.take_up(meeting, case, keys)

    # --- the year ------------------------------------------------------------------------

    def story_for(self, case: Case) -> Story:
        from kasane.demo.household_profiles import PROFILES

        info = self.a.info_of[case.household_id]
        support_on = self.a.support_day[case.pk]
        lead = self.key(case.lead_agency_id)
        targets = [
            t if t != "houkatsu" else lead if lead.startswith("houkatsu") else "houkatsu_2"
            for t in PROFILES[info.kind][2]
        ]
        targets = [t for t in targets if t != lead]
        invite = dict.fromkeys(self.rng.sample(targets, k=min(len(targets), 2)), "")
        return Story(case=case, info=info, theme=info.kind, support_on=support_on, invite=invite)

    def showcase(self, prefer: Sequence[str], days_ago: int) -> Story | None:
        """A household without a case comes to coordination: triaged A, with consent."""
        with_cases = set(Case.objects.values_list("household_id", flat=True))
        free = [
            h
            for h in self.a.info_of.values()
            if h.household.pk not in with_cases and not h.household.note.startswith("事例")
        ]
        info = next((h for h in free if h.kind in prefer), free[0] if free else None)
        if info is None:
            return None
        day = self.a.working_day(self.today - days_ago * DAY, 0)
        receiver = self.key(info.household.registered_by_agency_id)
        case = self.a.consult(
            info, day, outcome=Outcome.COORDINATION, receiver_key=receiver, consent=True
        )
        if case is None:
            return None
        self.a.triage(case, day, force=Triage.A)
        if case.pk not in self.a.support_day:
            return None
        self.a.notes(case, day, 3)
        story = self.story_for(case)
        story.integrated, story.later_consent, story.drawn = True, False, False
        self.a.stories[case.pk] = story
        return story

    def showcases(self) -> None:
        """Two stories the demo always tells, whatever the draw: a plan revised (version 2)
        whose review is now overdue, and a closure with its evaluation at the 重層的支援会議."""
        revised = self.showcase(("8050", "isolated", "elderly_couple"), 355)
        if revised is not None:
            revised.reviews = ["on_time", "late", "overdue"]
            revised.revise_after = 0
        closed = self.showcase(("working_age_single", "disability", "single_parent"), 300)
        if closed is not None:
            closed.reviews = ["on_time", "on_time"]
            closed.review_every = 60
            closed.close_after = 1
            closed.close_reason = ClosureReason.GOALS_MET

    def run(self) -> None:
        self.intake_consents()
        a_cases = Case.objects.filter(triage=Triage.A).order_by("triaged_at", "id")
        for case in a_cases:
            story = self.a.stories.get(case.pk) or self.story_for(case)
            self.run_story(story)
        self.planned()
        self.cancel_empty_months()
        self.withdrawals()

    def cancel_empty_months(self) -> None:
        """The meetings are held monthly; a month without a case to take up cancels its."""
        for kind, days in (
            (MeetingKind.SUPPORT_MEETING, self.calendar.support),
            (MeetingKind.INTEGRATED_MEETING, self.calendar.integrated),
        ):
            for day in days:
                if self.today - 365 * DAY <= day < self.today and (kind, day) not in self.meetings:
                    self.meeting(kind, day, cancelled=True)
