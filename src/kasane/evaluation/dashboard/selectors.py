"""Reads of the evaluation app: indicator values for a scope beside the previous 年度 and the
target, monthly series, and the collaboration network of agencies.

Nothing here reads a person: every figure is a count. For analysts (``aggregates_only``)
every count is perturbed by the cell-key method (``published_figure``, ``core.cellkey``):
the same records give the same figure in every view, and no subtraction of views gives a
small count back.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kasane.accounts.models import Agency
from kasane.cases.models import Case, TeamMember
from kasane.core import cellkey
from kasane.core.dates import current_fiscal_year
from kasane.evaluation.computations import AREA, DOMAIN, REGISTRY, Result, Scope
from kasane.evaluation.computations.base import shared_reads
from kasane.evaluation.figures import Figure, published_figure
from kasane.evaluation.models import (
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    IndicatorSource,
    ManualValue,
    Project,
    Target,
)
from kasane.intake.models import Consultation
from kasane.registry.models import Area, AreaKind

YEARS_OFFERED = 6


def fiscal_years_offered() -> list[int]:
    now = current_fiscal_year()
    return list(range(now, now - YEARS_OFFERED, -1))


def parse_fiscal_year(value: str | None) -> int:
    """The 年度 asked for, if the pages offer it; else the current one."""
    try:
        year = int(value or "")
    except ValueError:
        return current_fiscal_year()
    return year if year in fiscal_years_offered() else current_fiscal_year()


def parse_month(value: str | None) -> int | None:
    try:
        month = int(value or "")
    except ValueError:
        return None
    return month if 1 <= month <= 12 else None


def filter_areas() -> list[Area]:
    """圏域 and 中学校区 offered as the area filter, spheres first."""
    return list(
        Area.objects.filter(kind__in=[AreaKind.SPHERE, AreaKind.SCHOOL_DISTRICT])
        .select_related("parent")
        .order_by("kind", "code")
    )


def parse_area(value: str | None) -> Area | None:
    if not value or not (value.isascii() and value.isdigit()):  # "²" is a digit to isdigit
        return None
    return Area.objects.filter(
        pk=int(value), kind__in=[AreaKind.SPHERE, AreaKind.SCHOOL_DISTRICT]
    ).first()


def _figure(result: Result | None, unit: str, aggregates_only: bool) -> Figure | None:
    if result is None:
        return None
    if not aggregates_only:
        return Figure(result.value, dict(result.breakdown), dict(result.figures))
    return published_figure(result, unit)


# --- indicators ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    current: Figure | None
    previous: Figure | None
    target: Decimal | None
    # current / target, when both are there and the target is not zero
    achievement: Decimal | None
    # narrowings asked for that this indicator cannot honour ("area", "domain")
    ignores: tuple[str, ...]
    is_manual: bool


@dataclass(frozen=True)
class ProjectSection:
    project: str
    label: str
    rows: list[IndicatorRow]


def achievement(value: Decimal | None, target: Decimal | None) -> Decimal | None:
    if value is None or target is None or target == 0:
        return None
    return (value / target * 100).quantize(Decimal("0.1"))


def indicator_value(
    indicator: Indicator, fiscal_year_: int, *, aggregates_only: bool
) -> Figure | None:
    """A computed indicator's figure for a whole 年度 (None if its computation is gone)."""
    entry = REGISTRY.get(indicator.computation)
    if entry is None:
        return None
    return _figure(entry.function(Scope(fiscal_year_)), indicator.unit, aggregates_only)


def indicator_rows(
    scope: Scope, *, aggregates_only: bool, with_previous: bool = True
) -> list[IndicatorRow]:
    """Every indicator's figure for ``scope``, the same period of the previous 年度, and the
    target of the 年度. Hand-entered values are annual: a month or an area shows none."""
    with shared_reads():
        return _indicator_rows(scope, aggregates_only=aggregates_only, with_previous=with_previous)


