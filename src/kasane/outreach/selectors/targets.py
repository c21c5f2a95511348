"""Outreach targets: the list, the month's flow, the quiet ones, one target's page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.outreach.models import (
    ChangeKind,
    CloseReason,
    ConcernReport,
    ContactAttempt,
    OutreachTarget,
    StageChange,
)
from kasane.outreach.selectors.reports import LIST_PAGE_SIZE, _get
from kasane.privacy.outreach import basis_in_scope, target_scope

HOME_LIMIT = 10


def quiet_days() -> int:
    """Days without contact after which the worker is alerted (KASANE_OUTREACH_QUIET_DAYS)."""
    return int(getattr(settings, "KASANE_OUTREACH_QUIET_DAYS", 30))


def visible_targets(actor: Staff) -> QuerySet[OutreachTarget]:
    scope = target_scope(actor)
    return OutreachTarget.objects.none() if scope is None else OutreachTarget.objects.filter(scope)


def _with_contact(targets: QuerySet[OutreachTarget]) -> QuerySet[OutreachTarget]:
    return targets.annotate(
        last_contact=Max("attempts__attempted_on"), attempt_count=Count("attempts")
    ).select_related("area", "worker", "person", "case", "agency")


def silence_since(target: OutreachTarget) -> datetime.date:
    """The last contact, or the day the target was opened when nobody has tried yet."""
    last = getattr(target, "last_contact", None)
    return last or timezone.localtime(target.opened_at).date()


@dataclass
class TargetRow:
    target: OutreachTarget
    days_since_contact: int
    attempts: int
    last_contact: datetime.date | None
    quiet: bool


def _row(target: OutreachTarget, today: datetime.date, limit: int) -> TargetRow:
    days = (today - silence_since(target)).days
    return TargetRow(
        target=target,
        days_since_contact=days,
        attempts=getattr(target, "attempt_count", 0),
        last_contact=getattr(target, "last_contact", None),
        quiet=target.is_open and days >= limit,
    )


@dataclass
class MonthFlow:
    """The month's inflow (new, returned) and outflow (connected, moved, ended)."""

    month: datetime.date
    new: int = 0
    returned: int = 0
    connected: int = 0
    moved: int = 0
    ended: int = 0


