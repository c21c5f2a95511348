"""The catalogue in Open Referral HSDS 3.0: service records out, service records in.

Export gives one HSDS *service* per opportunity, with its organization, schedules,
service_at_locations (location, address, accessibility), languages, cost_options, phones and
attributes nested, as the HSDS API's service endpoint does; the CSV form is the HSDS tabular
package (services.csv, organizations.csv, …) built from the same records. What HSDS 3.0 has
no field for — kinds of place, accessibility codes, whom a place welcomes, the area, capacity
and places free — travels as HSDS *attributes* under ``kasane:`` taxonomies.

Import reads either form back into :class:`ParsedService` values, checking every record
and collecting every fault with where it is (record number or file and row, the record's
id, the field), so that a file is fixed in one pass and nothing is written until all of it
is sound (``kasane.participation.services.catalogue_import``).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from kasane.participation.models import (
    AccessibilityFeature,
    Language,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Welcome,
)
from kasane.participation.schedules import schedule_errors
from kasane.registry.models import Area

Record = dict[str, Any]

TAX_KIND = "kasane:kind"
TAX_ACCESSIBILITY = "kasane:accessibility"
TAX_WELCOME = "kasane:welcome"
TAX_AREA = "kasane:area"
TAX_CAPACITY = "kasane:capacity"
TAX_VACANCIES = "kasane:vacancies"
TAXONOMIES = {
    TAX_KIND: OpportunityKind,
    TAX_ACCESSIBILITY: AccessibilityFeature,
    TAX_WELCOME: Welcome,
}

STATUS_TO_HSDS = {OpportunityStatus.TEMPORARILY_CLOSED: "temporarily closed"}
STATUS_FROM_HSDS = {
    "active": OpportunityStatus.ACTIVE,
    "inactive": OpportunityStatus.INACTIVE,
    "defunct": OpportunityStatus.DEFUNCT,
    "temporarily closed": OpportunityStatus.TEMPORARILY_CLOSED,
}


# The fields HSDS 3.0 defines on each object. A field outside these is refused on import
# (a typo or another standard's file); a defined field Kasane does not keep is ignored.
def _fields(text: str) -> set[str]:
    return set(text.split())


def _columns(text: str) -> list[str]:
    return text.split()


FIELDS: dict[str, set[str]] = {
    "service": _fields(
        "id accreditations alert alternate_name application_process assured_date "
        "assurer_email attributes contacts cost_options description eligibility_description "
        "email fees fees_description funding interpretation_services languages last_modified "
        "licenses maximum_age metadata minimum_age name organization organization_id phones "
        "program program_id required_documents schedules service_areas service_at_locations "
        "status url wait_time"
    ),
    "organization": _fields(
        "id additional_websites alternate_name attributes contacts description email funding "
        "legal_status locations logo metadata name organization_identifiers "
        "parent_organization_id phones programs tax_id tax_status uri website "
        "year_incorporated"
    ),
    "schedule": _fields(
        "id attending_type attributes byday bymonthday byweekno byyearday closes_at count "
        "description dtstart freq interval location_id metadata notes opens_at schedule_link "
        "service_at_location_id service_id timezone until valid_from valid_to wkst"
    ),
    "service_at_location": _fields(
        "id attributes contacts description location location_id metadata phones schedules "
        "service_areas service_id"
    ),
    "location": _fields(
        "id accessibility addresses alternate_name attributes contacts description "
        "external_identifier external_identifier_type languages latitude location_type "
        "longitude metadata name organization_id phones schedules transportation url"
    ),
    "address": _fields(
        "id address_1 address_2 address_type attention attributes city country location_id "
        "metadata postal_code region state_province"
    ),
    "accessibility": _fields("id attributes description details location_id metadata url"),
    "language": _fields("id attributes code location_id metadata name note phone_id service_id"),
    "cost_option": _fields(
        "id amount amount_description attributes currency metadata option service_id "
        "valid_from valid_to"
    ),
    "phone": _fields(
        "id attributes contact_id description extension languages location_id metadata number "
        "organization_id service_at_location_id service_id type"
    ),
    "attribute": _fields(
        "id label link_entity link_id link_type metadata taxonomy_term taxonomy_term_id value"
    ),
    "taxonomy_term": _fields(
        "id code description language metadata name parent_id taxonomy taxonomy_detail "
        "taxonomy_id term_uri"
    ),
}

# Schedule fields whose meaning Kasane cannot keep: refused rather than silently dropped.
UNSUPPORTED_SCHEDULE = ("count", "byweekno", "byyearday")

# The tabular package: file name → (object, columns written on export).
TABLES: dict[str, tuple[str, list[str]]] = {
    "organizations.csv": (
        "organization",
        _columns("id name description email website"),
    ),
    "services.csv": (
        "service",
        _columns(
            "id organization_id name description url email status application_process "
            "fees_description eligibility_description minimum_age maximum_age assured_date"
        ),
    ),
    "locations.csv": (
        "location",
        _columns("id location_type organization_id name latitude longitude"),
    ),
    "addresses.csv": (
        "address",
        _columns("id location_id address_1 city state_province postal_code country address_type"),
    ),
    "service_at_locations.csv": (
        "service_at_location",
        _columns("id service_id location_id"),
    ),
    "schedules.csv": (
        "schedule",
        _columns(
            "id service_id freq interval byday bymonthday opens_at closes_at dtstart valid_from "
            "valid_to description"
        ),
    ),
    "accessibility.csv": (
        "accessibility",
        _columns("id location_id description details"),
    ),
    "languages.csv": (
        "language",
        _columns("id service_id name code"),
    ),
    "cost_options.csv": (
        "cost_option",
        _columns("id service_id option currency amount amount_description"),
    ),
    "phones.csv": (
        "phone",
        _columns("id service_id organization_id number"),
    ),
    "attributes.csv": (
        "attribute",
        _columns("id link_id link_type link_entity taxonomy_term_id value"),
    ),
    "taxonomy_terms.csv": (
        "taxonomy_term",
        _columns("id code name taxonomy"),
    ),
}


def _child_id(parent: uuid.UUID, *parts: str) -> str:
    """A stable id for a record Kasane keeps inside another (the same on every export)."""
    return str(uuid.uuid5(parent, ":".join(parts)))


# --- export --------------------------------------------------------------------------------


def _attribute(
    service_id: uuid.UUID, taxonomy: str, code: str, name: str, value: str = ""
) -> Record:
    term_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kasane:{taxonomy}:{code}"))
    return {
        "id": _child_id(service_id, "attribute", taxonomy, code),
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


def service_record(opportunity: Opportunity) -> Record:
    """One opportunity as an HSDS 3.0 service (expects resource, area, schedules and
    kind_links loaded)."""
    o = opportunity
    sid = o.public_id
    resource = o.resource
    loc_id = o.location_public_id
    attributes = [
        _attribute(sid, TAX_KIND, link.kind, str(link.get_kind_display()))
        for link in o.kind_links.all()
    ]
    attributes += [
        _attribute(sid, TAX_ACCESSIBILITY, code, str(AccessibilityFeature(code).label))
        for code in o.accessibility
        if code in AccessibilityFeature.values
    ]
    attributes += [
        _attribute(sid, TAX_WELCOME, code, str(Welcome(code).label))
        for code in o.welcomes
        if code in Welcome.values
    ]
    if o.area is not None:
        attributes.append(_attribute(sid, TAX_AREA, o.area.code, o.area.name))
    if o.capacity is not None:
        attributes.append(_attribute(sid, TAX_CAPACITY, "capacity", "capacity", str(o.capacity)))
    if o.vacancies is not None:
        attributes.append(
            _attribute(sid, TAX_VACANCIES, "vacancies", "vacancies", str(o.vacancies))
        )
    location: Record = {
        "id": str(loc_id),
        "location_type": "physical",
        "organization_id": str(resource.public_id),
        "name": o.location_name,
        "latitude": float(o.latitude) if o.latitude is not None else None,
        "longitude": float(o.longitude) if o.longitude is not None else None,
        "addresses": [
            {
                "id": _child_id(loc_id, "address"),
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
                "id": _child_id(loc_id, "accessibility", code),
                "location_id": str(loc_id),
                "description": str(AccessibilityFeature(code).label),
                "details": o.accessibility_note if i == 0 else "",
            }
            for i, code in enumerate(c for c in o.accessibility if c in AccessibilityFeature.values)
        ],
    }
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
        "organization": {
            "id": str(resource.public_id),
            "name": resource.name,
            "description": resource.description,
            "email": resource.email,
            "website": resource.url,
            "phones": [
                {
                    "id": _child_id(resource.public_id, "phone"),
                    "organization_id": str(resource.public_id),
                    "number": resource.phone,
                }
            ]
            if resource.phone
            else [],
        },
        "phones": [{"id": _child_id(sid, "phone"), "service_id": str(sid), "number": o.phone}]
        if o.phone
        else [],
        "schedules": [
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
        ],
        "service_at_locations": [
            {
                "id": _child_id(sid, "service_at_location"),
                "service_id": str(sid),
                "location_id": str(loc_id),
                "location": location,
            }
        ],
        "languages": [
            {
                "id": _child_id(sid, "language", code),
                "service_id": str(sid),
                "name": str(Language(code).label),
                "code": code,
            }
            for code in o.languages
            if code in Language.values
        ],
        "cost_options": [
            {
                "id": _child_id(sid, "cost_option"),
                "service_id": str(sid),
                "option": _("per visit"),
                "currency": "JPY",
                "amount": o.cost_amount,
                "amount_description": o.cost_description,
            }
        ]
        if o.cost_amount is not None
        else [],
        "attributes": attributes,
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


# --- import --------------------------------------------------------------------------------


class ImportFileError(ValueError):
    """The file cannot be read at all (not JSON, not a ZIP of CSV files…)."""


@dataclass
class ParsedSchedule:
    public_id: uuid.UUID
    freq: str
    interval: int
    byday: str
    bymonthday: str
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    dtstart: datetime.date | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    description: str


@dataclass
class ParsedResource:
    public_id: uuid.UUID
    name: str
    description: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""


@dataclass
class ParsedService:
    where: str
    public_id: uuid.UUID
    resource: ParsedResource
    values: dict[str, Any] = field(default_factory=dict)  # Opportunity field → value
    kinds: list[str] = field(default_factory=list)
    schedules: list[ParsedSchedule] = field(default_factory=list)


class _Faults:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        self.messages.append(
            _("%(where)s, field “%(field)s”: %(message)s")
            % {"where": where, "field": field_name, "message": message}
        )


def _where(record: Mapping[str, Any], fallback: str) -> str:
    where = str(record.get("_where") or fallback)
    if record.get("id"):
        where = _("%(where)s (id %(id)s)") % {"where": where, "id": record["id"]}
    return where


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Reader:
    """Reads the fields of one record, noting each fault against it."""

    def __init__(self, record: Mapping[str, Any], kind: str, where: str, faults: _Faults):
        self.record, self.where, self.faults = record, where, faults
        self.ok = True
        if not isinstance(record, Mapping):
            self.fault("", _("is not an object"))
            self.record = {}
            return
        for key in record:
            if key != "_where" and key not in FIELDS[kind]:
                self.fault(key, _("is not a field of an HSDS 3.0 %(object)s") % {"object": kind})

    def fault(self, name: str, message: str) -> None:
        self.ok = False
        self.faults.add(self.where, name, message)

    def text(self, name: str, max_length: int | None = None, required: bool = False) -> str:
        value = _text(self.record.get(name))
        if required and not value:
            self.fault(name, _("is required"))
        if max_length is not None and len(value) > max_length:
            self.fault(name, _("is longer than %(n)d characters") % {"n": max_length})
        return value

    def uuid(self, name: str, required: bool = True) -> uuid.UUID | None:
        value = _text(self.record.get(name))
        if not value:
            if required:
                self.fault(name, _("is required"))
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            self.fault(name, _("is not a UUID"))
            return None

    def integer(self, name: str, low: int = 0, high: int = 100_000) -> int | None:
        value = self.record.get(name)
        if _empty(value):
            return None
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value():
                raise InvalidOperation
        except InvalidOperation:
            self.fault(name, _("is not a whole number"))
            return None
        if not (low <= number <= high):
            self.fault(name, _("must be between %(low)d and %(high)d") % {"low": low, "high": high})
            return None
        return int(number)

    def decimal(self, name: str, low: int, high: int) -> Decimal | None:
        value = self.record.get(name)
        if _empty(value):
            return None
        try:
            number = Decimal(str(value).strip()).quantize(Decimal("0.000001"))
        except InvalidOperation:
            self.fault(name, _("is not a number"))
            return None
        if not (low <= number <= high):
            self.fault(name, _("must be between %(low)d and %(high)d") % {"low": low, "high": high})
            return None
        return number

    def date(self, name: str) -> datetime.date | None:
        value = _text(self.record.get(name))
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            self.fault(name, _("is not a date (YYYY-MM-DD)"))
            return None

    def time(self, name: str) -> datetime.time | None:
        value = _text(self.record.get(name))
        if not value:
            return None
        try:
            # HSDS allows a UTC offset or Z; the catalogue keeps local wall-clock times.
            return datetime.time.fromisoformat(value.rstrip("Z")[:8]).replace(tzinfo=None)
        except ValueError:
            self.fault(name, _("is not a time (HH:MM)"))
            return None

    def items(self, name: str, kind: str) -> list[tuple[Mapping[str, Any], _Reader]]:
        value = self.record.get(name)
        if _empty(value):
            return []
        if not isinstance(value, list):
            self.fault(name, _("must be a list"))
            return []
        found = []
        for i, item in enumerate(value, start=1):
            fallback = f"{self.where} › {name}[{i}]"
            reader = _Reader(
                item,
                kind,
                _where(item, fallback) if isinstance(item, Mapping) else fallback,
                self.faults,
            )
            if not reader.ok:
                self.ok = False
            found.append((reader.record, reader))
        return found


def _parse_schedule(reader: _Reader) -> ParsedSchedule | None:
    for name in UNSUPPORTED_SCHEDULE:
        if not _empty(reader.record.get(name)):
            reader.fault(name, _("is not supported; describe the schedule with freq and byday"))
    sid = reader.uuid("id")
    freq = reader.text("freq").upper()
    interval = reader.integer("interval", 1, 12)
    values: dict[str, Any] = {
        "freq": freq,
        "interval": 1 if interval is None else interval,
        "byday": reader.text("byday", 60).upper().replace(" ", ""),
        "bymonthday": reader.text("bymonthday", 60).replace(" ", ""),
        "opens_at": reader.time("opens_at"),
        "closes_at": reader.time("closes_at"),
        "dtstart": reader.date("dtstart"),
        "valid_from": reader.date("valid_from"),
        "valid_to": reader.date("valid_to") or reader.date("until"),
    }
    for name, messages in schedule_errors(**values).items():
        for message in messages:
            reader.fault(name, message)
    description = reader.text("description", 200) or reader.text("notes", 200)
    if not reader.ok or sid is None:
        return None
    return ParsedSchedule(public_id=sid, description=description, **values)


def _codes(
    reader: _Reader, codes: list[str], choices: type[models.TextChoices], name: str
) -> list[str]:
    for code in codes:
        if code not in choices.values:
            reader.fault(name, _("“%(code)s” is not a known code") % {"code": code})
    return [c for c in codes if c in choices.values]


def parse_service(
    record: Mapping[str, Any], n: int, faults: _Faults, areas: Mapping[str, Area]
) -> ParsedService | None:
    where = (
        _where(record, _("record %(n)d") % {"n": n})
        if isinstance(record, Mapping)
        else _("record %(n)d") % {"n": n}
    )
    reader = _Reader(record, "service", where, faults)
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

    # The organization: nested, or only its id when the file repeats it elsewhere.
    organization = record.get("organization")
    resource: ParsedResource | None = None
    if isinstance(organization, Mapping):
        org = _Reader(
            organization, "organization", _where(organization, f"{where} › organization"), faults
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

    phones = [r.text("number", 20) for _item, r in reader.items("phones", "phone")]
    values["phone"] = next((p for p in phones if p), "")

    schedules = []
    for _item, r in reader.items("schedules", "schedule"):
        parsed = _parse_schedule(r)
        if parsed is None:
            reader.ok = False
        else:
            schedules.append(parsed)

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
        loc = _Reader(location, "location", _where(location, f"{r.where} › location"), faults)
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

    language_codes = [r.text("code").lower() for _item, r in reader.items("languages", "language")]
    values["languages"] = _codes(reader, language_codes, Language, "languages")

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

    found: dict[str, list[str]] = defaultdict(list)
    for attribute, r in reader.items("attributes", "attribute"):
        term = attribute.get("taxonomy_term")
        if not isinstance(term, Mapping):
            continue  # a term Kasane cannot read is not Kasane's
        t = _Reader(term, "taxonomy_term", r.where, faults)
        taxonomy, code = t.text("taxonomy"), t.text("code")
        if taxonomy in (TAX_CAPACITY, TAX_VACANCIES):
            found[taxonomy].append(_text(attribute.get("value")))
        elif taxonomy.startswith("kasane:"):
            found[taxonomy].append(code)
        if not t.ok:
            reader.ok = False
    values["accessibility"] = _codes(
        reader, found[TAX_ACCESSIBILITY], AccessibilityFeature, "attributes"
    )
    values["welcomes"] = _codes(reader, found[TAX_WELCOME], Welcome, "attributes")
    kinds = _codes(reader, found[TAX_KIND], OpportunityKind, "attributes")
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
    faults = _Faults()
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


def records_from_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(_("The file is not JSON: %(error)s") % {"error": error}) from None


def _read_csv(name: str, data: bytes, faults: _Faults) -> list[Record]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp932", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    kind = TABLES[name][0]
    allowed = FIELDS[kind] - {"attributes", "metadata"} | (
        {"taxonomy_term"} if kind == "attribute" else set()
    )
    for column in reader.fieldnames or []:
        if column not in allowed:
            faults.add(
                _("%(file)s row %(n)d") % {"file": name, "n": 1},
                column,
                _("is not a field of an HSDS 3.0 %(object)s") % {"object": kind},
            )
    rows = []
    for n, row in enumerate(reader, start=2):
        row = {k: v for k, v in row.items() if k in allowed and k is not None}
        row["_where"] = _("%(file)s row %(n)d") % {"file": name, "n": n}
        rows.append(row)
    return rows


def records_from_tables(files: Mapping[str, bytes]) -> tuple[list[Record], list[str]]:
    """The HSDS tabular package back into nested service records; faults of the files."""
    faults = _Faults()
    for name in files:
        if name not in TABLES and name != "datapackage.json":
            faults.add(name, "", _("is not a file of the HSDS tabular package"))
    if "services.csv" not in files:
        return [], [*faults.messages, _("The package has no services.csv.")]
    tables = {name: _read_csv(name, data, faults) for name, data in files.items() if name in TABLES}

    def by(name: str, key: str) -> dict[str, list[Record]]:
        index: dict[str, list[Record]] = defaultdict(list)
        for row in tables.get(name, []):
            index[_text(row.get(key))].append(row)
        return index

    organizations = {_text(r.get("id")): r for r in tables.get("organizations.csv", [])}
    locations = {_text(r.get("id")): r for r in tables.get("locations.csv", [])}
    terms = {_text(r.get("id")): r for r in tables.get("taxonomy_terms.csv", [])}
    phones_s, phones_o = by("phones.csv", "service_id"), by("phones.csv", "organization_id")
    schedules = by("schedules.csv", "service_id")
    sals = by("service_at_locations.csv", "service_id")
    addresses, accessibility = (
        by("addresses.csv", "location_id"),
        by("accessibility.csv", "location_id"),
    )
    languages, costs = by("languages.csv", "service_id"), by("cost_options.csv", "service_id")
    attributes = by("attributes.csv", "link_id")

    def strip(row: Record, *keys: str) -> Record:
        return {k: v for k, v in row.items() if k not in keys}

    records = []
    for row in tables["services.csv"]:
        sid = _text(row.get("id"))
        service = dict(row)
        org = organizations.get(_text(row.get("organization_id")))
        if org is not None:
            service["organization"] = {
                **org,
                "phones": [
                    strip(p, "_where")
                    for p in phones_o[org["id"]]
                    if not _text(p.get("service_id"))
                ],
            }
        service["phones"] = phones_s.get(sid, [])
        service["schedules"] = schedules.get(sid, [])
        service["service_at_locations"] = []
        for sal in sals.get(sid, []):
            sal = dict(sal)
            loc = locations.get(_text(sal.get("location_id")))
            if loc is not None:
                sal["location"] = {
                    **loc,
                    "addresses": addresses.get(loc["id"], []),
                    "accessibility": accessibility.get(loc["id"], []),
                }
            service["service_at_locations"].append(sal)
        service["languages"] = languages.get(sid, [])
        service["cost_options"] = costs.get(sid, [])
        service["attributes"] = []
        for attribute in attributes.get(sid, []):
            attribute = dict(attribute)
            term = terms.get(_text(attribute.get("taxonomy_term_id")))
            if term is not None:
                attribute["taxonomy_term"] = strip(term, "_where")
            service["attributes"].append(attribute)
        records.append(service)
    return records, faults.messages


# What a catalogue's CSV files may add up to once unpacked: far above any real catalogue.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def read_file(name: str, data: bytes) -> tuple[Any, list[str]]:
    """Records from an uploaded or named file: ``.json``, or a ``.zip`` of HSDS CSV files.

    A single ``services.csv`` is read as a package of one file.
    """
    lower = name.lower()
    if lower.endswith(".json"):
        return records_from_json(data), []
    if lower.endswith(".csv"):
        return records_from_tables({name.rsplit("/", 1)[-1]: data})
    if lower.endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                # A small archive may unpack to gigabytes (a "zip bomb"): refuse it by
                # the sizes its directory declares, before reading a byte of it.
                if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                    raise ImportFileError(_("The ZIP archive unpacks to too much data."))
                files = {
                    info.filename.rsplit("/", 1)[-1]: archive.read(info)
                    for info in archive.infolist()
                    if not info.is_dir() and info.file_size < 50_000_000
                }
        except zipfile.BadZipFile:
            raise ImportFileError(_("The file is not a ZIP archive.")) from None
        return records_from_tables(files)
    raise ImportFileError(_("Give a .json file or a .zip of HSDS CSV files."))
