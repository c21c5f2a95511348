"""Entries of the catalogue created, updated, marked as checked; their resources updated."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.participation.catalogue.schedules import schedule_errors
from kasane.participation.catalogue.services.inputs import (
    OPPORTUNITY_FIELDS,
    OpportunityInput,
    ResourceInput,
    ScheduleInput,
    _require_editor,
)
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
