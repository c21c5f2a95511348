"""The catalogue as ranking candidates, and a person as a ranking profile.

Candidates hold no personal data; they are built in three queries and kept in the process
until the catalogue changes (the key is the count and the newest change of opportunities,
kinds and schedules), so ranking for one person does not rebuild them every time.
"""

from __future__ import annotations

import datetime
import threading
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max

from kasane.core import kana
from kasane.core.dates import age_on
from kasane.participation.matching.ranking import Candidate, Profile, terms
from kasane.participation.models import (
    Opportunity,
    OpportunityKind,
    OpportunityKindLink,
    OpportunityStatus,
    Schedule,
)
from kasane.registry.models import Area, Person

RRULE_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def weekdays_of(byday: str) -> set[int]:
    """RRULE BYDAY ("2TU,4TU", "MO,WE") → weekdays, 0 = Monday."""
    days = set()
    for part in (byday or "").split(","):
        code = part.strip().upper()[-2:]
        if code in RRULE_DAYS:
            days.add(RRULE_DAYS[code])
    return days


def area_paths() -> tuple[dict[int, tuple[int, ...]], dict[int, str]]:
    """Each area's id with its ancestors (nearest first), and each area's kind; one query."""
    rows = list(Area.objects.values_list("id", "parent_id", "kind"))
    parent = {a: p for a, p, _kind in rows}
    kinds = {a: k for a, _p, k in rows}
    paths: dict[int, tuple[int, ...]] = {}
    for area in parent:
        path = [area]
        seen = {area}
        up = parent.get(area)
        while up is not None and up not in seen:
            path.append(up)
            seen.add(up)
            up = parent.get(up)
        paths[area] = tuple(path)
    return paths, kinds


@dataclass
class _Cached:
    key: tuple[object, ...]
    candidates: list[Candidate]


_cache: _Cached | None = None
_lock = threading.Lock()


def _catalogue_key() -> tuple[object, ...]:
    opp = Opportunity.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    links = OpportunityKindLink.objects.aggregate(n=Count("id"), top=Max("id"))
    schedules = Schedule.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    areas = Area.objects.aggregate(n=Count("id"), top=Max("id"))
    return (
        opp["n"],
        opp["at"],
        links["n"],
        links["top"],
        schedules["n"],
        schedules["at"],
        areas["n"],
        areas["top"],
    )


def build_candidates() -> list[Candidate]:
    """Every active opportunity as a candidate: three queries plus the areas."""
    paths, area_kinds = area_paths()
    kinds: dict[int, set[str]] = defaultdict(set)
    for opportunity_id, kind in OpportunityKindLink.objects.values_list("opportunity_id", "kind"):
        kinds[opportunity_id].add(kind)
    days: dict[int, set[int]] = defaultdict(set)
    for opportunity_id, byday in Schedule.objects.values_list("opportunity_id", "byday"):
        days[opportunity_id] |= weekdays_of(byday)
    labels = {k: str(label) for k, label in OpportunityKind.choices}
    result = []
    for row in Opportunity.objects.filter(status=OpportunityStatus.ACTIVE).values(
        "id",
        "name",
        "description",
        "area_id",
        "cost_amount",
        "accessibility",
        "vacancies",
        "age_min",
        "age_max",
        "resource__name",
    ):
        own = kinds.get(row["id"], set())
        text = " ".join(
            [row["name"], row["description"], row["resource__name"], *(labels[k] for k in own)]
        )
        area_path = paths.get(row["area_id"], ()) if row["area_id"] else ()
        result.append(
            Candidate(
                id=row["id"],
                name=row["name"],
                text=kana.normalize(text),
                kinds=frozenset(own),
                kind_labels=labels,
                area_path=area_path,
                area_levels=area_kinds,
                weekdays=frozenset(days.get(row["id"], ())),
                accessibility=frozenset(row["accessibility"] or ()),
                age_min=row["age_min"],
                age_max=row["age_max"],
                cost=row["cost_amount"],
                vacancies=row["vacancies"],
            )
        )
    return result


def catalogue_candidates() -> list[Candidate]:
    """The candidates, rebuilt only when the catalogue changed (one query to tell)."""
    global _cache
    key = _catalogue_key()
    with _lock:
        if _cache is not None and _cache.key == key:
            return _cache.candidates
    built = build_candidates()
    with _lock:
        _cache = _Cached(key, built)
    return built


@dataclass(frozen=True)
class Constraints:
    """What the worker adds for this search: days, needs, kinds sought, cost limit."""

    weekdays: frozenset[int] = frozenset()
    needs: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    max_cost: int | None = None


def profile_of(
    person: Person,
    *,
    interests: str,
    strengths: str,
    constraints: Constraints,
    today: datetime.date,
) -> Profile:
    paths, _kinds = area_paths()
    return Profile(
        interests=terms(interests),
        strengths=terms(strengths),
        kinds=constraints.kinds,
        area_path=paths.get(person.area_id, ()) if person.area_id else (),
        weekdays=constraints.weekdays,
        needs=constraints.needs,
        age=age_on(person.birth_date, today) if person.birth_date else None,
        max_cost=constraints.max_cost,
    )
