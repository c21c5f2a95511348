"""Whole lists for CSV exports: the same records, under the same rules, as the list pages
(each reuses the page's own query), without the paging, and audited as one export with every
record's id in the same transaction.

Lists of places hold no personal data and are read in ``kasane.community.selectors``.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, F
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.intake.models import Consultation
from kasane.meetings.models import Meeting
from kasane.outreach.models import ConcernReport, OutreachTarget
from kasane.participation.models import Match, MatchStage
from kasane.privacy.case_selectors import board_cases
from kasane.privacy.cases import agency_id_of, works_cases
from kasane.privacy.intake_selectors import _with_details
from kasane.privacy.meeting_selectors import visible_meetings
from kasane.privacy.outreach_selectors import (
    TargetRow,
    _row,
    _with_contact,
    quiet_days,
    require_report_basis,
    target_scope,
    team_reports,
)
from kasane.privacy.participation_selectors import _overdue_counts
from kasane.privacy.selectors import _current_memberships, registered_households
from kasane.registry.models import Household


@transaction.atomic
def consultation_list_export_for_user(actor: Staff) -> list[Consultation]:
    """Every consultation the actor's agency received, newest first (as on the intake page);
    audited as ``consultation_list_export`` when there is one."""
    if not works_cases(actor):
        raise Http404
    consultations = list(
        _with_details(Consultation.objects.filter(agency_id=agency_id_of(actor)), actor).order_by(
            "-received_at", "-id"
        )
    )
    if consultations:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.CONSULTATION_LIST_EXPORT,
            detail={"consultations": [str(c.public_id) for c in consultations]},
        )
    return consultations


@transaction.atomic
def outreach_target_export_for_user(
    actor: Staff, *, today: datetime.date | None = None
) -> list[TargetRow]:
    """The whole by-name list (名簿) of open outreach targets, longest silence first (as on
    the page); audited as ``outreach_target_list_export`` when there is one."""
    scope = target_scope(actor)
    if scope is None:
        raise Http404
    today = today or timezone.localdate()
    limit = quiet_days()
    targets = (
        _with_contact(OutreachTarget.objects.filter(scope))
        .filter(closed_at__isnull=True)
        .order_by(F("last_contact").asc(nulls_first=True), "opened_at", "id")
    )
    rows = [_row(t, today, limit) for t in targets]
    if rows:
        basis = LegalBasis.COORDINATION if actor.role == Role.COORDINATOR else LegalBasis.OWN_AGENCY
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=basis,
            object_type=ObjectType.OUTREACH_TARGET_LIST_EXPORT,
            detail={"targets": [str(r.target.public_id) for r in rows]},
        )
    return rows


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
    overdue = _overdue_counts([m.pk for m in rows], day)
    for m in rows:
        m.overdue_follow_ups = overdue.get(m.pk, 0)  # type: ignore[attr-defined]
    if rows:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.MATCH_LIST_EXPORT,
            detail={
                "matches": [str(m.public_id) for m in rows],
                "persons": sorted({str(m.person.public_id) for m in rows}),
            },
        )
    return rows


@transaction.atomic
def household_list_export_for_user(actor: Staff) -> list[Household]:
    """Every household the actor's agency registered, newest first (as on the household
    list), with their current members; audited as ``household_list_export``."""
    households = list(
        registered_households(actor)
        .select_related("area")
        .prefetch_related(_current_memberships())
        .order_by("-created_at", "-id")
    )
    if households:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.HOUSEHOLD_LIST_EXPORT,
            detail={"households": [str(h.public_id) for h in households]},
        )
    return households


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
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.NONE,
            object_type=ObjectType.MEETING_LIST_EXPORT,
            detail={"meetings": [str(m.public_id) for m in meetings]},
        )
    return meetings


@transaction.atomic
def concern_report_export_for_user(actor: Staff) -> list[ConcernReport]:
    """Every concern report, unanswered first (as on the outreach team's report list);
    audited as ``concern_report_list_export``."""
    basis = require_report_basis(actor)
    reports = list(team_reports().order_by("status", "-received_at", "-id"))
    if reports:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=basis,
            object_type=ObjectType.CONCERN_REPORT_LIST_EXPORT,
            detail={"reports": [str(r.public_id) for r in reports]},
        )
    return reports


@transaction.atomic
def coordination_board_export_for_user(actor: Staff, fiscal_year: int) -> list[Case]:
    """The cases sent to coordination in the 年度, by triage (as on the coordinator's
    board), each with its head of household as the actor may see them; audited as
    ``coordination_board_export``."""
    cases = list(board_cases(actor, fiscal_year))
    if cases:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.COORDINATION,
            object_type=ObjectType.COORDINATION_BOARD_EXPORT,
            detail={"fiscal_year": fiscal_year, "cases": [str(c.public_id) for c in cases]},
        )
    return cases
