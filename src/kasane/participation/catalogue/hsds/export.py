"""HSDS 3.0 out: one service record per opportunity, as JSON or as the tabular package."""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid
import zipfile
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kasane.participation.catalogue.hsds.schema import (
    STATUS_TO_HSDS,
    TABLES,
    TAX_ACCESSIBILITY,
    TAX_AREA,
    TAX_CAPACITY,
    TAX_KIND,
    TAX_VACANCIES,
    TAX_WELCOME,
    Record,
    child_id,
)
from kasane.participation.models import (
    AccessibilityFeature,
    Language,
    Opportunity,
    OpportunityStatus,
    Resource,
    Welcome,
)


def attribute(
    service_id: uuid.UUID, taxonomy: str, code: str, name: str, value: str = ""
) -> Record:
    term_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kasane:{taxonomy}:{code}"))
    return {
        "id": child_id(service_id, "attribute", taxonomy, code),
        "link_id": str(service_id),
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {"id": term_id, "code": code, "name": name, "taxonomy": taxonomy},
        "value": value,
    }


def _time(value: datetime.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _attributes(o: Opportunity) -> list[Record]:
    """What HSDS has no field for, as attributes under ``kasane:`` taxonomies."""
    sid = o.public_id
    attributes = [
        attribute(sid, TAX_KIND, link.kind, str(link.get_kind_display()))
        for link in o.kind_links.all()
    ]
    attributes += [
        attribute(sid, TAX_ACCESSIBILITY, code, str(AccessibilityFeature(code).label))
        for code in o.accessibility
        if code in AccessibilityFeature.values
    ]
    attributes += [
        attribute(sid, TAX_WELCOME, code, str(Welcome(code).label))
        for code in o.welcomes
        if code in Welcome.values
    ]
    if o.area is not None:
        attributes.append(attribute(sid, TAX_AREA, o.area.code, o.area.name))
    if o.capacity is not None:
        attributes.append(attribute(sid, TAX_CAPACITY, "capacity", "capacity", str(o.capacity)))
    if o.vacancies is not None:
        attributes.append(attribute(sid, TAX_VACANCIES, "vacancies", "vacancies", str(o.vacancies)))
    return attributes


def _location(o: Opportunity) -> Record:
    loc_id = o.location_public_id
    return {
        "id": str(loc_id),
        "location_type": "physical",
        "organization_id": str(o.resource.public_id),
        "name": o.location_name,
        "latitude": float(o.latitude) if o.latitude is not None else None,
        "longitude": float(o.longitude) if o.longitude is not None else None,
        "addresses": [
            {
                "id": child_id(loc_id, "address"),
                "location_id": str(loc_id),
                "address_1": o.address,
                "city": "",
                "state_province": "",
                "postal_code": o.postal_code,
                "country": "JP",
                "address_type": "physical",
            }
        ]
        if o.address
        else [],
        "accessibility": [
            {
                "id": child_id(loc_id, "accessibility", code),
                "location_id": str(loc_id),
                "description": str(AccessibilityFeature(code).label),
                "details": o.accessibility_note if i == 0 else "",
            }
            for i, code in enumerate(c for c in o.accessibility if c in AccessibilityFeature.values)
        ],
    }


def _organization(resource: Resource) -> Record:
    return {
        "id": str(resource.public_id),
        "name": resource.name,
        "description": resource.description,
        "email": resource.email,
        "website": resource.url,
        "phones": [
            {
                "id": child_id(resource.public_id, "phone"),
                "organization_id": str(resource.public_id),
                "number": resource.phone,
            }
        ]
        if resource.phone
        else [],
    }


def _schedules(o: Opportunity) -> list[Record]:
    sid = o.public_id
    return [
        {
            "id": str(s.public_id),
            "service_id": str(sid),
            "freq": s.freq,
            "interval": s.interval,
            "byday": s.byday,
            "bymonthday": s.bymonthday,
            "opens_at": _time(s.opens_at),
            "closes_at": _time(s.closes_at),
            "dtstart": _date(s.dtstart),
            "valid_from": _date(s.valid_from),
            "valid_to": _date(s.valid_to),
            "description": s.description,
        }
        for s in o.schedules.all()
    ]


def service_record(opportunity: Opportunity) -> Record:
    """One opportunity as an HSDS 3.0 service (expects resource, area, schedules and
    kind_links loaded)."""
    o = opportunity
    sid = o.public_id
    resource = o.resource
    loc_id = o.location_public_id
    record: Record = {
        "id": str(sid),
        "organization_id": str(resource.public_id),
        "name": o.name,
        "description": o.description,
        "url": o.url,
        "email": o.email,
        "status": STATUS_TO_HSDS.get(OpportunityStatus(o.status), o.status),
        "application_process": o.application_process,
        "fees_description": o.cost_description,
        "eligibility_description": o.eligibility_description,
        "minimum_age": o.age_min,
        "maximum_age": o.age_max,
        "assured_date": _date(o.checked_on),
        "organization": _organization(resource),
        "phones": [{"id": child_id(sid, "phone"), "service_id": str(sid), "number": o.phone}]
        if o.phone
        else [],
        "schedules": _schedules(o),
        "service_at_locations": [
            {
                "id": child_id(sid, "service_at_location"),
                "service_id": str(sid),
                "location_id": str(loc_id),
                "location": _location(o),
            }
        ],
        "languages": [
            {
                "id": child_id(sid, "language", code),
                "service_id": str(sid),
                "name": str(Language(code).label),
                "code": code,
            }
            for code in o.languages
            if code in Language.values
        ],
        "cost_options": [
            {
                "id": child_id(sid, "cost_option"),
                "service_id": str(sid),
                "option": _("per visit"),
                "currency": "JPY",
                "amount": o.cost_amount,
                "amount_description": o.cost_description,
            }
        ]
        if o.cost_amount is not None
        else [],
        "attributes": _attributes(o),
    }
    return record


def to_json(records: Iterable[Record]) -> bytes:
    return json.dumps(list(records), ensure_ascii=False, indent=1).encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def to_tables(records: Iterable[Record]) -> dict[str, list[Record]]:
    """The HSDS tabular package: rows of each file, each record once."""
    rows: dict[str, dict[str, Record]] = {name: {} for name in TABLES}

    def put(name: str, row: Record) -> None:
        rows[name].setdefault(row["id"], row)

    for service in records:
        organization = service["organization"]
        put("organizations.csv", organization)
        for phone in organization.get("phones", []):
            put("phones.csv", phone)
        put("services.csv", service)
        for phone in service["phones"]:
            put("phones.csv", phone)
        for schedule in service["schedules"]:
            put("schedules.csv", schedule)
        for sal in service["service_at_locations"]:
            put("service_at_locations.csv", sal)
            location = sal["location"]
            put("locations.csv", location)
            for address in location["addresses"]:
                put("addresses.csv", address)
            for item in location["accessibility"]:
                put("accessibility.csv", item)
        for language in service["languages"]:
            put("languages.csv", language)
        for cost in service["cost_options"]:
            put("cost_options.csv", cost)
        for attribute in service["attributes"]:
            put("attributes.csv", attribute)
            put("taxonomy_terms.csv", attribute["taxonomy_term"])
    return {name: list(found.values()) for name, found in rows.items()}


def to_csv_zip(records: Iterable[Record]) -> bytes:
    """The tabular package as a ZIP of UTF-8 (with BOM, for Excel) CSV files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in to_tables(records).items():
            columns = TABLES[name][1]
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(row.get(c)) for c in columns])
            archive.writestr(name, "\ufeff" + text.getvalue())
    return buffer.getvalue()
