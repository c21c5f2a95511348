"""Each legal basis of access, defined once, and kept as rows of ``AccessGrant``.

This module is the only place that reads the records behind a basis (DESIGN.md, "Meetings
and the legal basis of sharing"). From them it computes, per household, who may

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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kasane.accounts.models import Agency, Role
from kasane.audit.models import LegalBasis
from kasane.cases.models import Case, Handover, HandoverStatus, Referral, ReferralStatus, TeamMember
from kasane.meetings.models import AgendaItem, Attendee, MeetingKind, MeetingStatus
from kasane.privacy.models import (
    AccessGrant,
    BreakGlass,
    Consent,
    ConsentPurpose,
    GrantLevel,
)
from kasane.registry.models import Household, Membership, Person

# A referral waiting for its answer lets the addressee read the case to decide; once it
# accepts, it is on the team (and leaving the team ends its access).
OPEN_REFERRAL = [ReferralStatus.REQUESTED]
COORDINATOR = f"role:{Role.COORDINATOR.value}"

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


def agency_holder(agency_id: int) -> str:
    return f"agency:{agency_id}"


def staff_holder(staff_id: int) -> str:
    """One member of staff: break-glass opens a case to the person who gave the reason."""
    return f"staff:{staff_id}"


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


Span = tuple[datetime.datetime | None, datetime.datetime | None]
ALWAYS: Span = (None, None)


def day_start(day: datetime.date) -> datetime.datetime:
    """00:00 of the day in Japan: a date-bounded basis starts or ends at local midnight."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _meet(a: Span, b: Span) -> Span | None:
    """The overlap of two spans, or None when they do not overlap."""
    start = max((x for x in (a[0], b[0]) if x is not None), default=None)
    end = min((x for x in (a[1], b[1]) if x is not None), default=None)
    if start is not None and end is not None and end <= start:
        return None
    return start, end


@dataclass
class _Records:
    """The records of a batch of households that any basis reads, in a fixed number of
    queries."""

    registered_by: Mapping[int, int | None]
    members: dict[int, list[tuple[int, Span]]]  # household -> (person, membership span)
    consents: dict[int, list[tuple[str, set[int], Span]]]  # person -> (source, agencies, span)
    cases: list[tuple[int, int, int, bool]]  # (case, household, lead, sent to coordination)
    seen: dict[int, list[tuple[str, str, str]]]  # case -> (holder, basis, source)
    pledged: dict[int, list[tuple[int, str, Span]]]  # case -> (agency, source, span)
    glass: dict[int, list[tuple[int, int, str, Span]]]  # case -> (agency, staff, source, span)


def _agencies_by_type() -> dict[str, set[int]]:
    by_type: dict[str, set[int]] = defaultdict(set)
    for pk, agency_type in Agency.objects.values_list("pk", "agency_type"):
        by_type[agency_type].add(pk)
    return by_type


def _consents(person_ids: Iterable[int]) -> dict[int, list[tuple[str, set[int], Span]]]:
    """Consents for information sharing not withdrawn, with the agencies they cover and the
    days they are in force (obtained on → expires on, inclusive)."""
    by_type = _agencies_by_type()
    found: dict[int, list[tuple[str, set[int], Span]]] = defaultdict(list)
    rows = (
        Consent.objects.filter(person_id__in=list(person_ids), withdrawn_at__isnull=True)
        .prefetch_related("agencies")
        .only("pk", "person_id", "purposes", "agency_types", "obtained_on", "expires_on")
    )
    for consent in rows:
        if ConsentPurpose.INFORMATION_SHARING not in (consent.purposes or []):
            continue
        covered = {a.pk for a in consent.agencies.all()}
        for agency_type in consent.agency_types or []:
            covered |= by_type.get(agency_type, set())
        until = (
            day_start(consent.expires_on + datetime.timedelta(days=1))
            if consent.expires_on
            else None
        )
        span: Span = (day_start(consent.obtained_on), until)
        found[consent.person_id].append((f"consent:{consent.pk}", covered, span))
    return found


