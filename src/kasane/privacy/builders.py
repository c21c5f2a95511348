"""A consent as ``consent_record`` fills it, unsaved (its agencies are set once it is saved).

``kasane.privacy.services`` validates, saves, refreshes the grants and audits what this builds;
the demo's bulk loader writes the same records in batches, then rebuilds the grants.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kasane.privacy.cases import agency_id_of
from kasane.privacy.models import Consent, ConsentEvent, ConsentEventKind, ConsentMethod

if TYPE_CHECKING:
    from kasane.accounts.models import Staff
    from kasane.registry.models import Person


def build_consent(
    *,
    person: Person | int,
    actor: Staff,
    purposes: Iterable[str],
    method: str,
    obtained_on: datetime.date,
    agency_types: Iterable[str] = (),
    proxy_name: str = "",
    proxy_relation: str = "",
    expires_on: datetime.date | None = None,
    note: str = "",
) -> Consent:
    """The person's consent, recorded by the actor for their agency; the proxy's name and
    relation are kept only for a consent given by proxy."""
    proxy = method == ConsentMethod.PROXY
    consent = Consent(
        purposes=sorted(set(purposes)),
        agency_types=sorted(set(agency_types)),
        method=method,
        proxy_name=proxy_name.strip() if proxy else "",
        proxy_relation=proxy_relation.strip() if proxy else "",
        obtained_on=obtained_on,
        expires_on=expires_on,
        note=note.strip(),
        recorded_by=actor,
        recorded_by_agency_id=agency_id_of(actor),
    )
    if isinstance(person, int):
        consent.person_id = person
    else:
        consent.person = person
    return consent


def given_events(consents: Iterable[Consent]) -> list[ConsentEvent]:
    """The "given" event of each consent a bulk loader saved, at its ``created_at``."""
    return [
        ConsentEvent(
            consent=c,
            kind=ConsentEventKind.GIVEN,
            at=c.created_at,
            actor_id=c.recorded_by_id,
            actor_agency_id=c.recorded_by_agency_id,
        )
        for c in consents
    ]
