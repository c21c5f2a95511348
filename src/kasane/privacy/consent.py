"""Consent in force: the one question every other rule asks of a person's consents; and the
read of one consent (its page, the API)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Agency, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.privacy.models import Consent
from kasane.privacy.policy import basis_for
from kasane.registry.models import Membership, Person


def consents_in_force(on: datetime.date | None = None) -> QuerySet[Consent]:
    """Consents obtained by ``on``, not expired and not withdrawn (withdrawal is immediate)."""
    day = on or timezone.localdate()
    return Consent.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        obtained_on__lte=day,
        withdrawn_at__isnull=True,
    )


def consent_covers(person: Person, agency: Agency, purpose: str) -> bool:
    """True when a consent of the person in force covers the agency (by name or by its
    type) and the purpose."""
    for consent in consents_in_force().filter(person=person).prefetch_related("agencies"):
        if purpose not in consent.purposes:
            continue
        if agency.agency_type in consent.agency_types:
            return True
        if any(a.pk == agency.pk for a in consent.agencies.all()):
            return True
    return False


@transaction.atomic
def get_consent_for_user(actor: Staff, public_id: UUID | str) -> Consent:
    """One consent of a person the actor may read (404 otherwise); audited."""
    try:
        consent = (
            Consent.objects.select_related("person", "recorded_by", "recorded_by_agency")
            .prefetch_related("agencies", "events__actor", "events__actor_agency")
            .get(public_id=public_id)
        )
    except (Consent.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    basis = basis_for(actor, consent.person)
    if basis is None:
        raise Http404
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.CONSENT,
        object_id=str(consent.public_id),
        detail={"person": str(consent.person.public_id)},
    )
    return consent


@dataclass(frozen=True)
class MemberConsents:
    """One household member and the consents of theirs in force (none: no consent)."""

    membership: Membership
    consents: list[Consent]


def member_consents(members: Iterable[Membership]) -> list[MemberConsents]:
    """Each member's consents in force, for the case page (members the caller may already
    read); a fixed number of queries whatever the household's size."""
    members = list(members)
    found: dict[int, list[Consent]] = {}
    for consent in (
        consents_in_force()
        .filter(person_id__in=[m.person_id for m in members])
        .select_related("recorded_by", "recorded_by_agency")
        .prefetch_related("agencies")
        .order_by("-obtained_on", "-id")
    ):
        found.setdefault(consent.person_id, []).append(consent)
    return [MemberConsents(m, found.get(m.person_id, [])) for m in members]
