"""Alerts for the auditor: one account's unusual number of refused requests (guessing ids)
or of views of aggregates (differencing tables) within an hour.

:func:`watch` runs inside :func:`kasane.audit.services.record`, in the event's own
transaction and under the chain's lock, so two requests at once never raise two alerts.
Counting is cheap: an alert already raised in the window answers first (one row by index),
and the count stops at the threshold (``audit_actor_action_at``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from kasane.accounts.models import Role, Staff
from kasane.accounts.notifications import notify
from kasane.audit.models import AGGREGATE_TYPES, AlertKind, AuditAction, AuditAlert, AuditEvent

WINDOW = datetime.timedelta(hours=1)
NOTIFICATION_KIND = "audit_alert"
_VIEWS = (AuditAction.VIEW, AuditAction.DOWNLOAD)


def kind_of(event: AuditEvent) -> AlertKind | None:
    """Which alert an event counts towards, if any."""
    if event.action == AuditAction.REFUSED:
        return AlertKind.REFUSED
    if event.action in _VIEWS and event.object_type in AGGREGATE_TYPES:
        return AlertKind.AGGREGATE_VIEWS
    return None


def threshold(kind: AlertKind) -> int:
    if kind == AlertKind.REFUSED:
        return int(settings.KASANE_ALERT_REFUSED_PER_HOUR)
    return int(settings.KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR)


def counted(kind: AlertKind, username: str, since: datetime.datetime) -> QuerySet[AuditEvent]:
    """The account's events of this kind since ``since``."""
    events = AuditEvent.objects.filter(actor_username=username, at__gt=since)
    if kind == AlertKind.REFUSED:
        return events.filter(action=AuditAction.REFUSED)
    return events.filter(action__in=_VIEWS, object_type__in=AGGREGATE_TYPES)


def _message(kind: AlertKind, username: str, count: int) -> str:
    if kind == AlertKind.REFUSED:
        text = _(
            "Audit alert: the account %(user)s made %(count)d refused requests within an hour."
        )
    else:
        text = _(
            "Audit alert: the account %(user)s viewed or downloaded aggregates %(count)d times "
            "within an hour."
        )
    return text % {"user": username, "count": count}


def watch(event: AuditEvent) -> AuditAlert | None:
    """Raise an alert when ``event`` brings its account to the threshold within the window,
    unless one was raised for that account and kind in the window already."""
    kind = kind_of(event)
    username = event.actor_username
    if kind is None or not username:
        return None
    since = event.at - WINDOW
    if AuditAlert.objects.filter(actor_username=username, kind=kind, raised_at__gt=since).exists():
        return None
    limit = threshold(kind)
    count = counted(kind, username, since)[:limit].count()
    if count < limit:
        return None
    alert = AuditAlert.objects.create(
        kind=kind,
        actor_id=event.actor_id,
        actor_username=username,
        raised_at=event.at,
        window_start=since,
        count=count,
        threshold=limit,
    )
    notify(
        Staff.objects.filter(role=Role.AUDITOR, is_active=True),
        kind=NOTIFICATION_KIND,
        message=_message(kind, username, count),
        link=reverse("audit:alert_list"),
    )
    return alert
