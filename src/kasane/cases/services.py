"""Every change of a case, its team, its referrals and its notes.

Each service checks the actor's access through ``kasane.privacy.cases``, validates, saves,
writes the timeline line (CaseEvent) and the audit event, all in one transaction. Errors
are ``ValidationError`` with a stable ``code`` (the API returns it) and a message in the
user's language.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.builders import (
    build_case,
    build_event,
    build_note,
    build_referral,
    build_team_member,
    case_number,
    close_case,
    complete_referral,
    note_event,
    referral_answer,
    send_to_coordination,
    triage_case,
)
from kasane.cases.builders import referral_due as referral_due
from kasane.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    CaseNumberCounter,
    CaseStatus,
    DeclineReason,
    EventKind,
    Handover,
    HandoverStatus,
    NoteKind,
    NoteVisibility,
    Referral,
    ReferralStatus,
    TeamMember,
    TeamRole,
    Triage,
)
from kasane.core.row_version import compare_and_set
from kasane.privacy import grants
from kasane.privacy.cases import case_basis, require_case_worker
from kasane.registry.models import Household

# Status moves staff make by hand; closing and 支援決定 have their own services.
STATUS_MOVES: dict[str, set[str]] = {
    CaseStatus.RECEIVED: {CaseStatus.ASSESSMENT, CaseStatus.WATCHING},
    CaseStatus.ASSESSMENT: {CaseStatus.PLANNING, CaseStatus.WATCHING},
    CaseStatus.PLANNING: {CaseStatus.IN_SUPPORT, CaseStatus.ASSESSMENT},
    CaseStatus.IN_SUPPORT: {CaseStatus.WATCHING, CaseStatus.PLANNING},
    CaseStatus.WATCHING: {CaseStatus.IN_SUPPORT, CaseStatus.ASSESSMENT},
}


# The demo loader writes a past year of work; it sets the clock the services read.
_clock: ContextVar[datetime.datetime | None] = ContextVar("kasane_case_clock", default=None)


def _now() -> datetime.datetime:
    return _clock.get() or timezone.now()


@contextlib.contextmanager
def clock_at(at: datetime.datetime) -> Iterator[None]:
    """Record what happens inside as if it happened at ``at`` (for loading history only)."""
    token = _clock.set(at)
    try:
        yield
    finally:
        _clock.reset(token)


def _event(
    case: Case,
    kind: EventKind,
    actor: Staff | None,
    *,
    at: datetime.datetime | None = None,
    restricted_to_agency: Agency | None = None,
    **links: object,
) -> CaseEvent:
    """Write one line of the case timeline, after the change it records. A change of who is
    on the case (team, referral, hand-over, lead, coordination, status) also recomputes the
    case's access grants, in the same transaction."""
    event = build_event(
        case, kind, actor, at=at or _now(), restricted_to_agency=restricted_to_agency, **links
    )
    event.save()
    if kind not in WORK_EVENTS:
        grants.refresh_case(case)
    return event


# Events that record work on the case, not a change of who may read it.
WORK_EVENTS = {EventKind.CONSULTATION, EventKind.NOTE, EventKind.REFERRAL_ESCALATED}


def _basis_or_denied(actor: Staff, case: Case) -> LegalBasis:
    basis = case_basis(actor, case)
    if basis is None:
        raise PermissionDenied
    return basis


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed."), code="case_closed")


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock, so two hand-overs cannot cross."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _next_number(year: int) -> str:
    counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
        fiscal_year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return case_number(year, counter.last)


def _team_join(case: Case, agency: Agency, role: TeamRole, at: datetime.datetime) -> TeamMember:
    member = case.team.filter(agency=agency, left_at__isnull=True).first()
    if member is None:
        member = build_team_member(case=case, agency=agency, role=role, joined_at=at)
        member.save()
        return member
    if role == TeamRole.LEAD and member.role != TeamRole.LEAD:
        member.role = TeamRole.LEAD
        member.save(update_fields=["role", "updated_at"])
    return member


