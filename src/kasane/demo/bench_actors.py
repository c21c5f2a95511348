"""Who ``kasane bench`` signs in as, and what they look at: found in the data, never named.

The busiest agency is the one that leads the most open cases; the case page shows the case
with the longest timeline; searches use the busiest agency's most common surname.
"""

from __future__ import annotations

from collections import Counter

from django.db import DatabaseError
from django.db.models import Count

from kasane.accounts.models import Role, Staff
from kasane.cases.models import OPEN_STATUSES, Case, CaseEvent
from kasane.demo.agencies import STAFF
from kasane.outreach.models import OutreachTarget
from kasane.participation.models import Match
from kasane.registry.models import Area, AreaKind, Household, Person
from kasane.registry.selectors import visible_persons


class NoDemoCity(Exception):
    """The database holds no demo city to measure."""


def require_demo_city() -> None:
    """Refuse a database that is not migrated or holds no demo city."""
    try:
        city = Area.objects.filter(code="K", kind=AreaKind.CITY).exists()
        usernames = {s.username for s in STAFF}
        staff = Staff.objects.filter(username__in=usernames).count()
        households = Household.objects.exists()
    except DatabaseError as error:
        raise NoDemoCity(f"the database is not ready ({error.__class__.__name__})") from error
    if not (city and households and staff == len(usernames)):
        raise NoDemoCity("the database holds no demo city")


def busiest_caseworker() -> Staff:
    """The caseworker of the agency that leads the most open cases (the coordination
    centre, on many teams, leads none and registers no household)."""
    load = dict(
        Case.objects.filter(status__in=OPEN_STATUSES)
        .values_list("lead_agency_id")
        .annotate(n=Count("id"))
        .values_list("lead_agency_id", "n")
    )
    workers = Staff.objects.filter(role=Role.CASEWORKER, is_active=True, agency__isnull=False)
    best = max(workers.order_by("pk"), key=lambda s: load.get(s.agency_id or 0, 0), default=None)
    if best is None:
        raise NoDemoCity("no active caseworker")
    return best


def first_active(role: str) -> Staff | None:
    return (
        Staff.objects.filter(role=role, is_active=True, agency__isnull=False).order_by("pk").first()
    )


def longest_case(workers: list[Staff]) -> tuple[Staff, int]:
    """The case with the longest timeline among those led by an agency with a caseworker,
    and a caseworker of its lead agency."""
    by_agency = {s.agency_id: s for s in reversed(workers)}
    row = (
        CaseEvent.objects.filter(case__lead_agency_id__in=list(by_agency))
        .values("case_id")
        .annotate(n=Count("id"))
        .order_by("-n", "case_id")
        .first()
    )
    if row is None:
        raise NoDemoCity("no case with a history")
    case = Case.objects.only("lead_agency_id").get(pk=row["case_id"])
    return by_agency[case.lead_agency_id], case.pk


def outreach_worker(coordinator: Staff) -> tuple[Staff, bool]:
    load = dict(
        OutreachTarget.objects.filter(closed_at__isnull=True)
        .values_list("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )
    workers = Staff.objects.filter(role=Role.OUTREACH_WORKER, is_active=True).order_by("pk")
    best = max(workers, key=lambda s: load.get(s.agency_id or 0, 0), default=None)
    return (best, False) if best is not None else (coordinator, True)


def matching_person(fallback: Staff) -> tuple[Staff, int]:
    """The participation worker of the agency with the most matches, and the person of its
    latest match it may read; else the busiest caseworker and a person of its agency."""
    load = dict(
        Match.objects.values_list("agency_id").annotate(n=Count("id")).values_list("agency_id", "n")
    )
    workers = Staff.objects.filter(role=Role.PARTICIPATION_WORKER, is_active=True).order_by("pk")
    for worker in sorted(workers, key=lambda s: -load.get(s.agency_id or 0, 0)):
        if worker.agency_id is None:
            continue
        persons = Match.objects.filter(agency_id=worker.agency_id).order_by("-id")
        readable = visible_persons(worker).filter(pk__in=persons.values("person_id")[:50])
        person_id = readable.order_by("-id").values_list("id", flat=True).first()
        if person_id is not None:
            return worker, person_id
    person_id = (
        Person.objects.filter(registered_by_agency_id=fallback.agency_id)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if person_id is None:
        raise NoDemoCity("no person to match")
    return fallback, person_id


def search_terms(actor: Staff) -> dict[str, str]:
    """From the agency's most common two-kanji surname: its first kanji, the surname, the
    first two kana of its reading, and one full name."""
    names = (
        Person.objects.filter(registered_by_agency_id=actor.agency_id)
        .order_by("id")
        .values_list("name", "kana")[:5000]
    )
    surnames: Counter[tuple[str, str]] = Counter()
    full: dict[tuple[str, str], str] = {}
    for name, reading in names:
        surname, kana_surname = name.split(" ")[0], reading.split(" ")[0]
        if len(surname) == 2 and all("\u4e00" <= c <= "\u9fff" for c in surname):
            surnames[surname, kana_surname] += 1
            full.setdefault((surname, kana_surname), name)
    if not surnames:
        raise NoDemoCity("no person with a two-kanji surname in the busiest agency")
    (surname, kana_surname), _ = surnames.most_common(1)[0]
    return {
        "search-1": surname[0],
        "search-kanji": surname,
        "search-kana": kana_surname[:2],
        "search-name": full[surname, kana_surname],
    }
