"""Concern reports (見守り通報): the reporter's own, and as the outreach team reads them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.outreach.models import (
    ConcernReport,
)
from kasane.privacy.outreach import report_basis

LIST_PAGE_SIZE = 50


def _get(queryset: QuerySet[Any], public_id: UUID | str) -> Any:
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


# --- the reporter's own reports -----------------------------------------------------------


def _own_reports(actor: Staff) -> QuerySet[ConcernReport]:
    if not actor.is_active or actor.role != Role.VOLUNTEER or actor.agency_id is None:
        return ConcernReport.objects.none()
    # Only what the reporter wrote and its status: nothing the team recorded is fetched.
    return (
        ConcernReport.objects.filter(reporter=actor)
        .select_related("area")
        .only(
            "public_id",
            "area__name",
            "address",
            "who",
            "signs",
            "details",
            "noticed_on",
            "urgency",
            "received_at",
            "status",
            "status_changed_at",
            "reporter_id",
        )
    )


@transaction.atomic
def my_reports(actor: Staff, page: int = 1) -> Page[ConcernReport]:
    """The reporter's own reports, newest first, with their status."""
    result = Paginator(_own_reports(actor), LIST_PAGE_SIZE).get_page(page)
    if result.object_list:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.OWN_AGENCY,
            object_type=ObjectType.CONCERN_REPORT_LIST,
            object_id="",
            detail={"reports": [str(r.public_id) for r in result.object_list]},
        )
    return result


@transaction.atomic
def get_my_report(actor: Staff, public_id: UUID | str) -> ConcernReport:
    """One of the reporter's own reports (404 for anyone else's)."""
    report: ConcernReport = _get(_own_reports(actor), public_id)
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.CONCERN_REPORT,
        object_id=str(report.public_id),
    )
    return report


# --- reports as the outreach team reads them ----------------------------------------------


def team_reports() -> QuerySet[ConcernReport]:
    return ConcernReport.objects.select_related("area", "reporter_agency", "reporter", "target")


def require_report_basis(actor: Staff) -> LegalBasis:
    basis = report_basis(actor)
    if basis is None:
        raise Http404
    return basis


@transaction.atomic
def report_list_for_outreach(
    actor: Staff, page: int = 1, *, open_only: bool = False
) -> Page[ConcernReport]:
    """Every concern report, urgent and unanswered first."""
    basis = require_report_basis(actor)
    reports = team_reports()
    if open_only:
        reports = reports.exclude(status="done")
    reports = reports.order_by("status", "-received_at", "-id")
    result = Paginator(reports, LIST_PAGE_SIZE).get_page(page)
    if result.object_list:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=basis,
            object_type=ObjectType.CONCERN_REPORT_LIST,
            object_id="",
            detail={"reports": [str(r.public_id) for r in result.object_list]},
        )
    return result


@transaction.atomic
def get_report_for_outreach(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> ConcernReport:
    basis = require_report_basis(actor)
    report: ConcernReport = _get(team_reports(), public_id)
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.CONCERN_REPORT,
        object_id=str(report.public_id),
        purpose=purpose,
    )
    return report