def month_flow(actor: Staff, month: datetime.date) -> MonthFlow:
    """Counts only, no personal data: from the history lines of the visible targets."""
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end, datetime.time.min, tzinfo=tz)
    scope = target_scope(actor)
    flow = MonthFlow(month=start)
    if scope is None:
        return flow
    rows = (
        StageChange.objects.filter(
            target__in=OutreachTarget.objects.filter(scope), at__gte=since, at__lt=until
        )
        .values("kind", "close_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        kind, reason, n = row["kind"], row["close_reason"], row["n"]
        if kind == ChangeKind.OPENED:
            flow.new += n
        elif kind == ChangeKind.REOPENED:
            flow.returned += n
        elif kind == ChangeKind.CLOSED and reason == CloseReason.CONNECTED:
            flow.connected += n
        elif kind == ChangeKind.CLOSED and reason == CloseReason.MOVED:
            flow.moved += n
        elif kind == ChangeKind.CLOSED:
            flow.ended += n
    return flow


@dataclass
class TargetList:
    rows: list[TargetRow]
    page: Page[OutreachTarget]
    flow: MonthFlow
    quiet_days: int
    quiet_count: int


@transaction.atomic
def target_list_for_user(
    actor: Staff,
    page: int = 1,
    *,
    month: datetime.date | None = None,
    open_only: bool = True,
    today: datetime.date | None = None,
) -> TargetList:
    """The by-name list (名簿) of open targets: stage, days since the last contact, number of
    attempts; and the month's inflow and outflow. Longest silence first."""
    scope = target_scope(actor)
    if scope is None:
        raise Http404
    today = today or timezone.localdate()
    limit = quiet_days()
    targets = _with_contact(OutreachTarget.objects.filter(scope))
    if open_only:
        targets = targets.filter(closed_at__isnull=True)
    targets = targets.order_by(F("last_contact").asc(nulls_first=True), "opened_at", "id")
    result = Paginator(targets, LIST_PAGE_SIZE).get_page(page)
    rows = [_row(t, today, limit) for t in result.object_list]
    quiet_since = today - datetime.timedelta(days=limit)
    quiet_count = _quiet(OutreachTarget.objects.filter(scope), quiet_since).count()
    if rows:
        basis = LegalBasis.COORDINATION if actor.role == Role.COORDINATOR else LegalBasis.OWN_AGENCY
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=basis,
            object_type=ObjectType.OUTREACH_TARGET_LIST,
            object_id="",
            detail={"targets": [str(r.target.public_id) for r in rows]},
        )
    return TargetList(
        rows=rows,
        page=result,
        flow=month_flow(actor, month or today),
        quiet_days=limit,
        quiet_count=quiet_count,
    )


def _quiet(targets: QuerySet[OutreachTarget], quiet_since: datetime.date) -> QuerySet[Any]:
    """Open targets whose last contact (or opening, without any) is on or before the day."""
    tz = timezone.get_current_timezone()
    opened_before = datetime.datetime.combine(
        quiet_since + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return (
        targets.filter(closed_at__isnull=True)
        .annotate(last_contact=Max("attempts__attempted_on"))
        .filter(
            Q(last_contact__lte=quiet_since)
            | Q(last_contact__isnull=True, opened_at__lt=opened_before)
        )
    )


def quiet_targets(*, today: datetime.date | None = None) -> list[OutreachTarget]:
    """For the scheduled alert (system): every open target silent for the set period."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=quiet_days())
    return list(
        _quiet(OutreachTarget.objects.all(), since)
        .select_related("worker", "agency")
        .order_by("id")
    )


@dataclass
class OutreachHome:
    """The outreach worker's panel on the home page: silent targets and new reports."""

    quiet: list[TargetRow] = field(default_factory=list)
    quiet_count: int = 0
    quiet_days: int = 30
    new_reports: int = 0
    urgent_reports: int = 0


@transaction.atomic
def outreach_home_for(actor: Staff, *, today: datetime.date | None = None) -> OutreachHome:
    home = OutreachHome(quiet_days=quiet_days())
    scope = target_scope(actor)
    if scope is None:
        return home
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=home.quiet_days)
    quiet = _quiet(OutreachTarget.objects.filter(scope), since)
    home.quiet_count = quiet.count()
    targets = (
        quiet.annotate(attempt_count=Count("attempts"))
        .select_related("area", "worker")
        .order_by(F("last_contact").asc(nulls_first=True), "opened_at", "id")[:HOME_LIMIT]
    )
    home.quiet = [_row(t, today, home.quiet_days) for t in targets]
    counts = ConcernReport.objects.filter(status="received").aggregate(
        new=Count("id"), urgent=Count("id", filter=Q(urgency="urgent"))
    )
    home.new_reports, home.urgent_reports = counts["new"], counts["urgent"]
    if home.quiet:
        basis = LegalBasis.COORDINATION if actor.role == Role.COORDINATOR else LegalBasis.OWN_AGENCY
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=basis,
            object_type=ObjectType.OUTREACH_HOME,
            object_id="",
            detail={"targets": [str(r.target.public_id) for r in home.quiet]},
        )
    return home


def target_for_user(actor: Staff, public_id: UUID | str) -> OutreachTarget:
    """One target the actor may read (404 otherwise); not audited: a write through it is
    audited by its service, a page shown with it by ``record_target_view``."""
    target: OutreachTarget = _get(
        visible_targets(actor).select_related("area", "worker", "person", "case", "agency"),
        public_id,
    )
    return target


def record_target_view(
    actor: Staff, target: OutreachTarget, *, purpose: Purpose = Purpose.VIEW
) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis_in_scope(actor, target),  # read through target_scope
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=str(target.public_id),
        purpose=purpose,
    )


@transaction.atomic
def get_target_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> OutreachTarget:
    """One target the actor may read (404 otherwise); audited."""
    target = target_for_user(actor, public_id)
    record_target_view(actor, target, purpose=purpose)
    return target


@dataclass
class TargetDetail:
    target: OutreachTarget
    basis: LegalBasis
    row: TargetRow
    attempts: list[ContactAttempt]
    changes: list[StageChange]
    reports: list[ConcernReport]


@transaction.atomic
def target_detail_for_user(
    actor: Staff, public_id: UUID | str, *, today: datetime.date | None = None
) -> TargetDetail:
    """The target's page: what is known, every contact attempt, the stage's history and the
    concern reports that led to it."""
    target: OutreachTarget = _get(_with_contact(visible_targets(actor)), public_id)
    basis = basis_in_scope(actor, target)  # read through target_scope
    attempts = list(target.attempts.select_related("staff").order_by("-attempted_on", "-id"))
    changes = list(target.changes.select_related("actor").order_by("at", "id"))
    reports = list(target.reports.select_related("area", "reporter_agency").order_by("received_at"))
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.OUTREACH_TARGET,
        object_id=str(target.public_id),
        detail={"person": str(target.person.public_id) if target.person else None},
    )
    return TargetDetail(
        target=target,
        basis=basis,
        row=_row(target, today or timezone.localdate(), quiet_days()),
        attempts=attempts,
        changes=changes,
        reports=reports,
    )
