"""HSDS services in: each record checked whole into a :class:`ParsedService`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kasane.participation.catalogue.hsds.reader import (
    Faults,
    ParsedResource,
    ParsedSchedule,
    ParsedService,
    Reader,
    known_codes,
    parse_schedule,
    text_of,
    where_of,
)
from kasane.participation.catalogue.hsds.schema import (
    STATUS_FROM_HSDS,
    TAX_ACCESSIBILITY,
    TAX_AREA,
    TAX_CAPACITY,
    TAX_KIND,
    TAX_VACANCIES,
    TAX_WELCOME,
)
from kasane.participation.models import (
    AccessibilityFeature,
    Language,
    OpportunityKind,
    OpportunityStatus,
    Welcome,
)
from kasane.registry.models import Area


def _organization(reader: Reader, where: str, faults: Faults) -> ParsedResource | None:
    """The organization: nested, or only its id when the file repeats it elsewhere."""
    organization = reader.record.get("organization")
    resource: ParsedResource | None = None
    if isinstance(organization, Mapping):
        org = Reader(
            organization, "organization", where_of(organization, f"{where} › organization"), faults
        )
        oid = org.uuid("id")
        name = org.text("name", 200, required=True)
        phones = [r.text("number", 20) for _item, r in org.items("phones", "phone")]
        resource = ParsedResource(
            public_id=oid or uuid.uuid4(),
            name=name,
            description=org.text("description", 2000),
            email=org.text("email", 254),
            url=org.text("website", 200),
            phone=next((p for p in phones if p), ""),
        )
        if not org.ok:
            reader.ok = False
    else:
        reader.fault("organization", _("is required: the organisation that hosts the place"))

    return resource


def _schedules(reader: Reader) -> list[ParsedSchedule]:
    schedules = []
    for _item, r in reader.items("schedules", "schedule"):
        parsed = parse_schedule(r)
        if parsed is None:
            reader.ok = False
        else:
            schedules.append(parsed)

    return schedules


def _location(reader: Reader, values: dict[str, Any], faults: Faults) -> None:
    """The one location of the place into ``values``."""
    locations = reader.items("service_at_locations", "service_at_location")
    if len(locations) > 1:
        reader.fault("service_at_locations", _("Kasane keeps one location per place to take part"))
    values.update(
        location_public_id=None,
        location_name="",
        address="",
        postal_code="",
        latitude=None,
        longitude=None,
        accessibility_note="",
    )
    for sal, r in locations[:1]:
        location = sal.get("location")
        if not isinstance(location, Mapping):
            r.fault("location", _("is required"))
            continue
        loc = Reader(location, "location", where_of(location, f"{r.where} › location"), faults)
        values["location_public_id"] = loc.uuid("id")
        values["location_name"] = loc.text("name", 200)
        values["latitude"] = loc.decimal("latitude", -90, 90)
        values["longitude"] = loc.decimal("longitude", -180, 180)
        for _address, a in loc.items("addresses", "address")[:1]:
            values["address"] = " ".join(
                p for p in (a.text("address_1", 200), a.text("address_2", 200)) if p
            )[:200]
            values["postal_code"] = a.text("postal_code", 8)
        details = [a.text("details", 500) for _x, a in loc.items("accessibility", "accessibility")]
        values["accessibility_note"] = next((d for d in details if d), "")
        if not (loc.ok and r.ok):
            reader.ok = False


def _cost(reader: Reader, values: dict[str, Any]) -> None:
    costs = reader.items("cost_options", "cost_option")
    values["cost_amount"] = None
    for _cost, r in costs[:1]:
        currency = r.text("currency").upper()
        if currency and currency != "JPY":
            r.fault("currency", _("must be JPY"))
        values["cost_amount"] = r.integer("amount", 0, 1_000_000)
        values["cost_description"] = values["cost_description"] or r.text("amount_description", 200)
        if not r.ok:
            reader.ok = False


def _attributes(
    reader: Reader, values: dict[str, Any], faults: Faults, areas: Mapping[str, Area]
) -> list[str]:
    """The ``kasane:`` attributes into ``values``; the kinds of place."""
    found: dict[str, list[str]] = defaultdict(list)
    for attribute, r in reader.items("attributes", "attribute"):
        term = attribute.get("taxonomy_term")
        if not isinstance(term, Mapping):
            continue  # a term Kasane cannot read is not Kasane's
        t = Reader(term, "taxonomy_term", r.where, faults)
        taxonomy, code = t.text("taxonomy"), t.text("code")
        if taxonomy in (TAX_CAPACITY, TAX_VACANCIES):
            found[taxonomy].append(text_of(attribute.get("value")))
        elif taxonomy.startswith("kasane:"):
            found[taxonomy].append(code)
        if not t.ok:
            reader.ok = False
    values["accessibility"] = known_codes(
        reader, found[TAX_ACCESSIBILITY], AccessibilityFeature, "attributes"
    )
    values["welcomes"] = known_codes(reader, found[TAX_WELCOME], Welcome, "attributes")
    kinds = known_codes(reader, found[TAX_KIND], OpportunityKind, "attributes")
    if not kinds:
        reader.fault("attributes", _("give at least one kind of place (taxonomy kasane:kind)"))
    values["area"] = None
    for code in found[TAX_AREA][:1]:
        if code not in areas:
            reader.fault(
                "attributes", _("area code “%(code)s” is not an area of the city") % {"code": code}
            )
        values["area"] = areas.get(code)
    for taxonomy, name in ((TAX_CAPACITY, "capacity"), (TAX_VACANCIES, "vacancies")):
        values[name] = None
        for raw in found[taxonomy][:1]:
            if not raw.isdigit():
                reader.fault("attributes", _("%(name)s must be a whole number") % {"name": name})
            else:
                values[name] = int(raw)
    if (
        values["capacity"] is not None
        and values["vacancies"] is not None
        and values["vacancies"] > values["capacity"]
    ):
        reader.fault("attributes", _("places free exceed the capacity"))

    return kinds


def parse_service(
    record: Mapping[str, Any], n: int, faults: Faults, areas: Mapping[str, Area]
) -> ParsedService | None:
    where = (
        where_of(record, _("record %(n)d") % {"n": n})
        if isinstance(record, Mapping)
        else _("record %(n)d") % {"n": n}
    )
    reader = Reader(record, "service", where, faults)
    record = reader.record
    sid = reader.uuid("id")
    values: dict[str, Any] = {
        "name": reader.text("name", 200, required=True),
        "description": reader.text("description", 2000),
        "url": reader.text("url", 200),
        "email": reader.text("email", 254),
        "application_process": reader.text("application_process", 500),
        "cost_description": reader.text("fees_description", 200),
        "eligibility_description": reader.text("eligibility_description", 500),
        "age_min": reader.integer("minimum_age", 0, 150),
        "age_max": reader.integer("maximum_age", 0, 150),
        "checked_on": reader.date("assured_date"),
    }
    if (
        values["age_min"] is not None
        and values["age_max"] is not None
        and values["age_min"] > values["age_max"]
    ):
        reader.fault("maximum_age", _("is below the minimum age"))
    status = reader.text("status").lower()
    if status not in STATUS_FROM_HSDS:
        reader.fault("status", _("must be active, inactive, defunct or temporarily closed"))
    values["status"] = STATUS_FROM_HSDS.get(status, OpportunityStatus.ACTIVE)

    resource = _organization(reader, where, faults)

    phones = [r.text("number", 20) for _item, r in reader.items("phones", "phone")]
    values["phone"] = next((p for p in phones if p), "")

    schedules = _schedules(reader)

    _location(reader, values, faults)

    language_codes = [r.text("code").lower() for _item, r in reader.items("languages", "language")]
    values["languages"] = known_codes(reader, language_codes, Language, "languages")

    _cost(reader, values)

    kinds = _attributes(reader, values, faults, areas)

    if not reader.ok or sid is None or resource is None:
        return None
    return ParsedService(
        where=where,
        public_id=sid,
        resource=resource,
        values=values,
        kinds=kinds,
        schedules=schedules,
    )


def parse_services(
    records: Any, areas: Mapping[str, Area]
) -> tuple[list[ParsedService], list[str]]:
    """Every record checked; the parsed services and every fault found."""
    faults = Faults()
    if isinstance(records, Mapping) and isinstance(records.get("contents"), list):
        records = records["contents"]  # an HSDS API page
    if not isinstance(records, list):
        return [], [_("The file must hold a list of HSDS services.")]
    parsed: list[ParsedService] = []
    seen: dict[uuid.UUID, str] = {}
    for n, record in enumerate(records, start=1):
        service = parse_service(record, n, faults, areas)
        if service is None:
            continue
        if service.public_id in seen:
            faults.add(
                service.where,
                "id",
                _("the same id is also at %(other)s") % {"other": seen[service.public_id]},
            )
            continue
        seen[service.public_id] = service.where
        parsed.append(service)
    return parsed, faults.messages
