"""Bulk loading for a large demo city (``kasane seed_demo --households 100000``).

The registry and case services write one record at a time, each with its audit event: right
for staff, hours for a city of 100,000 households. Past the households whose story the
services tell (``kasane.demo.city.STORY_HOUSEHOLDS``), the demo writes the same records in
batches: the same fields the services fill (search tokens by the same normaliser, case
numbers from the same per-年度 counter, a lead agency on every open case), and the same
creation and change events appended to the hash-chained audit log, so that
``kasane audit_verify`` passes on the big city as on the small one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from kasane.audit.chain import GENESIS_HASH, event_hash
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.core.request_context import current_request_id
from kasane.registry.builders import (
    PersonInput,
    build_household,
    build_membership,
    build_person,
    build_relation,
)
from kasane.registry.models import (
    Household,
    Membership,
    Person,
    Relation,
    RelationKind,
    Relationship,
)

if TYPE_CHECKING:
    from kasane.accounts.models import Agency, Staff
    from kasane.registry.models import Area

BATCH = 1000  # households per flush: a few thousand rows per table, a few MB of memory


class FlushOnExit:
    """Writes what is pending when its ``with`` block ends without an error."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.flush()

    def flush(self) -> None:
        raise NotImplementedError


class AuditChain(FlushOnExit):
    """Appends events to the audit chain in batches, hashed exactly as ``audit.record``
    would have hashed them one by one.

    Use it between service calls, never during one: it reads the chain's head when it opens
    and writes everything when it closes, so an event written by ``audit.record`` meanwhile
    would fork the chain (the unique sequence stops that with an error, not silently).
    """

    def __init__(self) -> None:
        self.pending: list[AuditEvent] = []
        self.sequence = 0
        self.previous = GENESIS_HASH

    def __enter__(self) -> Self:
        last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
        self.sequence = last.sequence if last else 0
        self.previous = last.hash if last else GENESIS_HASH
        return self

    def add(
        self,
        *,
        actor: Staff | None,
        action: AuditAction,
        legal_basis: LegalBasis,
        object_type: str,
        object_id: object,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.sequence += 1
        event = AuditEvent(
            sequence=self.sequence,
            at=timezone.now(),
            actor=actor,
            actor_username=actor.username if actor else "",
            agency_name=actor.agency.name if actor and actor.agency else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            legal_basis=legal_basis,
            request_id=current_request_id(),
            detail=detail or {},
            previous_hash=self.previous,
        )
        event.hash = event_hash(event)
        self.previous = event.hash
        self.pending.append(event)
        if len(self.pending) >= 5 * BATCH:
            self.flush()

    def flush(self) -> None:
        # In sequence order, so that storage order (the primary key) is chain order.
        AuditEvent.objects.bulk_create(self.pending)
        self.pending = []


def insert(model: type[Model], rows: Sequence[Model]) -> None:
    """bulk_create, which sets the primary keys on SQLite and PostgreSQL alike.

    A record's ``created_at`` / ``updated_at`` set by the caller are kept (a plan drafted a
    year ago was created a year ago: the evaluation counts drafts by it); those left unset
    are now, as ``auto_now`` would make them.
    """
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    now = timezone.now()
    for row in rows:
        for f in stamped:
            if getattr(row, f.attname) is None:
                setattr(row, f.attname, now)
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]  # type: ignore[attr-defined]
    try:
        for f in stamped:
            f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
        model._default_manager.bulk_create(rows, batch_size=2000)
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


class BulkHouseholds(FlushOnExit):
    """Collects households built by ``DemoCity`` and writes them in batches, as
    ``household_create``, ``member_add`` and ``relation_create`` would have (actor None:
    the system, legal basis SYSTEM)."""

    def __init__(self) -> None:
        self.pending: list[
            tuple[Household, datetime.date, list[tuple[PersonInput, Relationship]], Area]
        ] = []

    def add(
        self,
        *,
        agency: Agency,
        block: Area,
        address: str,
        phone: str,
        note: str,
        started_on: datetime.date,
        members: list[tuple[PersonInput, Relationship]],
    ) -> None:
        household = build_household(
            agency=agency, address=address, area=block, phone=phone, note=note
        )
        self.pending.append((household, started_on, members, block))
        if len(self.pending) >= BATCH:
            self.flush()

    @transaction.atomic
    def flush(self) -> None:
        if not self.pending:
            return
        insert(Household, [h for h, _s, _m, _b in self.pending])
        persons: list[list[Person]] = []
        for household, _started, members, block in self.pending:
            row = []
            for index, (data, _relationship) in enumerate(members):
                head_phone = household.phone if index == 0 else ""
                row.append(
                    build_person(
                        PersonInput(
                            data.name, data.kana, data.birth_date, data.sex, block, head_phone
                        ),
                        agency=household.registered_by_agency,
                    )
                )
            persons.append(row)
        insert(Person, [p for row in persons for p in row])
        memberships = []
        relations: list[list[Relation]] = []
        for (household, started, members, _block), row in zip(self.pending, persons, strict=True):
            for (data, relationship), person in zip(members, row, strict=True):
                memberships.append(
                    build_membership(
                        household=household,
                        person=person,
                        relationship=relationship,
                        started_on=started
                        if relationship == Relationship.HEAD
                        else max(started, data.birth_date or started),
                    )
                )
            relations.append(list(family_relations(row, [r for _d, r in members])))
        insert(Membership, memberships)
        insert(Relation, [r for group in relations for r in group])
        with AuditChain() as audit:
            for (household, _s, members, _b), row, group in zip(
                self.pending, persons, relations, strict=True
            ):
                audit.add(
                    actor=None,
                    action=AuditAction.CREATE,
                    legal_basis=LegalBasis.SYSTEM,
                    object_type="household",
                    object_id=household.public_id,
                )
                for (_data, relationship), person in zip(members, row, strict=True):
                    audit.add(
                        actor=None,
                        action=AuditAction.CREATE,
                        legal_basis=LegalBasis.SYSTEM,
                        object_type="person",
                        object_id=person.public_id,
                        detail={
                            "household": str(household.public_id),
                            "relationship": relationship,
                        },
                    )
                for relation in group:
                    audit.add(
                        actor=None,
                        action=AuditAction.CREATE,
                        legal_basis=LegalBasis.SYSTEM,
                        object_type="relation",
                        object_id=relation.public_id,
                        detail={
                            "from": str(relation.from_person.public_id),
                            "to": str(relation.to_person.public_id),
                            "kind": relation.kind,
                        },
                    )
        self.pending = []


def family_relations(persons: Sequence[Person], relationships: Sequence[str]) -> Iterable[Relation]:
    """Spouse and parent relations implied by 続柄, as ``DemoCity._relate`` records them."""
    head = persons[0]
    spouse = next(
        (p for p, r in zip(persons, relationships, strict=True) if r == Relationship.SPOUSE),
        None,
    )
    if spouse is not None:
        yield build_relation(from_person=head, to_person=spouse, kind=RelationKind.SPOUSE)
    for person, relationship in zip(persons, relationships, strict=True):
        if relationship == Relationship.CHILD:
            for parent in (head, spouse):
                if parent is not None:
                    yield build_relation(
                        from_person=parent, to_person=person, kind=RelationKind.PARENT
                    )
        elif relationship == Relationship.PARENT:
            yield build_relation(from_person=person, to_person=head, kind=RelationKind.PARENT)
