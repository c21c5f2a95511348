"""The whole list of meetings for the CSV export: the same records, under the same rules, as
the meeting list (its own query), without the paging, and audited as one export with every
record's id in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count

from kasane.accounts.models import Staff
from kasane.meetings.models import Meeting
from kasane.meetings.selectors import visible_meetings
from kasane.privacy.audit import audit_record
from kasane.privacy.models import AuditAction, LegalBasis


def _audit_export(actor: Staff, basis: LegalBasis, object_type: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=object_type,
        detail=detail,
    )


@transaction.atomic
def meeting_list_export_for_user(actor: Staff) -> list[Meeting]:
    """Every meeting the actor's agency holds or attends, newest first, with its number of
    cases (as on the meeting list: no case is named); audited as ``meeting_list_export``."""
    meetings: list[Meeting] = list(
        visible_meetings(actor)
        .select_related("organizer")
        .annotate(cases=Count("agenda", distinct=True))
        .order_by("-held_at", "-id")
    )
    if meetings:
        _audit_export(
            actor,
            LegalBasis.NONE,
            "meeting_list_export",
            meetings=[str(m.public_id) for m in meetings],
        )
    return meetings
