"""Every read of cases, referrals and notes: filtered by ``privacy.cases``, audited.

Lists fetch a fixed number of queries however many rows they show (select_related and
prefetches); the tests guard that.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseNote,
    EventKind,
    Handover,
    HandoverStatus,
    Referral,
    ReferralStatus,
    TeamMember,
    TeamRole,
    Triage,
)
from kasane.core.dates import fiscal_year_bounds
from kasane.privacy.cases import (
    agency_id_of,
    break_glass_active,
    case_basis,
    case_scope,
    detail_basis,
    others_words_basis,
    require_case_details,
    works_cases,
)
from kasane.privacy.models import BreakGlass
from kasane.privacy.policy import person_scope
from kasane.registry.models import Membership, Person, Relationship

QUIET_DAYS = 30
TARAIMAWASHI_DAYS = 30
TARAIMAWASHI_REFERRALS = 3  # "referred more than twice"
TIMELINE_PAGE_SIZE = 30
LIST_PAGE_SIZE = 50


def _heads(actor: Staff | None = None, path: str = "household__memberships") -> Prefetch[Any]:
    """The head of each case's household, for labels, in one extra query.

    With an actor, only heads the actor may read (``person_scope``): a case whose details
    the agency has no basis to read is labelled by its number alone.
    """
    heads = Membership.objects.filter(ended_on__isnull=True, relationship=Relationship.HEAD)
    if actor is not None:
        scope = person_scope(actor)
        heads = (
            heads.none() if scope is None else heads.filter(person__in=Person.objects.filter(scope))
        )
    return Prefetch(path, queryset=heads.select_related("person"), to_attr="heads")


def visible_cases(actor: Staff) -> QuerySet[Case]:
    scope = case_scope(actor)
    return Case.objects.none() if scope is None else Case.objects.filter(scope)


def _get_case(actor: Staff, public_id: UUID | str) -> Case:
    try:
        return (
            visible_cases(actor)
            .select_related("household", "lead_agency")
            .prefetch_related(_heads(actor))
            .get(public_id=public_id)
        )
    except (Case.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def checked_case(actor: Staff, public_id: UUID | str) -> Case:
    """The case, if the actor may reach it (404 otherwise), for a change or a part of a page.

    Only a check: it writes nothing to the audit log. The service that changes the case
    records the change; a page that shows the case records its view
    (:func:`record_case_view`); a part of the case page records what it shows. So one action
    is one event (the rule is in ``kasane.audit.services``)."""
    case = _get_case(actor, public_id)
    if case_basis(actor, case) is None:  # pragma: no cover - visible_cases applied the same policy
        raise Http404
    return case


def record_case_view(actor: Staff, case: Case, *, purpose: Purpose = Purpose.VIEW) -> None:
    """Record that the actor was shown the case, with the basis it was shown on."""
    basis = case_basis(actor, case)
    if basis is None:  # pragma: no cover - the case came through visible_cases
        raise Http404
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        purpose=purpose,
    )


@transaction.atomic
def get_case_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> Case:
    """One case the actor may read (404 otherwise), its view recorded."""
    case = _get_case(actor, public_id)
    record_case_view(actor, case, purpose=purpose)
    return case


def timeline_events(actor: Staff, case: Case) -> QuerySet[CaseEvent]:
    """The case's timeline lines the actor may see: agency-only notes stay in the agency."""
    return (
        case.events.filter(
            Q(restricted_to_agency__isnull=True) | Q(restricted_to_agency_id=actor.agency_id)
        )
        .select_related(
            "actor",
            "agency",
            "note",
            "referral__from_agency",
            "referral__to_agency",
            "handover__from_agency",
            "handover__to_agency",
            "consultation__agency",
        )
        .prefetch_related("consultation__needs__need_type")
        .order_by("-at", "-id")
    )


def visible_case_notes(actor: Staff, case: Case) -> QuerySet[CaseNote]:
    """The case's notes the actor may see, newest first: the very notes its timeline shows
    (an agency-only note only within its agency). The caller has checked the actor may read
    the case's details."""
    shown = timeline_events(actor, case).filter(kind=EventKind.NOTE, note__isnull=False)
    return (
        CaseNote.objects.filter(case=case, id__in=shown.values("note_id"))
        .select_related("author", "agency")
        .order_by("-written_on", "-id")
    )


@dataclass
class CaseDetail:
    case: Case
    basis: LegalBasis
    team: list[TeamMember]
    referrals: list[Referral]
    pending_handover: Handover | None
    members: list[Membership]
    timeline: Page[CaseEvent]
    is_lead: bool
    # False when the actor knows only that the case exists and who leads it: no household,
    # no timeline, only the referrals and hand-over that concern the actor's own agency.
    details: bool = True
    break_glass: BreakGlass | None = None
    # Whether the summaries of consultations other agencies received are the actor's to read
    # (privacy.cases.others_words_basis); their own agency's always are.
    others_summaries: bool = False


