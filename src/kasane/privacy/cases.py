"""Who may see a case, and on what basis.

An agency sees a case when it is on the case's team (the lead agency always is), when it is
the addressee of an open referral for the case or of a hand-over waiting for its answer, or
— for the municipal coordinator — when the case was sent to coordination. Everyone else
gets 404. Consent and 支援会議 (issue #4) will narrow what a team member reads; this module
is where they will plug in.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from kasane.accounts.models import Role, Staff
from kasane.cases.models import Case, Handover, HandoverStatus, Referral, ReferralStatus, TeamMember
from kasane.privacy.models import LegalBasis

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