def _set_lead(case: Case, agency: Agency, at: datetime.datetime) -> None:
    """Make ``agency`` the lead; the previous lead stays on the team as a member."""
    case.team.filter(role=TeamRole.LEAD, left_at__isnull=True).exclude(agency=agency).update(
        role=TeamRole.MEMBER, updated_at=at
    )
    case.lead_agency = agency
    case.row_version += 1  # callers hold the row lock (_lock)
    case.save(update_fields=["lead_agency", "row_version", "updated_at"])
    _team_join(case, agency, TeamRole.LEAD, at)


@transaction.atomic
def case_open(
    *, actor: Staff, household: Household, opened_at: datetime.datetime | None = None
) -> Case:
    """Open a case for a household, led by the actor's agency, numbered in its 年度."""
    require_case_worker(actor)
    assert actor.agency is not None
    at = opened_at or _now()
    case = build_case(household=household, lead=actor.agency, opened_at=at)
    case.number = _next_number(case.fiscal_year)
    case.full_clean()
    case.save()
    _team_join(case, actor.agency, TeamRole.LEAD, at)
    _event(case, EventKind.OPENED, actor, at=at)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
    )
    return case


def open_case_of_household(actor: Staff, household: Household) -> Case | None:
    """The open case of this household that the actor's agency is on, if any."""
    return (
        Case.objects.filter(
            household=household,
            status__in=[s for s in CaseStatus if s != CaseStatus.CLOSED],
            team__agency_id=actor.agency_id or 0,
            team__left_at__isnull=True,
        )
        .order_by("-opened_at")
        .first()
    )


def record_consultation_event(case: Case, consultation: object, actor: Staff) -> None:
    """A consultation about the case's household appears on its timeline."""
    _event(
        case,
        EventKind.CONSULTATION,
        actor,
        at=consultation.received_at,  # type: ignore[attr-defined]
        consultation=consultation,
    )


@transaction.atomic
def case_status_change(
    *, actor: Staff, case: Case, status: str, row_version: int | None = None
) -> Case:
    """Move a case along 受付 → アセスメント → プラン作成 → 支援中 (or 見守り); lead agency only.

    With ``row_version`` (the count the editor opened the case at) the save is a
    compare-and-set: if somebody saved the case since, ``EditConflict`` and nothing saved."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    if case.lead_agency_id != actor.agency_id:
        raise ValidationError(
            _("Only the lead agency changes the status of a case."), code="not_lead"
        )
    if status not in STATUS_MOVES.get(case.status, set()):
        raise ValidationError(
            _("A case cannot move from this status to that one."), code="bad_status_move"
        )
    before = case.status
    case.status = status
    case.row_version = compare_and_set(
        Case, pk=case.pk, expected=row_version, object_type="case", values={"status": status}
    )
    _event(case, EventKind.STATUS, actor, detail={"from": before, "to": status})
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["status"]},
    )
    return case


@transaction.atomic
def case_close(*, actor: Staff, case: Case, reason: str) -> Case:
    """終結: the lead agency closes the case; open referrals must be answered first."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    if case.lead_agency_id != actor.agency_id and actor.role != Role.COORDINATOR:
        raise ValidationError(_("Only the lead agency closes a case."), code="not_lead")
    if not reason.strip():
        raise ValidationError(_("Say why the case is closed."), code="reason_required")
    if case.referrals.filter(status=ReferralStatus.REQUESTED).exists():
        raise ValidationError(
            _("Answer or withdraw the open referrals before closing the case."),
            code="open_referrals",
        )
    before = case.status
    close_case(case, at=_now())
    case.row_version += 1
    case.save(update_fields=["status", "closed_at", "row_version", "updated_at"])
    case.handovers.filter(status=HandoverStatus.PENDING).update(
        status=HandoverStatus.DECLINED, responded_at=case.closed_at
    )
    _event(
        case, EventKind.STATUS, actor, detail={"from": before, "to": case.status, "reason": reason}
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["status"]},
    )
    return case


# --- lead agency: hand-over ------------------------------------------------------------


