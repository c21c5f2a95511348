"""Every change of the catalogue of places to take part (参加支援カタログ).

The catalogue holds no personal data — it is published — so its audit events carry
``LegalBasis.NONE``; they are still written, in the same transaction as the change, so that
the city can tell who changed an entry and when. Only participation support workers and
coordinators edit the catalogue (:func:`can_edit_catalogue`); imports from the command line
run as the system (no actor).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.participation.catalogue import hsds
from kasane.participation.catalogue.schedules import schedule_errors
from kasane.participation.models import (
    AccessibilityFeature,
    Language,
    Opportunity,
    OpportunityKind,
    OpportunityKindLink,
    Resource,
    Schedule,
    Welcome,
)
from kasane.registry.models import Area

EDITOR_ROLES = frozenset({Role.PARTICIPATION_WORKER, Role.COORDINATOR})


def can_edit_catalogue(actor: Staff | None) -> bool:
    return bool(
        actor is not None
        and actor.is_active
        and actor.role in EDITOR_ROLES
        and actor.agency_id is not None
    )


def _require_editor(actor: Staff | None) -> None:
    if not can_edit_catalogue(actor):
        raise PermissionDenied


@dataclass
class ScheduleInput:
    freq: str
    interval: int = 1
    byday: str = ""
    bymonthday: str = ""
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    dtstart: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    description: str = ""
    public_id: uuid.UUID | None = None


@dataclass
class ResourceInput:
    name: str
    description: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""


@dataclass
class OpportunityInput:
    """What a staff member (or the API) writes about a place to take part."""

    name: str
    kinds: list[str]
    description: str = ""
    status: str = "active"
    url: str = ""
    email: str = ""
    phone: str = ""
    application_process: str = ""
    location_name: str = ""
    area: Area | None = None
    address: str = ""
    postal_code: str = ""
    latitude: Any = None
    longitude: Any = None
    cost_amount: int | None = None
    cost_description: str = ""
    accessibility: list[str] = field(default_factory=list)
    accessibility_note: str = ""
    languages: list[str] = field(default_factory=lambda: ["ja"])
    welcomes: list[str] = field(default_factory=list)
    capacity: int | None = None
    vacancies: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    eligibility_description: str = ""
    schedules: list[ScheduleInput] = field(default_factory=list)


OPPORTUNITY_FIELDS = [
    "name",
    "description",
    "status",
    "url",
    "email",
    "phone",
    "application_process",
    "location_name",
    "area",
    "address",
    "postal_code",
    "latitude",
    "longitude",
    "cost_amount",
    "cost_description",
    "accessibility",
    "accessibility_note",
    "languages",
    "welcomes",
    "capacity",
    "vacancies",
    "age_min",
    "age_max",
    "eligibility_description",
]


def _check_codes(data: OpportunityInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, choices in (
        ("kinds", OpportunityKind),
        ("accessibility", AccessibilityFeature),
        ("languages", Language),
        ("welcomes", Welcome),
    ):
        unknown = [c for c in getattr(data, name) if c not in choices.values]
        if unknown:
            errors[name] = [_("Unknown codes: %(codes)s") % {"codes": ", ".join(unknown)}]
    if not data.kinds:
        errors.setdefault("kinds", []).append(_("Choose at least one kind of place."))
    return errors


def _save_schedules(opportunity: Opportunity, schedules: list[ScheduleInput]) -> None:
    existing = {s.public_id: s for s in opportunity.schedules.all()}
    kept: set[int] = set()
    for item in schedules:
        schedule = existing.get(item.public_id) if item.public_id else None
        if schedule is None:
            schedule = Schedule(opportunity=opportunity)
            if item.public_id:
                schedule.public_id = item.public_id
        for name in (
            "freq",
            "interval",
            "byday",
            "bymonthday",
            "opens_at",
            "closes_at",
            "dtstart",
            "valid_from",
            "valid_to",
            "description",
        ):
            setattr(schedule, name, getattr(item, name))
        schedule.opportunity = opportunity
        schedule.full_clean()
        schedule.save()
        kept.add(schedule.pk)
    opportunity.schedules.exclude(pk__in=kept).delete()


def _save_kinds(opportunity: Opportunity, kinds: list[str]) -> None:
    wanted = list(dict.fromkeys(kinds))
    opportunity.kind_links.exclude(kind__in=wanted).delete()
    have = set(opportunity.kind_links.values_list("kind", flat=True))
    OpportunityKindLink.objects.bulk_create(
        [OpportunityKindLink(opportunity=opportunity, kind=k) for k in wanted if k not in have]
    )


def _validate(data: OpportunityInput) -> None:
    errors = _check_codes(data)
    for i, schedule in enumerate(data.schedules):
        found = schedule_errors(
            freq=schedule.freq,
            interval=schedule.interval,
            byday=schedule.byday,
            bymonthday=schedule.bymonthday,
            opens_at=schedule.opens_at,
            closes_at=schedule.closes_at,
            dtstart=schedule.dtstart,
            valid_from=schedule.valid_from,
            valid_to=schedule.valid_to,
        )
        for name, messages in found.items():
            errors.setdefault("schedules", []).extend(
                _("Schedule %(n)d, %(field)s: %(message)s")
                % {"n": i + 1, "field": name, "message": m}
                for m in messages
            )
    if errors:
        raise ValidationError(errors)


def _resource_for(resource: Resource | ResourceInput) -> Resource:
    if isinstance(resource, Resource):
        return resource
    found = Resource.objects.filter(name=resource.name).first() or Resource(name=resource.name)
    for name in ("description", "email", "phone", "url"):
        value = getattr(resource, name)
        if value:
            setattr(found, name, value)
    found.full_clean()
    found.save()
    return found


@transaction.atomic
def opportunity_create(
    *,
    actor: Staff,
    resource: Resource | ResourceInput,
    data: OpportunityInput,
    today: datetime.date | None = None,
) -> Opportunity:
    """Add a place to take part, hosted by an organisation (an existing one, or one named
    here — found by name or created). It counts as checked on the day it is entered."""
    _require_editor(actor)
    _validate(data)
    opportunity = Opportunity(
        resource=_resource_for(resource),
        checked_on=today or timezone.localdate(),
        checked_by=actor,
    )
    for name in OPPORTUNITY_FIELDS:
        setattr(opportunity, name, getattr(data, name))
    opportunity.full_clean()
    opportunity.save()
    _save_kinds(opportunity, data.kinds)
    _save_schedules(opportunity, data.schedules)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.PARTICIPATION_OPPORTUNITY,
        object_id=opportunity.public_id,
        actor_username=None if actor else "system",
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    actor: Staff,
    opportunity: Opportunity,
    data: OpportunityInput,
    resource: Resource | ResourceInput | None = None,
) -> Opportunity:
    """Change a place to take part. Editing is not checking: ``checked_on`` moves only with
    :func:`opportunity_mark_checked`, so a typo fixed does not hide a stale entry."""
    _require_editor(actor)
    _validate(data)
    if resource is not None:
        opportunity.resource = _resource_for(resource)
    changed = [n for n in OPPORTUNITY_FIELDS if getattr(opportunity, n) != getattr(data, n)]
    for name in OPPORTUNITY_FIELDS:
        setattr(opportunity, name, getattr(data, name))
    opportunity.full_clean()
    opportunity.save()
    _save_kinds(opportunity, data.kinds)
    _save_schedules(opportunity, data.schedules)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.PARTICIPATION_OPPORTUNITY,
        object_id=opportunity.public_id,
        detail={"fields": changed},
        actor_username=None if actor else "system",
    )
    return opportunity


@transaction.atomic
def opportunity_mark_checked(
    *,
    actor: Staff,
    opportunity: Opportunity,
    vacancies: int | None = None,
    today: datetime.date | None = None,
) -> Opportunity:
    """Record that someone confirmed the entry with the host today (HSDS assured_date),
    optionally with the places free now."""
    _require_editor(actor)
    opportunity.checked_on = today or timezone.localdate()
    opportunity.checked_by = actor
    if vacancies is not None:
        opportunity.vacancies = vacancies
    opportunity.full_clean()
    opportunity.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.PARTICIPATION_OPPORTUNITY,
        object_id=opportunity.public_id,
        detail={"fields": ["checked_on"]},
        actor_username=None if actor else "system",
    )
    return opportunity


@transaction.atomic
def resource_update(*, actor: Staff, resource: Resource, data: ResourceInput) -> Resource:
    """Change the hosting organisation's details (shared by all its places)."""
    _require_editor(actor)
    for name in ("name", "description", "email", "phone", "url"):
        setattr(resource, name, getattr(data, name))
    resource.full_clean()
    resource.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.PARTICIPATION_RESOURCE,
        object_id=resource.public_id,
        actor_username=None if actor else "system",
    )
    return resource


# --- HSDS import -----------------------------------------------------------------------------


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
