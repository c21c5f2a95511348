"""Registry API: households and persons, read through ``kasane.registry.selectors`` and
written through ``kasane.registry.services``, as the pages do."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kasane.accounts.models import Staff
from kasane.api.auth import case_worker
from kasane.api.schemas import ERRORS, MemberIn, PersonIn, PersonRef, person_ref
from kasane.core import kana
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.registry import selectors, services
from kasane.registry.error_codes import ErrorCode
from kasane.registry.models import Area, AreaKind, Membership, Person, Relationship
from kasane.registry.validators import validate_birth_date, validate_kana_name, validate_phone

router = Router(tags=["registry"])


# --- input ------------------------------------------------------------------------------


class HouseholdIn(Schema):
    """A new household: its head (世帯主) and, optionally, the other members."""

    head: PersonIn
    members: list[MemberIn] = Field(default_factory=list, max_length=20)
    address: str = Field(default="", max_length=200)
    area_code: str | None = Field(default=None, description="code of a town block (町丁目)")
    phone: str = Field(default="", max_length=20)
    note: str = Field(default="", max_length=2000)
    started_on: datetime.date | None = Field(default=None, description="living here since")
    confirm_not_duplicate: bool = Field(
        default=False,
        description="register even though a person with the same kana and birth date exists",
    )


class SearchIn(Schema):
    q: str = Field(min_length=1, max_length=settings.KASANE_SEARCH_MAX_LENGTH)


def area_by_code(code: str | None, field: str) -> Area | None:
    """A town block by its code; an unknown code is the client's error (400)."""
    if not code:
        return None
    area = Area.objects.filter(code=code, kind=AreaKind.BLOCK).first()
    if area is None:
        raise ValidationError(
            {
                field: ValidationError(
                    _("There is no town block with this code."), code=CoreCode.BAD_AREA
                )
            }
        )
    return area


def check_persons(prefix: str, head: PersonIn, members: Sequence[MemberIn]) -> None:
    """Run the registry's own validators before saving, so each error names its person.

    The services validate again; this only makes ``fields`` say ``members.1.kana``
    rather than ``kana``. A second head is refused here: ``member_add`` does not check it.
    """
    errors: dict[str, list[ValidationError]] = {}

    def check(key: str, validate: Callable[[Any], None], value: object) -> None:
        try:
            validate(value)
        except ValidationError as error:
            errors.setdefault(key, []).extend(error.error_list)

    people: list[tuple[str, PersonIn]] = [(f"{prefix}head", head)]
    people += [(f"{prefix}members.{i}", m) for i, m in enumerate(members)]
    for name, person in people:
        check(f"{name}.kana", validate_kana_name, person.kana)
        check(f"{name}.phone", validate_phone, person.phone)
        if person.birth_date is not None:
            check(f"{name}.birth_date", validate_birth_date, person.birth_date)
        if isinstance(person, MemberIn) and person.relationship == Relationship.HEAD:
            errors.setdefault(f"{name}.relationship", []).append(
                ValidationError(
                    _("A household has exactly one head; another member cannot be the head."),
                    code=ErrorCode.ONE_HEAD,
                )
            )
    if errors:
        raise ValidationError(errors)


def refuse_duplicates(actor: Staff, persons: Sequence[PersonIn], confirmed: bool) -> None:
    """名寄せ, as on the pages: a person already registered is not registered twice unknowingly."""
    if confirmed:
        return
    for person in persons:
        if selectors.likely_duplicates(actor, kana_name=person.kana, birth_date=person.birth_date):
            raise ValidationError(
                _(
                    "A person with the same kana and date of birth is already registered. "
                    "Search for them first, or send confirm_not_duplicate: true."
                ),
                code=ErrorCode.POSSIBLE_DUPLICATE,
            )


# --- output -----------------------------------------------------------------------------


class RegistryAreaOut(Schema):
    """A town block (町丁目) or wider area, by code. Named apart from the plans' AreaOut (a
    life area of an assessment) and community's AreaRef: OpenAPI components are keyed by
    class name alone, and a second class of the same name overwrote this one's shape."""

    code: str
    name: str


def area_out(area: Area | None) -> RegistryAreaOut | None:
    return None if area is None else RegistryAreaOut(code=area.code, name=area.name)


class MemberOut(Schema):
    person: PersonRef
    birth_date: datetime.date | None
    sex: str
    relationship: str
    started_on: datetime.date
    ended_on: datetime.date | None


def member_out(membership: Membership) -> MemberOut:
    person = membership.person
    return MemberOut(
        person=person_ref(person),
        birth_date=person.birth_date,
        sex=person.sex,
        relationship=membership.relationship,
        started_on=membership.started_on,
        ended_on=membership.ended_on,
    )


class RelationOut(Schema):
    from_person_id: UUID
    to_person_id: UUID
    kind: str = Field(description="read as: from_person is the <kind> of to_person")


