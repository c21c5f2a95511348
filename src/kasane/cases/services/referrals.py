"""Referrals (つなぎ) between agencies: made, accepted, declined, completed, escalated."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.builders import build_referral, complete_referral, referral_answer
from kasane.cases.error_codes import ErrorCode
from kasane.cases.models import (
    Case,
    DeclineReason,
    EventKind,
    Referral,
    ReferralStatus,
    TeamRole,
)
from kasane.cases.services.base import (
    _basis_or_denied,
    _event,
    _lock,
    _now,
    _require_open,
    _team_join,
)
from kasane.core.agencies import require_support_agency
from kasane.core.error_codes import ErrorCode as CoreCode


@transaction.atomic
def referral_create(
    *,
    actor: Staff,
    case: Case,
    to_agency: Agency,
    reason: str,
    request: str,
    consultation: object | None = None,
    requested_at: datetime.datetime | None = None,
) -> Referral:
    """つなぎ: ask another agency to take part. It waits in that agency's inbox until answered."""
    # Re-read under the lock: the caller's copy may predate a closing, and two referrals to
    # the same agency must not both pass the duplicate check.
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    assert actor.agency is not None
    if basis == LegalBasis.REFERRAL:
        # An agency still deciding on a referral answers it; passing the household on
        # without taking it is the たらい回し this program exists to end.
        raise ValidationError(
            _("Accept the referral to your agency before referring the household on."),
            code=ErrorCode.NOT_ON_TEAM,
        )
    if to_agency.pk == actor.agency_id:
        raise ValidationError(
            _("You cannot refer to your own agency."), code=ErrorCode.REFERRAL_TO_SELF
        )
    if not to_agency.is_active:
        raise ValidationError(_("This agency is no longer active."), code=CoreCode.AGENCY_INACTIVE)
    require_support_agency(to_agency)
    if not reason.strip() or not request.strip():
        raise ValidationError(
            _("Write the reason and what you ask of the other agency."),
            code=CoreCode.REASON_REQUIRED,
        )
    if case.referrals.filter(
        to_agency=to_agency, status__in=[ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED]
    ).exists():
        raise ValidationError(
            _("This agency already has an open referral for this case."),
            code=ErrorCode.REFERRAL_DUPLICATE,
        )
    at = requested_at or _now()
    referral = build_referral(
        case=case,
        actor=actor,
        to_agency=to_agency,
        reason=reason,
        request=request,
        requested_at=at,
        consultation=consultation,
    )
    referral.full_clean()
    referral.save()
    _event(case, EventKind.REFERRAL_REQUESTED, actor, at=at, referral=referral)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.REFERRAL,
        object_id=referral.public_id,
    )
    return referral


def _referral_for_update(referral: Referral) -> Referral:
    # Lock the referral row only: PostgreSQL refuses FOR UPDATE on the outer join that the
    # nullable ``responded_by`` brings in.
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "to_agency", "from_agency", "responded_by")
        .get(pk=referral.pk)
    )


def _answered_message(referral: Referral) -> ValidationError:
    who = str(referral.responded_by) if referral.responded_by else ""
    if referral.status == ReferralStatus.ACCEPTED:
        message = _("This referral was already accepted by %(who)s.") % {"who": who}
    elif referral.status == ReferralStatus.DECLINED:
        message = _("This referral was already declined by %(who)s.") % {"who": who}
    else:
        message = _("This referral is already completed.")
    return ValidationError(message, code=ErrorCode.REFERRAL_ANSWERED)


@transaction.atomic
def referral_accept(*, actor: Staff, referral: Referral) -> Referral:
    """受理: the receiving agency joins the case team. The first to answer wins."""
    referral = _referral_for_update(referral)
    if referral.to_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    # A conditional update, so that two staff answering at the same moment cannot both win
    # even where the database ignores row locks (SQLite serialises writers instead).
    at = _now()
    won = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.REQUESTED).update(
        **referral_answer(actor=actor, at=at, accepted=True), updated_at=at
    )
    if not won:
        referral.refresh_from_db()
        raise _answered_message(referral)
    referral.refresh_from_db()
    _team_join(referral.case, referral.to_agency, TeamRole.MEMBER, at)
    _event(referral.case, EventKind.REFERRAL_ACCEPTED, actor, at=at, referral=referral)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.REFERRAL,
        object_type=ObjectType.REFERRAL,
        object_id=referral.public_id,
        detail={"status": referral.status},
    )
    return referral


