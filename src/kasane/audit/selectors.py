"""Reads of the audit log, for the auditor."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit.models import AuditEvent


def may_read_audit_log(actor: Staff) -> bool:
    return bool(actor.is_active and actor.role == Role.AUDITOR)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered_events(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if filters.get("actor"):
        events = events.filter(actor_username__iexact=filters["actor"])
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("legal_basis"):
        events = events.filter(legal_basis=filters["legal_basis"])
    if filters.get("object_id"):
        events = events.filter(
            Q(object_id=filters["object_id"]) | Q(request_id=filters["object_id"])
        )
    if filters.get("date_from"):
        events = events.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        events = events.filter(at__lt=_day_start(filters["date_to"] + datetime.timedelta(days=1)))
    return events.order_by("-sequence")


@dataclass
class EventPage:
    rows: list[AuditEvent]
    number: int
    has_previous: bool
    has_next: bool


def event_page(filters: dict[str, Any], page: int) -> EventPage:
    """One page of events, newest first; one query whatever the page size."""
    size: int = settings.KASANE_PAGE_SIZE
    rows = list(filtered_events(filters)[(page - 1) * size : page * size + 1])
    return EventPage(rows[:size], page, page > 1, len(rows) > size)