@transaction.atomic
def handover_request(*, actor: Staff, case: Case, to_agency: Agency, note: str = "") -> Handover:
    """Ask another agency to take the lead. The lead changes only when it accepts."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    if case.lead_agency_id != actor.agency_id and actor.role != Role.COORDINATOR:
        raise ValidationError(
            _("Only the lead agency or coordination hands a case over."), code="not_lead"
        )
    if to_agency.pk == case.lead_agency_id:
        raise ValidationError(_("This agency already leads the case."), code="already_lead")
    if not to_agency.is_active:
        raise ValidationError(_("This agency is no longer active."), code="agency_inactive")
    if case.handovers.filter(status=HandoverStatus.PENDING).exists():
        raise ValidationError(
            _("A hand-over of this case is already waiting for an answer."),
            code="handover_pending",
        )
    assert case.lead_agency is not None
    handover = Handover.objects.create(
        case=case,
        from_agency=case.lead_agency,
        to_agency=to_agency,
        requested_by=actor,
        requested_at=_now(),
        note=note,
    )
    # The receiving agency joins the team only when it accepts (``_set_lead``); until then
    # the pending hand-over lets it read the case (``privacy.cases``).
    _event(case, EventKind.HANDOVER_REQUESTED, actor, handover=handover)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.HANDOVER,
        object_id=handover.public_id,
    )
    return handover


def _handover_answer(actor: Staff, handover: Handover, accept: bool, note: str) -> Handover:
    handover = Handover.objects.select_for_update().select_related("case").get(pk=handover.pk)
    case = _lock(handover.case)
    if handover.to_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    if handover.status != HandoverStatus.PENDING:
        raise ValidationError(_("This hand-over was already answered."), code="handover_answered")
    handover.status = HandoverStatus.ACCEPTED if accept else HandoverStatus.DECLINED
    handover.responded_by = actor
    handover.responded_at = _now()
    handover.response_note = note
    handover.save()
    if accept:
        _require_open(case)
        _set_lead(case, handover.to_agency, handover.responded_at)
    kind = EventKind.HANDOVER_ACCEPTED if accept else EventKind.HANDOVER_DECLINED
    _event(case, kind, actor, handover=handover)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.CASE_TEAM,
        object_type=ObjectType.HANDOVER,
        object_id=handover.public_id,
        detail={"status": handover.status},
    )
    return handover


@transaction.atomic
def handover_accept(*, actor: Staff, handover: Handover, note: str = "") -> Handover:
    """The receiving agency takes the lead; the previous lead stays on the team."""
    return _handover_answer(actor, handover, True, note)


@transaction.atomic
def handover_decline(*, actor: Staff, handover: Handover, note: str) -> Handover:
    """The receiving agency declines; the lead stays where it was."""
    if not note.strip():
        raise ValidationError(_("Say why you decline."), code="reason_required")
    return _handover_answer(actor, handover, False, note)


@transaction.atomic
def team_member_remove(*, actor: Staff, case: Case, agency: Agency) -> None:
    """Take an agency off the team. The lead agency cannot leave: hand the case over first."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    if agency.pk == case.lead_agency_id:
        raise ValidationError(
            _("The lead agency cannot leave the case. Hand the case over first."),
            code="last_lead",
        )
    if case.lead_agency_id != actor.agency_id and actor.agency_id != agency.pk:
        raise PermissionDenied
    updated = case.team.filter(agency=agency, left_at__isnull=True).update(left_at=_now())
    if updated:
        _event(case, EventKind.TEAM, actor, detail={"left": agency.name})
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            legal_basis=basis,
            object_type=ObjectType.CASE,
            object_id=case.public_id,
            detail={"fields": ["team"]},
        )


