"""Reads shared by several apps."""

from kasane.accounts.models import Staff
from kasane.core.models import Notification

NOTIFICATIONS_SHOWN = 20


def unread_notifications(actor: Staff) -> list[Notification]:
    """The actor's unread notifications, newest first (one query)."""
    return list(
        Notification.objects.filter(recipient=actor, read_at__isnull=True).order_by(
            "-created_at", "-id"
        )[:NOTIFICATIONS_SHOWN]
    )
