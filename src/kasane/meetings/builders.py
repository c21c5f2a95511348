"""Meeting records as the meeting services fill them, unsaved: a meeting, an attendee, a
confidentiality pledge, an agenda item and a decision.

``kasane.meetings.services`` checks the organiser, validates, saves, refreshes the grants and
audits what these build; the demo's bulk loader writes the same records in batches.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from kasane.meetings.models import (
    AgendaItem,
    Attendee,
    ConfidentialityPledge,
    Decision,
    DecisionKind,
    Meeting,
)

if TYPE_CHECKING:
    from kasane.accounts.models import Agency, Staff
    from kasane.cases.models import Case


def build_meeting(
    *,
    actor: Staff,
    kind: str,
    held_at: datetime.datetime,
    place: str = "",
    online: bool = False,
    title: str = "",
) -> Meeting:
    """A meeting organised by the actor's agency and chaired by the actor."""
    return Meeting(
        kind=kind,
        title=title.strip(),
        held_at=held_at,
        place=place.strip(),
        online=online,
        organizer=actor.agency,
        chair=actor,
    )


def build_attendee(*, meeting: Meeting, agency: Agency, staff: Staff | None) -> Attendee:
    return Attendee(meeting=meeting, agency=agency, staff=staff)


def build_pledge(
    *, attendee: Attendee, pledged_at: datetime.datetime, actor: Staff
) -> ConfidentialityPledge:
    """The attendee's pledge (社会福祉法第106条の6), recorded by the actor."""
    return ConfidentialityPledge(attendee=attendee, pledged_at=pledged_at, recorded_by=actor)


def build_agenda_item(
    *, meeting: Meeting, case: Case, deidentified_summary: str = ""
) -> AgendaItem:
    return AgendaItem(meeting=meeting, case=case, deidentified_summary=deidentified_summary.strip())


def build_decision(
    *,
    item: AgendaItem,
    kind: str,
    text: str,
    owner: Agency | None = None,
    due_on: datetime.date | None = None,
    next_review_on: datetime.date | None = None,
) -> Decision:
    """A decision on an agenda item: an action has an owner and a due date, a review the
    date of the next one; other kinds keep neither."""
    return Decision(
        item=item,
        kind=kind,
        text=text,
        owner=owner if kind == DecisionKind.ACTION else None,
        due_on=due_on if kind == DecisionKind.ACTION else None,
        next_review_on=next_review_on if kind == DecisionKind.REVIEW else None,
    )
