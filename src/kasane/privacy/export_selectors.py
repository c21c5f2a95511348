"""Whole lists for CSV exports: the same records, under the same rules, as the list pages
(each reuses the page's own query), without the paging, and audited as one export with every
record's id in the same transaction.

Lists of places hold no personal data and are read in ``kasane.community.selectors``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.intake.models import Consultation
from kasane.outreach.models import OutreachTarget
from kasane.participation.models import Match, MatchStage
from kasane.privacy.audit import audit_record
from kasane.privacy.cases import agency_id_of, works_cases
from kasane.privacy.intake_selectors import _with_details
from kasane.privacy.models import AuditAction, LegalBasis
from kasane.privacy.outreach_selectors import (
    TargetRow,
    _row,
    _with_contact,
    quiet_days,
    target_scope,
)
from kasane.privacy.participation_selectors import _overdue_counts


def _audit_export(actor: Staff, basis: LegalBasis, object_type: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=object_type,
        detail=detail,
    )


@transaction.atomic
def consultation_list_export_for_user(actor: Staff) -> list[Consultation]:
    """Every consultation the actor's agency received, newest first (as on the intake page);
    audited as ``consultation_list_export`` when there is one."""
    if not works_cases(actor):
        raise Http404
    consultations = list(
        _with_details(Consultation.objects.filter(agency_id=agency_id_of(actor))).order_by(
            "-received_at", "-id"
        )
    )
    if consultations:
        _audit_export(
            actor,
            LegalBasis.OWN_AGENCY,
            "consultation_list_export",
            consultations=[str(c.public_id) for c in consultations],
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
        _audit_export(
            actor,
            basis,
            "outreach_target_list_export",
            targets=[str(r.target.public_id) for r in rows],
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
        _audit_export(
            actor,
            LegalBasis.OWN_AGENCY,
            "match_list_export",
            matches=[str(m.public_id) for m in rows],
            persons=sorted({str(m.person.public_id) for m in rows}),
        )
    return rows
