"""Reads of the community app: who may see what, places per area, and the needs of an
area's consultations as de-identified, suppressed aggregates.

Who sees what:
- places (a public registry: groups, not persons): staff who work with households, 民生委員
  and other volunteers, analysts;
- the needs aggregated per area (地域課題の集計): staff who work with households, and
  analysts — for whom aggregates are all there is;
- the issue records (free text typed by staff): staff who work with households only. An
  analyst sees aggregates only, and a text field is no aggregate.
Administrators and auditors see nothing here (404).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.community.models import CommunityIssue, IssueAction, Place, PlaceKind
from kasane.core import cellkey, publication
from kasane.core.cellkey import THRESHOLD
from kasane.core.dates import current_fiscal_year, fiscal_year_bounds
from kasane.core.suppression import Cell
from kasane.intake.models import ConsultationNeed, NeedType
from kasane.privacy.cases import works_cases
from kasane.registry.models import Area, AreaKind, Household

HOUSEHOLD = Household._meta.label_lower
LIST_PAGE_SIZE = 50
# The levels an area view is drawn at. 町丁目 is too small: its counts would point at houses.
LEVELS = (AreaKind.SPHERE, AreaKind.SCHOOL_DISTRICT)
# How many 年度 back the pages offer.
YEARS_OFFERED = 5


# --- who may see what -----------------------------------------------------------------------


def may_see_places(actor: Staff) -> bool:
    if not actor.is_active or actor.agency_id is None:
        return False
    return works_cases(actor) or actor.role in (Role.VOLUNTEER, Role.ANALYST)


def may_see_needs(actor: Staff) -> bool:
    if not actor.is_active or actor.agency_id is None:
        return False
    return works_cases(actor) or actor.role == Role.ANALYST


def may_work_issues(actor: Staff) -> bool:
    """Read and record 地域課題 and register places: staff who work with households."""
    return works_cases(actor)


def require(allowed: bool) -> None:
    """Roles without access learn nothing, as for a page that does not exist."""
    if not allowed:
        raise Http404


# --- 年度 and levels ------------------------------------------------------------------------


def fiscal_years_offered() -> list[int]:
    now = current_fiscal_year()
    return list(range(now, now - YEARS_OFFERED, -1))


def parse_fiscal_year(value: str | None) -> int:
    """The 年度 asked for, if it is one the pages offer; else the current one."""
    try:
        year = int(value or "")
    except ValueError:
        return current_fiscal_year()
    return year if year in fiscal_years_offered() else current_fiscal_year()


def parse_level(value: str | None) -> AreaKind:
    return AreaKind.SCHOOL_DISTRICT if value == AreaKind.SCHOOL_DISTRICT else AreaKind.SPHERE


def _fiscal_year_span(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    first, last = fiscal_year_bounds(year)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


# --- areas ----------------------------------------------------------------------------------


@dataclass
class AreaTree:
    """Every area in memory (a city has a few hundred), to roll counts up the tree."""

    by_id: dict[int, Area]

    @classmethod
    def load(cls) -> AreaTree:
        return cls({a.pk: a for a in Area.objects.only("id", "code", "name", "kind", "parent_id")})

    def ancestor(self, area_id: int | None, kind: str) -> Area | None:
        """The area of the given kind that contains this one (or is it)."""
        area = self.by_id.get(area_id) if area_id is not None else None
        while area is not None and area.kind != kind:
            area = self.by_id.get(area.parent_id) if area.parent_id else None
        return area

    def at(self, kind: str) -> list[Area]:
        return sorted((a for a in self.by_id.values() if a.kind == kind), key=lambda a: a.code)

    def descendants(self, area: Area) -> set[int]:
        children: dict[int, list[int]] = defaultdict(list)
        for a in self.by_id.values():
            if a.parent_id:
                children[a.parent_id].append(a.pk)
        found, todo = {area.pk}, [area.pk]
        while todo:
            for child in children[todo.pop()]:
                found.add(child)
                todo.append(child)
        return found

    def sphere_of(self, area: Area) -> Area | None:
        return self.ancestor(area.pk, AreaKind.SPHERE)


def areas_for_choice() -> QuerySet[Area]:
    """The areas a place or an issue is filed under, and filters choose from."""
    return Area.objects.filter(kind__in=LEVELS).order_by("code")


def place_areas() -> QuerySet[Area]:
    """A place lies in a 中学校区 or, better, a 町丁目."""
    return Area.objects.filter(kind__in=(AreaKind.SCHOOL_DISTRICT, AreaKind.BLOCK)).order_by("code")


# --- places ---------------------------------------------------------------------------------


def _active_in(year: int) -> Q:
    first, last = fiscal_year_bounds(year)
    return (Q(started_on__isnull=True) | Q(started_on__lte=last)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )


def place_queryset() -> QuerySet[Place]:
    return Place.objects.select_related("area", "area__parent", "registered_by_agency")


def places_for(
    *, area: Area | None = None, kind: str = "", include_ended: bool = False
) -> QuerySet[Place]:
    """The places of the list's choice (the page and its CSV export)."""
    places = place_queryset()
    if area is not None:
        places = places.filter(area_id__in=AreaTree.load().descendants(area))
    if kind:
        places = places.filter(kind=kind)
    if not include_ended:
        places = places.filter(ended_on__isnull=True)
    return places


