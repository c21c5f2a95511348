"""A person's consent records as JSON in the shape of ISO/IEC TS 27560:2023 (consent record
information structure), with the field names of the W3C DPVCG profile ``dpv-27560:record``
("Consent Records and Receipts as per ISO/IEC TS 27560:2023 using DPV",
https://w3id.org/dpv/guides/consent-27560).

One record per consent: the header (schema version, record id, PII principal id, state,
delegation), the processing (purposes, PII controller, recipients, collection method,
withdrawal method), and the events (given, modified, withdrawn) from the consent's history.
Downloading it is audited (``AuditAction.DOWNLOAD``).
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.privacy.consent import consents_in_force
from kasane.privacy.models import Consent, ConsentEventKind, ConsentMethod, ConsentPurpose
from kasane.privacy.policy import basis_for
from kasane.registry.models import Person

SCHEMA_VERSION = "ISO/IEC TS 27560:2023"
CONFORMS_TO = "https://w3id.org/dpv/schema/iso-27560#record"
CONTROLLER = "かさね市 重層的支援体制整備事業"

# How the consent was collected, as DPV names it: in writing or orally is consent the person
# expressed explicitly; by a proxy, it is given by a delegate.
COLLECTION = {
    ConsentMethod.WRITTEN: ("dpv:ExplicitlyExpressedConsent", "written"),
    ConsentMethod.ORAL: ("dpv:ExplicitlyExpressedConsent", "oral"),
    ConsentMethod.PROXY: ("dpv:ExplicitlyExpressedConsent", "delegated"),
}
EVENT_TYPE = {
    ConsentEventKind.GIVEN: ("given", "dpv:ConsentGiven"),
    ConsentEventKind.NARROWED: ("modified", "dpv:ConsentGiven"),
    ConsentEventKind.WITHDRAWN: ("withdrawn", "dpv:ConsentWithdrawn"),
}
PURPOSE_DPV = {
    ConsentPurpose.INFORMATION_SHARING: "dpv:ServiceProvision",
    ConsentPurpose.INTEGRATED_MEETING: "dpv:ServiceProvision",
    ConsentPurpose.PARTICIPATION: "dpv:ServiceProvision",
    ConsentPurpose.OUTREACH: "dpv:ServiceProvision",
}


def _state(consent: Consent, in_force: bool) -> str:
    if consent.withdrawn_at is not None:
        return "dpv:ConsentWithdrawn"
    if consent.expires_on is not None and consent.expires_on < timezone.localdate():
        return "dpv:ConsentExpired"
    return "dpv:ConsentGiven" if in_force else "dpv:ConsentRequested"


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def record_27560(consent: Consent, in_force: bool) -> dict[str, Any]:
    """One consent as a 27560 consent record."""
    mechanism, method = COLLECTION[ConsentMethod(consent.method)]
    labels = dict(ConsentPurpose.choices)
    recipients: list[dict[str, str | None]] = [
        {"party_id": str(a.public_id), "party_name": a.name, "party_type": a.agency_type}
        for a in consent.agencies.all()
    ]
    recipients += [{"party_type": t, "party_id": None} for t in consent.agency_types]
    delegated = consent.method == ConsentMethod.PROXY
    return {
        "schema_version": SCHEMA_VERSION,
        "conforms_to": CONFORMS_TO,
        "record_id": str(consent.public_id),
        "pii_principal_id": str(consent.person.public_id),
        "consent_status": _state(consent, in_force),
        "presence_of_delegation": delegated,
        "delegation": {
            "delegate": consent.proxy_name,
            "relation_to_pii_principal": consent.proxy_relation,
        }
        if delegated
        else None,
        "notice": {"privacy_notice": "相談受付・申込票（情報共有に同意）", "language": "ja"},
        "collection_method": method,
        "consent_type": mechanism,
        "time_given": _day(consent.obtained_on),
        "validity": {"from": _day(consent.obtained_on), "until": _day(consent.expires_on)},
        "pii_controller": [{"party_name": CONTROLLER, "party_type": "municipality"}],
        "purposes": [
            {
                "purpose": p,
                "purpose_description": str(labels.get(p, p)),
                "purpose_category": PURPOSE_DPV.get(ConsentPurpose(p), "dpv:Purpose"),
                "lawful_basis": "dpv:Consent",
                "processing": ["dpv:Disclose", "dpv:Share", "dpv:Use"],
                "recipient_third_party": recipients,
            }
            for p in consent.purposes
        ],
        "withdrawal_method": "相談窓口への申し出（書面・口頭）",
        "recorded_by": {
            "party_name": consent.recorded_by_agency.name,
            "party_id": str(consent.recorded_by_agency.public_id),
        },
        "events": [
            {
                "event_time": e.at.isoformat(),
                "event_type": EVENT_TYPE[ConsentEventKind(e.kind)][0],
                "event_state": EVENT_TYPE[ConsentEventKind(e.kind)][1],
                "event_by": e.actor_agency.name if e.actor_agency else None,
                "removed": {k: v for k, v in e.removed.items() if k != "agency_names"},
                "cases": e.cases,
            }
            for e in consent.events.all()
        ],
    }


@transaction.atomic
def person_consent_records(actor: Staff, person_id: UUID | str) -> dict[str, Any]:
    """Every consent of a person the actor may read, as 27560 records (404 otherwise);
    the download is audited."""
    try:
        person = Person.objects.get(public_id=person_id)
    except (Person.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    basis = basis_for(actor, person)
    if basis is None:
        raise Http404
    consents = list(
        Consent.objects.filter(person=person)
        .select_related("person", "recorded_by_agency")
        .prefetch_related("agencies", "events__actor_agency")
        .order_by("obtained_on", "id")
    )
    in_force = set(consents_in_force().filter(person=person).values_list("pk", flat=True))
    audit.record(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        legal_basis=basis,
        object_type=ObjectType.PERSON,
        object_id=str(person.public_id),
        detail={"export": "consent_records_27560", "records": len(consents)},
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "conforms_to": CONFORMS_TO,
        "pii_principal_id": str(person.public_id),
        "generated_at": timezone.now().isoformat(),
        "records": [record_27560(c, c.pk in in_force) for c in consents],
    }
