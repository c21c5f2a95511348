"""Importing households and persons from a 住民記録 (resident register) file.

Who may import: a coordinator of a municipal office (``AgencyType.MUNICIPALITY``). The
resident register is the municipality's own record, and what is imported is registered by
the importer's agency, so it is visible to that office and, as always, to other agencies
only on a recorded basis (a case, consent, a pledged 支援会議). Administrators never: they
manage accounts and master data and must not read personal data (``accounts.models``);
caseworkers of other agencies neither: the register is not theirs to copy.

The rules, enforced by :func:`residents_import`:

* All or nothing: one transaction per file; any refused row refuses the file, and the
  worker gets every reason with its line number.
* Idempotent: a person is found by 宛名番号 (``Person.resident_number``), a household by
  世帯番号 (``Household.register_number``). A row equal to what is stored writes nothing,
  not even ``updated_at``; importing the same file twice changes nothing the second time.
* A changed row updates the person: name, kana, date of birth and sex are corrected (and
  the search tokens recomputed by the registry's own normaliser); a new 世帯番号 moves the
  person (the old membership ends on the 異動日, a new one starts), a new 続柄 is set on
  the current membership; a household's address (and so its 町丁目) follows the file.
* Audited: one event per created or changed household and person, and one for the file
  with its counts (never its content), all in the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import AgencyType, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.privacy import grants
from kasane.registry.builders import PersonInput, fill_person
from kasane.registry.models import Area, AreaKind, Household, Membership, Person, Relationship
from kasane.registry.resident_import import ResidentRow, RowError
from kasane.registry.services import _person_state


def may_import_residents(actor: Staff) -> bool:
    agency = actor.agency
    return bool(
        actor.is_active
        and actor.role == Role.COORDINATOR
        and agency is not None
        and agency.agency_type == AgencyType.MUNICIPALITY
    )


@dataclass
class ImportResult:
    households_created: int = 0
    households_updated: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_moved: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def as_detail(self) -> dict[str, int | bool]:
        return {
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "persons_created": self.persons_created,
            "persons_updated": self.persons_updated,
            "persons_moved": self.persons_moved,
            "unchanged": self.unchanged,
        }


@dataclass
class ResidentImportError(Exception):
    """The file was refused; nothing was written."""

    errors: list[RowError] = field(default_factory=list)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# --- 町丁目 by address --------------------------------------------------------------------------

_KANJI_NUMERALS = "〇一二三四五六七八九"


def _kanji_number(number: int) -> str:
    if number < 10:
        return _KANJI_NUMERALS[number]
    tens, ones = divmod(number, 10)
    return (
        ("" if tens == 1 else _KANJI_NUMERALS[tens])
        + "十"
        + (_KANJI_NUMERALS[ones] if ones else "")
    )


def _address_key(text: str) -> str:
    """NFKC, no spaces, 丁目 numbers in kanji: 緑町3丁目 and 緑町 三丁目 compare equal."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"(\d{1,2})丁目", lambda m: _kanji_number(int(m.group(1))) + "丁目", value)


class AreaMatcher:
    """The 町丁目 an address lies in: the longest block name the address contains after the
    city's name (so 緑町一丁目 is not taken for 緑町十一丁目's prefix, nor the reverse)."""

    def __init__(self, blocks: Sequence[Area]) -> None:
        self.blocks = sorted(
            ((_address_key(a.name), a) for a in blocks), key=lambda pair: -len(pair[0])
        )

    def __call__(self, address: str) -> Area | None:
        key = _address_key(address)
        for name, area in self.blocks:
            at = key.find(name)
            # The block name must be followed by the 番地 (a digit or a dash), or end it.
            if at >= 0 and (len(key) == at + len(name) or not key[at + len(name)].isalpha()):
                return area
        return None


# --- the import -------------------------------------------------------------------------------


def _require_importer(actor: Staff) -> None:
    if not may_import_residents(actor):
        raise PermissionDenied


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def residents_import(
    *,
    actor: Staff,
    rows: Sequence[ResidentRow],
    digest: str = "",
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> ImportResult:
    """Create or update the households and persons of a parsed register file.

    Raises ResidentImportError with every refused row (nothing written), PermissionDenied
    for anyone but a municipal coordinator. ``dry_run`` does everything, counts it, and
    rolls it all back.
    """
    _require_importer(actor)
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            _import(actor, rows, result, today or timezone.localdate())
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                legal_basis=LegalBasis.OWN_AGENCY,
                object_type=ObjectType.RESIDENT_IMPORT,
                object_id=digest[:16],
                detail={"rows": len(rows), **result.as_detail()},
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        # The check read the register's persons against Kasane's: recorded, though nothing
        # of it was kept.
        _audit_attempt(
            actor, ObjectType.RESIDENT_IMPORT_CHECK, digest, rows=len(rows), **result.as_detail()
        )
    except ResidentImportError as refused:
        _audit_attempt(
            actor,
            ObjectType.RESIDENT_IMPORT_REFUSED,
            digest,
            rows=len(rows),
            faults=len(refused.errors),
        )
        raise
    return result


def _audit_attempt(
    actor: Staff, object_type: ObjectType, digest: str, **detail: int | bool
) -> None:
    """A check or a refused import writes nothing of the file, but it compared the file with
    the records: its own event, outside the transaction that was rolled back."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=object_type,
            object_id=digest[:16],
            detail=detail,
        )


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


def _import(
    actor: Staff, rows: Sequence[ResidentRow], result: ImportResult, today: datetime.date
) -> None:
    agency = actor.agency
    assert agency is not None
    errors: list[RowError] = []
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
        if household is None and not has_head:
            errors.append(
                RowError(
                    members[0].line,
                    _("Household %(number)s is new, but the file gives no head (世帯主) for it.")
                    % {"number": number},
                )
            )
    if errors:
        raise ResidentImportError(sorted(errors, key=lambda e: e.line))

    for number, members in by_household.items():
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