@transaction.atomic
def referral_decline(*, actor: Staff, referral: Referral, reason: str, note: str = "") -> Referral:
    """辞退 with a reason: the referral goes back to the sender, who must acknowledge it."""
    if reason not in DeclineReason.values:
        raise ValidationError(_("Choose why you decline."), code=CoreCode.REASON_REQUIRED)
    if reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError(
            _("Write the reason when you choose “other”."), code=CoreCode.REASON_REQUIRED
        )
    referral = _referral_for_update(referral)
    if referral.to_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    at = _now()
    won = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.REQUESTED).update(
        **referral_answer(
            actor=actor, at=at, accepted=False, decline_reason=reason, decline_note=note
        ),
        updated_at=at,
    )
    if not won:
        referral.refresh_from_db()
        raise _answered_message(referral)
    referral.refresh_from_db()
    _event(referral.case, EventKind.REFERRAL_DECLINED, actor, at=at, referral=referral)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.REFERRAL,
        object_type=ObjectType.REFERRAL,
        object_id=referral.public_id,
        detail={"status": referral.status},
    )
    return referral


@transaction.atomic
def referral_decline_acknowledge(*, actor: Staff, referral: Referral) -> Referral:
    """The sender has seen the declined referral; it leaves the sender's inbox."""
    referral = _referral_for_update(referral)
    if referral.from_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    if referral.status != ReferralStatus.DECLINED:
        raise ValidationError(_("This referral was not declined."), code=ErrorCode.NOT_DECLINED)
    if referral.decline_seen_at is None:
        referral.decline_seen_at = _now()
        referral.save(update_fields=["decline_seen_at", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            legal_basis=LegalBasis.CASE_TEAM,
            object_type=ObjectType.REFERRAL,
            object_id=referral.public_id,
            detail={"fields": ["decline_seen_at"]},
        )
    return referral


@transaction.atomic
def referral_complete(*, actor: Staff, referral: Referral, outcome: str) -> Referral:
    """完了 with an outcome, by the agency that accepted it."""
    if not outcome.strip():
        raise ValidationError(
            _("Write the outcome of the referral."), code=CoreCode.OUTCOME_REQUIRED
        )
    referral = _referral_for_update(referral)
    if referral.to_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    if referral.status != ReferralStatus.ACCEPTED:
        if referral.status == ReferralStatus.REQUESTED:
            raise ValidationError(
                _("Accept the referral before completing it."), code=CoreCode.NOT_ACCEPTED
            )
        raise _answered_message(referral)
    complete_referral(referral, at=_now(), outcome=outcome)
    referral.save(update_fields=["status", "completed_at", "outcome", "updated_at"])
    _event(referral.case, EventKind.REFERRAL_COMPLETED, actor, referral=referral)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.CASE_TEAM,
        object_type=ObjectType.REFERRAL,
        object_id=referral.public_id,
        detail={"status": referral.status},
    )
    return referral


@transaction.atomic
def referrals_escalate(*, now: datetime.datetime | None = None) -> int:
    """Mark unanswered referrals past their due time as escalated to coordination.

    Idempotent: a scheduled job runs it (``kasane escalate_referrals``); a referral is
    escalated once.
    """
    at = now or _now()
    overdue = list(
        Referral.objects.select_for_update()
        .filter(status=ReferralStatus.REQUESTED, due_at__lt=at, escalated_at__isnull=True)
        .select_related("case")
    )
    for referral in overdue:
        referral.escalated_at = at
        referral.save(update_fields=["escalated_at", "updated_at"])
        _event(referral.case, EventKind.REFERRAL_ESCALATED, None, at=at, referral=referral)
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            legal_basis=LegalBasis.SYSTEM,
            object_type=ObjectType.REFERRAL,
            object_id=referral.public_id,
            detail={"fields": ["escalated_at"]},
        )
    return len(overdue)
