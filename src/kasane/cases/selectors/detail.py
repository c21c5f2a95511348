"""The case page: its timeline, its notes, their pages; audited."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    EventKind,
    Handover,
    HandoverStatus,
    Referral,
    TeamMember,
    TeamRole,
)
from kasane.cases.selectors.scope import _get_case, get_case_for_user
from kasane.privacy.cases import (
    break_glass_active,
    case_basis,
    detail_basis,
    others_words_basis,
    require_case_details,
)
from kasane.privacy.models import BreakGlass
from kasane.registry.models import Membership

TIMELINE_PAGE_SIZE = 30


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
            BreakGlass.objects.filter(break_glass_active(actor, timezone.now()), case=case)
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
