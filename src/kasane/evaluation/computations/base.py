"""What every computation shares: the ``Scope`` it counts over, the ``Result`` it returns,
and the registry (``@computation("code", ...)``)."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import FloatField, Func, Model, Q, Sum
from django.utils import timezone
from django.utils.functional import cached_property

from kasane.core import publication
from kasane.core.cellkey import counted, key_sum, unpack
from kasane.core.dates import fiscal_year_bounds
from kasane.evaluation.models import IndicatorKind, IndicatorLevel
from kasane.intake.models import Consultation
from kasane.registry.models import Area, AreaKind

AREA = "area"
DOMAIN = "domain"


def touching_domain(domain: str, consultation_path: str = "") -> Q:
    """A filter on consultations (at ``consultation_path``) touching ``domain``."""
    prefix = f"{consultation_path}__" if consultation_path else ""
    # JSON text match: portable between SQLite and PostgreSQL, exact on the quoted code.
    return Q(**{f"{prefix}domains__icontains": f'"{domain}"'})


@dataclass(frozen=True)
class Result:
    """An indicator's value for a 年度, with its breakdown (counts) and further figures.

    For the cell-key method (``kasane.core.cellkey``), each count carries the raw key sum of
    the records it counts: ``keys`` for breakdown cells, ``figure_keys`` for count figures,
    ``value_key`` for a count value (when it is not, or not only, the sum of the breakdown:
    that sum's key is the sum of the cells' keys). ``derived`` recomputes a share, rate or
    ratio from the counts as published (the names of the breakdown and the figures, and
    ``"value"``), so that none is computed from true counts. ``exact``: counts of no person
    (places in a public registry), published as they are."""

    value: Decimal | None
    breakdown: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Decimal | None] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    figure_keys: dict[str, int] = field(default_factory=dict)
    value_key: int | None = None
    derived: dict[str, Callable[[dict[str, int]], Decimal | None]] = field(default_factory=dict)
    exact: bool = False


@dataclass(frozen=True)
class Scope:
    """What a computation counts over: a 年度, or one calendar month of it (``month`` 1–12),
    optionally narrowed to an area and a domain."""

    fiscal_year: int
    month: int | None = None
    area: Area | None = None
    domain: str = ""

    def span(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) in local time, for filtering timestamps; cut at the publication
        cut-off in force (``kasane.core.publication``: analysts' figures stop at the start
        of the month)."""
        if self.month is None:
            return publication.clamp(*year_span(self.fiscal_year))
        year = self.fiscal_year if self.month >= 4 else self.fiscal_year + 1
        first = datetime.date(year, self.month, 1)
        after = datetime.date(year + (self.month == 12), self.month % 12 + 1, 1)
        return publication.clamp(_aware(first), _aware(after))

    def date_span(self) -> tuple[datetime.date, datetime.date]:
        """[first day, day after) for filtering dates."""
        start, end = self.span()
        return timezone.localtime(start).date(), timezone.localtime(end).date()

    def previous_year(self) -> Scope:
        """The same period (year or month) and narrowing, one 年度 earlier."""
        return Scope(self.fiscal_year - 1, self.month, self.area, self.domain)

    @cached_property
    def _within(self) -> list[tuple[int, str]] | None:
        """The area and every area inside it, with their kinds; None: city-wide. One query
        over the area table (a few hundred rows), whatever the depth."""
        area = self.area
        if area is None or area.kind == AreaKind.CITY:
            return None
        if area.kind == AreaKind.BLOCK:
            return [(area.pk, area.kind)]
        children: defaultdict[int | None, list[tuple[int, str]]] = defaultdict(list)
        for pk, parent_id, kind in Area.objects.values_list("pk", "parent_id", "kind"):
            children[parent_id].append((pk, kind))
        found = [(area.pk, str(area.kind))]
        queue = [area.pk]
        while queue:
            below = [child for parent in queue for child in children[parent]]
            found.extend(below)
            queue = [pk for pk, _kind in below]
        return found

    @property
    def blocks(self) -> list[int] | None:
        """Ids of the 町丁目 inside the area (the area itself if it is one); None: city-wide."""
        within = self._within
        if within is None:
            return None
        return [pk for pk, kind in within if kind == AreaKind.BLOCK]

    @property
    def areas(self) -> list[int] | None:
        """Ids of the area and of every area inside it; None: city-wide."""
        within = self._within
        return None if within is None else [pk for pk, _kind in within]

    def in_area(self, household_path: str) -> Q:
        """A filter on the household at ``household_path`` ("household", "case__household"…)."""
        blocks = self.blocks
        if blocks is None:
            return Q()
        return Q(**{f"{household_path}__area_id__in": blocks})

    def at_area(self, area_field: str = "area") -> Q:
        """A filter on a record's own area field (a place, an outreach target, an unmet
        need): the area itself or any area inside it. A record placed in a larger area
        (a 圏域 when a 中学校区 is asked for) is not counted for the smaller one."""
        areas = self.areas
        if areas is None:
            return Q()
        return Q(**{f"{area_field}_id__in": areas})

    def in_domain(self, consultation_path: str) -> Q:
        """A filter on consultations (at ``consultation_path``) touching the domain."""
        if not self.domain:
            return Q()
        return touching_domain(self.domain, consultation_path)

    def on_cases(self, case_path: str = "") -> Q:
        """A filter on cases (at ``case_path``; "" for Case itself): the household in the
        area, and a consultation of the case touching the domain."""
        prefix = f"{case_path}__" if case_path else ""
        q = self.in_area(f"{prefix}household")
        if self.domain:
            touching = Consultation.objects.filter(self.in_domain(""), case__isnull=False)
            q &= Q(**{f"{prefix}pk__in" if prefix else "pk__in": touching.values("case_id")})
        return q


