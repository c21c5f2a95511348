"""The rows of a register file, checked and written: households first, then persons."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Collection, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.privacy import grants
from kasane.registry.builders import fill_person
from kasane.registry.import_services.areas import AreaMatcher
from kasane.registry.import_services.results import ImportResult, ResidentImportError
from kasane.registry.models import Area, AreaKind, Household, Membership, Person, Relationship
from kasane.registry.resident_import import ResidentRow, RowError
from kasane.registry.services import PersonInput, _person_state


def _audit_imported(
    actor: Staff, action: AuditAction, record: Household | Person, **detail: object
) -> None:
    """A household or person the import created or changed."""
    object_type = ObjectType.HOUSEHOLD if isinstance(record, Household) else ObjectType.PERSON
    audit.record(
        actor=actor,
        action=action,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=object_type,
        object_id=record.public_id,
        detail={**detail, "source": "resident_import"},
    )


def _refusals(
    agency: Agency,
    rows: Sequence[ResidentRow],
    by_household: dict[str, list[ResidentRow]],
    households: dict[str, Household],
    persons: dict[str, Person],
    today: datetime.date,
    incomplete: Collection[str] = (),
) -> list[RowError]:
    """Why rows cannot be imported at all: dates ahead, another agency's records, no head
    (unless the household has a refused row: its head may be that one)."""
    errors: list[RowError] = []
    for row in rows:
        if row.moved_on is not None and row.moved_on > today:
            errors.append(RowError(row.line, _("The date of the change is in the future.")))
        if row.birth_date > today:
            errors.append(RowError(row.line, _("The date of birth cannot be in the future.")))
        person = persons.get(row.resident_number)
        if person is not None and person.registered_by_agency_id != agency.pk:
            errors.append(
                RowError(
                    row.line,
                    _(
                        "This resident number cannot be imported by your agency: ask the "
                        "agency that registered the person."
                    ),
                )
            )
    for number, members in by_household.items():
        household = households.get(number)
        if household is not None and household.registered_by_agency_id != agency.pk:
            errors.append(
                RowError(
                    members[0].line,
                    _("Household %(number)s was registered by another agency.")
                    % {"number": number},
                )
            )
        has_head = any(r.relationship == Relationship.HEAD for r in members)
        if household is None and not has_head and number not in incomplete:
            errors.append(
                RowError(
                    members[0].line,
                    _("Household %(number)s is new, but the file gives no head (世帯主) for it.")
                    % {"number": number},
                )
            )
    return errors


def _household_row(
    actor: Staff,
    number: str,
    members: list[ResidentRow],
    households: dict[str, Household],
    match_area: AreaMatcher,
    result: ImportResult,
    errors: list[RowError],
) -> Household:
    """The household of 世帯番号 ``number``, created or its address brought up to date."""
    agency = actor.agency
    assert agency is not None
    head_row = next((r for r in members if r.relationship == Relationship.HEAD), members[0])
    address = head_row.address or next((r.address for r in members if r.address), "")
    area = match_area(address) if address else None
    household = households.get(number)
    if household is None:
        household = Household(
            register_number=number,
            address=address,
            area=area,
            registered_by_agency=agency,
        )
        _save(household, errors, head_row.line)
        result.households_created += 1
        _audit_imported(actor, AuditAction.CREATE, household)
    elif address and (household.address, household.area_id) != (
        address,
        area.pk if area else None,
    ):
        household.address, household.area = address, area
        _save(household, errors, head_row.line)
        result.households_updated += 1
        _audit_imported(actor, AuditAction.UPDATE, household, fields=["address", "area"])
    return household


def _import(
    actor: Staff,
    rows: Sequence[ResidentRow],
    result: ImportResult,
    today: datetime.date,
    faults: Sequence[RowError] = (),
    incomplete: Collection[str] = (),
) -> None:
    agency = actor.agency
    assert agency is not None
    by_household: dict[str, list[ResidentRow]] = defaultdict(list)
    for row in rows:
        by_household[row.household_number].append(row)
    households = {
        h.register_number: h
        for h in Household.objects.select_for_update().filter(
            register_number__in=list(by_household)
        )
    }
    persons = {
        p.resident_number: p
        for p in Person.objects.select_for_update().filter(
            resident_number__in=[r.resident_number for r in rows]
        )
    }
    current = {
        m.person_id: m
        for m in Membership.objects.select_for_update()
        .filter(person__in=list(persons.values()), ended_on__isnull=True)
        .select_related("household")
    }
    match_area = AreaMatcher(list(Area.objects.filter(kind=AreaKind.BLOCK)))

    # The file's own faults and the register's, named together: one pass fixes the file.
    errors = [
        *faults,
        *_refusals(agency, rows, by_household, households, persons, today, incomplete),
    ]
    if errors:
        raise ResidentImportError(sorted(errors, key=lambda e: e.line))

    for number, members in by_household.items():
        household = _household_row(actor, number, members, households, match_area, result, errors)
        for row in members:
            _person_row(actor, row, household, persons, current, result, errors, today)
    if errors:
        raise ResidentImportError(sorted(errors, key=lambda e: e.line))
    _refresh_grants(rows)


def _refresh_grants(rows: Sequence[ResidentRow]) -> None:
    """The households and persons of the file, and the households they left."""
    person_ids = list(
        Person.objects.filter(resident_number__in=[r.resident_number for r in rows]).values_list(
            "pk", flat=True
        )
    )
    households = set(
        Household.objects.filter(
            register_number__in={r.household_number for r in rows}
        ).values_list("pk", flat=True)
    )
    households |= set(
        Membership.objects.filter(person_id__in=person_ids).values_list("household_id", flat=True)
    )
    grants.refresh(households=households, persons=person_ids)


def _save(record: Household | Person | Membership, errors: list[RowError], line: int) -> bool:
    try:
        record.full_clean()
    except ValidationError as error:
        errors.extend(RowError(line, message) for message in error.messages)
        return False
    record.save()
    return True


def _new_person(
    actor: Staff,
    row: ResidentRow,
    household: Household,
    started_on: datetime.date,
    result: ImportResult,
    errors: list[RowError],
) -> None:
    """A resident number Kasane does not know yet: the person and their membership."""
    person = Person(
        resident_number=row.resident_number, registered_by_agency=household.registered_by_agency
    )
    fill_person(person, _input(row, household.area))
    if not _save(person, errors, row.line):
        return
    first = Membership(
        household=household, person=person, relationship=row.relationship, started_on=started_on
    )
    if not _save(first, errors, row.line):
        return
    result.persons_created += 1
    _audit_imported(
        actor,
        AuditAction.CREATE,
        person,
        household=str(household.public_id),
        relationship=row.relationship,
    )


def _person_row(
    actor: Staff,
    row: ResidentRow,
    household: Household,
    persons: dict[str, Person],
    current: dict[int, Membership],
    result: ImportResult,
    errors: list[RowError],
    today: datetime.date,
) -> None:
    started_on = row.moved_on or today
    person = persons.get(row.resident_number)
    if person is None:
        _new_person(actor, row, household, started_on, result, errors)
        return

    before = _person_state(person)
    # Phone and date of death are not in the register export: keep what staff recorded.
    fill_person(
        person,
        dataclasses.replace(
            _input(row, household.area), phone=person.phone, died_on=person.died_on
        ),
    )
    changed = sorted(k for k, v in _person_state(person).items() if before[k] != v)
    if changed and not _save(person, errors, row.line):
        return
    membership = current.get(person.pk)
    moved = membership is None or membership.household_id != household.pk
    if moved:
        if membership is not None:
            ended_on = started_on
            if ended_on < membership.started_on:
                errors.append(
                    RowError(
                        row.line,
                        _("The date of the change is before the person joined their household."),
                    )
                )
                return
            membership.ended_on = ended_on
            if not _save(membership, errors, row.line):
                return
        new = Membership(
            household=household, person=person, relationship=row.relationship, started_on=started_on
        )
        if not _save(new, errors, row.line):
            return
        changed.append("household")
        result.persons_moved += 1
    elif membership is not None and membership.relationship != row.relationship:
        membership.relationship = row.relationship
        if not _save(membership, errors, row.line):
            return
        changed.append("relationship")
    if not changed:
        result.unchanged += 1
        return
    if not moved:
        result.persons_updated += 1
    _audit_imported(
        actor, AuditAction.UPDATE, person, fields=changed, household=str(household.public_id)
    )


def _input(row: ResidentRow, area: Area | None) -> PersonInput:
    return PersonInput(
        name=row.name, kana=row.kana, birth_date=row.birth_date, sex=row.sex, area=area
    )