def place_list(
    *, page: int, area: Area | None = None, kind: str = "", include_ended: bool = False
) -> Page[Place]:
    places = places_for(area=area, kind=kind, include_ended=include_ended)
    result: Page[Place] = Paginator(places, LIST_PAGE_SIZE).get_page(page)
    return result


def get_place(public_id: UUID) -> Place:
    place = place_queryset().filter(public_id=public_id).first()
    if place is None:
        raise Http404
    return place


@dataclass
class PlaceRow:
    area: Area
    sphere: Area | None
    counts: list[int]
    total: int

    @property
    def hubs(self) -> int:
        return self.counts[list(PlaceKind).index(PlaceKind.MULTIGENERATIONAL_HUB)]


@dataclass
class PlaceTable:
    level: AreaKind
    fiscal_year: int
    kinds: list[PlaceKind]
    rows: list[PlaceRow]
    totals: list[int] = field(default_factory=list)
    total: int = 0


def places_by_area(*, level: AreaKind, year: int) -> PlaceTable:
    """Places active during the 年度, per area of the level and per kind (one count query)."""
    tree = AreaTree.load()
    kinds = list(PlaceKind)
    index = {k.value: i for i, k in enumerate(kinds)}
    rows = {a.pk: PlaceRow(a, tree.sphere_of(a), [0] * len(kinds), 0) for a in tree.at(level)}
    counted = (
        Place.objects.filter(_active_in(year))
        .values("area_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for entry in counted:
        area = tree.ancestor(entry["area_id"], level)
        if area is None or area.pk not in rows:
            continue
        row = rows[area.pk]
        row.counts[index[entry["kind"]]] += entry["n"]
        row.total += entry["n"]
    ordered = list(rows.values())
    totals = [sum(r.counts[i] for r in ordered) for i in range(len(kinds))]
    return PlaceTable(level, year, kinds, ordered, totals, sum(totals))


# --- 地域課題: needs per area, suppressed ------------------------------------------------------


@dataclass
class NeedRow:
    need: NeedType
    cells: list[Cell]
    total: Cell


@dataclass
class NeedTable:
    """Households with each need among the 年度's consultations, per area of the level."""

    level: AreaKind
    fiscal_year: int
    areas: list[Area | None]  # None: the household's area is not recorded at this level
    rows: list[NeedRow]
    column_totals: list[Cell]
    total: Cell
    threshold: int = THRESHOLD
    # True: every count is perturbed by the cell-key method (``core.cellkey``).
    perturbed: bool = True


def exact_figures(user: object) -> bool:
    """Coordinators, who may read identified data, see true counts up to now; everyone else
    perturbed counts up to the start of the month (``kasane.core.publication``)."""
    return isinstance(user, Staff) and user.role == Role.COORDINATOR


def need_table(*, actor: Staff, level: AreaKind, year: int) -> NeedTable:
    """The needs of the 年度's consultations per area, as counts of households.

    A household counts once per need and year however often it consulted. The counts come
    from one aggregate query — no consultation, household or person is ever loaded — with
    the sum of the households' record keys beside each, and every count (cells and totals
    alike) is published perturbed by its cell key (``kasane.core.cellkey``): the same
    households give the same figure at every level and every time, and a 圏域 minus its
    中学校区 gives no small count back. Coordinators, who may read identified data, see the
    true counts. The view is audited as a read of aggregates, which involves no personal
    data.
    """
    require(may_see_needs(actor))
    # Cut at the publication cut-off of the view (``community.views.issues``).
    start, end = publication.clamp(*_fiscal_year_span(year))
    counted = list(
        ConsultationNeed.objects.filter(
            consultation__received_at__gte=start,
            consultation__received_at__lt=end,
            consultation__household__isnull=False,
        )
        .values("need_type_id", "consultation__household__area_id")
        .annotate(
            households=Count("consultation__household_id", distinct=True),
            key=cellkey.key_sum(HOUSEHOLD, "consultation__household_id", distinct=True),
        )
        .order_by()
    )
    tree = AreaTree.load()
    areas: list[Area | None] = list(tree.at(level))
    column = {a.pk: j for j, a in enumerate(areas) if a is not None}
    # A household lives in one 町丁目: the cells of an area are disjoint, and their counts
    # and key sums add up.
    sums: dict[tuple[int, int | None], int] = defaultdict(int)
    keys: dict[tuple[int, int | None], int] = defaultdict(int)
    unplaced = False
    for entry in counted:
        area = tree.ancestor(entry["consultation__household__area_id"], level)
        key = area.pk if area is not None and area.pk in column else None
        unplaced = unplaced or key is None
        sums[(entry["need_type_id"], key)] += entry["households"]
        keys[(entry["need_type_id"], key)] += entry["key"] or 0
    if unplaced:
        areas.append(None)
    needs = list(NeedType.objects.filter(pk__in={n for n, _ in sums}).order_by("sort_order"))
    cells = [[(need.pk, a.pk if a is not None else None) for a in areas] for need in needs]
    table = _published(
        [[sums.get(c, 0) for c in row] for row in cells],
        [[keys.get(c, 0) for c in row] for row in cells],
        exact=exact_figures(actor),
    )
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.COMMUNITY_AGGREGATE,
        object_id=f"{level}:{year}",
        detail={"filters": {"fy": year, "level": str(level)}, "needs": len(needs)},
    )
    return NeedTable(
        level=level,
        fiscal_year=year,
        areas=areas,
        rows=[
            NeedRow(need, cells, total)
            for need, cells, total in zip(needs, table.cells, table.row_totals, strict=True)
        ],
        column_totals=table.column_totals,
        total=table.total,
        perturbed=not exact_figures(actor),
    )


@dataclass(frozen=True)
class _Table:
    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell


def _published(counts: list[list[int]], keys: list[list[int]], *, exact: bool) -> _Table:
    """The table with its totals, each count published from its own records (a total is
    the cell of all its households — a household with two needs counted in each — never
    the sum of perturbed cells)."""

    def cell(count: int, key: int) -> Cell:
        return Cell(count if exact else cellkey.publish(count, key), False)

    columns = len(counts[0]) if counts else 0
    column = [sum(row[j] for row in counts) for j in range(columns)]
    column_keys = [sum(row[j] for row in keys) for j in range(columns)]
    return _Table(
        cells=[
            [cell(n, k) for n, k in zip(r, rk, strict=True)]
            for r, rk in zip(counts, keys, strict=True)
        ],
        row_totals=[cell(sum(r), sum(rk)) for r, rk in zip(counts, keys, strict=True)],
        column_totals=[cell(n, k) for n, k in zip(column, column_keys, strict=True)],
        total=cell(sum(column), sum(column_keys)),
    )


# --- 地域課題: the issue records --------------------------------------------------------------


def issue_list(*, actor: Staff, page: int, year: int | None = None) -> Page[Any]:
    """The 年度's issues, each with its count of actions not done yet."""
    require(may_work_issues(actor))
    issues = (
        CommunityIssue.objects.select_related("area", "agency")
        .annotate(open_actions=Count("actions", filter=~Q(actions__status="done")))
        .order_by("-fiscal_year", "-raised_on", "-id")
    )
    if year is not None:
        issues = issues.filter(fiscal_year=year)
    result: Page[Any] = Paginator(issues, LIST_PAGE_SIZE).get_page(page)
    return result


def get_issue(*, actor: Staff, public_id: UUID) -> CommunityIssue:
    require(may_work_issues(actor))
    issue = (
        CommunityIssue.objects.select_related("area", "agency", "raised_by")
        .prefetch_related(
            "need_types",
            "discussions__recorded_by",
            Prefetch("actions", queryset=IssueAction.objects.select_related("recorded_by")),
        )
        .filter(public_id=public_id)
        .first()
    )
    if issue is None:
        raise Http404
    return issue
