"""Recording the legal bases of sharing: consents and break-glass, audited in one transaction.

The consent services live in ``kasane.privacy.consent_services`` (re-exported here).

Callers fetch the person or case through the privacy selectors first; these services check
the policy again, so the API and commands cannot go around it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Role, Staff
from kasane.accounts.notifications import notify
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.privacy import grants
from kasane.privacy.break_glass_selectors import may_review_break_glass
from kasane.privacy.cases import agency_id_of, break_glass_active, case_basis
from kasane.privacy.consent_services import (
    INTAKE_NOTE,
    ConsentChange,
    ConsentInput,
    GivenHow,
    consent_from_intake,
    consent_narrow,
    consent_record,
    consent_withdraw,
)
from kasane.privacy.models import BreakGlass

__all__ = [
    "INTAKE_NOTE",
    "ConsentChange",
    "ConsentInput",
    "GivenHow",
    "break_glass_review",
    "break_glass_start",
    "consent_from_intake",
    "consent_narrow",
    "consent_record",
    "consent_withdraw",
]

BREAK_GLASS_HOURS = 24
REASON_MIN_LENGTH = 10


def _overseers() -> Iterable[Staff]:
    return Staff.objects.filter(is_active=True, role__in=[Role.COORDINATOR, Role.AUDITOR])


@transaction.atomic
def break_glass_start(*, actor: Staff, case: Case, reason: str) -> BreakGlass:
    """生命・身体の保護: open the case's details to the actor, in person, for 24 hours.

    Only for an agency that already sees the case exists; the reason is required, the
    coordinators and auditors are told at once, and the use waits for their review. The
    actor's colleagues stay where they were: the grant's holder is the actor
    (``grants.staff_holder``), not the agency.
    """
    if case_basis(actor, case) is None:
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": _("Say why life or safety is at risk (at least %(n)d characters).")
                % {"n": REASON_MIN_LENGTH}
            }
        )
    now = timezone.now()
    agency_id = agency_id_of(actor)
    running = BreakGlass.objects.filter(break_glass_active(actor, now), case=case).first()
    if running is not None:
        raise ValidationError(
            _("You already have emergency access to this case until %(until)s.")
            % {"until": timezone.localtime(running.expires_at).strftime("%Y-%m-%d %H:%M")}
        )
    glass = BreakGlass.objects.create(
        case=case,
        staff=actor,
        agency_id=agency_id,
        reason=reason,
        started_at=now,
        expires_at=now + datetime.timedelta(hours=BREAK_GLASS_HOURS),
    )
    grants.refresh_case(case)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.BREAK_GLASS,
        object_type=ObjectType.BREAK_GLASS,
        object_id=str(glass.public_id),
        detail={"case": str(case.public_id)},
    )
    agency = actor.agency
    notify(
        _overseers(),
        kind="break_glass",
        message=_(
            "Emergency access (break-glass) to case %(number)s by %(agency)s: to be reviewed."
        )
        % {"number": case.number, "agency": agency.name if agency else ""},
        link=reverse("privacy:break_glass_list"),
    )
    return glass


@transaction.atomic
def break_glass_review(*, actor: Staff, glass: BreakGlass, note: str) -> BreakGlass:
    """The later review of one emergency access, by a coordinator or auditor (not the user)."""
    if not may_review_break_glass(actor):
        raise PermissionDenied
    glass = BreakGlass.objects.select_for_update().get(pk=glass.pk)
    if glass.staff_id == actor.pk:
        raise ValidationError(_("Someone other than the user reviews an emergency access."))
    if glass.reviewed_at is not None:
        raise ValidationError(_("This emergency access was already reviewed."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write what the review found.")})
    glass.reviewed_at = timezone.now()
    glass.reviewed_by = actor
    glass.review_note = note
    glass.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.BREAK_GLASS,
        object_id=str(glass.public_id),
        detail={"reviewed": True},
    )
    return glass


@transaction.atomic
def break_glass_end(*, actor: Staff, glass: BreakGlass, note: str) -> BreakGlass:
    """A reviewer (coordinator or auditor, not the user) ends an emergency access early: it
    expires now, and the user's next request reads the case as before the break-glass."""
    if not may_review_break_glass(actor):
        raise PermissionDenied
    glass = BreakGlass.objects.select_for_update().select_related("case").get(pk=glass.pk)
    if glass.staff_id == actor.pk:
        raise ValidationError(_("Someone other than the user reviews an emergency access."))
    now = timezone.now()
    if glass.expires_at <= now:
        raise ValidationError(_("This emergency access has already ended."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write why the emergency access ends early.")})
    expires_before = glass.expires_at
    _expire(glass, now)
    if glass.reviewed_at is None:
        glass.reviewed_at, glass.reviewed_by, glass.review_note = now, actor, note
    glass.save(update_fields=["expires_at", "reviewed_at", "reviewed_by", "review_note"])
    grants.refresh_case(glass.case)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.BREAK_GLASS,
        object_id=str(glass.public_id),
        detail={
            "ended_early": True,
            "case": str(glass.case.public_id),
            "expires_before": expires_before.isoformat(),
            "expires_after": glass.expires_at.isoformat(),
        },
    )
    return glass


def _expire(glass: BreakGlass, now: datetime.datetime) -> None:
    """End the access now. expires_at must stay after started_at (a database constraint):
    one started this very instant ends a microsecond after it."""
    glass.expires_at = max(now, glass.started_at + datetime.timedelta(microseconds=1))


def break_glass_end_for_account(account: Staff) -> int:
    """End the account's running emergency accesses (its role or agency is about to change:
    they belonged to the one it leaves). Returns how many ended; audited per access."""
    now = timezone.now()
    running = list(
        BreakGlass.objects.select_for_update()
        .select_related("case")
        .filter(break_glass_active(account, now))
    )
    for glass in running:
        _expire(glass, now)
        glass.save(update_fields=["expires_at"])
        grants.refresh_case(glass.case)
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            legal_basis=LegalBasis.SYSTEM,
            object_type=ObjectType.BREAK_GLASS,
            object_id=str(glass.public_id),
            detail={"ended_early": True, "why": "account_access_changed"},
        )
    return len(running)
