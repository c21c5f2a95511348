"""The access policy of outreach (アウトリーチ) and of the volunteers who report concerns.

- a reporter (a 民生委員, or the staff of a business with a watch agreement in force, role
  volunteer) may write concern reports (``may_report``) and read only their own;
- outreach workers and the municipal coordinator work outreach (``works_outreach``): they
  read every concern report (basis REFERRAL; COORDINATION for the coordinator) and the
  targets in ``target_scope`` — their agency's, or all of them for the coordinator.

``target_basis``, the check of one target, asks the database whether the target is in
``target_scope``: the filter and the single-object check cannot disagree. A target already
read through ``target_scope`` takes its basis from ``basis_in_scope`` without asking again.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from kasane.accounts.models import AgencyType, Role, Staff
from kasane.audit.models import LegalBasis
from kasane.outreach.models import OutreachTarget, WatchAgreement


def agreement_in_force(agency_id: int, day: datetime.date) -> bool:
    return WatchAgreement.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day), agency_id=agency_id, agreed_on__lte=day
    ).exists()


def may_report(actor: Staff) -> bool:
    """民生委員, and the staff of a business whose watch agreement is in force."""
    agency = actor.agency if actor.agency_id else None
    if not actor.is_active or actor.role != Role.VOLUNTEER or agency is None:
        return False
    if agency.agency_type == AgencyType.COMMISSIONED_VOLUNTEERS:
        return True
    return agency.agency_type == AgencyType.WATCH_BUSINESS and agreement_in_force(
        agency.pk, timezone.localdate()
    )


def works_outreach(actor: Staff) -> bool:
    """Outreach workers and the municipal coordinator."""
    return bool(
        actor.is_active
        and actor.agency_id is not None
        and actor.role in (Role.OUTREACH_WORKER, Role.COORDINATOR)
    )


def report_basis(actor: Staff) -> LegalBasis | None:
    if not works_outreach(actor):
        return None
    return LegalBasis.COORDINATION if actor.role == Role.COORDINATOR else LegalBasis.REFERRAL


def target_scope(actor: Staff) -> Q | None:
    """The filter on OutreachTarget the actor may read, or None for nothing at all."""
    if not works_outreach(actor):
        return None
    if actor.role == Role.COORDINATOR:
        return Q()
    return Q(agency_id=actor.agency_id)


def basis_in_scope(actor: Staff, target: OutreachTarget) -> LegalBasis:
    """The basis on which the actor reads a target found through ``target_scope``: its own
    agency's, else (only the coordinator's scope reaches further) coordination."""
    if target.agency_id == actor.agency_id:
        return LegalBasis.OWN_AGENCY
    return LegalBasis.COORDINATION


def target_basis(actor: Staff, target: OutreachTarget) -> LegalBasis | None:
    """The basis on which the actor reads the target, or None when it is outside
    ``target_scope`` (one query: the filter itself, applied to this target)."""
    scope = target_scope(actor)
    if scope is None or not OutreachTarget.objects.filter(scope, pk=target.pk).exists():
        return None
    return basis_in_scope(actor, target)
