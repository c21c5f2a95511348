"""What the case services share: the clock, the timeline line, the case lock, the team."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit.models import LegalBasis
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    EventKind,
    TeamMember,
    TeamRole,
)
from kasane.core.dates import fiscal_year_short
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.privacy import grants
from kasane.privacy.cases import case_basis

# The demo loader writes a past year of work; it sets the clock the services read.
_clock: ContextVar[datetime.datetime | None] = ContextVar("kasane_case_clock", default=None)


def _now() -> datetime.datetime:
    return _clock.get() or timezone.now()


@contextlib.contextmanager
def clock_at(at: datetime.datetime) -> Iterator[None]:
    """Record what happens inside as if it happened at ``at`` (for loading history only)."""
    token = _clock.set(at)
    try:
        yield
    finally:
        _clock.reset(token)


def _event(
    case: Case,
    kind: EventKind,
    actor: Staff | None,
    *,
    at: datetime.datetime | None = None,
    restricted_to_agency: Agency | None = None,
    **links: object,
) -> CaseEvent:
    """Write one line of the case timeline, after the change it records. A change of who is
    on the case (team, referral, hand-over, lead, coordination, status) also recomputes the
    case's access grants, in the same transaction."""
    detail = links.pop("detail", {})
    event = CaseEvent.objects.create(
        case=case,
        at=at or _now(),
        kind=kind,
        actor=actor,
        agency=actor.agency if actor else None,
        restricted_to_agency=restricted_to_agency,
        detail=detail,
        **links,
    )
    if kind not in WORK_EVENTS:
        grants.refresh_case(case)
    return event


# Events that record work on the case, not a change of who may read it.
WORK_EVENTS = {EventKind.CONSULTATION, EventKind.NOTE, EventKind.REFERRAL_ESCALATED}


def _basis_or_denied(actor: Staff, case: Case) -> LegalBasis:
    basis = case_basis(actor, case)
    if basis is None:
        raise PermissionDenied
    return basis


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed."), code=CoreCode.CASE_CLOSED)


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock, so two hand-overs cannot cross."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _next_number(year: int) -> str:
    counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
        fiscal_year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{fiscal_year_short(year)}-{counter.last:04d}"


def _team_join(case: Case, agency: Agency, role: TeamRole, at: datetime.datetime) -> TeamMember:
    member = case.team.filter(agency=agency, left_at__isnull=True).first()
    if member is None:
        return TeamMember.objects.create(case=case, agency=agency, role=role, joined_at=at)
    if role == TeamRole.LEAD and member.role != TeamRole.LEAD:
        member.role = TeamRole.LEAD
        member.save(update_fields=["role", "updated_at"])
    return member


def _set_lead(case: Case, agency: Agency, at: datetime.datetime) -> None:
    """Make ``agency`` the lead; the previous lead stays on the team as a member."""
    case.team.filter(role=TeamRole.LEAD, left_at__isnull=True).exclude(agency=agency).update(
        role=TeamRole.MEMBER, updated_at=at
    )
    case.lead_agency = agency
    case.row_version += 1  # callers hold the row lock (_lock)
    case.save(update_fields=["lead_agency", "row_version", "updated_at"])
    _team_join(case, agency, TeamRole.LEAD, at)