# --- referrals (つなぎ) -----------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    actor: Staff,
    case: Case,
    to_agency: Agency,
    reason: str,
    request: str,
    consultation: object | None = None,
    requested_at: datetime.datetime | None = None,
) -> Referral:
    """つなぎ: ask another agency to take part. It waits in that agency's inbox until answered."""
    # Re-read under the lock: the caller's copy may predate a closing, and two referrals to
    # the same agency must not both pass the duplicate check.
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    assert actor.agency is not None
    if basis == LegalBasis.REFERRAL:
        # An agency still deciding on a referral answers it; passing the household on
        # without taking it is the たらい回し this program exists to end.
        raise ValidationError(
            _("Accept the referral to your agency before referring the household on."),
            code="not_on_team",
        )
    if to_agency.pk == actor.agency_id:
        raise ValidationError(_("You cannot refer to your own agency."), code="referral_to_self")
    if not to_agency.is_active:
        raise ValidationError(_("This agency is no longer active."), code="agency_inactive")
    if not reason.strip() or not request.strip():
        raise ValidationError(
            _("Write the reason and what you ask of the other agency."), code="reason_required"
        )
    if case.referrals.filter(
        to_agency=to_agency, status__in=[ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED]
    ).exists():
        raise ValidationError(
            _("This agency already has an open referral for this case."),
            code="referral_duplicate",
        )
    at = requested_at or _now()
    referral = build_referral(
        case=case,
        actor=actor,
        to_agency=to_agency,
        reason=reason,
        request=request,
        requested_at=at,
        consultation=consultation,
    )
    referral.full_clean()
    referral.save()
    _event(case, EventKind.REFERRAL_REQUESTED, actor, at=at, referral=referral)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.REFERRAL,
        object_id=referral.public_id,
    )
    return referral


def _referral_for_update(referral: Referral) -> Referral:
    # Lock the referral row only: PostgreSQL refuses FOR UPDATE on the outer join that the
    # nullable ``responded_by`` brings in.
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "to_agency", "from_agency", "responded_by")
        .get(pk=referral.pk)
    )


def _answered_message(referral: Referral) -> ValidationError:
    who = str(referral.responded_by) if referral.responded_by else ""
    if referral.status == ReferralStatus.ACCEPTED:
        message = _("This referral was already accepted by %(who)s.") % {"who": who}
    elif referral.status == ReferralStatus.DECLINED:
        message = _("This referral was already declined by %(who)s.") % {"who": who}
    else:
        message = _("This referral is already completed.")
    return ValidationError(message, code="referral_answered")


@transaction.atomic
def referral_accept(*, actor: Staff, referral: Referral) -> Referral:
    """受理: the receiving agency joins the case team. The first to answer wins."""
    referral = _referral_for_update(referral)
    if referral.to_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    # A conditional update, so that two staff answering at the same moment cannot both win
    # even where the database ignores row locks (SQLite serialises writers instead).
    at = _now()
    won = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.REQUESTED).update(
        **referral_answer(actor=actor, at=at, accepted=True), updated_at=at
    )
    if not won:
        referral.refresh_from_db()
        raise _answered_message(referral)
    referral.refresh_from_db()
    _team_join(referral.case, referral.to_agency, TeamRole.MEMBER, at)
    _event(referral.case, EventKind.REFERRAL_ACCEPTED, actor, at=at, referral=referral)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.REFERRAL,
        object_type=ObjectType.REFERRAL,
        object_id=referral.public_id,
        detail={"status": referral.status},
    )
    return referral


@transaction.atomic
def referral_decline(*, actor: Staff, referral: Referral, reason: str, note: str = "") -> Referral:
    """辞退 with a reason: the referral goes back to the sender, who must acknowledge it."""
    if reason not in DeclineReason.values:
        raise ValidationError(_("Choose why you decline."), code="reason_required")
    if reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError(
            _("Write the reason when you choose “other”."), code="reason_required"
        )
    referral = _referral_for_update(referral)
    if referral.to_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    at = _now()
    won = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.REQUESTED).update(
        **referral_answer(
            actor=actor, at=at, accepted=False, decline_reason=reason, decline_note=note
        ),
        updated_at=at,
    )
    if not won:
        referral.refresh_from_db()
        raise _answered_message(referral)
    referral.refresh_from_db()
    _event(referral.case, EventKind.REFERRAL_DECLINED, actor, at=at, referral=referral)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.REFERRAL,
        object_type=ObjectType.REFERRAL,
        object_id=referral.public_id,
        detail={"status": referral.status},
    )
    return referral


