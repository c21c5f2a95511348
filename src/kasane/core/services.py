"""Writes shared by several apps."""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError, transaction

from kasane.core.models import FormSubmission


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


def submission_claim(token: UUID | None, object_type: str, public_id: UUID) -> UUID | None:
    """Take the one-time token for ``public_id`` before anything is saved.

    None when this request took it (or there is no token); otherwise the public id that the
    request which took it first created. On PostgreSQL the second of two simultaneous posts
    (a double click) waits here on the first one's uncommitted claim and then finds it,
    instead of failing on the token's unique index after saving a second record.
    """
    if token is None:
        return None
    try:
        with transaction.atomic():
            FormSubmission.objects.create(
                token=token, object_type=object_type, object_public_id=public_id
            )
    except IntegrityError:
        return submission_seen(token, object_type)
    return None
