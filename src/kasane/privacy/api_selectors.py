"""Reads the JSON API needs beyond the pages' own selectors, under the same rules."""

from __future__ import annotations

from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db import transaction

from kasane.accounts.models import Staff
from kasane.audit.models import Purpose
from kasane.cases.models import CaseNote
from kasane.privacy.case_selectors import get_case_for_user, visible_case_notes
from kasane.privacy.cases import require_case_details

NOTES_PAGE_SIZE = 50


@transaction.atomic
def case_notes_for_user(actor: Staff, case_id: UUID | str, page: int = 1) -> Page[CaseNote]:
    """The case's notes the actor may see, newest first: 404 unless the actor may read the
    case's details; an agency-only note only within its agency — the very lines the timeline
    shows.

    Audited as a view of the case for the purpose "notes".
    """
    case = get_case_for_user(actor, case_id, purpose=Purpose.NOTES)
    # On the team without consent, a pledge or break-glass, an agency knows the case exists
    # and who leads it, as on the case page: its notes are details (404 here, audit undone).
    require_case_details(actor, case)
    return Paginator(visible_case_notes(actor, case), NOTES_PAGE_SIZE).get_page(page)
