"""Who may see a case, and on what basis: the readers of the access policy for cases.

The bases themselves are defined once, in ``kasane.privacy.grants``, and kept as
``AccessGrant`` rows; every filter here is a lookup on that table's indexes, and every
single-object check is the same filter applied to one id, so the list and the check cannot
disagree.

An agency sees that a case exists when it is on the case's team (the lead agency always is),
is the addressee of an open referral for the case or of a hand-over waiting for its answer,
or — for the municipal coordinator — when the case was sent to coordination. Everyone else
gets 404. It reads the case's details — its household and members, timeline, meetings,
assessment and plans — only on a recorded basis (its own record, consent, a pledged
支援会議, break-glass, coordination); without one it sees the number, status and lead.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit.models import LegalBasis
from kasane.cases.models import Case
from kasane.privacy.grants import COORDINATOR, agency_holder, in_force, staff_holder, strongest
from kasane.privacy.models import AccessGrant, GrantLevel


def works_cases(actor: Staff) -> bool:
    return bool(actor.is_active and actor.works_cases and actor.agency_id is not None)


def agency_id_of(actor: Staff) -> int:
    """The actor's agency; staff without one work no case."""
    if actor.agency_id is None:
        raise PermissionDenied
    return actor.agency_id


def is_coordinator(actor: Staff) -> bool:
    """The municipal coordinator (多機関協働): the board, triage, naming the lead."""
    return works_cases(actor) and actor.role == Role.COORDINATOR


def require_case_worker(actor: Staff) -> None:
    if not works_cases(actor):
        raise PermissionDenied


def holders(actor: Staff) -> list[str]:
    """The grant holders the actor acts as: the agency, the coordinator's role, and the actor
    in person (break-glass opens a case to the one who gave the reason, not to colleagues)."""
    if not works_cases(actor):
        return []
    found = [agency_holder(agency_id_of(actor)), staff_holder(actor.pk)]
    if actor.role == Role.COORDINATOR:
        found.append(COORDINATOR)
    return found


def grants(
    actor: Staff, *levels: GrantLevel, at: datetime.datetime | None = None
) -> QuerySet[AccessGrant]:
    """The actor's grants of these levels in force at the instant (now by default)."""
    return AccessGrant.objects.filter(
        in_force(at or timezone.now()), holder__in=holders(actor), level__in=levels
    )


def _case_ids(actor: Staff, level: GrantLevel, at: datetime.datetime | None = None) -> Q | None:
    if not works_cases(actor):
        return None
    return Q(id__in=grants(actor, level, at=at).values("case_id"))


def case_scope(actor: Staff) -> Q | None:
    """The filter on Case that the actor may know of, or None for nothing at all."""
    return _case_ids(actor, GrantLevel.CASE)


def _basis(
    actor: Staff, level: GrantLevel, at: datetime.datetime | None = None, **lookup: object
) -> LegalBasis | None:
    if not works_cases(actor):
        return None
    return strongest(grants(actor, level, at=at).filter(**lookup).values_list("basis", flat=True))


def _detail_bases(
    actor: Staff,
    case: Case,
    at: datetime.datetime | None = None,
    only: Collection[str] | None = None,
) -> LegalBasis | None:
    """The strongest basis to read the case's details; for a coordinator also the bases its
    agency holds on a case it knows through coordination (``GrantLevel.COORDINATED``)."""
    if not works_cases(actor):
        return None
    levels = [GrantLevel.DETAILS]
    if actor.role == Role.COORDINATOR:
        levels.append(GrantLevel.COORDINATED)
    rows = list(grants(actor, *levels, at=at).filter(case_id=case.pk).values_list("level", "basis"))
    if not any(level == GrantLevel.DETAILS for level, _basis in rows):
        return None
    return strongest(b for _level, b in rows if only is None or b in only)


def case_basis(actor: Staff, case: Case) -> LegalBasis | None:
    """The basis on which the actor may know of and work on the case, or None."""
    return _basis(actor, GrantLevel.CASE, case_id=case.pk)


def household_ids_on_visible_cases(actor: Staff) -> Q | None:
    """Households the actor sees because a case about them is visible to the actor."""
    if not works_cases(actor):
        return None
    return Q(id__in=grants(actor, GrantLevel.CASE).values("household_id"))


class NoDetailBasis(PermissionDenied):
    """The actor sees that the case exists but has no recorded basis to read its details."""


def break_glass_active(actor: Staff, at: datetime.datetime) -> Q:
    """Filter on BreakGlass: the actor's own emergency accesses still running (break-glass is
    personal: a colleague's gives the actor nothing)."""
    return Q(staff_id=actor.pk, started_at__lte=at, expires_at__gt=at)


def detail_scope(actor: Staff, *, at: datetime.datetime | None = None) -> Q | None:
    """The filter on Case whose details the actor may read, or None for nothing."""
    return _case_ids(actor, GrantLevel.DETAILS, at)


def detail_basis(
    actor: Staff, case: Case, *, at: datetime.datetime | None = None
) -> LegalBasis | None:
    """The recorded basis on which the actor may read the case's details, or None.

    The strongest basis is named: the agency's own record, then consent, the 支援会議,
    coordination, and break-glass last (so it is not counted when another basis exists).
    """
    return _detail_bases(actor, case, at)


def require_case_details(
    actor: Staff, case: Case, *, at: datetime.datetime | None = None
) -> LegalBasis:
    """The basis for reading the case's details; NoDetailBasis (403) when there is none.

    Call only for a case the actor may see (``case_scope``): outsiders get 404 before this.
    """
    basis = detail_basis(actor, case, at=at)
    if basis is None:
        raise NoDetailBasis
    return basis


OTHERS_WORDS = [LegalBasis.CONSENT, LegalBasis.SUPPORT_MEETING, LegalBasis.BREAK_GLASS]


def others_words_basis(actor: Staff, case: Case) -> LegalBasis | None:
    """The basis on which the actor reads what the person told *another* agency on this
    case (a consultation's summary): one that covers the actor's agency itself for this
    household — a consent in force naming it (or its type) for information sharing, a pledged
    支援会議 that took up the case, or its break-glass. Leading or coordinating the case
    reads the case, not the person's words to another agency; ticking "consented to
    sharing" is no basis by itself (the consent it records names the agencies it covers)."""
    return _detail_bases(actor, case, only=OTHERS_WORDS)
