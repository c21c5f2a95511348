"""Writes shared by several apps."""

from __future__ import annotations

from uuid import UUID

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
