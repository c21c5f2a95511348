"""The whole list of meetings for the CSV export: the same records, under the same rules, as
the meeting list (its own query), without the paging, and audited as one export with every
record's id in the same transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.meetings.models import Meeting
from kasane.meetings.selectors import visible_meetings


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
        audit.record(
            actor=actor,
            action=AuditAction.DOWNLOAD,
            legal_basis=LegalBasis.NONE,
            object_type=ObjectType.MEETING_LIST_EXPORT,
            detail={"meetings": [str(m.public_id) for m in meetings]},
        )
    return meetings
