"""Referrals, handovers and the inbox (たらい回し flags included); audited."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseNote,
    Handover,
    HandoverStatus,
    Referral,
    ReferralStatus,
)
from kasane.cases.selectors.lists import LIST_PAGE_SIZE
from kasane.cases.selectors.scope import _get_for_agency, household_heads
from kasane.privacy.cases import works_cases

QUIET_DAYS = 30

TARAIMAWASHI_DAYS = 30

TARAIMAWASHI_REFERRALS = 3  # "referred more than twice"


@transaction.atomic
def get_referral_for_user(actor: Staff, public_id: UUID | str) -> Referral:
    """A referral seen by its sender or its addressee (or coordination for its cases)."""
    if not works_cases(actor):
        raise Http404
    scope = Q(to_agency_id=actor.agency_id) | Q(from_agency_id=actor.agency_id)
    if actor.role == Role.COORDINATOR:
        scope |= Q(case__sent_to_coordination_at__isnull=False)
    referral: Referral = _get_for_agency(
        Referral.objects.filter(scope).select_related(
            "case", "case__household", "from_agency", "to_agency", "requested_by", "responded_by"
        ),
        public_id,
    )
    basis = (
        LegalBasis.REFERRAL if referral.to_agency_id == actor.agency_id else LegalBasis.CASE_TEAM
    )
    if referral.to_agency_id != actor.agency_id and referral.from_agency_id != actor.agency_id:
        basis = LegalBasis.COORDINATION
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.REFERRAL,
        object_id=str(referral.public_id),
    )
    return referral


@transaction.atomic
def get_handover_for_user(actor: Staff, public_id: UUID | str) -> Handover:
    if not works_cases(actor):
        raise Http404
    handover: Handover = _get_for_agency(
        Handover.objects.filter(
            Q(to_agency_id=actor.agency_id) | Q(from_agency_id=actor.agency_id)
        ).select_related("case", "from_agency", "to_agency"),
        public_id,
    )
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.CASE_TEAM,
        object_type=ObjectType.HANDOVER,
        object_id=str(handover.public_id),
    )
    return handover


# --- the inbox ---------------------------------------------------------------------------


@dataclass
class TaraimawashiFlag:
    """A household referred more than twice in 30 days with no referral accepted."""

    case: Case
    referrals: int
    agencies: list[str]


@dataclass
class Inbox:
    now: datetime.datetime
    referrals_waiting: list[Referral] = field(default_factory=list)
    referrals_overdue_sent: list[Referral] = field(default_factory=list)
    referrals_declined: list[Referral] = field(default_factory=list)
    handovers_waiting: list[Handover] = field(default_factory=list)
    quiet_cases: list[Case] = field(default_factory=list)
    # Coordinators only.
    triage_queue: list[Case] = field(default_factory=list)
    cases_without_lead: list[Case] = field(default_factory=list)
    escalated: list[Referral] = field(default_factory=list)
    taraimawashi: list[TaraimawashiFlag] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.referrals_waiting if r.due_at < self.now) + len(
            self.referrals_overdue_sent
        )


def _referrals(actor: Staff) -> QuerySet[Referral]:
    # What the inbox rows show: the case, its household's head, the two agencies (not the
    # staff who sent or answered: a row of staff accounts per referral cost a busy agency's
    # home page more than its queries).
    return Referral.objects.select_related(
        "case", "case__household", "from_agency", "to_agency"
    ).prefetch_related(household_heads(actor, "case__household__memberships"))


def taraimawashi_flags(now: datetime.datetime, limit: int = 50) -> list[TaraimawashiFlag]:
    """たらい回し: households referred 3+ times in 30 days, whichever of their cases the
    referrals were made on, with none accepted; each shown once, with its newest open case."""
    since = now - datetime.timedelta(days=TARAIMAWASHI_DAYS)
    recent = Referral.objects.filter(requested_at__gte=since)
    has_open_case = Case.objects.filter(
        household_id=OuterRef("case__household_id"), status__in=OPEN_STATUSES
    )
    counts = {
        row["case__household_id"]: row["referrals"]
        for row in recent.values("case__household_id")
        .annotate(
            referrals=Count("id"),
            accepted=Count(
                "id", filter=Q(status__in=[ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED])
            ),
        )
        .filter(Exists(has_open_case), referrals__gte=TARAIMAWASHI_REFERRALS, accepted=0)
        .order_by("-referrals", "case__household_id")[:limit]
    }
    cases: dict[int, Case] = {}
    for case in (
        Case.objects.filter(household_id__in=counts, status__in=OPEN_STATUSES)
        .select_related("lead_agency")
        .order_by("-opened_at", "-id")
    ):
        cases.setdefault(case.household_id, case)
    agencies: dict[int, list[str]] = {household_id: [] for household_id in counts}
    for household_id, name in (
        recent.filter(case__household_id__in=counts)
        .order_by("requested_at", "id")
        .values_list("case__household_id", "to_agency__name")
    ):
        agencies[household_id].append(name)
    return [TaraimawashiFlag(cases[h], n, agencies[h]) for h, n in counts.items() if h in cases]


@transaction.atomic
def inbox_for(actor: Staff, *, now: datetime.datetime | None = None) -> Inbox:
    """Each staff member's start page: what waits for their agency, and what is going quiet."""
    now = now or timezone.now()
    inbox = Inbox(now=now)
    if not works_cases(actor):
        return inbox
    agency_id = actor.agency_id
    inbox.referrals_waiting = list(
        _referrals(actor)
        .filter(to_agency_id=agency_id, status=ReferralStatus.REQUESTED)
        .order_by("due_at", "id")[:LIST_PAGE_SIZE]
    )
    inbox.referrals_overdue_sent = list(
        _referrals(actor)
        .filter(from_agency_id=agency_id, status=ReferralStatus.REQUESTED, due_at__lt=now)
        .order_by("due_at", "id")[:LIST_PAGE_SIZE]
    )
    inbox.referrals_declined = list(
        _referrals(actor)
        .filter(
            from_agency_id=agency_id,
            status=ReferralStatus.DECLINED,
            decline_seen_at__isnull=True,
        )
        .order_by("-responded_at", "id")[:LIST_PAGE_SIZE]
    )
    inbox.handovers_waiting = list(
        Handover.objects.filter(to_agency_id=agency_id, status=HandoverStatus.PENDING)
        .select_related("case", "from_agency", "requested_by")
        .order_by("requested_at")[:LIST_PAGE_SIZE]
    )
    quiet_since = now - datetime.timedelta(days=QUIET_DAYS)
    inbox.quiet_cases = list(
        Case.objects.filter(lead_agency_id=agency_id, status__in=OPEN_STATUSES)
        # The newest note per case through its index, not a GROUP BY over every note and
        # household of the agency's cases (which grew with the city).
        .annotate(
            last_note=Subquery(
                CaseNote.objects.filter(case=OuterRef("pk"))
                .order_by("-created_at")
                .values("created_at")[:1]
            )
        )
        .filter(Q(last_note__lt=quiet_since) | Q(last_note__isnull=True, opened_at__lt=quiet_since))
        .select_related("household")
        .prefetch_related(household_heads(actor))
        .order_by("last_note", "opened_at")[:LIST_PAGE_SIZE]
    )
    if actor.role == Role.COORDINATOR:
        inbox.triage_queue = list(
            Case.objects.filter(
                sent_to_coordination_at__isnull=False, triage="", status__in=OPEN_STATUSES
            )
            .select_related("lead_agency", "household")
            .prefetch_related(household_heads(actor))
            .order_by("sent_to_coordination_at")[:LIST_PAGE_SIZE]
        )
        # Through the few inactive agencies' ids (the lead index), not a walk of every open case.
        inactive = list(Agency.objects.filter(is_active=False).values_list("id", flat=True))
        inbox.cases_without_lead = list(
            Case.objects.filter(status__in=OPEN_STATUSES, lead_agency_id__in=inactive)
            .select_related("lead_agency")
            .order_by("opened_at")[:LIST_PAGE_SIZE]
            if inactive
            else []
        )
        inbox.escalated = list(
            _referrals(actor)
            .filter(status=ReferralStatus.REQUESTED, escalated_at__isnull=False)
            .order_by("due_at")[:LIST_PAGE_SIZE]
        )
        inbox.taraimawashi = taraimawashi_flags(now)
    shown = {
        str(c.public_id)
        for c in [
            *(r.case for r in inbox.referrals_waiting),
            *(r.case for r in inbox.referrals_overdue_sent),
            *(r.case for r in inbox.referrals_declined),
            *inbox.quiet_cases,
            *inbox.triage_queue,
        ]
    }
    if shown:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.CASE_TEAM,
            object_type=ObjectType.INBOX,
            object_id="",
            detail={"cases": sorted(shown)},
        )
    return inbox
