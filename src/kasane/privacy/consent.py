"""Consent in force: the one question every other rule asks of a person's consents."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from kasane.accounts.models import Agency
from kasane.privacy.models import Consent
from kasane.registry.models import Person


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
