"""Outreach records as the outreach services fill them, unsaved: a concern report, a target,
a contact attempt and a line of the target's history (StageChange).

``kasane.outreach.services`` checks access, validates, saves and audits what these build; the
demo's bulk loader writes the same records in batches.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kasane.outreach.models import (
    ChangeKind,
    ConcernReport,
    ConcernSign,
    ContactAttempt,
    OutreachTarget,
    ReportStatus,
    StageChange,
)

if TYPE_CHECKING:
    from kasane.accounts.models import Agency, Staff


def build_report(
    *,
    actor: Staff,
    area_id: int | None,
    address: str,
    signs: Iterable[str],
    details: str,
    noticed_on: datetime.date | None,
    urgency: str,
    received_at: datetime.datetime,
    who: str = "",
) -> ConcernReport:
    """A concern report by the actor for their agency, received at ``received_at``; the
    signs in the list's order."""
    chosen = set(signs)
    return ConcernReport(
        reporter=actor,
        reporter_agency=actor.agency,
        area_id=area_id,
        address=address.strip(),
        who=who.strip(),
        signs=[s.value for s in ConcernSign if s.value in chosen],
        details=details.strip(),
        noticed_on=noticed_on,
        urgency=urgency,
        received_at=received_at,
        status=ReportStatus.RECEIVED,
        status_changed_at=received_at,
    )


def build_target(
    *,
    agency: Agency,
    label: str,
    stage: str,
    opened_at: datetime.datetime,
    worker: Staff | None,
    area_id: int | None = None,
    address: str = "",
    person_id: int | None = None,
    case_id: int | None = None,
    description: str = "",
    name: str = "",
    kana: str = "",
    age_band: str = "",
) -> OutreachTarget:
    return OutreachTarget(
        agency=agency,
        label=label.strip(),
        description=description.strip(),
        area_id=area_id,
        address=address.strip(),
        name=" ".join(name.split()),
        kana=kana.strip(),
        age_band=age_band.strip(),
        person_id=person_id,
        case_id=case_id,
        worker=worker,
        stage=stage,
        opened_at=opened_at,
    )


def build_attempt(
    *,
    target: OutreachTarget,
    attempted_on: datetime.date,
    method: str,
    result: str,
    staff: Staff,
    companions: str = "",
    note: str = "",
) -> ContactAttempt:
    return ContactAttempt(
        target=target,
        attempted_on=attempted_on,
        method=method,
        result=result,
        staff=staff,
        companions=companions.strip(),
        note=note.strip(),
    )


def build_change(
    target: OutreachTarget,
    kind: ChangeKind,
    actor: Staff | None,
    at: datetime.datetime,
    *,
    from_stage: str = "",
    to_stage: str = "",
    close_reason: str = "",
    note: str = "",
) -> StageChange:
    """One line of the target's history: opened, a stage, closed…"""
    return StageChange(
        target=target,
        at=at,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        close_reason=close_reason,
        actor=actor,
        note=note.strip()[:500],
    )