class HouseholdOut(Schema):
    id: UUID
    address: str
    area: RegistryAreaOut | None
    phone: str
    note: str
    members: list[MemberOut]
    past_members: list[MemberOut]
    relations: list[RelationOut]


def household_out(detail: selectors.HouseholdDetail) -> HouseholdOut:
    household = detail.household
    return HouseholdOut(
        id=household.public_id,
        address=household.address,
        area=area_out(household.area),
        phone=household.phone,
        note=household.note,
        members=[member_out(m) for m in detail.current],
        past_members=[member_out(m) for m in detail.past],
        relations=[
            RelationOut(
                from_person_id=r.from_person.public_id,
                to_person_id=r.to_person.public_id,
                kind=r.kind,
            )
            for r in detail.relations
        ],
    )


class PersonHouseholdOut(Schema):
    household_id: UUID
    relationship: str
    started_on: datetime.date
    ended_on: datetime.date | None


class PersonOut(Schema):
    id: UUID
    name: str
    kana: str
    birth_date: datetime.date | None
    sex: str
    phone: str
    area: RegistryAreaOut | None
    households: list[PersonHouseholdOut]


class PersonHit(Schema):
    id: UUID
    name: str
    kana: str
    birth_date: datetime.date | None
    sex: str
    household_id: UUID | None = Field(description="the current household")


class SearchOut(Schema):
    results: list[PersonHit]
    truncated: bool = Field(description="more persons matched than are listed")


def _hit(person: Person) -> PersonHit:
    current = person.current_memberships  # type: ignore[attr-defined]
    return PersonHit(
        id=person.public_id,
        name=person.name,
        kana=person.kana,
        birth_date=person.birth_date,
        sex=person.sex,
        household_id=current[0].household.public_id if current else None,
    )


# --- operations -------------------------------------------------------------------------
# /persons/search comes before /persons/{person_id}, whose pattern would otherwise take it.


@router.post(
    "/households",
    response={201: HouseholdOut, **ERRORS},
    operation_id="household_create",
    summary="Register a household with its head and other members",
)
def household_create(request: HttpRequest, payload: HouseholdIn) -> Status[HouseholdOut]:
    actor = case_worker(request)
    area = area_by_code(payload.area_code, "area_code")
    check_persons("", payload.head, payload.members)
    refuse_duplicates(actor, [payload.head, *payload.members], payload.confirm_not_duplicate)
    with transaction.atomic():
        household = services.household_create(
            actor=actor,
            head=payload.head.to_input(area),
            address=payload.address,
            area=area,
            phone=payload.phone,
            note=payload.note,
            started_on=payload.started_on,
        )
        for member in payload.members:
            services.member_add(
                actor=actor,
                household=household,
                person=member.to_input(area),
                relationship=member.relationship,
                started_on=payload.started_on,
            )
    return Status(
        201, household_out(selectors.household_detail_for_user(actor, household.public_id))
    )


@router.get(
    "/households/{household_id}",
    response={200: HouseholdOut, **ERRORS},
    operation_id="household_get",
    summary="A household, its members now and before, and their family relations",
)
def household_get(request: HttpRequest, household_id: UUID) -> HouseholdOut:
    actor = case_worker(request)
    return household_out(selectors.household_detail_for_user(actor, household_id))


@router.post(
    "/persons/search",
    response={200: SearchOut, **ERRORS},
    operation_id="person_search",
    summary="Find persons by part of a name or kana (POSTed: names never go in a URL)",
)
def person_search(request: HttpRequest, payload: SearchIn) -> SearchOut:
    actor = case_worker(request)
    if not kana.query_tokens(payload.q):
        raise ValidationError(
            {
                "q": ValidationError(
                    _("Enter letters of a name; symbols and spaces alone cannot be searched."),
                    code=ErrorCode.UNSEARCHABLE,
                )
            }
        )
    result = selectors.search_persons(actor, payload.q)
    return SearchOut(results=[_hit(p) for p in result.persons], truncated=result.truncated)


@router.get(
    "/persons/{person_id}",
    response={200: PersonOut, **ERRORS},
    operation_id="person_get",
    summary="A person and the households they belong or belonged to",
)
def person_get(request: HttpRequest, person_id: UUID) -> PersonOut:
    actor = case_worker(request)
    person = selectors.get_person_for_user(actor, person_id)
    return PersonOut(
        id=person.public_id,
        name=person.name,
        kana=person.kana,
        birth_date=person.birth_date,
        sex=person.sex,
        phone=person.phone,
        area=area_out(person.area),
        households=[
            PersonHouseholdOut(
                household_id=m.household.public_id,
                relationship=m.relationship,
                started_on=m.started_on,
                ended_on=m.ended_on,
            )
            for m in person.memberships.all()
        ],
    )