def _indicator_rows(
    scope: Scope, *, aggregates_only: bool, with_previous: bool
) -> list[IndicatorRow]:
    indicators = list(Indicator.objects.order_by("project", "kind", "code"))
    years = [scope.fiscal_year, scope.fiscal_year - 1]
    targets = {
        (t.indicator_id, t.fiscal_year): t.value
        for t in Target.objects.filter(fiscal_year=scope.fiscal_year)
    }
    manual = {
        (m.indicator_id, m.fiscal_year): m.value
        for m in ManualValue.objects.filter(fiscal_year__in=years)
    }
    previous_scope = Scope(scope.fiscal_year - 1, scope.month, scope.area, scope.domain)
    asked = tuple(
        name for name, on in ((AREA, scope.area is not None), (DOMAIN, bool(scope.domain))) if on
    )
    rows = []
    for indicator in indicators:
        is_manual = indicator.source == IndicatorSource.MANUAL
        current: Result | None = None
        previous: Result | None = None
        ignores: tuple[str, ...] = ()
        if is_manual:
            if scope.month is None and not asked:
                value = manual.get((indicator.pk, scope.fiscal_year))
                before = manual.get((indicator.pk, scope.fiscal_year - 1))
                current = Result(value) if value is not None else None
                previous = Result(before) if before is not None else None
            else:
                ignores = asked
        else:
            entry = REGISTRY.get(indicator.computation)
            if entry is None:
                continue
            ignores = tuple(name for name in asked if name not in entry.filters)
            current = entry.function(scope)
            if with_previous:
                previous = entry.function(previous_scope)
        target = targets.get((indicator.pk, scope.fiscal_year)) if scope.month is None else None
        shown = _figure(current, indicator.unit, aggregates_only)
        rows.append(
            IndicatorRow(
                indicator=indicator,
                current=shown,
                previous=_figure(previous, indicator.unit, aggregates_only),
                target=target,
                achievement=achievement(shown.value if shown else None, target),
                ignores=ignores,
                is_manual=is_manual,
            )
        )
    return rows


def sections(rows: list[IndicatorRow]) -> list[ProjectSection]:
    """Rows grouped by the six projects, in the order of ``Project``."""
    by_project: dict[str, list[IndicatorRow]] = defaultdict(list)
    for row in rows:
        by_project[row.indicator.project].append(row)
    return [
        ProjectSection(value, str(label), by_project[value])
        for value, label in Project.choices
        if by_project.get(value)
    ]


# --- the logic model -----------------------------------------------------------------------


@dataclass(frozen=True)
class LogicModelRow:
    project: str
    label: str
    outputs: list[IndicatorRow]
    outcomes: list[IndicatorRow]


@dataclass(frozen=True)
class LogicModel:
    rows: list[LogicModelRow]
    goals: list[IndicatorRow]


def logic_model(rows: list[IndicatorRow]) -> LogicModel:
    """Activities (the six projects) → outputs → outcomes, and the goals (KGI) they serve."""
    goals = [r for r in rows if r.indicator.kind == IndicatorKind.KGI]
    model_rows = []
    for section in sections([r for r in rows if r.indicator.kind != IndicatorKind.KGI]):
        model_rows.append(
            LogicModelRow(
                section.project,
                section.label,
                [r for r in section.rows if r.indicator.level == IndicatorLevel.OUTPUT],
                [r for r in section.rows if r.indicator.level == IndicatorLevel.OUTCOME],
            )
        )
    return LogicModel(model_rows, goals)


# --- monthly series ------------------------------------------------------------------------


