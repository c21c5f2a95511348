"""Writes shared by several apps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from uuid import UUID

from django.utils import timezone

from kasane.core.models import FormSubmission, Notification

if TYPE_CHECKING:
    from kasane.accounts.models import Staff


def submission_seen(token: UUID | None, object_type: str) -> UUID | None:
    """The public id a form with this one-time token already created, if it was posted before."""
    if token is None:
        return None
    found = (
        FormSubmission.objects.filter(token=token, object_type=object_type)
        .values_list("object_public_id", flat=True)
        .first()
    )
    return found


def submission_record(token: UUID | None, object_type: str, public_id: UUID) -> None:
    """Remember that the form with this token created ``public_id``."""
    if token is not None:
        FormSubmission.objects.create(
            token=token, object_type=object_type, object_public_id=public_id
        )


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
