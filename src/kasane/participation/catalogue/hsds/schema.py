"""The HSDS 3.0 shape Kasane reads and writes: the fields of each record kind, the tabular
package's files and columns, and the ``kasane:`` taxonomies of attributes."""

from __future__ import annotations

import uuid
from typing import Any

from kasane.participation.models import (
    AccessibilityFeature,
    OpportunityKind,
    OpportunityStatus,
    Welcome,
)

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


def child_id(parent: uuid.UUID, *parts: str) -> str:
    """A stable id for a record Kasane keeps inside another (the same on every export)."""
    return str(uuid.uuid5(parent, ":".join(parts)))
