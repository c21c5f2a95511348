"""Each legal basis of access, defined once, and kept as rows of ``AccessGrant``.

This module and ``grant_records`` (which reads the records behind the bases, a batch of
households at a time) are the only places that know a basis (DESIGN.md, "Meetings and the
legal basis of sharing"). From the records it computes, per household, who may

- know that a case exists (``GrantLevel.CASE``): the agencies on the case's team, the
  addressee of an open referral or of a hand-over waiting for its answer, and — holder
  ``role:coordinator`` — the municipal coordinator once the case was sent to coordination;
- read the case's details (``DETAILS``), when it also knows the case exists, on one of:
  its own record (the lead agency, or the agency that registered the household); (a) a
  consent in force of a household member (while a member) covering the agency, by name or
  type, for information sharing; (b) attendance with a recorded pledge at a held 支援会議
  that took the case up (as a member named for the case, when the chair named members);
  (c) break-glass, for its 24 hours, held by the member of staff who gave the reason
  (``staff:<id>``), not by their agency; and, for the coordinator, coordination itself;
- read the household (``HOUSEHOLD``): the agency that registered it, and whoever reads the
  details of one of its cases;
- read a person (``PERSON``): the agency that registered the person, an agency the person's
  consent in force covers, and whoever reads the details of a case of a household the person
  belongs or belonged to.

A basis bounded in time (a consent's dates, a membership's end, a meeting's date, break-glass
hours) becomes ``valid_from`` / ``valid_until`` on its rows, so expiry needs no rewrite: the
readers in ``kasane.privacy.policy`` filter on the instant. Everything else (a team, a
referral, a withdrawal) is the present state: the service that changes it calls
``refresh()`` in its own transaction, and the next request reads the new rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q

from kasane.audit.models import LegalBasis
from kasane.cases.models import Case
from kasane.privacy.grant_records import ALWAYS as ALWAYS
from kasane.privacy.grant_records import COORDINATOR as COORDINATOR
from kasane.privacy.grant_records import Records, Span, sharing_consents
from kasane.privacy.grant_records import agency_holder as agency_holder
from kasane.privacy.grant_records import day_start as day_start
from kasane.privacy.grant_records import read as read_records
from kasane.privacy.grant_records import staff_holder as staff_holder
from kasane.privacy.models import AccessGrant, Consent, GrantLevel
from kasane.registry.models import Household, Membership, Person

# The strongest basis is named when several hold (break-glass last, so it is not counted
# when another basis exists).
BASIS_ORDER = [
    LegalBasis.OWN_AGENCY,
    LegalBasis.CASE_TEAM,
    LegalBasis.REFERRAL,
    LegalBasis.CONSENT,
    LegalBasis.SUPPORT_MEETING,
    LegalBasis.COORDINATION,
    LegalBasis.BREAK_GLASS,
]


def strongest(bases: Iterable[str]) -> LegalBasis | None:
    found = set(bases)
    return next((b for b in BASIS_ORDER if b in found), None)


class Row(NamedTuple):
    """One grant as computed from the records (the table's columns, without the id)."""

    holder: str
    level: str
    case_id: int | None
    household_id: int | None
    person_id: int | None
    basis: str
    source: str
    valid_from: datetime.datetime | None
    valid_until: datetime.datetime | None


def _meet(a: Span, b: Span) -> Span | None:
    """The overlap of two spans, or None when they do not overlap."""
    start = max((x for x in (a[0], b[0]) if x is not None), default=None)
    end = min((x for x in (a[1], b[1]) if x is not None), default=None)
    if start is not None and end is not None and end <= start:
        return None
    return start, end


def _agency_bases(
    records: Records, agency_id: int, case_id: int, household_id: int, lead: int
) -> Iterator[tuple[str, str, Span]]:
    """(basis, source, span) of each basis the agency holds to read one case's details."""
    if agency_id == lead:
        yield LegalBasis.OWN_AGENCY, "lead", ALWAYS
    if agency_id == records.registered_by.get(household_id):
        yield LegalBasis.OWN_AGENCY, "registered", ALWAYS
    for person_id, membership in records.members.get(household_id, []):
        for source, agencies, span in records.consents.get(person_id, []):
            both = _meet(span, membership)
            if agency_id in agencies and both is not None:
                yield LegalBasis.CONSENT, source, both
    for pledged_agency, source, span in records.pledged.get(case_id, []):
        if pledged_agency == agency_id:
            yield LegalBasis.SUPPORT_MEETING, source, span


def _agencies_with_a_basis(records: Records, case_id: int, household_id: int) -> set[int]:
    found = {a for a in [records.registered_by.get(household_id)] if a is not None}
    for person_id, _membership in records.members.get(household_id, []):
        for _source, agencies, _span in records.consents.get(person_id, []):
            found |= agencies
    found |= {a for a, _source, _span in records.pledged.get(case_id, [])}
    return found


def _details(
    records: Records, case_id: int, household_id: int, lead: int, sent: bool
) -> Iterator[tuple[str, str, str, str, Span]]:
    """(level, holder, basis, source, span) of each basis to read one case's details.

    ``DETAILS`` for holders that know the case exists. A case sent to coordination is known
    to the coordinator through the role; the bases the coordinator's agency holds itself
    (consent, say) are kept as ``COORDINATED`` rows, read only by coordinators, so that the
    strongest basis is named (the set of cases is the role's already).
    """
    holders = {holder for holder, _basis, _source in records.seen.get(case_id, [])}
    for holder in holders:
        if holder == COORDINATOR:
            if sent:
                yield GrantLevel.DETAILS, holder, LegalBasis.COORDINATION, "coordination", ALWAYS
            continue
        agency_id = int(holder.split(":", 1)[1])
        for basis, source, span in _agency_bases(records, agency_id, case_id, household_id, lead):
            yield GrantLevel.DETAILS, holder, basis, source, span
    # Break-glass is personal: held by the member of staff who gave the reason (while their
    # agency knows the case), never by their colleagues.
    for agency_id, staff_id, source, span in records.glass.get(case_id, []):
        level = GrantLevel.DETAILS if agency_holder(agency_id) in holders else None
        if level is None and sent:
            level = GrantLevel.COORDINATED
        if level is not None:
            yield level, staff_holder(staff_id), LegalBasis.BREAK_GLASS, source, span
    if not sent:
        return
    for agency_id in _agencies_with_a_basis(records, case_id, household_id):
        holder = agency_holder(agency_id)
        if holder in holders:
            continue
        for basis, source, span in _agency_bases(records, agency_id, case_id, household_id, lead):
            yield GrantLevel.COORDINATED, holder, basis, source, span


def household_rows(household_ids: Iterable[int]) -> set[Row]:
    """Every grant owned by these households: their cases, the households, and their
    members as reached through the households."""
    ids = list(household_ids)
    records = read_records(ids)
    rows: set[Row] = set()
    for household_id, agency_id in records.registered_by.items():
        if agency_id is not None:
            rows.add(
                Row(
                    agency_holder(agency_id),
                    GrantLevel.HOUSEHOLD,
                    None,
                    household_id,
                    None,
                    LegalBasis.OWN_AGENCY,
                    "registered",
                    None,
                    None,
                )
            )
    for case_id, household_id, lead, sent in records.cases:
        for holder, basis, source in records.seen.get(case_id, []):
            rows.add(
                Row(holder, GrantLevel.CASE, case_id, household_id, None, basis, source, None, None)
            )
        for level, holder, basis, source, (start, end) in _details(
            records, case_id, household_id, lead, sent
        ):
            rows.add(Row(holder, level, case_id, household_id, None, basis, source, start, end))
            if level != GrantLevel.DETAILS:
                continue
            for derived, person_id in [
                (GrantLevel.HOUSEHOLD, None),
                *((GrantLevel.PERSON, p) for p, _span in records.members.get(household_id, [])),
            ]:
                rows.add(
                    Row(holder, derived, None, household_id, person_id, basis, source, start, end)
                )
    return rows


def person_rows(person_ids: Iterable[int]) -> set[Row]:
    """Every grant owned by these persons alone: who registered them, and whom their
    consent in force covers."""
    ids = list(person_ids)
    rows: set[Row] = set()
    for pk, agency_id in Person.objects.filter(pk__in=ids).values_list(
        "pk", "registered_by_agency_id"
    ):
        if agency_id is not None:
            rows.add(
                Row(
                    agency_holder(agency_id),
                    GrantLevel.PERSON,
                    None,
                    None,
                    pk,
                    LegalBasis.OWN_AGENCY,
                    "registered",
                    None,
                    None,
                )
            )
    for person_id, consents in sharing_consents(ids).items():
        for source, agencies, (start, end) in consents:
            for agency_id in agencies:
                rows.add(
                    Row(
                        agency_holder(agency_id),
                        GrantLevel.PERSON,
                        None,
                        None,
                        person_id,
                        LegalBasis.CONSENT,
                        source,
                        start,
                        end,
                    )
                )
    return rows


FIELDS = Row._fields


def _stored(queryset: Iterable[AccessGrant]) -> set[Row]:
    return {Row(*(getattr(g, f) for f in FIELDS)) for g in queryset}


def _insert(rows: Iterable[Row]) -> None:
    AccessGrant.objects.bulk_create([AccessGrant(**r._asdict()) for r in rows], batch_size=2000)


@transaction.atomic
def refresh(*, households: Iterable[int | None] = (), persons: Iterable[int | None] = ()) -> None:
    """Recompute the grants owned by these households and persons from the records.

    Every service that creates, changes or ends a basis calls this in its own transaction
    (a failed write leaves no half-granted state). Idempotent.
    """
    household_ids = sorted({h for h in households if h is not None})
    person_ids = sorted({p for p in persons if p is not None})
    if household_ids:
        AccessGrant.objects.filter(household_id__in=household_ids).delete()
        _insert(household_rows(household_ids))
    if person_ids:
        AccessGrant.objects.filter(household__isnull=True, person_id__in=person_ids).delete()
        _insert(person_rows(person_ids))


def refresh_case(case: Case) -> None:
    refresh(households=[case.household_id])


def refresh_person(person: Person) -> None:
    """A person's registration or consents changed: the person's own grants, and those of
    every household the person belongs or belonged to."""
    refresh_persons([person.pk])


def refresh_persons(person_ids: Iterable[int]) -> None:
    """``refresh_person`` for several persons at once (each household recomputed once)."""
    ids = list(person_ids)
    households = Membership.objects.filter(person_id__in=ids).values_list("household_id", flat=True)
    refresh(households=list(households), persons=ids)


def refresh_agency_type(agency_type: str) -> None:
    """An agency of this type was added or changed type: consents naming the type cover it."""
    persons = list(
        Consent.objects.filter(agency_types__icontains=f'"{agency_type}"').values_list(
            "person_id", flat=True
        )
    )
    households = Membership.objects.filter(person_id__in=persons).values_list(
        "household_id", flat=True
    )
    refresh(households=list(households), persons=persons)


BATCH = 2000


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def rebuild() -> int:
    """Recompute every grant (after a bulk load); returns the number of rows."""
    total = 0
    with transaction.atomic():
        AccessGrant.objects.all().delete()
        for batch in _batches(list(Household.objects.order_by("pk").values_list("pk", flat=True))):
            rows = household_rows(batch)
            _insert(rows)
            total += len(rows)
        for batch in _batches(list(Person.objects.order_by("pk").values_list("pk", flat=True))):
            rows = person_rows(batch)
            _insert(rows)
            total += len(rows)
    return total


@dataclass
class Difference:
    missing: set[Row]  # computed from the records, absent from the table
    extra: set[Row]  # in the table, not justified by the records

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra)