def keyed(
    model: type[Model], field_name: str = "pk", *, filter: Q | None = None, distinct: bool = False
) -> Sum:
    """The raw key sum (``core.cellkey``) of the ``model`` records at ``field_name`` counted
    beside it with the same filter: ``Count(field_name, filter=...)`` has ``keyed(...)``."""
    return key_sum(model._meta.label_lower, field_name, filter=filter, distinct=distinct)


def keyed_count(model: type[Model], *, filter: Q | None = None) -> Sum:
    """The count of ``model`` records and their raw key sum in one aggregate; ``counts``
    reads it back."""
    return counted(model._meta.label_lower, filter=filter)


def counts(row: dict[str, Any], names: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    """The counts and the raw key sums of the ``keyed_count`` aggregates ``names``."""
    unpacked = {name: unpack(row[name]) for name in names}
    return {k: v[0] for k, v in unpacked.items()}, {k: v[1] for k, v in unpacked.items()}


Derive = Callable[[dict[str, int]], Decimal | None]


def as_is(value: Decimal | None) -> Derive:
    """A figure shown as it is whatever was published (a count of organisations)."""
    return lambda _shown: value


Compute = Callable[[Scope], Result]


@dataclass(frozen=True)
class Computation:
    code: str
    function: Compute
    name: str
    project: str
    kind: str = IndicatorKind.KPI
    level: str = IndicatorLevel.OUTPUT
    unit: str = "件"
    filters: frozenset[str] = frozenset()


REGISTRY: dict[str, Computation] = {}


def computation(
    code: str,
    *,
    name: str,
    project: str,
    kind: str = IndicatorKind.KPI,
    level: str = IndicatorLevel.OUTPUT,
    unit: str = "件",
    filters: frozenset[str] = frozenset(),
) -> Callable[[Compute], Compute]:
    """Register ``function`` under ``code``, with what ``seed_indicators`` needs and the
    narrowings (``AREA``, ``DOMAIN``) it honours."""

    def register(function: Compute) -> Compute:
        if code in REGISTRY:
            raise ValueError(f"computation {code!r} is registered twice")
        REGISTRY[code] = Computation(code, function, name, project, kind, level, unit, filters)
        return function

    return register


def compute(
    code: str,
    fiscal_year: int,
    *,
    month: int | None = None,
    area: Area | None = None,
    domain: str = "",
) -> Result:
    return REGISTRY[code].function(Scope(fiscal_year, month, area, domain))


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def year_span(fiscal_year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The 年度 as [start, end) in local time, for filtering timestamps."""
    first, last = fiscal_year_bounds(fiscal_year)
    return _aware(first), _aware(last + datetime.timedelta(days=1))


def share(part: int, whole: int) -> Decimal | None:
    """``part / whole`` to four places (0.2500), or None when there is no whole."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` in per cent to one place (25.0), or None when there is no whole:
    an indicator's value as a report writes it, beside a target set the same way."""
    if whole == 0:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"))


_READS: ContextVar[dict[tuple[object, ...], Any] | None] = ContextVar(
    "evaluation_reads", default=None
)


@contextmanager
def shared_reads() -> Iterator[None]:
    """Computations run inside share what several of them read alike (a year's case
    teams: this year's pairs are compared with last year's, and last year is shown beside
    this one) — for one page or one report, never longer, so nothing goes stale."""
    token = _READS.set({})
    try:
        yield
    finally:
        _READS.reset(token)


def shared(key: tuple[object, ...], read: Callable[[], Any]) -> Any:
    """``read()``, or what it gave for ``key`` earlier inside the same ``shared_reads``."""
    memo = _READS.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


class DaysBetween(Func):
    """The days (a float) from one timestamp to another, computed by the database: parsing
    every timestamp into a Python datetime is what a year of referrals spends its time on."""

    output_field = FloatField()
    arity = 2

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        return (
            f"(julianday({later[0]}) - julianday({earlier[0]}))",
            [*later[1], *earlier[1]],
        )

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        return (
            f"(EXTRACT(EPOCH FROM ({later[0]} - {earlier[0]})) / 86400.0)",
            [*later[1], *earlier[1]],
        )


def mean(values: Sequence[float | int], places: str = "0.01") -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.fmean(values))).quantize(Decimal(places))


def median(values: Sequence[float | int], places: str = "0.1") -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(Decimal(places))


def percentile(values: Sequence[float | int], p: int, places: str = "0.1") -> Decimal | None:
    """The ``p``-th percentile by linear interpolation between closest ranks (the
    spreadsheet's PERCENTILE.INC): for 10, 20, 30, 40, 50 the 90th is 46."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return Decimal(str(value)).quantize(Decimal(places))