@transaction.atomic
def referral_decline_acknowledge(*, actor: Staff, referral: Referral) -> Referral:
    """The sender has seen the declined referral; it leaves the sender's inbox."""
    referral = _referral_for_update(referral)
    if referral.from_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    if referral.status != ReferralStatus.DECLINED:
        raise ValidationError(_("This referral was not declined."), code="not_declined")
    if referral.decline_seen_at is None:
        referral.decline_seen_at = _now()
        referral.save(update_fields=["decline_seen_at", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            legal_basis=LegalBasis.CASE_TEAM,
            object_type=ObjectType.REFERRAL,
            object_id=referral.public_id,
            detail={"fields": ["decline_seen_at"]},
        )
    return referral


@transaction.atomic
def referral_complete(*, actor: Staff, referral: Referral, outcome: str) -> Referral:
    """完了 with an outcome, by the agency that accepted it."""
    if not outcome.strip():
        raise ValidationError(_("Write the outcome of the referral."), code="outcome_required")
    referral = _referral_for_update(referral)
    if referral.to_agency_id != actor.agency_id or not actor.works_cases:
        raise PermissionDenied
    if referral.status != ReferralStatus.ACCEPTED:
        if referral.status == ReferralStatus.REQUESTED:
            raise ValidationError(
                _("Accept the referral before completing it."), code="not_accepted"
            )
        raise _answered_message(referral)
    complete_referral(referral, at=_now(), outcome=outcome)
    referral.save(update_fields=["status", "completed_at", "outcome", "updated_at"])
    _event(referral.case, EventKind.REFERRAL_COMPLETED, actor, referral=referral)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.CASE_TEAM,
        object_type=ObjectType.REFERRAL,
        object_id=referral.public_id,
        detail={"status": referral.status},
    )
    return referral


@transaction.atomic
def referrals_escalate(*, now: datetime.datetime | None = None) -> int:
    """Mark unanswered referrals past their due time as escalated to coordination.

    Idempotent: a scheduled job runs it (``kasane escalate_referrals``); a referral is
    escalated once.
    """
    at = now or _now()
    overdue = list(
        Referral.objects.select_for_update()
        .filter(status=ReferralStatus.REQUESTED, due_at__lt=at, escalated_at__isnull=True)
        .select_related("case")
    )
    for referral in overdue:
        referral.escalated_at = at
        referral.save(update_fields=["escalated_at", "updated_at"])
        _event(referral.case, EventKind.REFERRAL_ESCALATED, None, at=at, referral=referral)
        audit.record(
            actor=None,
            action=AuditAction.UPDATE,
            legal_basis=LegalBasis.SYSTEM,
            object_type=ObjectType.REFERRAL,
            object_id=referral.public_id,
            detail={"fields": ["escalated_at"]},
        )
    return len(overdue)


# --- coordination (多機関協働) -------------------------------------------------------------


@transaction.atomic
def case_send_to_coordination(*, actor: Staff, case: Case, reason: str) -> Case:
    """Ask the municipal coordinator to take the case up; the lead stays where it is."""
    case = _lock(case)
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    if not reason.strip():
        raise ValidationError(
            _("Say why the case needs multi-agency coordination."), code="reason_required"
        )
    if case.sent_to_coordination_at is not None:
        raise ValidationError(
            _("This case is already with coordination."), code="already_in_coordination"
        )
    send_to_coordination(case, at=_now(), reason=reason)
    case.row_version += 1
    case.save(
        update_fields=[
            "sent_to_coordination_at",
            "coordination_reason",
            "row_version",
            "updated_at",
        ]
    )
    _event(case, EventKind.COORDINATION, actor)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["coordination"]},
    )
    return case


