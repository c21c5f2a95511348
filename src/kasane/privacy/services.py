"""Recording the legal bases of sharing: consents and break-glass, audited in one transaction.

Callers fetch the person or case through the privacy selectors first; these services check
the policy again, so the API and commands cannot go around it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.accounts.notifications import notify
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.privacy import grants
from kasane.privacy.break_glass_selectors import may_review_break_glass
from kasane.privacy.builders import build_consent
from kasane.privacy.cases import agency_id_of, break_glass_active, case_basis
from kasane.privacy.models import BreakGlass, Consent, ConsentMethod, ConsentPurpose
from kasane.privacy.policy import basis_for
from kasane.registry.models import Person

BREAK_GLASS_HOURS = 24
REASON_MIN_LENGTH = 10


@dataclass(frozen=True)
class ConsentInput:
    purposes: list[str]
    method: str
    obtained_on: datetime.date
    agencies: list[Agency] = field(default_factory=list)
    agency_types: list[str] = field(default_factory=list)
    proxy_name: str = ""
    proxy_relation: str = ""
    expires_on: datetime.date | None = None
    note: str = ""


def _person_basis(actor: Staff, person: Person) -> LegalBasis:
    basis = basis_for(actor, person)
    if basis is None:
        raise PermissionDenied
    return basis


def _validate(data: ConsentInput, today: datetime.date) -> None:
    errors: dict[str, list[str]] = {}
    if not data.purposes:
        errors.setdefault("purposes", []).append(_("Choose at least one purpose."))
    unknown = set(data.purposes) - set(ConsentPurpose.values)
    if unknown:
        errors.setdefault("purposes", []).append(_("Unknown purpose."))
    if not data.agencies and not data.agency_types:
        errors.setdefault("agencies", []).append(
            _("Name the agencies, or the types of agency, that the consent covers.")
        )
    if set(data.agency_types) - set(AgencyType.values):
        errors.setdefault("agency_types", []).append(_("Unknown type of agency."))
    if data.method not in ConsentMethod.values:
        errors.setdefault("method", []).append(_("Choose how the consent was obtained."))
    if data.method == ConsentMethod.PROXY:
        if not data.proxy_name.strip():
            errors.setdefault("proxy_name", []).append(
                _("A consent given by a proxy needs the proxy's name.")
            )
        if not data.proxy_relation.strip():
            errors.setdefault("proxy_relation", []).append(
                _("A consent given by a proxy needs the proxy's relation to the person.")
            )
    if data.obtained_on > today:
        errors.setdefault("obtained_on", []).append(_("The consent cannot be dated in the future."))
    if data.expires_on is not None and data.expires_on < data.obtained_on:
        errors.setdefault("expires_on", []).append(
            _("The consent cannot expire before it was obtained.")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consent_record(*, actor: Staff, person: Person, data: ConsentInput) -> Consent:
    """Record a person's consent to share, as stated on the 相談受付・申込票."""
    basis = _person_basis(actor, person)
    _validate(data, timezone.localdate())
    consent = build_consent(
        person=person,
        actor=actor,
        purposes=data.purposes,
        method=data.method,
        obtained_on=data.obtained_on,
        agency_types=data.agency_types,
        proxy_name=data.proxy_name,
        proxy_relation=data.proxy_relation,
        expires_on=data.expires_on,
        note=data.note,
    )
    consent.save()
    consent.agencies.set(data.agencies)
    grants.refresh_person(person)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.CONSENT,
        object_id=str(consent.public_id),
        detail={"person": str(person.public_id), "purposes": consent.purposes},
    )
    return consent


INTAKE_NOTE = "相談受付・申込票（情報共有に同意）"


def consent_from_intake(
    *,
    actor: Staff,
    persons: Iterable[Person],
    agencies: Iterable[Agency],
    obtained_on: datetime.date,
    to_coordination: bool,
) -> list[Consent]:
    """The consent given on the 相談受付・申込票, so that nobody types it twice.

    Covers the receiving agency and the agency the consultation was referred to (and, when
    it goes to coordination, the municipal coordination) for sharing information and for
    the 重層的支援会議. The intake service has already checked the actor's access.
    """
    created = []
    for person in persons:
        consent = build_consent(
            person=person,
            actor=actor,
            purposes=[ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.INTEGRATED_MEETING],
            agency_types=[AgencyType.MUNICIPALITY] if to_coordination else [],
            method=ConsentMethod.WRITTEN,
            obtained_on=obtained_on,
            note=INTAKE_NOTE,
        )
        consent.save()
        consent.agencies.set({a.pk: a for a in agencies}.values())
        grants.refresh_person(person)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.CONSENT,
            object_id=str(consent.public_id),
            detail={"person": str(person.public_id), "purposes": consent.purposes},
        )
        created.append(consent)
    return created


@transaction.atomic
def consent_withdraw(*, actor: Staff, consent: Consent, note: str = "") -> Consent:
    """Withdraw a consent; every access that rested on it ends with this transaction."""
    consent = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    basis = _person_basis(actor, consent.person)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_note = note.strip()[:500]
    consent.save(update_fields=["withdrawn_at", "withdrawal_note", "updated_at"])
    grants.refresh_person(consent.person)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.CONSENT,
        object_id=str(consent.public_id),
        detail={"person": str(consent.person.public_id), "withdrawn": True},
    )
    return consent


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
    # expires_at must stay after started_at (a database constraint): one started this very
    # instant ends a microsecond after it.
    glass.expires_at = max(now, glass.started_at + datetime.timedelta(microseconds=1))
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
        glass.expires_at = max(now, glass.started_at + datetime.timedelta(microseconds=1))
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