def months_of(fiscal_year_: int) -> list[datetime.date]:
    """The first day of each month of a 年度, April to March."""
    return [
        datetime.date(fiscal_year_ + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
    ]


@dataclass(frozen=True)
class Monthly:
    """A count per month of a 年度 (April first), with each month's raw key sum."""

    counts: list[int]
    keys: list[int]

    def published(self) -> list[int | None]:
        """As an analyst sees it: each month perturbed by its own cell key."""
        return [cellkey.publish(n, k) for n, k in zip(self.counts, self.keys, strict=True)]


def _monthly_counts(queryset: QuerySet[Any], field_name: str, fiscal_year_: int) -> Monthly:
    """How many rows of ``queryset`` fall in each month of the 年度 by ``field_name`` (a
    timestamp), with their key sums, in one query: a conditional count per month compares
    the stored value with the month's bounds, which an index can serve, where truncating
    each row's timestamp to its month (TruncMonth) calls a function per row — on SQLite,
    Python's."""
    tz = timezone.get_current_timezone()
    firsts = [
        *months_of(fiscal_year_),
        datetime.date(fiscal_year_ + 1, 4, 1),
    ]
    bounds = [datetime.datetime.combine(d, datetime.time.min, tzinfo=tz) for d in firsts]
    within = [
        Q(**{f"{field_name}__gte": bounds[i], f"{field_name}__lt": bounds[i + 1]})
        for i in range(12)
    ]
    label = queryset.model._meta.label_lower
    row = queryset.order_by().aggregate(
        **{f"m{i}": cellkey.counted(label, filter=q) for i, q in enumerate(within)}
    )
    months = [cellkey.unpack(row[f"m{i}"]) for i in range(12)]
    return Monthly([n for n, _k in months], [k for _n, k in months])


def monthly_consultations(scope: Scope) -> Monthly:
    """Consultations received in each month of the 年度 (April first), in one query."""
    year = Scope(scope.fiscal_year, None, scope.area, scope.domain)
    start, end = year.span()
    rows = Consultation.objects.filter(received_at__gte=start, received_at__lt=end).filter(
        year.in_area("household"), year.in_domain("")
    )
    return _monthly_counts(rows, "received_at", scope.fiscal_year)


def monthly_cases_opened(scope: Scope) -> Monthly:
    year = Scope(scope.fiscal_year, None, scope.area, scope.domain)
    start, end = year.span()
    rows = Case.objects.filter(year.on_cases(), opened_at__gte=start, opened_at__lt=end)
    return _monthly_counts(rows, "opened_at", scope.fiscal_year)


# --- the collaboration network -------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """Agencies that shared a case team during the period, and how many cases each pair
    shared (for analysts, perturbed by the cell key of those cases)."""

    agencies: list[Agency]
    edges: list[tuple[int, int, int | None]]
    pairs: int


def collaboration_network(scope: Scope, *, aggregates_only: bool) -> Network:
    start, end = scope.span()
    rows = (
        TeamMember.objects.filter(scope.on_cases("case"), joined_at__lt=end)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=start))
        .values_list("case_id", "agency_id")
        .order_by()  # the sets below take out repeats: no DISTINCT, no sort
    )
    teams: defaultdict[int, set[int]] = defaultdict(set)
    for case_id, agency_id in rows:
        teams[case_id].add(agency_id)
    shared_cases = cellkey.Tally(Case._meta.label_lower)
    for case_id, members in teams.items():
        for pair in combinations(sorted(members), 2):
            shared_cases.add(pair, case_id)
    pairs: list[tuple[int, int]] = sorted(shared_cases.seen)  # type: ignore[arg-type]

    def shown(pair: tuple[int, int]) -> int:
        n = shared_cases.count(pair)
        return cellkey.publish(n, shared_cases.key(pair)) if aggregates_only else n

    edges: list[tuple[int, int, int | None]] = [(a, b, shown((a, b))) for a, b in pairs]
    # A pair published as 0 is left out: drawn, it would say that it shared a case.
    edges = [edge for edge in edges if edge[2]]
    involved = {a for a, b, _n in edges} | {b for _a, b, _n in edges}
    agencies = list(Agency.objects.filter(pk__in=involved).order_by("agency_type", "name"))
    return Network(agencies, edges, len(edges))
