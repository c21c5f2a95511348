"""Reads of the emergency accesses (break-glass), for their review."""

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.privacy.models import BreakGlass


def may_review_break_glass(actor: Staff) -> bool:
    return bool(actor.is_active and actor.role in (Role.COORDINATOR, Role.AUDITOR))


@dataclass
class BreakGlassPage:
    rows: list[BreakGlass]
    unreviewed: int
    number: int
    has_previous: bool
    has_next: bool


@transaction.atomic
def break_glass_page(actor: Staff, page: int) -> BreakGlassPage:
    """Emergency accesses, those waiting for review first; a fixed number of queries.

    The reasons are free text that may name persons: reading them is audited.
    """
    if not may_review_break_glass(actor):
        raise PermissionDenied
    size: int = settings.KASANE_PAGE_SIZE
    rows = list(
        BreakGlass.objects.select_related("case", "agency", "staff", "reviewed_by").order_by(
            F("reviewed_at").desc(nulls_first=True), "-started_at", "-id"
        )[(page - 1) * size : page * size + 1]
    )
    unreviewed = BreakGlass.objects.filter(reviewed_at__isnull=True).count()
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.BREAK_GLASS_LIST,
        detail={"ids": [str(g.public_id) for g in rows[:size]]},
    )
    return BreakGlassPage(rows[:size], unreviewed, page, page > 1, len(rows) > size)


def get_break_glass_for_review(actor: Staff, public_id: UUID | str) -> BreakGlass:
    if not may_review_break_glass(actor):
        raise PermissionDenied
    try:
        return BreakGlass.objects.select_related("case", "agency", "staff").get(public_id=public_id)
    except (BreakGlass.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
