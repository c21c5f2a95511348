"""Every change of the registry: validated, saved and audited in one transaction.

Callers fetch the records they change through ``kasane.registry.selectors`` first; these
services check the access policy again, so an API or a command cannot skip it.
"""

import datetime
from collections.abc import Mapping
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit import services as audit
from kasane.audit.changes import changed
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.core.services import submission_claim, submission_seen
from kasane.privacy import grants
from kasane.privacy.policy import basis_for, may_work_with_persons
from kasane.registry.builders import (
    PersonInput as PersonInput,
)
from kasane.registry.builders import (
    build_household,
    build_membership,
    build_person,
    build_relation,
    fill_person,
)
from kasane.registry.error_codes import ErrorCode
from kasane.registry.models import (
    AREA_PARENT_KIND,
    Area,
    AreaKind,
    Household,
    Membership,
    Person,
    Relation,
    RelationKind,
    Relationship,
)
from kasane.registry.validators import normalize_phone


def _require_registrar(actor: Staff | None) -> Agency | None:
    """The agency that registers on the actor's behalf; None for the system (demo loader)."""
    if actor is None:
        return None
    if not may_work_with_persons(actor):
        raise PermissionDenied
    return actor.agency


def _require_basis(actor: Staff | None, record: Household | Person) -> LegalBasis:
    if actor is None:
        return LegalBasis.SYSTEM
    basis = basis_for(actor, record)
    if basis is None:
        raise PermissionDenied
    return basis


def _changed_fields(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    return sorted(k for k in after if before.get(k) != after[k])


def _person_state(person: Person) -> dict[str, object]:
    return {
        "name": person.name,
        "kana": person.kana,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "area": person.area_id,
        "phone": person.phone,
        "died_on": person.died_on,
    }


@transaction.atomic
def household_create(
    *,
    actor: Staff | None,
    head: PersonInput,
    address: str = "",
    area: Area | None = None,
    phone: str = "",
    note: str = "",
    started_on: datetime.date | None = None,
    token: UUID | None = None,
    agency: Agency | None = None,
) -> Household:
    """Register a household with its first member, the head (世帯主).

    A form posted twice (same one-time ``token``) returns the household the first post made.
    """
    registrar = _require_registrar(actor) or agency
    if registrar is None:
        raise ValueError("a household needs a registering agency")
    previous = submission_seen(token, "household")
    if previous is not None:
        return Household.objects.get(public_id=previous)
    household = build_household(
        agency=registrar, address=address, area=area, phone=phone, note=note
    )
    previous = submission_claim(token, "household", household.public_id)
    if previous is not None:
        return Household.objects.get(public_id=previous)
    household.full_clean()
    household.save()
    grants.refresh(households=[household.pk])
    basis = LegalBasis.SYSTEM if actor is None else LegalBasis.OWN_AGENCY
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.HOUSEHOLD,
        object_id=str(household.public_id),
    )
    member_add(
        actor=actor,
        household=household,
        person=head,
        relationship=Relationship.HEAD,
        started_on=started_on,
    )
    return household


@transaction.atomic
def household_update(
    *, actor: Staff, household: Household, address: str, area: Area | None, phone: str, note: str
) -> Household:
    """Change a household's address and contact details."""
    basis = _require_basis(actor, household)
    before = {
        "address": household.address,
        "area": household.area_id,
        "phone": household.phone,
        "note": household.note,
    }
    household.address = address.strip()
    household.area = area
    household.phone = normalize_phone(phone)
    household.note = note
    household.full_clean()
    household.save()
    changed = _changed_fields(
        before,
        {
            "address": household.address,
            "area": household.area_id,
            "phone": household.phone,
            "note": household.note,
        },
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.HOUSEHOLD,
        object_id=str(household.public_id),
        detail={"fields": changed},
    )
    return household


