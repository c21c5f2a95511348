"""Notifications to staff: written by the services that have news, read on the home page."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from kasane.accounts.models import Notification, Staff

NOTIFICATIONS_SHOWN = 20


def notify(recipients: Iterable[Staff], *, kind: str, message: str, link: str = "") -> int:
    """Tell each active recipient once; returns how many were told.

    ``message`` must not hold personal data: name records by number and link to them.
    """
    rows = [
        Notification(recipient=staff, kind=kind, message=message[:300], link=link)
        for staff in {s.pk: s for s in recipients if s.is_active}.values()
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notifications_read(actor: Staff, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's unread notifications (all, or those with ``ids``) as read."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_notifications(actor: Staff) -> list[Notification]:
    """The actor's unread notifications, newest first (one query)."""
    return list(
        Notification.objects.filter(recipient=actor, read_at__isnull=True).order_by(
            "-created_at", "-id"
        )[:NOTIFICATIONS_SHOWN]
    )