def check() -> Difference:
    """Recompute every grant from the records and compare with the table."""
    missing: set[Row] = set()
    extra: set[Row] = set()
    for batch in _batches(list(Household.objects.order_by("pk").values_list("pk", flat=True))):
        want = household_rows(batch)
        have = _stored(AccessGrant.objects.filter(household_id__in=batch))
        missing |= want - have
        extra |= have - want
    for batch in _batches(list(Person.objects.order_by("pk").values_list("pk", flat=True))):
        want = person_rows(batch)
        have = _stored(AccessGrant.objects.filter(household__isnull=True, person_id__in=batch))
        missing |= want - have
        extra |= have - want
    orphans = AccessGrant.objects.filter(household__isnull=True, person__isnull=True)
    extra |= _stored(orphans)
    return Difference(missing, extra)


def in_force(at: datetime.datetime) -> Q:
    """Filter on AccessGrant: the rows valid at the instant."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=at)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )


def describe(row: Row) -> str:
    """A grant in words for an operator: ids and bases, never a name."""
    target = (
        f"case #{row.case_id}"
        if row.case_id is not None
        else f"person #{row.person_id}"
        if row.person_id is not None
        else f"household #{row.household_id}"
    )
    span = ""
    if row.valid_from or row.valid_until:
        span = f" [{row.valid_from or '…'} – {row.valid_until or '…'})"
    return f"{row.holder} {row.level} {target} on {row.basis} ({row.source}){span}"
