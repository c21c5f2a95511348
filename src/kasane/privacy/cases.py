"""Who may see a case, and on what basis.

An agency sees a case when it is on the case's team (the lead agency always is), when it is
the addressee of an open referral for the case or of a hand-over waiting for its answer, or
— for the municipal coordinator — when the case was sent to coordination. Everyone else
gets 404.

Seeing that a case exists is not reading it. The case's details — its household and members,
timeline, meetings, assessment and plans — are read only on a recorded basis (DESIGN.md,
"Meetings and the legal basis of sharing"):

- the lead agency, and the agency that registered the household, hold the record as their own
  (they took the consultation or accepted the hand-over);
- (a) a consent in force of a household member covering the agency (by name or type) for
  information sharing;
- (b) the agency attended a 支援会議 that took up the case, with its pledge recorded (and, when
  the chair named members for the case, as one of them);
- (c) break-glass for life or safety: 24 hours, with a reason, reviewed later;
- the municipal coordinator, once the case was sent to coordination (多機関協働事業, 社会福祉法
  §106-4 (2) v): triage needs the facts.

Without one of these an agency on the team sees the case number, its status and who leads it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit.models import LegalBasis
from kasane.cases.models import Case, Handover, HandoverStatus, Referral, ReferralStatus, TeamMember
from kasane.privacy.models import BreakGlass, ConsentPurpose
from kasane.registry.models import Membership

OPEN_REFERRAL = [ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED]


def works_cases(actor: Staff) -> bool:
    return bool(actor.is_active and actor.works_cases and actor.agency_id is not None)


def agency_id_of(actor: Staff) -> int:
    """The actor's agency; staff without one work no case."""
    if actor.agency_id is None:
        raise PermissionDenied
    return actor.agency_id


def require_case_worker(actor: Staff) -> None:
    if not works_cases(actor):
        raise PermissionDenied


def case_scope(actor: Staff) -> Q | None:
    """The filter on Case that the actor may read, or None for nothing at all."""
    if not works_cases(actor):
        return None
    on_team = TeamMember.objects.filter(agency_id=agency_id_of(actor), left_at__isnull=True).values(
        "case_id"
    )
    addressed = Referral.objects.filter(
        to_agency_id=actor.agency_id, status__in=OPEN_REFERRAL
    ).values("case_id")
    asked_to_lead = Handover.objects.filter(
        to_agency_id=actor.agency_id, status=HandoverStatus.PENDING
    ).values("case_id")
    scope = Q(id__in=on_team) | Q(id__in=addressed) | Q(id__in=asked_to_lead)
    if actor.role == Role.COORDINATOR:
        scope |= Q(sent_to_coordination_at__isnull=False)
    return scope


def case_basis(actor: Staff, case: Case) -> LegalBasis | None:
    """The basis on which the actor may read or work on the case, or None."""
    if not works_cases(actor):
        return None
    if case.team.filter(agency_id=agency_id_of(actor), left_at__isnull=True).exists():
        return LegalBasis.CASE_TEAM
    if case.referrals.filter(to_agency_id=actor.agency_id, status__in=OPEN_REFERRAL).exists():
        return LegalBasis.REFERRAL
    # Asked to take the lead: the agency reads the case to decide, and joins only if it accepts.
    if case.handovers.filter(to_agency_id=actor.agency_id, status=HandoverStatus.PENDING).exists():
        return LegalBasis.REFERRAL
    if actor.role == Role.COORDINATOR and case.sent_to_coordination_at is not None:
        return LegalBasis.COORDINATION
    return None


def household_ids_on_visible_cases(actor: Staff) -> Q | None:
    """Households the actor sees because a case about them is visible to the actor."""
    scope = case_scope(actor)
    if scope is None:
        return None
    return Q(id__in=Case.objects.filter(scope).values("household_id"))


class NoDetailBasis(PermissionDenied):
    """The actor sees that the case exists but has no recorded basis to read its details."""


def consenting_person_ids(agency_id: int, agency_type: str, day: datetime.date) -> QuerySet[Any]:
    """Persons whose consent in force covers the agency for information sharing."""
    from kasane.privacy.consent import consents_in_force

    # JSON lists, matched as text with their quotes: works alike on SQLite and PostgreSQL.
    purpose = f'"{ConsentPurpose.INFORMATION_SHARING.value}"'
    return (
        consents_in_force(day)
        .filter(purposes__icontains=purpose)
        .filter(Q(agencies__id=agency_id) | Q(agency_types__icontains=f'"{agency_type}"'))
        .values("person_id")
    )