def _pledged(case_ids: list[int]) -> dict[int, list[tuple[int, str, Span]]]:
    """Per case, the agencies that attended with a pledge a 支援会議 that took it up (as a
    named member where the chair named members), from the meeting's time."""
    items = list(
        AgendaItem.objects.filter(case_id__in=case_ids, meeting__kind=MeetingKind.SUPPORT_MEETING)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .values_list("pk", "case_id", "meeting_id", "meeting__held_at")
    )
    if not items:
        return {}
    named: dict[int, set[int]] = defaultdict(set)
    named_pledged: dict[int, set[int]] = defaultdict(set)
    through = AgendaItem.members.through.objects.filter(agendaitem_id__in=[i[0] for i in items])
    for item_id, agency_id, pledge in through.values_list(
        "agendaitem_id", "attendee__agency_id", "attendee__pledge"
    ):
        named[item_id].add(agency_id)
        if pledge is not None:
            named_pledged[item_id].add(agency_id)
    attending: dict[int, set[int]] = defaultdict(set)
    for meeting_id, agency_id in Attendee.objects.filter(
        meeting_id__in={i[2] for i in items}, pledge__isnull=False
    ).values_list("meeting_id", "agency_id"):
        attending[meeting_id].add(agency_id)
    found: dict[int, list[tuple[int, str, Span]]] = defaultdict(list)
    for item_id, case_id, meeting_id, held_at in items:
        agencies = named_pledged[item_id] if item_id in named else attending[meeting_id]
        for agency_id in agencies:
            found[case_id].append((agency_id, f"meeting:{item_id}", (held_at, None)))
    return found


def _read(household_ids: list[int]) -> _Records:
    registered_by = dict(
        Household.objects.filter(pk__in=household_ids).values_list("pk", "registered_by_agency_id")
    )
    members: dict[int, list[tuple[int, Span]]] = defaultdict(list)
    for household_id, person_id, ended_on in Membership.objects.filter(
        household_id__in=household_ids
    ).values_list("household_id", "person_id", "ended_on"):
        until = day_start(ended_on + datetime.timedelta(days=1)) if ended_on else None
        members[household_id].append((person_id, (None, until)))
    consents = _consents({p for rows in members.values() for p, _ in rows})
    cases = [
        (pk, household_id, lead, sent is not None)
        for pk, household_id, lead, sent in Case.objects.filter(
            household_id__in=household_ids
        ).values_list("pk", "household_id", "lead_agency_id", "sent_to_coordination_at")
    ]
    case_ids = [c[0] for c in cases]
    seen: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for case_id, agency_id in TeamMember.objects.filter(
        case_id__in=case_ids, left_at__isnull=True
    ).values_list("case_id", "agency_id"):
        seen[case_id].append((agency_holder(agency_id), LegalBasis.CASE_TEAM, "team"))
    for case_id, agency_id in Referral.objects.filter(
        case_id__in=case_ids, status__in=OPEN_REFERRAL
    ).values_list("case_id", "to_agency_id"):
        seen[case_id].append((agency_holder(agency_id), LegalBasis.REFERRAL, "referral"))
    # Asked to take the lead: the agency reads the case to decide, and joins if it accepts.
    for case_id, agency_id in Handover.objects.filter(
        case_id__in=case_ids, status=HandoverStatus.PENDING
    ).values_list("case_id", "to_agency_id"):
        seen[case_id].append((agency_holder(agency_id), LegalBasis.REFERRAL, "handover"))
    for case_id, _household, _lead, sent in cases:
        if sent:
            seen[case_id].append((COORDINATOR, LegalBasis.COORDINATION, "coordination"))
    glass: dict[int, list[tuple[int, int, str, Span]]] = defaultdict(list)
    for pk, case_id, agency_id, staff_id, started_at, expires_at in BreakGlass.objects.filter(
        case_id__in=case_ids
    ).values_list("pk", "case_id", "agency_id", "staff_id", "started_at", "expires_at"):
        glass[case_id].append((agency_id, staff_id, f"break_glass:{pk}", (started_at, expires_at)))
    return _Records(registered_by, members, consents, cases, seen, _pledged(case_ids), glass)


def _agency_bases(
    records: _Records, agency_id: int, case_id: int, household_id: int, lead: int
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


def _agencies_with_a_basis(records: _Records, case_id: int, household_id: int) -> set[int]:
    found = {a for a in [records.registered_by.get(household_id)] if a is not None}
    for person_id, _membership in records.members.get(household_id, []):
        for _source, agencies, _span in records.consents.get(person_id, []):
            found |= agencies
    found |= {a for a, _source, _span in records.pledged.get(case_id, [])}
    return found


def _details(
    records: _Records, case_id: int, household_id: int, lead: int, sent: bool
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
    records = _read(ids)
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
    for person_id, consents in _consents(ids).items():
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
    households = Membership.objects.filter(person=person).values_list("household_id", flat=True)
    refresh(households=list(households), persons=[person.pk])


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