@transaction.atomic
def member_add(
    *,
    actor: Staff | None,
    household: Household,
    person: PersonInput,
    relationship: str,
    started_on: datetime.date | None = None,
    token: UUID | None = None,
) -> Person:
    """Register a new person as a current member of the household.

    The person is registered by the same agency as the household, so whoever may see the
    household may see its members.
    """
    basis = _require_basis(actor, household)
    previous = submission_seen(token, "person")
    if previous is not None:
        return Person.objects.get(public_id=previous)
    record = build_person(person, agency=household.registered_by_agency)
    previous = submission_claim(token, "person", record.public_id)
    if previous is not None:
        return Person.objects.get(public_id=previous)
    record.full_clean()
    record.save()
    membership = build_membership(
        household=household,
        person=record,
        relationship=relationship,
        started_on=started_on or timezone.localdate(),
    )
    membership.full_clean()
    membership.save()
    grants.refresh(households=[household.pk], persons=[record.pk])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.PERSON,
        object_id=str(record.public_id),
        detail={"household": str(household.public_id), "relationship": relationship},
    )
    return record


@transaction.atomic
def person_update(*, actor: Staff, person: Person, data: PersonInput) -> Person:
    """Correct a person's name, kana, birth date, sex, area or phone, or record a death."""
    basis = _require_basis(actor, person)
    before = _person_state(person)
    fill_person(person, data)
    person.full_clean()
    person.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.PERSON,
        object_id=str(person.public_id),
        detail={"fields": _changed_fields(before, _person_state(person))},
    )
    return person


@transaction.atomic
def membership_end(*, actor: Staff, membership: Membership, ended_on: datetime.date) -> Membership:
    """A member leaves the household (転出, 死亡, 世帯分離); the history is kept."""
    basis = _require_basis(actor, membership.household)
    if membership.ended_on is not None:
        raise ValidationError(_("This membership has already ended."), code=ErrorCode.ALREADY_ENDED)
    if ended_on < membership.started_on:
        raise ValidationError(
            {
                "ended_on": ValidationError(
                    _("The end date is before the date the person joined the household."),
                    code=ErrorCode.BEFORE_START,
                )
            }
        )
    membership.ended_on = ended_on
    membership.full_clean()
    membership.save()
    grants.refresh(households=[membership.household_id])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.MEMBERSHIP,
        object_id=str(membership.public_id),
        detail={
            "household": str(membership.household.public_id),
            "person": str(membership.person.public_id),
            "fields": ["ended_on"],
        },
    )
    return membership


@transaction.atomic
def relation_create(
    *, actor: Staff | None, from_person: Person, to_person: Person, kind: str
) -> Relation:
    """Record a family relation between two persons the actor may both see."""
    basis = _require_basis(actor, from_person)
    _require_basis(actor, to_person)
    if from_person.pk == to_person.pk:
        raise ValidationError(
            _("A person cannot be related to themselves."), code=ErrorCode.SAME_PERSON
        )
    symmetric = kind in (RelationKind.SPOUSE, RelationKind.SIBLING)
    exists = Relation.objects.filter(from_person=from_person, to_person=to_person, kind=kind)
    if symmetric:
        exists = exists | Relation.objects.filter(
            from_person=to_person, to_person=from_person, kind=kind
        )
    if exists.exists():
        raise ValidationError(
            _("This relation is already recorded."), code=ErrorCode.RELATION_EXISTS
        )
    relation = build_relation(from_person=from_person, to_person=to_person, kind=kind)
    relation.full_clean()
    relation.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.RELATION,
        object_id=str(relation.public_id),
        detail={"from": str(from_person.public_id), "to": str(to_person.public_id), "kind": kind},
    )
    return relation


@transaction.atomic
def area_create(
    *,
    code: str,
    name: str,
    kind: AreaKind,
    parent: Area | None = None,
    actor: Staff | None = None,
) -> Area:
    """Add an area, nested inside an area of the kind above it (city ⊃ 圏域 ⊃ 中学校区 ⊃ 町丁目).
    Areas are master data that every table of counts is cut by: audited with their values
    (``actor`` None: a command or the demo)."""
    expected = AREA_PARENT_KIND[kind]
    if (parent.kind if parent else None) != expected:
        raise ValidationError(_("This kind of area must be inside an area of the kind above it."))
    area = Area(code=code, name=name, kind=kind, parent=parent)
    area.full_clean()
    area.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.AREA,
        object_id=area.code,
        detail={
            "changed": changed({}, {"code": code, "name": name, "kind": kind, "parent": parent})
        },
        actor_username=None if actor is not None else "system",
    )
    return area
