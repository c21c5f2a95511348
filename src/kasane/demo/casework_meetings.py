"""支援会議 and 重層的支援会議 in the demo's casework: the meetings, who attends, the cases taken
up, the actions decided and the referrals that follow."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from kasane.cases import services as cases
from kasane.cases.models import Case, ReferralStatus
from kasane.meetings import services as meetings
from kasane.meetings.models import (
    AgendaItem,
    Attendee,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kasane.privacy.consent import consents_in_force
from kasane.privacy.models import ConsentPurpose

if TYPE_CHECKING:
    pass
from kasane.demo.casework_consent import ConsentWork
from kasane.demo.casework_texts import AREAS, DAY, DIRECTIONS, INTEGRATED_PLACE, SUPPORT_PLACE
from kasane.demo.meeting_calendar import Story, month_day


class MeetingWork(ConsentWork):
    def meeting(self, kind: str, day: datetime.date, *, cancelled: bool = False) -> Meeting:
        """The meeting of that kind on that day, held when it is past, planned otherwise
        (or cancelled, for want of a case)."""
        found = self.meetings.get((kind, day))
        if found is not None:
            return found
        tz = timezone.get_current_timezone()
        support = kind == MeetingKind.SUPPORT_MEETING
        held_at = datetime.datetime.combine(
            day, datetime.time(13, 30) if support else datetime.time(14, 0), tzinfo=tz
        )
        fiscal = day.year if day.month >= 4 else day.year - 1
        number = (day.month - 4) % 12 + 1
        name = "支援会議" if support else "重層的支援会議"
        with cases.clock_at(held_at):
            found = meetings.meeting_create(
                actor=self.coordinator,
                kind=kind,
                held_at=held_at,
                place=SUPPORT_PLACE if support else INTEGRATED_PLACE,
                title=f"令和{fiscal - 2018}年度 第{number}回 {name}",
            )
            if day < self.today:
                meetings.meeting_status_change(
                    actor=self.coordinator,
                    meeting=found,
                    status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.HELD,
                )
        chair = found.attendees.get()
        self.rows[(found.pk, "coordination")] = chair
        if support and day < self.today and not cancelled:
            meetings.pledge_record(actor=self.coordinator, attendee=chair, at=held_at)
        self.meetings[(kind, day)] = found
        return found

    def attendee(self, meeting: Meeting, key: str) -> Attendee:
        row = self.rows.get((meeting.pk, key))
        if row is None:
            row = meetings.attendee_add(
                actor=self.coordinator,
                meeting=meeting,
                agency=self.a.agencies[key],
                staff=self.a.worker(key),
            )
            if meeting.kind == MeetingKind.SUPPORT_MEETING and meeting.status == MeetingStatus.HELD:
                meetings.pledge_record(actor=self.coordinator, attendee=row, at=meeting.held_at)
            self.rows[(meeting.pk, key)] = row
        return row

    def take_up(
        self,
        meeting: Meeting,
        case: Case,
        keys: Sequence[str],
        *,
        to_decide_support: bool = False,
    ) -> AgendaItem:
        keys = list(dict.fromkeys(["coordination", *keys]))
        rows = [self.attendee(meeting, k) for k in keys]
        with cases.clock_at(meeting.held_at):
            return meetings.agenda_add(
                actor=self.coordinator,
                meeting=meeting,
                case=case,
                members=rows if meeting.kind == MeetingKind.SUPPORT_MEETING else (),
                to_decide_support=to_decide_support,
            )

    def actions(self, item: AgendaItem, case: Case, keys: Sequence[str], day: datetime.date) -> str:
        """Role-sharing decisions (役割分担) for agencies on the team; the minutes' lines."""
        team = set(self.team_keys(case))
        lines = []
        for key in dict.fromkeys(keys):
            if key not in team:
                continue
            due = day + self.rng.choice([14, 21, 30, 45, 60]) * DAY
            text = self.task(key)
            meetings.decision_add(
                actor=self.coordinator,
                item=item,
                kind=DecisionKind.ACTION,
                text=text,
                owner=self.a.agencies[key],
                due_on=due,
            )
            lines.append(f"・{self.short(key)}：{text}（{month_day(due)}まで）")
        return "\n".join(lines)

    def refer_after_meeting(self, story: Story, day: datetime.date) -> None:
        """The agencies given a role at the 支援会議 are referred to and join the team."""
        case = story.case
        lead = self.key(case.lead_agency_id)
        open_to = {
            self.key(a)
            for a in case.referrals.filter(
                status__in=[ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED]
            ).values_list("to_agency_id", flat=True)
        }
        team = set(self.team_keys(case))
        for offset, (key, request) in enumerate(story.invite.items()):
            if key in team or key in open_to or key == lead:
                continue
            asked = self.a.working_day(day, 1 + offset // 2)
            if asked >= self.today:
                continue
            with cases.clock_at(self.clock(asked)):
                referral = cases.referral_create(
                    actor=self.a.worker(lead),
                    case=case,
                    to_agency=self.a.agencies[key],
                    reason="支援会議での役割分担による",
                    request=request or f"{self.task(key)}をお願いします。",
                )
            answered = self.a.working_day(asked, 2)
            if answered < self.today:
                with cases.clock_at(self.clock(answered)):
                    cases.referral_accept(actor=self.a.worker(key), referral=referral)

    # --- one A case ------------------------------------------------------------------------

    def support_meeting(self, story: Story, day: datetime.date, *, first: bool = True) -> None:
        case = story.case
        meeting = self.meeting(MeetingKind.SUPPORT_MEETING, day)
        lead = self.key(case.lead_agency_id)
        keys = list(dict.fromkeys([lead, *self.team_keys(case), *story.invite]))
        item = self.take_up(meeting, case, keys)
        if first:
            self.refer_after_meeting(story, day)
        with cases.clock_at(meeting.held_at):
            roles = self.actions(item, case, [k for k in keys if k != "coordination"], day)
            areas = "。".join(a[1] for a in AREAS[story.theme][:3])
            summary = (
                case.consultations.order_by("received_at").values_list("summary", flat=True).first()
                or ""
            )
            opening = (
                f"【情報共有】{summary}\n【課題の整理】{areas}。\n"
                if first
                else "【経過】前回の支援会議からの各機関の関わりを共有した。"
                "本人との接点は少しずつ増えている。\n"
            )
            consent_line = (
                "本人の同意が得られれば、重層的支援会議で支援決定とプランを検討する。"
                if story.integrated or story.later_consent
                else "同意が得られていないため、当面は支援会議で情報を共有しながら支援する。"
            )
            meetings.minutes_record(
                actor=self.coordinator,
                item=item,
                minutes=f"{opening}【支援の方向性】{DIRECTIONS[story.theme]}{consent_line}\n"
                f"【役割分担】\n{roles or '・' + self.short(lead) + '：継続して関わる'}\n"
                "【守秘義務】出席者全員が社会福祉法第106条の6の守秘義務を確認し、誓約した。",
            )

    @staticmethod
    def has_meeting_consent(case: Case) -> bool:
        """A current member's consent in force covers the 重層的支援会議 (as agenda_add asks)."""
        return any(
            ConsentPurpose.INTEGRATED_MEETING in (c.purposes or [])
            for c in consents_in_force().filter(
                person__memberships__household_id=case.household_id,
                person__memberships__ended_on__isnull=True,
            )
        )
