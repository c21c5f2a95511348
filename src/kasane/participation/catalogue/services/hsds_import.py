"""Importing catalogue entries from HSDS records (Open Referral), all or nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.participation.catalogue import hsds
from kasane.participation.catalogue.services.entries import _save_kinds, _save_schedules
from kasane.participation.catalogue.services.inputs import ScheduleInput, _require_editor
from kasane.participation.models import (
    Opportunity,
    Resource,
)
from kasane.registry.models import Area


class CatalogueImportError(ValidationError):
    """The file was refused; ``messages`` lists every fault, each with where it is."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def _location_id(parsed: hsds.ParsedService, taken: dict[uuid.UUID, uuid.UUID]) -> uuid.UUID:
    """HSDS lets services share a location; Kasane keeps one per place, so a second service
    at the same location gets an id derived from both (the same on every import)."""
    location = parsed.values["location_public_id"] or uuid.uuid5(parsed.public_id, "location")
    owner = taken.get(location)
    if owner is not None and owner != parsed.public_id:
        location = uuid.uuid5(location, str(parsed.public_id))
    taken[location] = parsed.public_id
    return location


def catalogue_import(*, actor: Staff | None, records: Any) -> ImportResult:
    """Create or update the places in HSDS service records, matched by their HSDS id.

    All or nothing: every record is checked first, and one fault anywhere refuses the whole
    file with every fault listed (record or row, id, field). Importing the same file twice
    changes nothing the second time. ``actor`` None is the system (the command line).
    """
    if actor is not None:
        _require_editor(actor)
    areas = {a.code: a for a in Area.objects.all()}
    parsed, faults = hsds.parse_services(records, areas)
    if faults:
        raise CatalogueImportError(faults)
    result = ImportResult()
    today = timezone.localdate()
    with transaction.atomic():
        existing = {
            o.public_id: o
            for o in Opportunity.objects.filter(public_id__in=[p.public_id for p in parsed])
        }
        resources = {
            r.public_id: r
            for r in Resource.objects.filter(public_id__in=[p.resource.public_id for p in parsed])
        }
        taken = dict(
            Opportunity.objects.exclude(public_id__in=[p.public_id for p in parsed]).values_list(
                "location_public_id", "public_id"
            )
        )
        for item in parsed:
            resource = resources.get(item.resource.public_id)
            if resource is None:
                resource = Resource(public_id=item.resource.public_id)
                resources[resource.public_id] = resource
            for name in ("name", "description", "email", "phone", "url"):
                setattr(resource, name, getattr(item.resource, name))
            resource.full_clean(validate_unique=False)
            resource.save()
            opportunity = existing.get(item.public_id)
            if opportunity is None:
                opportunity = Opportunity(public_id=item.public_id)
                result.created += 1
            else:
                result.updated += 1
            opportunity.resource = resource
            values = dict(item.values)
            values["location_public_id"] = _location_id(item, taken)
            values["checked_on"] = values["checked_on"] or opportunity.checked_on or today
            for name, value in values.items():
                setattr(opportunity, name, value)
            try:
                opportunity.full_clean(validate_unique=False)
            except ValidationError as error:
                raise CatalogueImportError([f"{item.where}: {m}" for m in error.messages]) from None
            opportunity.save()
            _save_kinds(opportunity, item.kinds)
            _save_schedules(
                opportunity,
                [
                    ScheduleInput(**{k: getattr(s, k) for k in s.__dataclass_fields__})
                    for s in item.schedules
                ],
            )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            legal_basis=LegalBasis.NONE,
            object_type=ObjectType.PARTICIPATION_CATALOGUE,
            object_id="hsds-import",
            detail={"created": result.created, "updated": result.updated},
            actor_username=None if actor else "system",
        )
    return result
