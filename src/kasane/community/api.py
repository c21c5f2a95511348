"""Community places API: the registry of サロン, 子ども食堂, 通いの場, サークル and
多世代交流拠点 by area. Reads go through ``kasane.community.selectors`` (who may see places),
writes through ``kasane.community.services`` (staff who work with households)."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kasane.accounts.models import Staff
from kasane.api.auth import caller
from kasane.api.schemas import ERRORS, AgencyRef, PageOut, VisibleName, agency_ref, page_out
from kasane.community import selectors, services
from kasane.community.models import Frequency, OrganizerType, Place, PlaceKind
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.registry.models import Area

router = Router(tags=["community"])


class AreaRef(Schema):
    code: str
    name: str
    kind: str


class PlaceIn(Schema):
    name: VisibleName = Field(min_length=1, max_length=100, examples=["ふれあいいきいきサロン北町"])
    kind: PlaceKind
    area_code: str = Field(max_length=20, description="a 中学校区 or 町丁目", examples=["K1101"])
    organizer: str = Field(min_length=1, max_length=100, examples=["北町一丁目自治会"])
    organizer_type: OrganizerType
    frequency: Frequency
    venue: str = Field(default="", max_length=200)
    schedule: str = Field(default="", max_length=100, examples=["毎週水曜 10:00–12:00"])
    audience: str = Field(default="", max_length=100)
    contact: str = Field(default="", max_length=100)
    started_on: datetime.date | None = None
    note: str = Field(default="", max_length=2000)


class PlaceOut(Schema):
    id: UUID
    name: str
    kind: str
    area: AreaRef
    venue: str
    organizer: str
    organizer_type: str
    frequency: str
    schedule: str
    audience: str
    contact: str
    started_on: datetime.date | None
    ended_on: datetime.date | None
    registered_by: AgencyRef


class PlacePageOut(Schema):
    items: list[PlaceOut]
    page: PageOut


class PlaceFilter(Schema):
    area_code: str | None = Field(
        default=None, description="an area: the places in it and in the areas it contains"
    )
    kind: PlaceKind | None = None
    include_ended: bool = False
    page: int = Field(default=1, ge=1, le=100_000)


def _place(place: Place) -> PlaceOut:
    registered_by = agency_ref(place.registered_by_agency)
    assert registered_by is not None
    return PlaceOut(
        id=place.public_id,
        name=place.name,
        kind=place.kind,
        area=AreaRef(code=place.area.code, name=place.area.name, kind=place.area.kind),
        venue=place.venue,
        organizer=place.organizer,
        organizer_type=place.organizer_type,
        frequency=place.frequency,
        schedule=place.schedule,
        audience=place.audience,
        contact=place.contact,
        started_on=place.started_on,
        ended_on=place.ended_on,
        registered_by=registered_by,
    )


def _area(code: str, field: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValidationError(
            {
                field: ValidationError(
                    _("There is no area with this code."), code=CoreCode.UNKNOWN_AREA
                )
            }
        )
    return area


def _reader(request: HttpRequest) -> Staff:
    staff = caller(request)
    selectors.require(selectors.may_see_places(staff))
    return staff


@router.get(
    "/community-places",
    response={200: PlacePageOut, **ERRORS},
    operation_id="community_place_list",
    summary="Community places, optionally in one area (and the areas inside it) or of one kind",
)
def place_list(request: HttpRequest, filters: Query[PlaceFilter]) -> PlacePageOut:
    _reader(request)
    area = _area(filters.area_code, "area_code") if filters.area_code else None
    page = selectors.place_list(
        page=filters.page,
        area=area,
        kind=filters.kind or "",
        include_ended=filters.include_ended,
    )
    return PlacePageOut(items=[_place(p) for p in page], page=page_out(page))


@router.get(
    "/community-places/{place_id}",
    response={200: PlaceOut, **ERRORS},
    operation_id="community_place_get",
    summary="One community place",
)
def place_get(request: HttpRequest, place_id: UUID) -> PlaceOut:
    _reader(request)
    return _place(selectors.get_place(place_id))


@router.post(
    "/community-places",
    response={201: PlaceOut, **ERRORS},
    operation_id="community_place_create",
    summary="Register a community place on behalf of your agency",
)
def place_create(request: HttpRequest, payload: PlaceIn) -> Status[PlaceOut]:
    actor = caller(request)
    selectors.require(selectors.may_work_issues(actor))
    data = payload.dict()
    area = _area(data.pop("area_code"), "area_code")
    try:
        place = services.place_create(actor=actor, area=area, **data)
    except ValidationError as error:
        # The service names the area ``area``; the API's callers send ``area_code``.
        if hasattr(error, "error_dict") and "area" in error.error_dict:
            error.error_dict["area_code"] = error.error_dict.pop("area")
        raise
    return Status(201, _place(selectors.get_place(place.public_id)))
