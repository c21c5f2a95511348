"""Case records as the case services fill them, unsaved.

``kasane.cases.services`` checks access, validates, saves, refreshes grants and audits what
these build; the demo's bulk loader (``kasane.demo.bulk_cases``) writes the same records in
batches. One place fills the fields (the 年度 of a case, its number's form, a referral's
answer-by time, when a note appears on the timeline), so the two cannot drift.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    CaseStatus,
    EventKind,
    NoteVisibility,
    Referral,
    ReferralStatus,
    TeamMember,
    TeamRole,
)
from kasane.core.dates import fiscal_year, fiscal_year_short
from kasane.core.workdays import add_working_days

if TYPE_CHECKING:
    from kasane.accounts.models import Agency, Staff
    from kasane.registry.models import Household


def build_case(*, household: Household | int, lead: Agency, opened_at: datetime.datetime) -> Case:
    """A case led by ``lead``, in the 年度 of the day it opens; numbered by ``case_number``."""
    case = Case(
        fiscal_year=fiscal_year(timezone.localtime(opened_at).date()),
        opened_at=opened_at,
        lead_agency=lead,
    )
    if isinstance(household, int):
        case.household_id = household
    else:
        case.household = household
    return case


def case_number(year: int, sequence: int) -> str:
    """The number of a 年度's ``sequence``-th case (R6-0001): the per-年度 counter's value."""
    return f"{fiscal_year_short(year)}-{sequence:04d}"


def build_team_member(
    *, case: Case, agency: Agency, role: TeamRole, joined_at: datetime.datetime
) -> TeamMember:
    return TeamMember(case=case, agency=agency, role=role, joined_at=joined_at)


def build_event(
    case: Case,
    kind: EventKind,
    actor: Staff | None,
    *,
    at: datetime.datetime,
    restricted_to_agency: Agency | None = None,
    **links: object,
) -> CaseEvent:
    """One line of the case timeline, by ``actor`` for their agency (None: the system)."""
    detail = links.pop("detail", {})
    return CaseEvent(
        case=case,
        at=at,
        kind=kind,
        actor=actor,
        agency=actor.agency if actor else None,
        restricted_to_agency=restricted_to_agency,
        detail=detail,
        **links,
    )


def referral_due(requested_at: datetime.datetime) -> datetime.datetime:
    """When a referral is to be answered: the configured number of working days on."""
    local = timezone.localtime(requested_at)
    return add_working_days(local, settings.KASANE_REFERRAL_ANSWER_DAYS)


def build_referral(
    *,
    case: Case,
    actor: Staff,
    to_agency: Agency,
    reason: str,
    request: str,
    requested_at: datetime.datetime,
    consultation: object | None = None,
) -> Referral:
    """つなぎ from the actor's agency to ``to_agency``, to be answered by ``referral_due``."""
    return Referral(
        case=case,
        consultation=consultation,  # type: ignore[misc]
        from_agency=actor.agency,
        to_agency=to_agency,
        requested_by=actor,
        requested_at=requested_at,
        due_at=referral_due(requested_at),
        reason=reason.strip(),
        request=request.strip(),
    )


def build_note(
    *,
    case: Case,
    actor: Staff,
    written_on: datetime.date,
    kind: str,
    text: str,
    visibility: str = NoteVisibility.TEAM,
    backdate_reason: str = "",
    public_id: uuid.UUID | None = None,
) -> CaseNote:
    """A progress note by the actor for their agency."""
    note = CaseNote(
        case=case,
        written_on=written_on,
        kind=kind,
        author=actor,
        agency=actor.agency,
        text=text.strip(),
        visibility=visibility,
        backdate_reason=backdate_reason.strip(),
    )
    if public_id is not None:
        note.public_id = public_id
    return note


def note_event(note: CaseNote, *, now: datetime.datetime, today: datetime.date) -> CaseEvent:
    """The timeline line of a note: today's sorts by when it was written (``now``), an
    earlier day's by that day, at noon; an agency-only note is shown only in the agency."""
    if note.written_on == today:
        at = now
    else:
        at = timezone.make_aware(datetime.datetime.combine(note.written_on, datetime.time(12)))
    return build_event(
        note.case,
        EventKind.NOTE,
        note.author,
        at=at,
        note=note,
        restricted_to_agency=note.agency if note.visibility == NoteVisibility.AGENCY else None,
    )


# --- changes of state, as the services make them -----------------------------------------


def referral_answer(
    *,
    actor: Staff,
    at: datetime.datetime,
    accepted: bool,
    decline_reason: str = "",
    decline_note: str = "",
) -> dict[str, object]:
    """The fields of a referral answered by ``actor`` (accepted, or declined with a reason)."""
    fields: dict[str, object] = {
        "status": ReferralStatus.ACCEPTED if accepted else ReferralStatus.DECLINED,
        "responded_by": actor,
        "responded_at": at,
    }
    if not accepted:
        fields.update(decline_reason=decline_reason, decline_note=decline_note.strip())
    return fields


def complete_referral(referral: Referral, *, at: datetime.datetime, outcome: str) -> None:
    """完了 with an outcome."""
    referral.status = ReferralStatus.COMPLETED
    referral.completed_at = at
    referral.outcome = outcome.strip()


def send_to_coordination(case: Case, *, at: datetime.datetime, reason: str) -> None:
    case.sent_to_coordination_at = at
    case.coordination_reason = reason.strip()


def triage_case(case: Case, *, triage: str, advice: str, at: datetime.datetime) -> None:
    case.triage = triage
    case.triage_advice = advice.strip()
    case.triaged_at = at


def close_case(case: Case, *, at: datetime.datetime) -> None:
    """終結: closed at ``at``."""
    case.status = CaseStatus.CLOSED
    case.closed_at = at
