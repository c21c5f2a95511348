"""Reads of the catalogue of places to take part.

Catalogue data is not personal data, so these reads need not go through ``kasane.privacy``;
by the same token nothing here may ever touch a person, a household or a case — the public
catalogue pages are built from these functions alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from kasane.participation.models import (
    Opportunity,
    OpportunityKind,
    OpportunityKindLink,
    OpportunityStatus,
    Schedule,
    stale_before,
)
from kasane.registry.models import Area, AreaKind

PAGE_SIZE = 50
# What the public sees: places that are running or closed for a while, never the defunct.
PUBLIC_STATUSES = (OpportunityStatus.ACTIVE, OpportunityStatus.TEMPORARILY_CLOSED)


def is_stale(opportunity: Opportunity, today: datetime.date | None = None) -> bool:
    return opportunity.checked_on < stale_before(today)


def _with_details(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    return queryset.select_related("resource", "area").prefetch_related(
        Prefetch("kind_links", queryset=OpportunityKindLink.objects.order_by("kind")),
        Prefetch("schedules", queryset=Schedule.objects.order_by("opens_at", "id")),
    )


@dataclass(frozen=True)
class CatalogueFilter:
    kind: str = ""
    area: Area | None = None
    stale: bool = False
    query: str = ""
    status: str = ""
    vacant: bool = False


def area_path_ids(area: Area) -> list[int]:
    """The area and every area inside it (for "in 北部圏域" finding its 町丁目 too)."""
    ids = [area.pk]
    frontier = [area.pk]
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def opportunities(
    filters: CatalogueFilter, *, public: bool = False, today: datetime.date | None = None
) -> QuerySet[Opportunity]:
    queryset = Opportunity.objects.all()
    if public:
        queryset = queryset.filter(status__in=PUBLIC_STATUSES)
    elif filters.status in OpportunityStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.kind in OpportunityKind.values:
        queryset = queryset.filter(
            Exists(
                OpportunityKindLink.objects.filter(opportunity=OuterRef("pk"), kind=filters.kind)
            )
        )
    if filters.area is not None:
        queryset = queryset.filter(area_id__in=area_path_ids(filters.area))
    if filters.stale:
        queryset = queryset.filter(checked_on__lt=stale_before(today))
    if filters.vacant:
        queryset = queryset.filter(Q(vacancies__isnull=True) | Q(vacancies__gt=0))
    if filters.query.strip():
        words = filters.query.split()
        for word in words[:5]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(resource__name__icontains=word)
                | Q(location_name__icontains=word)
            )
    return _with_details(queryset.order_by("name", "id"))


def opportunity_page(
    filters: CatalogueFilter, page: int, *, public: bool = False
) -> Page[Opportunity]:
    return Paginator(opportunities(filters, public=public), PAGE_SIZE).get_page(page)


def get_opportunity(public_id: object, *, public: bool = False) -> Opportunity:
    queryset = Opportunity.objects.all()
    if public:
        queryset = queryset.filter(status__in=PUBLIC_STATUSES)
    return get_object_or_404(_with_details(queryset), public_id=public_id)


def catalogue_for_export(modified_after: datetime.datetime | None = None) -> QuerySet[Opportunity]:
    queryset = Opportunity.objects.all()
    if modified_after is not None:
        queryset = queryset.filter(updated_at__gt=modified_after)
    return _with_details(queryset.order_by("updated_at", "id"))


def filter_areas() -> list[Area]:
    """Areas to filter by: spheres and school districts (町丁目 are too many for a list)."""
    return list(
        Area.objects.filter(kind__in=[AreaKind.SPHERE, AreaKind.SCHOOL_DISTRICT]).order_by("code")
    )


def stale_count(today: datetime.date | None = None) -> int:
    return Opportunity.objects.filter(
        status__in=PUBLIC_STATUSES, checked_on__lt=stale_before(today)
    ).count()
