"""Who edits the catalogue, and the shapes an entry is typed in."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from kasane.accounts.models import Role, Staff
from kasane.registry.models import Area

EDITOR_ROLES = frozenset({Role.PARTICIPATION_WORKER, Role.COORDINATOR})


def can_edit_catalogue(actor: Staff | None) -> bool:
    return bool(
        actor is not None
        and actor.is_active
        and actor.role in EDITOR_ROLES
        and actor.agency_id is not None
    )


def _require_editor(actor: Staff | None) -> None:
    if not can_edit_catalogue(actor):
        raise PermissionDenied


@dataclass
class ScheduleInput:
    freq: str
    interval: int = 1
    byday: str = ""
    bymonthday: str = ""
    opens_at: datetime.time | None = None
    closes_at: datetime.time | None = None
    dtstart: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    description: str = ""
    public_id: uuid.UUID | None = None


@dataclass
class ResourceInput:
    name: str
    description: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""


@dataclass
class OpportunityInput:
    """What a staff member (or the API) writes about a place to take part."""

    name: str
    kinds: list[str]
    description: str = ""
    status: str = "active"
    url: str = ""
    email: str = ""
    phone: str = ""
    application_process: str = ""
    location_name: str = ""
    area: Area | None = None
    address: str = ""
    postal_code: str = ""
    latitude: Any = None
    longitude: Any = None
    cost_amount: int | None = None
    cost_description: str = ""
    accessibility: list[str] = field(default_factory=list)
    accessibility_note: str = ""
    languages: list[str] = field(default_factory=lambda: ["ja"])
    welcomes: list[str] = field(default_factory=list)
    capacity: int | None = None
    vacancies: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    eligibility_description: str = ""
    schedules: list[ScheduleInput] = field(default_factory=list)


OPPORTUNITY_FIELDS = [
    "name",
    "description",
    "status",
    "url",
    "email",
    "phone",
    "application_process",
    "location_name",
    "area",
    "address",
    "postal_code",
    "latitude",
    "longitude",
    "cost_amount",
    "cost_description",
    "accessibility",
    "accessibility_note",
    "languages",
    "welcomes",
    "capacity",
    "vacancies",
    "age_min",
    "age_max",
    "eligibility_description",
]
