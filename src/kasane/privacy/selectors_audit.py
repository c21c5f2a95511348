"""Reads of the audit log, for the auditor."""

import datetime
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.privacy.audit import audit_record
from kasane.privacy.models import AuditAction, AuditEvent, BreakGlass, LegalBasis


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


def may_review_break_glass(actor: Staff) -> bool:
    return bool(actor.is_active and actor.role in (Role.COORDINATOR, Role.AUDITOR))


@dataclass
class BreakGlassPage:
    rows: list[BreakGlass]
    unreviewed: int
    number: int
    has_previous: bool
    has_next: bool


@transaction.atomic
def break_glass_page(actor: Staff, page: int) -> BreakGlassPage:
    """Emergency accesses, those waiting for review first; a fixed number of queries.

    The reasons are free text that may name persons: reading them is audited.
    """
    if not may_review_break_glass(actor):
        raise PermissionDenied
    size: int = settings.KASANE_PAGE_SIZE
    rows = list(
        BreakGlass.objects.select_related("case", "agency", "staff", "reviewed_by").order_by(
            F("reviewed_at").desc(nulls_first=True), "-started_at", "-id"
        )[(page - 1) * size : page * size + 1]
    )
    unreviewed = BreakGlass.objects.filter(reviewed_at__isnull=True).count()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.SYSTEM,
        object_type="break_glass_list",
        detail={"ids": [str(g.public_id) for g in rows[:size]]},
    )
    return BreakGlassPage(rows[:size], unreviewed, page, page > 1, len(rows) > size)


def get_break_glass_for_review(actor: Staff, public_id: UUID | str) -> BreakGlass:
    if not may_review_break_glass(actor):
        raise PermissionDenied
    try:
        return BreakGlass.objects.select_related("case", "agency", "staff").get(public_id=public_id)
    except (BreakGlass.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
