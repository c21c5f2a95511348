"""Whole lists of outreach targets and concern reports for CSV exports: the same records,
under the same rules, as the pages (each reuses the page's own query), without the paging,
and audited as one export with every record's id in the same transaction.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.outreach.models import ConcernReport, OutreachTarget
from kasane.outreach.selectors import TargetRow, quiet_days, require_report_basis, team_reports
from kasane.outreach.selectors.targets import _row, _with_contact
from kasane.privacy.outreach import target_scope


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
            action=AuditAction.DOWNLOAD,
            legal_basis=basis,
            object_type=ObjectType.OUTREACH_TARGET_LIST_EXPORT,
            detail={"targets": [str(r.target.public_id) for r in rows]},
        )
    return rows


@transaction.atomic
def concern_report_export_for_user(actor: Staff) -> list[ConcernReport]:
    """Every concern report, unanswered first (as on the outreach team's report list);
    audited as ``concern_report_list_export``."""
    basis = require_report_basis(actor)
    reports = list(team_reports().order_by("status", "-received_at", "-id"))
    if reports:
        audit.record(
            actor=actor,
            action=AuditAction.DOWNLOAD,
            legal_basis=basis,
            object_type=ObjectType.CONCERN_REPORT_LIST_EXPORT,
            detail={"reports": [str(r.public_id) for r in reports]},
        )
    return reports