@transaction.atomic
def case_detail_for_user(actor: Staff, public_id: UUID | str, page: int = 1) -> CaseDetail:
    """The case page: team, chain of referrals, household members and one timeline."""
    case = _get_case(actor, public_id)
    seen = case_basis(actor, case)
    if seen is None:  # pragma: no cover - visible_cases applied the same policy
        raise Http404
    basis = detail_basis(actor, case)
    role_order = {TeamRole.LEAD: 0, TeamRole.COORDINATION: 1, TeamRole.MEMBER: 2}
    team = sorted(
        case.team.filter(left_at__isnull=True).select_related("agency", "staff"),
        key=lambda member: (role_order.get(TeamRole(member.role), 3), member.joined_at),
    )
    referrals_qs = case.referrals.select_related(
        "from_agency", "to_agency", "requested_by", "responded_by"
    ).order_by("requested_at", "id")
    pending_qs = case.handovers.filter(status=HandoverStatus.PENDING).select_related(
        "from_agency", "to_agency"
    )
    is_lead = case.lead_agency_id == actor.agency_id
    if basis is None:
        own = Q(from_agency_id=actor.agency_id) | Q(to_agency_id=actor.agency_id)
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=seen,
            object_type=ObjectType.CASE,
            object_id=str(case.public_id),
            detail={"existence_only": True},
        )
        return CaseDetail(
            case=case,
            basis=seen,
            team=team,
            referrals=list(referrals_qs.filter(own)),
            pending_handover=pending_qs.filter(own).first(),
            members=[],
            timeline=Paginator(CaseEvent.objects.none(), TIMELINE_PAGE_SIZE).get_page(1),
            is_lead=is_lead,
            details=False,
        )
    members = list(
        case.household.memberships.filter(ended_on__isnull=True)
        .select_related("person")
        .order_by("started_on", "id")
    )
    timeline = Paginator(timeline_events(actor, case), TIMELINE_PAGE_SIZE).get_page(page)
    glass = None
    if basis == LegalBasis.BREAK_GLASS:
        glass = (
            BreakGlass.objects.filter(
                break_glass_active(agency_id_of(actor), timezone.now()), case=case
            )
            .order_by("-expires_at")
            .first()
        )
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=str(case.public_id),
        detail={"persons": [str(m.person.public_id) for m in members]},
    )
    return CaseDetail(
        case=case,
        basis=basis,
        team=team,
        referrals=list(referrals_qs),
        pending_handover=pending_qs.first(),
        members=members,
        timeline=timeline,
        is_lead=is_lead,
        break_glass=glass,
        others_summaries=others_words_basis(actor, case) is not None,
    )


def _agency_cases(actor: Staff, *, open_only: bool) -> QuerySet[Case]:
    on_team = TeamMember.objects.filter(agency_id=agency_id_of(actor), left_at__isnull=True)
    cases = (
        visible_cases(actor)
        .filter(id__in=on_team.values("case_id"))
        .select_related("lead_agency", "household")
        .prefetch_related(_heads(actor))
        .order_by("-opened_at", "-id")
    )
    if open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    return cases


@transaction.atomic
def case_list_for_user(actor: Staff, page: int = 1, *, open_only: bool = True) -> Page[Case]:
    """Cases the actor's agency is on, newest first; audited as one view of the list."""
    cases = _agency_cases(actor, open_only=open_only)
    result = Paginator(cases, LIST_PAGE_SIZE).get_page(page)
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

    Heads the actor may not read are not prefetched (``_heads``), so the file holds no name
    the page would not show.
    """
    if not works_cases(actor):
        raise Http404
    cases = list(_agency_cases(actor, open_only=open_only))
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=LegalBasis.CASE_TEAM,
        object_type=ObjectType.CASE_LIST_EXPORT,
        object_id="",
        detail={"cases": [str(c.public_id) for c in cases]},
    )
    return cases


def _get_for_agency(queryset: QuerySet[Any], public_id: UUID | str) -> Any:
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


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


# --- the inbox and the coordinator's board ----------------------------------------------


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
    return Referral.objects.select_related(
        "case", "case__household", "from_agency", "to_agency", "requested_by", "responded_by"
    ).prefetch_related(_heads(actor, "case__household__memberships"))


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
        .annotate(last_note=Max("notes__created_at"))
        .filter(Q(last_note__lt=quiet_since) | Q(last_note__isnull=True, opened_at__lt=quiet_since))
        .select_related("household")
        .prefetch_related(_heads(actor))
        .order_by("last_note", "opened_at")[:LIST_PAGE_SIZE]
    )
    if actor.role == Role.COORDINATOR:
        inbox.triage_queue = list(
            Case.objects.filter(
                sent_to_coordination_at__isnull=False, triage="", status__in=OPEN_STATUSES
            )
            .select_related("lead_agency", "household")
            .prefetch_related(_heads(actor))
            .order_by("sent_to_coordination_at")[:LIST_PAGE_SIZE]
        )
        inbox.cases_without_lead = list(
            Case.objects.filter(status__in=OPEN_STATUSES, lead_agency__is_active=False)
            .select_related("lead_agency")
            .order_by("opened_at")[:LIST_PAGE_SIZE]
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
    cases: Page[Case]


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
        .prefetch_related(_heads(actor))
        .order_by("triage", "-sent_to_coordination_at", "-id")
    )


@transaction.atomic
def coordination_board(actor: Staff, fiscal_year: int, page: int = 1) -> Board:
    """The coordinator's board: counts for the 年度 and the cases sent to coordination."""
    cases = board_cases(actor, fiscal_year)
    board = Board(
        counts=board_counts(fiscal_year), cases=Paginator(cases, LIST_PAGE_SIZE).get_page(page)
    )
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


# --- the JSON API's list of a case's notes, under the same rules as the timeline ------------

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
