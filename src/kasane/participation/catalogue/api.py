"""JSON API of the participation app (issue #5): the catalogue as HSDS 3.0 services.

Reads return HSDS service records (the shape of ``kasane.participation.catalogue.hsds``), paged like
the HSDS API (``contents``, ``total_items``, ``page_number``…), with ``modified_after`` so
that another system can keep a copy up to date. Writes take an HSDS service record too and go
through the same import service as files: checked whole, matched by id, audited.
"""

from __future__ import annotations

import datetime
import math
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema

from kasane.api.auth import case_worker
from kasane.api.schemas import ERRORS
from kasane.participation.catalogue import hsds, selectors, services
from kasane.participation.error_codes import ErrorCode
from kasane.participation.models import Opportunity, OpportunityKind
from kasane.registry.models import Area

router = Router(tags=["participation"])


class CatalogueQuery(Schema):
    modified_after: datetime.datetime | None = Field(
        default=None, description="only places changed after this time (ISO 8601)"
    )
    kind: OpportunityKind | None = None
    area: str | None = Field(default=None, description="an area code; includes areas inside it")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=200)


class ServicePage(Schema):
    """An HSDS 3.0 API page of services."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


class CheckedIn(Schema):
    vacancies: int | None = Field(default=None, ge=0, description="places free now, if known")


def _area(code: str | None) -> Area | None:
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationError({"area": ValidationError(_("There is no area with this code."))})
    return area


@router.get(
    "/opportunities",
    response={200: ServicePage, **ERRORS},
    operation_id="opportunity_list",
    summary="Places to take part as HSDS 3.0 services, oldest change first",
)
def opportunity_list(request: HttpRequest, query: Query[CatalogueQuery]) -> ServicePage:
    case_worker(request)
    queryset = selectors.catalogue_for_export(query.modified_after)
    if query.kind is not None or query.area:
        ids = selectors.opportunities(
            selectors.CatalogueFilter(kind=query.kind or "", area=_area(query.area))
        ).values("pk")
        queryset = queryset.filter(pk__in=ids)
    total = queryset.count()
    start = (query.page - 1) * query.per_page
    rows = list(queryset[start : start + query.per_page])
    pages = max(1, math.ceil(total / query.per_page))
    return ServicePage(
        total_items=total,
        total_pages=pages,
        page_number=query.page,
        size=len(rows),
        first_page=query.page == 1,
        last_page=query.page >= pages,
        empty=not rows,
        contents=[hsds.service_record(o) for o in rows],
    )


@router.get(
    "/opportunities/{opportunity_id}",
    response={200: dict[str, Any], **ERRORS},
    operation_id="opportunity_get",
    summary="One place to take part as an HSDS 3.0 service",
)
def opportunity_get(request: HttpRequest, opportunity_id: UUID) -> dict[str, Any]:
    case_worker(request)
    return hsds.service_record(selectors.get_opportunity(opportunity_id))


@router.put(
    "/opportunities/{opportunity_id}",
    response={200: dict[str, Any], **ERRORS},
    operation_id="opportunity_put",
    summary="Create or replace a place from an HSDS 3.0 service record (participation "
    "support workers and coordinators)",
)
def opportunity_put(
    request: HttpRequest, opportunity_id: UUID, payload: Body[dict[str, Any]]
) -> dict[str, Any]:
    actor = case_worker(request)
    if not services.can_edit_catalogue(actor):
        raise Http404
    record = dict(payload)
    if str(record.setdefault("id", str(opportunity_id))) != str(opportunity_id):
        raise ValidationError(
            {"id": ValidationError(_("The id differs from the one in the path."))}
        )
    try:
        services.catalogue_import(actor=actor, records=[record])
    except services.CatalogueImportError as error:
        raise ValidationError(error.messages, code=ErrorCode.INVALID_HSDS) from None
    return hsds.service_record(selectors.get_opportunity(opportunity_id))


@router.post(
    "/opportunities/{opportunity_id}/checked",
    response={200: dict[str, Any], **ERRORS},
    operation_id="opportunity_mark_checked",
    summary="Record that the entry was confirmed with the host today",
)
def opportunity_checked(
    request: HttpRequest, opportunity_id: UUID, payload: CheckedIn
) -> dict[str, Any]:
    actor = case_worker(request)
    if not services.can_edit_catalogue(actor):
        raise Http404
    opportunity: Opportunity = selectors.get_opportunity(opportunity_id)
    services.opportunity_mark_checked(
        actor=actor, opportunity=opportunity, vacancies=payload.vacancies
    )
    return hsds.service_record(selectors.get_opportunity(opportunity_id))
