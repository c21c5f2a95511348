"""Helpers for the catalogue tests: a place through the service, with sensible defaults."""

from __future__ import annotations

import datetime
from typing import Any

from kasane.accounts.models import Staff
from kasane.participation.catalogue.services import (
    OpportunityInput,
    ResourceInput,
    ScheduleInput,
    opportunity_create,
)
from kasane.participation.models import Opportunity
from kasane.registry.models import Area


def make_place(
    actor: Staff,
    *,
    name: str = "居場所カフェ「ひだまり」",
    kinds: tuple[str, ...] = ("ibasho",),
    area: Area | None = None,
    host: str = "NPO法人 ひだまりの会",
    today: datetime.date | None = None,
    **overrides: Any,
) -> Opportunity:
    values: dict[str, Any] = {
        "name": name,
        "kinds": list(kinds),
        "area": area,
        "location_name": "本町集会所",
        "address": "かさね市本町一丁目2-3",
        "cost_amount": 100,
        "accessibility": ["wheelchair", "no_speaking"],
        "welcomes": ["anyone"],
        "capacity": 10,
        "vacancies": 3,
        "schedules": [
            ScheduleInput(
                freq="MONTHLY",
                byday="2TU,4TU",
                opens_at=datetime.time(10),
                closes_at=datetime.time(12),
            )
        ],
    }
    values.update(overrides)
    return opportunity_create(
        actor=actor,
        resource=ResourceInput(name=host, phone="0120-000-111"),
        data=OpportunityInput(**values),
        today=today,
    )
