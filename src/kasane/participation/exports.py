"""The whole list of matches for the CSV export: the same records, under the same rules, as
the matching page (its own query), without the paging, and audited as one export with every
record's id in the same transaction.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.participation.matching.selectors import overdue_counts
from kasane.participation.models import Match, MatchStage
from kasane.privacy.cases import agency_id_of, works_cases


@transaction.atomic
def match_list_export_for_user(
    actor: Staff, *, open_only: bool = True, today: datetime.date | None = None
) -> list[Match]:
    """The agency's matches by name (as on the matching page), each with its overdue
    follow-ups; audited as ``match_list_export`` with the persons when there is one."""
    if not works_cases(actor):
        raise Http404
    day = today or timezone.localdate()
    matches = Match.objects.filter(agency_id=agency_id_of(actor)).select_related(
        "person", "opportunity", "opportunity__resource", "worker"
    )
    if open_only:
        matches = matches.exclude(stage=MatchStage.ENDED)
    rows = list(matches.order_by("stage", "-stage_since", "-id"))
    overdue = overdue_counts([m.pk for m in rows], day)
    for m in rows:
        m.overdue_follow_ups = overdue.get(m.pk, 0)  # type: ignore[attr-defined]
    if rows:
        audit.record(
            actor=actor,
            action=AuditAction.DOWNLOAD,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.MATCH_LIST_EXPORT,
            detail={
                "matches": [str(m.public_id) for m in rows],
                "persons": sorted({str(m.person.public_id) for m in rows}),
            },
        )
    return rows
