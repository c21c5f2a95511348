"""The meetings of the bulk cases of a large demo city (see ``kasane.demo.bulk_plans``), on the
first and third week's Tuesday (支援会議) and Thursday (重層的支援会議), as the services write
them: the records and their audit events."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from kasane.accounts.models import Agency, Staff
from kasane.audit.models import AuditAction, LegalBasis
from kasane.demo.bulk import insert
from kasane.demo.casework_texts import (
    INTEGRATED_PLACE,
    SUPPORT_PLACE,
)
from kasane.meetings.builders import (
    build_agenda_item,
    build_attendee,
    build_decision,
    build_meeting,
    build_pledge,
)
from kasane.meetings.models import (
    AgendaItem,
    Attendee,
    ConfidentialityPledge,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
)

if TYPE_CHECKING:
    from kasane.demo.bulk_activity import BulkActivity
    from kasane.demo.bulk_cases import BulkCase

from kasane.demo.casework_texts import DAY
from kasane.demo.meeting_calendar import nth_weekday


@dataclass
class Agenda:
    """A meeting in the making: its attendees by agency, and the cases it takes up."""

    meeting: Meeting
    attendees: dict[int, Attendee] = field(default_factory=dict)  # by agency id
    cases: set[int] = field(default_factory=set)  # ids of the cases (Python objects)


class BulkMeetings:
    """The 支援会議 and 重層的支援会議 that take up the bulk cases: attendees and their pledges,
    agenda items, decisions and minutes, each with its audit event."""

    def __init__(self, work: BulkActivity) -> None:
        self.w = work
        self.rng = work.rng
        self.today = work.today
        self.coordinator: Staff = work.a.coordinator
        self.meetings: dict[tuple[str, datetime.date], Agenda] = {}
        self.attendees: list[Attendee] = []
        self.pledges: list[ConfidentialityPledge] = []
        self.items: list[AgendaItem] = []
        self.members: list[tuple[AgendaItem, Attendee]] = []
        self.decisions: list[Decision] = []
        self.support_days, self.integrated_days = self._calendar()

    def _calendar(self) -> tuple[list[datetime.date], list[datetime.date]]:
        start = self.w.start
        support, integrated = [], []
        year, month = start.year, start.month
        while datetime.date(year, month, 1) < self.today:
            for n in (1, 3):
                support.append(nth_weekday(year, month, 1, n))
                integrated.append(nth_weekday(year, month, 3, n))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return (
            [d for d in support if start <= d < self.today],
            [d for d in integrated if start <= d < self.today],
        )

    @staticmethod
    def _after(days: list[datetime.date], day: datetime.date) -> datetime.date | None:
        return next((d for d in days if d >= day), None)

    def clock(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        return datetime.datetime.combine(
            day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
        )

    # --- meetings ------------------------------------------------------------------------

    def meeting(self, kind: str, day: datetime.date) -> Agenda:
        found = self.meetings.get((kind, day))
        if found is not None:
            return found
        support = kind == MeetingKind.SUPPORT_MEETING
        held_at = self.clock(day, 10 if support else 15)
        fiscal = day.year if day.month >= 4 else day.year - 1
        name = "支援会議" if support else "重層的支援会議"
        agency = self.coordinator.agency
        assert agency is not None
        created = held_at - 14 * DAY
        meeting = build_meeting(
            actor=self.coordinator,
            kind=kind,
            title=f"令和{fiscal - 2018}年度 {name}（{day.month}月{day.day}日）",
            held_at=held_at,
            place=SUPPORT_PLACE if support else INTEGRATED_PLACE,
        )
        meeting.status = MeetingStatus.HELD
        meeting.created_at, meeting.updated_at = created, held_at
        found = Agenda(meeting)
        self.meetings[(kind, day)] = found
        log = self.w.log
        log(
            self.coordinator,
            AuditAction.CREATE,
            LegalBasis.OWN_AGENCY,
            "meeting",
            meeting,
            kind=kind,
        )
        log(
            self.coordinator,
            AuditAction.UPDATE,
            LegalBasis.OWN_AGENCY,
            "meeting",
            meeting,
            fields=["status"],
        )
        self.attendee(found, agency, self.coordinator, audited=False)
        return found

    def attendee(
        self, agenda: Agenda, agency: Agency, staff: Staff, *, audited: bool = True
    ) -> Attendee:
        row = agenda.attendees.get(agency.pk)
        if row is not None:
            return row
        meeting = agenda.meeting
        row = build_attendee(meeting=meeting, agency=agency, staff=staff)
        row.created_at = row.updated_at = meeting.created_at
        agenda.attendees[agency.pk] = row
        self.attendees.append(row)
        if audited:  # the chair's row comes with the meeting
            self.w.log(
                self.coordinator,
                AuditAction.CREATE,
                LegalBasis.OWN_AGENCY,
                "meeting_attendee",
                row,
                meeting=meeting,
            )
        if meeting.kind == MeetingKind.SUPPORT_MEETING:
            self.pledges.append(
                build_pledge(attendee=row, pledged_at=meeting.held_at, actor=self.coordinator)
            )
            self.w.log(
                self.coordinator,
                AuditAction.CREATE,
                LegalBasis.SUPPORT_MEETING,
                "meeting_pledge",
                row,
                meeting=meeting,
            )
        return row

    def take_up(
        self, bulk: BulkCase, kind: str, day: datetime.date, *, to_decide: bool = False
    ) -> AgendaItem | None:
        agenda = self.meeting(kind, day)
        case = bulk.case
        if id(case) in agenda.cases:
            return None
        agenda.cases.add(id(case))
        meeting = agenda.meeting
        rows = [
            self.attendee(agenda, agency, self.w.a.worker(self.w.a.key_of[agency.pk]))
            for agency in self.team_agencies(bulk)
        ]
        item = build_agenda_item(meeting=meeting, case=case)
        item.created_at = item.updated_at = meeting.held_at
        self.items.append(item)
        support = kind == MeetingKind.SUPPORT_MEETING
        if support:
            self.members.extend((item, row) for row in rows)
        basis = LegalBasis.SUPPORT_MEETING if support else LegalBasis.COORDINATION
        self.w.log(
            self.coordinator,
            AuditAction.CREATE,
            basis,
            "agenda_item",
            item,
            meeting=meeting,
            case=case,
            to_decide_support=to_decide,
        )
        return item

    def team_agencies(self, bulk: BulkCase) -> list[Agency]:
        coordination = self.w.coordination
        agencies = [coordination]
        agencies += [
            self.w.a.agencies[self.w.a.key_of[pk]]
            for pk in sorted(bulk.team)
            if pk != coordination.pk
        ]
        return agencies

    def decide(
        self,
        item: AgendaItem,
        kind: DecisionKind,
        text: str,
        *,
        owner: Agency | None = None,
        due_on: datetime.date | None = None,
        next_review_on: datetime.date | None = None,
    ) -> Decision:
        at = item.meeting.held_at
        decision = build_decision(
            item=item,
            kind=kind,
            text=text,
            owner=owner,
            due_on=due_on,
            next_review_on=next_review_on,
        )
        decision.created_at = decision.updated_at = at
        self.decisions.append(decision)
        basis = (
            LegalBasis.SUPPORT_MEETING
            if item.meeting.kind == MeetingKind.SUPPORT_MEETING
            else LegalBasis.COORDINATION
        )
        self.w.log(
            self.coordinator,
            AuditAction.CREATE,
            basis,
            "meeting_decision",
            decision,
            item=item,
            kind=kind,
        )
        return decision

    def minutes(self, item: AgendaItem, text: str) -> None:
        item.minutes = text
        basis = (
            LegalBasis.SUPPORT_MEETING
            if item.meeting.kind == MeetingKind.SUPPORT_MEETING
            else LegalBasis.COORDINATION
        )
        self.w.log(
            self.coordinator,
            AuditAction.UPDATE,
            basis,
            "agenda_item",
            item,
            fields=["minutes"],
        )

    def write_meetings(self) -> None:
        insert(Meeting, [a.meeting for a in self.meetings.values()])
        insert(Attendee, self.attendees)
        insert(ConfidentialityPledge, self.pledges)
        insert(AgendaItem, self.items)
        through = AgendaItem.members.through
        insert(
            through,
            [through(agendaitem=item, attendee=row) for item, row in self.members],
        )
        insert(Decision, self.decisions)
