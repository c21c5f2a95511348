"""Case lists, their export, and the coordinator's board: a fixed number of queries each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import OPEN_STATUSES, Case, TeamMember, Triage
from kasane.cases.selectors.scope import household_heads, visible_cases
from kasane.core.dates import fiscal_year_bounds
from kasane.core.paging import Window, window
from kasane.privacy.cases import agency_id_of, works_cases

LIST_PAGE_SIZE = 50


def _agency_cases(actor: Staff, *, open_only: bool) -> QuerySet[Case]:
    on_team = TeamMember.objects.filter(agency_id=agency_id_of(actor), left_at__isnull=True)
    cases = (
        visible_cases(actor)
        .filter(id__in=on_team.values("case_id"))
        .select_related("lead_agency", "household")
        .prefetch_related(household_heads(actor))
        .order_by("-opened_at", "-id")
    )
    if open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    return cases


@transaction.atomic
def case_list_for_user(actor: Staff, page: int = 1, *, open_only: bool = True) -> Window[Case]:
    """Cases the actor's agency is on, newest first; audited as one view of the list."""
    cases = _agency_cases(actor, open_only=open_only)
    result = window(cases, page, LIST_PAGE_SIZE, counted=True)
    if result.object_list:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.CASE_TEAM,
            object_type=ObjectType.CASE_LIST,
            object_id="",
            detail={"cases": [str(c.public_id) for c in result.object_list]},
        )
    return result


@transaction.atomic
def case_list_export_for_user(actor: Staff, *, open_only: bool = True) -> list[Case]:
    """The whole case list, for a CSV export; audited as one export with every case's id.

    Heads the actor may not read are not prefetched (``household_heads``), so the file holds no name
    the page would not show.
    """
    if not works_cases(actor):
        raise Http404
    cases = list(_agency_cases(actor, open_only=open_only))
    audit.record(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        legal_basis=LegalBasis.CASE_TEAM,
        object_type=ObjectType.CASE_LIST_EXPORT,
        object_id="",
        detail={"cases": [str(c.public_id) for c in cases]},
    )
    return cases


@dataclass
class BoardCounts:
    fiscal_year: int
    received: int
    a: int
    b: int
    c: int
    untriaged: int
    accepted: int


@dataclass
class Board:
    counts: BoardCounts
    cases: Window[Case]


def board_counts(fiscal_year: int) -> BoardCounts:
    """Seed 003's table: cases received by coordination in the 年度, and their triage."""
    start, end = fiscal_year_bounds(fiscal_year)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    row = Case.objects.filter(
        sent_to_coordination_at__gte=since, sent_to_coordination_at__lt=until
    ).aggregate(
        received=Count("id"),
        a=Count("id", filter=Q(triage=Triage.A)),
        b=Count("id", filter=Q(triage=Triage.B)),
        c=Count("id", filter=Q(triage=Triage.C)),
        untriaged=Count("id", filter=Q(triage="")),
        accepted=Count("id", filter=Q(accepted_at__isnull=False)),
    )
    return BoardCounts(fiscal_year=fiscal_year, **row)


def board_cases(actor: Staff, fiscal_year: int) -> QuerySet[Case]:
    """The cases sent to coordination in the 年度, by triage then newest; coordinators only
    (404 otherwise). Not audited: the callers audit what they show."""
    if actor.role != Role.COORDINATOR or not works_cases(actor):
        raise Http404
    start, end = fiscal_year_bounds(fiscal_year)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return (
        Case.objects.filter(sent_to_coordination_at__gte=since, sent_to_coordination_at__lt=until)
        .select_related("lead_agency", "household")
        .prefetch_related(household_heads(actor))
        .order_by("triage", "-sent_to_coordination_at", "-id")
    )


@transaction.atomic
def coordination_board(actor: Staff, fiscal_year: int, page: int = 1) -> Board:
    """The coordinator's board: counts for the 年度 and the cases sent to coordination."""
    cases = board_cases(actor, fiscal_year)
    board = Board(counts=board_counts(fiscal_year), cases=window(cases, page, LIST_PAGE_SIZE))
    if board.cases.object_list:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.COORDINATION,
            object_type=ObjectType.COORDINATION_BOARD,
            object_id="",
            detail={"cases": [str(c.public_id) for c in board.cases.object_list]},
        )
    return board