def _consenting_households(agency_id: int, agency_type: str, day: datetime.date) -> QuerySet[Any]:
    return Membership.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        person_id__in=consenting_person_ids(agency_id, agency_type, day),
    ).values("household_id")


def _pledged_cases(agency_id: int, at: datetime.datetime) -> Q:
    """Filter on Case: taken up at a held 支援会議 where the agency attended with a pledge
    (as a member for the case when the chair named members)."""
    from kasane.meetings.models import AgendaItem, MeetingKind, MeetingStatus

    items = AgendaItem.objects.filter(
        meeting__kind=MeetingKind.SUPPORT_MEETING,
        meeting__held_at__lte=at,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)
    pledged = Q(
        meeting__attendees__agency_id=agency_id,
        meeting__attendees__pledge__isnull=False,
    )
    as_member = Q(members__agency_id=agency_id, members__pledge__isnull=False)
    unnamed = Q(members__isnull=True)
    return Q(id__in=items.filter((pledged & unnamed) | as_member).values("case_id"))


def break_glass_active(agency_id: int, at: datetime.datetime) -> Q:
    """Filter on BreakGlass: the agency's emergency accesses still running."""
    return Q(agency_id=agency_id, started_at__lte=at, expires_at__gt=at)


def detail_scope(actor: Staff, *, at: datetime.datetime | None = None) -> Q | None:
    """The filter on Case whose details the actor may read, or None for nothing."""
    scope = case_scope(actor)
    if scope is None:
        return None
    agency = actor.agency
    assert agency is not None
    now = at or timezone.now()
    own = Q(lead_agency_id=agency.pk) | Q(household__registered_by_agency_id=agency.pk)
    consenting = _consenting_households(agency.pk, agency.agency_type, timezone.localdate(now))
    glass = BreakGlass.objects.filter(break_glass_active(agency.pk, now)).values("case_id")
    basis = own | Q(household_id__in=consenting) | _pledged_cases(agency.pk, now) | Q(id__in=glass)
    if actor.role == Role.COORDINATOR:
        basis |= Q(sent_to_coordination_at__isnull=False)
    return scope & basis


def detail_basis(
    actor: Staff, case: Case, *, at: datetime.datetime | None = None
) -> LegalBasis | None:
    """The recorded basis on which the actor may read the case's details, or None.

    The strongest basis is named: the agency's own record, then consent, the 支援会議,
    coordination, and break-glass last (so it is not counted when another basis exists).
    """
    if case_basis(actor, case) is None:
        return None
    agency = actor.agency
    assert agency is not None
    now = at or timezone.now()
    if case.lead_agency_id == agency.pk:
        return LegalBasis.OWN_AGENCY
    if case.household.registered_by_agency_id == agency.pk:
        return LegalBasis.OWN_AGENCY
    day = timezone.localdate(now)
    if (
        _consenting_households(agency.pk, agency.agency_type, day)
        .filter(household_id=case.household_id)
        .exists()
    ):
        return LegalBasis.CONSENT
    if Case.objects.filter(_pledged_cases(agency.pk, now), pk=case.pk).exists():
        return LegalBasis.SUPPORT_MEETING
    if actor.role == Role.COORDINATOR and case.sent_to_coordination_at is not None:
        return LegalBasis.COORDINATION
    if BreakGlass.objects.filter(break_glass_active(agency.pk, now), case=case).exists():
        return LegalBasis.BREAK_GLASS
    return None


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


def others_words_basis(actor: Staff, case: Case) -> LegalBasis | None:
    """The basis on which the actor reads what the person told *another* agency on this
    case (a consultation's summary): one that covers the actor's agency itself for this
    household — a consent in force naming it (or its type) for information sharing, a pledged
    支援会議 that took up the case, or its break-glass. Leading or coordinating the case
    reads the case, not the person's words to another agency; ticking "consented to
    sharing" is no basis by itself (the consent it records names the agencies it covers)."""
    agency = actor.agency
    if agency is None or not works_cases(actor):
        return None
    now = timezone.now()
    consenting = _consenting_households(agency.pk, agency.agency_type, timezone.localdate(now))
    if consenting.filter(household_id=case.household_id).exists():
        return LegalBasis.CONSENT
    if Case.objects.filter(_pledged_cases(agency.pk, now), pk=case.pk).exists():
        return LegalBasis.SUPPORT_MEETING
    if BreakGlass.objects.filter(break_glass_active(agency.pk, now), case_id=case.pk).exists():
        return LegalBasis.BREAK_GLASS
    return None
