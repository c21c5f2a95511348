"""Every read of personal data: filtered by the access policy, written to the audit log.

Views and the API never query Person or Household themselves. A record the actor may not
read raises Http404 — the same answer as for a record that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.http import Http404

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.core import kana
from kasane.core.paging import Count, Window, bounded_count, window
from kasane.privacy.models import Consent
from kasane.privacy.policy import basis_for, household_scope, person_scope
from kasane.registry.models import Household, Membership, Person, Relation


def visible_persons(actor: Staff) -> QuerySet[Person]:
    scope = person_scope(actor)
    return Person.objects.none() if scope is None else Person.objects.filter(scope)


def visible_households(actor: Staff) -> QuerySet[Household]:
    scope = household_scope(actor)
    return Household.objects.none() if scope is None else Household.objects.filter(scope)


def registered_households(actor: Staff) -> QuerySet[Household]:
    """The households the actor's agency registered: what its household list and export
    hold, read on the basis ``own_agency``. Households it reaches through a case (consent,
    a pledge, break-glass, coordination) are read on the case's own pages, each on its own
    basis — never copied out in bulk."""
    return visible_households(actor).filter(registered_by_agency_id=actor.agency_id)


def _current_memberships() -> Prefetch[Any]:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(ended_on__isnull=True).select_related("person"),
        to_attr="current_memberships",
    )


_Record = TypeVar("_Record", Household, Person)


def _current_households() -> Prefetch[Any]:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(ended_on__isnull=True).select_related("household"),
        to_attr="current_memberships",
    )


def _get_or_404(queryset: QuerySet[_Record], public_id: UUID | str) -> _Record:
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def household_for_user(actor: Staff, public_id: UUID | str) -> Household:
    """One household the actor may read (404 otherwise), with its current members; not
    audited: a write through it is audited by its service, a page by
    ``record_view``."""
    household: Household = _get_or_404(
        visible_households(actor).select_related("area").prefetch_related(_current_memberships()),
        public_id,
    )
    return household


def record_view(
    actor: Staff, record: Household | Person, *, purpose: Purpose = Purpose.VIEW
) -> None:
    """One read of a household or a person the actor may read, on its basis."""
    basis = basis_for(actor, record)
    assert basis is not None  # household_for_user / person_for_user applied the same policy
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.HOUSEHOLD if isinstance(record, Household) else ObjectType.PERSON,
        object_id=str(record.public_id),
        purpose=purpose,
    )


@transaction.atomic
def get_household_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> Household:
    """One household the actor may read, with its current members; audited."""
    household = household_for_user(actor, public_id)
    record_view(actor, household, purpose=purpose)
    return household


@dataclass
class HouseholdDetail:
    household: Household
    current: list[Membership]
    past: list[Membership]
    relations: list[Relation]


@transaction.atomic
def household_detail_for_user(actor: Staff, public_id: UUID | str) -> HouseholdDetail:
    """The household page: members now and before, and their family relations; audited."""
    household = _get_or_404(visible_households(actor).select_related("area"), public_id)
    memberships = list(
        household.memberships.select_related("person", "person__area").order_by(
            "ended_on", "started_on", "id"
        )
    )
    current = [m for m in memberships if m.ended_on is None]
    past = [m for m in memberships if m.ended_on is not None]
    person_ids = [m.person_id for m in memberships]
    relations = list(
        Relation.objects.filter(from_person_id__in=person_ids, to_person_id__in=person_ids)
        .select_related("from_person", "to_person")
        .order_by("id")
    )
    basis = basis_for(actor, household)
    assert basis is not None
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.HOUSEHOLD,
        object_id=str(household.public_id),
        detail={"persons": [str(m.person.public_id) for m in memberships]},
    )
    return HouseholdDetail(household, current, past, relations)


def person_for_user(actor: Staff, public_id: UUID | str) -> Person:
    """One person the actor may read (404 otherwise); not audited (see
    ``household_for_user``)."""
    person: Person = _get_or_404(
        visible_persons(actor)
        .select_related("area")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("household").order_by("-started_on"),
            )
        ),
        public_id,
    )
    return person


@transaction.atomic
def get_person_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> Person:
    """One person the actor may read; audited."""
    person = person_for_user(actor, public_id)
    record_view(actor, person, purpose=purpose)
    return person


@dataclass
class HouseholdPage:
    rows: Window[Household]
    total: Count

    # What the pager template reads.
    @property
    def number(self) -> int:
        return self.rows.number

    @property
    def has_previous(self) -> bool:
        return self.rows.has_previous

    @property
    def has_next(self) -> bool:
        return self.rows.has_next


@transaction.atomic
def household_list_for_user(actor: Staff, page: int) -> HouseholdPage:
    """The households the actor's agency registered, newest first, a page at a time;
    audited. The total stops at ``COUNT_CAP`` ("1,000世帯以上"): counting every household of
    a large agency would cost more than the page."""
    size: int = settings.KASANE_PAGE_SIZE
    queryset = registered_households(actor)
    rows = window(
        queryset.select_related("area")
        .prefetch_related(_current_memberships())
        .order_by("-created_at", "-id"),
        page,
        size,
    )
    if rows:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.HOUSEHOLD_LIST,
            detail={"households": [str(h.public_id) for h in rows], "page": rows.number},
        )
    return HouseholdPage(rows, bounded_count(queryset))


@dataclass
class SearchResult:
    query: str
    persons: list[Person] = field(default_factory=list)
    truncated: bool = False


def _index_filter(tokens: list[str]) -> Q:
    """Narrow candidates through the bigram index of the database in use.

    On PostgreSQL the match is a condition on the person row itself (a bitmap scan of the
    GIN index), not ``id IN (SELECT …)``, which made the planner join the table to itself.
    """
    if connection.vendor == "postgresql":
        terms = [f"'{t}':*" if len(t) == 1 else f"'{t}'" for t in tokens]
        match = RawSQL(
            'to_tsvector(\'simple\', "registry_person"."search_tokens") '
            "@@ to_tsquery('simple', %s)",
            [" & ".join(terms)],  # a bound parameter
            output_field=BooleanField(),
        )
        return Q(match)
    terms = [f'"{t}"*' if len(t) == 1 else f'"{t}"' for t in tokens]
    sql = "SELECT rowid FROM registry_person_fts WHERE registry_person_fts MATCH %s"
    return Q(id__in=RawSQL(sql, [" AND ".join(terms)]))  # noqa: S611 - a bound parameter


SEARCH_LIMIT = 50


@transaction.atomic
def search_persons(actor: Staff, query: str) -> SearchResult:
    """Persons whose name or kana contains the query, ignoring kana script, width and spaces.

    The bigram index narrows the candidates; the substring test on the normalised name
    then drops any whose bigrams match out of order.
    """
    normalized = kana.normalize(query)
    tokens = kana.query_tokens(query)
    if not tokens:
        return SearchResult(query=query)
    # Tokens come from the normaliser: letters and digits only, so they cannot break out of
    # the quotes of the match expression.
    # Two steps: the matching ids in kana order (a sort of narrow rows, however many match
    # a one-character query), then the page's rows with their area and households. The order
    # is by an expression on the kana, not the column: with the column the planner may walk
    # the kana index from ア and test every person until it meets enough matches, and
    # matches cluster in kana order (ムラカミ…), so that walk crosses most of the city.
    ids = list(
        visible_persons(actor)
        .filter(_index_filter(tokens))
        .filter(Q(name_normalized__contains=normalized) | Q(kana_normalized__contains=normalized))
        .order_by(Concat("kana_normalized", Value("")), "id")
        .values_list("id", flat=True)[: SEARCH_LIMIT + 1]
    )
    found = Person.objects.select_related("area").prefetch_related(_current_households())
    by_id = {p.pk: p for p in found.filter(id__in=ids)}
    matches = [by_id[i] for i in ids]
    result = SearchResult(query=query, persons=matches[:SEARCH_LIMIT])
    result.truncated = len(matches) > SEARCH_LIMIT
    audit.record(
        actor=actor,
        action=AuditAction.SEARCH,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.PERSON,
        detail={
            "kind": "name",
            "results": len(result.persons),
            "persons": [str(p.public_id) for p in result.persons],
        },
    )
    return result


@transaction.atomic
def likely_duplicates(actor: Staff, *, kana_name: str, birth_date: date | None) -> list[Person]:
    """名寄せ: persons the actor can see with the same normalised kana and birth date."""
    if birth_date is None:
        return []
    found = list(
        visible_persons(actor)
        .filter(kana_normalized=kana.normalize(kana_name), birth_date=birth_date)
        .prefetch_related(_current_households())
        .order_by("id")[:10]
    )
    if found:
        audit.record(
            actor=actor,
            action=AuditAction.SEARCH,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.PERSON,
            detail={"kind": "duplicate_check", "persons": [str(p.public_id) for p in found]},
        )
    return found


@dataclass
class PersonDetail:
    person: Person
    consents_in_force: list[Consent]
    past_consents: list[Consent]


@transaction.atomic
def person_detail_for_user(actor: Staff, public_id: UUID | str) -> PersonDetail:
    """The person page: details, households, and consents (in force first); audited once."""
    from kasane.privacy.consent import consents_in_force

    person = get_person_for_user(actor, public_id)
    consents = list(
        Consent.objects.filter(person=person)
        .select_related("person", "recorded_by", "recorded_by_agency")
        .prefetch_related("agencies", "events__actor", "events__actor_agency")
        .order_by("-obtained_on", "-id")
    )
    in_force = set(consents_in_force().filter(person=person).values_list("id", flat=True))
    return PersonDetail(
        person=person,
        consents_in_force=[c for c in consents if c.pk in in_force],
        past_consents=[c for c in consents if c.pk not in in_force],
    )