def _require_coordinator(actor: Staff, case: Case) -> None:
    if actor.role != Role.COORDINATOR or not actor.is_active:
        raise PermissionDenied
    if case.sent_to_coordination_at is None:
        raise PermissionDenied


@transaction.atomic
def case_triage(
    *, actor: Staff, case: Case, triage: str, advice: str = "", row_version: int | None = None
) -> Case:
    """Triage A (meeting held) / B (meeting planned) / C (existing network, with advice).

    With ``row_version`` the save is a compare-and-set, as ``case_status_change``: two
    coordinators triaging from the same page cannot overwrite each other."""
    case = _lock(case)
    _require_coordinator(actor, case)
    _require_open(case)
    if triage not in Triage.values:
        raise ValidationError(_("Choose A, B or C."), code="bad_triage")
    if triage == Triage.C and not advice.strip():
        raise ValidationError(
            _("For C, write the advice given to the agencies."), code="advice_required"
        )
    at = _now()
    triage_case(case, triage=triage, advice=advice, at=at)
    case.row_version = compare_and_set(
        Case,
        pk=case.pk,
        expected=row_version,
        object_type="case",
        values={
            "triage": case.triage,
            "triage_advice": case.triage_advice,
            "triaged_at": case.triaged_at,
        },
    )
    assert actor.agency is not None
    _team_join(case, actor.agency, TeamRole.COORDINATION, at)
    _event(case, EventKind.TRIAGED, actor, detail={"triage": triage})
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.COORDINATION,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["triage"]},
    )
    return case


@transaction.atomic
def case_accept(*, actor: Staff, case: Case, at: datetime.datetime | None = None) -> Case:
    """支援決定: the municipality takes the case on (recorded by the coordinator)."""
    case = _lock(case)
    _require_coordinator(actor, case)
    _require_open(case)
    if case.accepted_at is not None:
        raise ValidationError(_("Support was already decided."), code="already_accepted")
    case.accepted_at = at or _now()
    case.row_version += 1
    case.save(update_fields=["accepted_at", "row_version", "updated_at"])
    _event(case, EventKind.ACCEPTED, actor, at=case.accepted_at)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.COORDINATION,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["accepted_at"]},
    )
    return case


@transaction.atomic
def case_name_lead(*, actor: Staff, case: Case, agency: Agency) -> Case:
    """Coordination hands the ball back by naming the lead agency (主担当) directly."""
    case = _lock(case)
    _require_coordinator(actor, case)
    _require_open(case)
    if not agency.is_active:
        raise ValidationError(_("This agency is no longer active."), code="agency_inactive")
    at = _now()
    case.handovers.filter(status=HandoverStatus.PENDING).update(
        status=HandoverStatus.DECLINED,
        responded_by=actor,
        responded_at=at,
        response_note=_("Coordination named the lead agency."),
    )
    _set_lead(case, agency, at)
    _event(case, EventKind.LEAD_NAMED, actor, at=at, detail={"agency": agency.name})
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.COORDINATION,
        object_type=ObjectType.CASE,
        object_id=case.public_id,
        detail={"fields": ["lead_agency"]},
    )
    return case


# --- notes (支援経過記録) ------------------------------------------------------------------


@transaction.atomic
def case_note_create(
    *,
    actor: Staff,
    case: Case,
    written_on: datetime.date,
    kind: str,
    text: str,
    visibility: str = NoteVisibility.TEAM,
) -> CaseNote:
    """Add to the progress record. An agency-only note is never shown outside the agency."""
    basis = _basis_or_denied(actor, case)
    _require_open(case)
    assert actor.agency is not None
    if kind not in NoteKind.values or visibility not in NoteVisibility.values:
        raise ValidationError(_("Choose the kind and who may see the note."), code="bad_choice")
    if written_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    note = build_note(
        case=case, actor=actor, written_on=written_on, kind=kind, text=text, visibility=visibility
    )
    note.full_clean()
    note.save()
    # A work event: no grant to refresh.
    note_event(note, now=_now(), today=timezone.localdate()).save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.CASE_NOTE,
        object_id=note.public_id,
    )
    return note
