"""Shapes shared by the routers: errors, agencies, persons as typed in, pages."""

from __future__ import annotations

import datetime
import math
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from kasane.accounts.models import Agency
from kasane.core.paging import Count, Window
from kasane.core.text import validate_visible_text
from kasane.registry.models import Person, Relationship, Sex
from kasane.registry.services import PersonInput


class FieldError(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    """Every error: a stable ``code`` for programs, a ``message`` for people (Japanese by
    default), and per-field errors where the input was at fault."""

    code: str = Field(examples=["referral_to_self"])
    message: str
    fields: dict[str, list[FieldError]] | None = None


# The error answers every operation may give, for the OpenAPI document.
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


def _visible(value: str) -> str:
    try:
        validate_visible_text(value)
    except ValidationError as error:
        # The type is the form's error code; the message is already in the caller's language.
        raise PydanticCustomError(str(error.code), str(error.messages[0])) from None
    return value


# A one-line name as the forms take it (``kasane.core.forms.NameField``): visible characters.
VisibleName = Annotated[str, AfterValidator(_visible)]


class AgencyRef(Schema):
    id: UUID
    name: str


def agency_ref(agency: Agency | None) -> AgencyRef | None:
    return None if agency is None else AgencyRef(id=agency.public_id, name=agency.name)


class PersonRef(Schema):
    id: UUID
    name: str
    kana: str


def person_ref(person: Person) -> PersonRef:
    return PersonRef(id=person.public_id, name=person.name, kana=person.kana)


class PersonIn(Schema):
    """A person as registered: the name as written, and its reading in kana."""

    name: VisibleName = Field(min_length=1, max_length=100, examples=["草野 和夫"])
    kana: VisibleName = Field(min_length=1, max_length=100, examples=["クサノ カズオ"])
    birth_date: datetime.date | None = None
    sex: Sex = Sex.UNKNOWN
    phone: str = Field(default="", max_length=20)

    def to_input(self, area: Any = None) -> PersonInput:
        return PersonInput(
            name=self.name,
            kana=self.kana,
            birth_date=self.birth_date,
            sex=self.sex,
            area=area,
            phone=self.phone,
        )


class MemberIn(PersonIn):
    """Another member of a new household, with their relation to the head (続柄)."""

    relationship: Relationship = Field(examples=["child"])


class PageOut(Schema):
    number: int
    pages: int
    total: int
    has_next: bool
    total_more: bool = Field(
        False,
        description="True when the list is longer than `total`: long lists are counted up to "
        "1,000 only (and `pages` is then the pages of those); follow `has_next`.",
    )


def page_out(page: Page[Any] | Window[Any]) -> PageOut:
    if isinstance(page, Window):
        total = page.total or _seen(page)
        return PageOut(
            number=page.number,
            pages=max(1, math.ceil(total.n / page.size)),
            total=total.n,
            has_next=page.has_next,
            total_more=total.more,
        )
    return PageOut(
        number=page.number,
        pages=page.paginator.num_pages,
        total=page.paginator.count,
        has_next=page.has_next(),
        total_more=False,
    )


def _seen(page: Window[Any]) -> Count:
    """A window that was not counted: what it shows and, with a next page, more."""
    seen = (page.number - 1) * page.size + len(page)
    return Count(seen, more=page.has_next)
