"""Reads of the audit log, for the auditor."""

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit.models import AlertKind, AuditAction, AuditAlert, AuditEvent


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


@dataclass
class AlertPage:
    rows: list[AuditAlert]
    number: int
    has_previous: bool
    has_next: bool
    pending: int


def alert_page(page: int) -> AlertPage:
    """The alerts, those waiting for review first, then newest first (three queries)."""
    size: int = settings.KASANE_PAGE_SIZE
    alerts = AuditAlert.objects.select_related("reviewed_by").order_by(
        F("reviewed_at").desc(nulls_first=True), "-raised_at", "-id"
    )
    rows = list(alerts[(page - 1) * size : page * size + 1])
    pending = AuditAlert.objects.filter(reviewed_at__isnull=True).count()
    return AlertPage(rows[:size], page, page > 1, len(rows) > size, pending)


def get_alert(pk: int) -> AuditAlert:
    alert = AuditAlert.objects.select_related("reviewed_by").filter(pk=pk).first()
    if alert is None:
        raise Http404
    return alert


def alert_log_query(alert: AuditAlert) -> str:
    """The audit log's filters that show the events behind an alert."""
    action = AuditAction.REFUSED if alert.kind == AlertKind.REFUSED else AuditAction.VIEW
    start = timezone.localdate(alert.window_start)
    end = timezone.localdate(alert.raised_at + (alert.raised_at - alert.window_start))
    return urlencode(
        {
            "actor": alert.actor_username,
            "action": action.value,
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
        }
    )
