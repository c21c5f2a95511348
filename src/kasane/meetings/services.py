"""Every change of a meeting: holding it, its attendees and their pledges, the cases on its
agenda, the minutes and the decisions.

The kind of meeting is the legal basis of what is shared in it (DESIGN.md): a 支援会議
(社会福祉法 §106-6) is held by the municipality, takes up any household without consent and
binds each attendee by a pledge recorded for that meeting; a 重層的支援会議 is held by
coordination and takes up only cases with 支援決定 and consent covering it. Each service
validates, saves and writes its audit event in one transaction; errors are
``ValidationError`` with a stable ``code``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, AgencyType, Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases import services as case_services
from kasane.cases.models import Case
from kasane.meetings.builders import (
    build_agenda_item,
    build_attendee,
    build_decision,
    build_meeting,
    build_pledge,
)
from kasane.meetings.models import (
    NAMED_CASE_KINDS,
    AgendaItem,
    Attendee,
    ConfidentialityPledge,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kasane.privacy import grants
from kasane.privacy.cases import case_scope, works_cases
from kasane.privacy.consent import consents_in_force
from kasane.privacy.models import ConsentPurpose

# Decisions only a 重層的支援会議 takes (DESIGN.md: it decides 支援決定, approves the plan,
# decides 終結). Closure of a case without 支援決定 is the lead agency's, outside meetings.
INTEGRATED_ONLY = frozenset(
    {DecisionKind.SUPPORT_DECISION, DecisionKind.PLAN_APPROVAL, DecisionKind.CLOSURE}
)
# Recorded only with the plan they approve or the closure they decide (kasane.plans).
PLAN_PAGES_ONLY = frozenset({DecisionKind.PLAN_APPROVAL, DecisionKind.CLOSURE})
# Meetings that see no names: only what concerns the area, never a household's work.
DEIDENTIFIED_DECISIONS = frozenset({DecisionKind.MISSING_RESOURCE, DecisionKind.NOTE})


def meeting_basis(kind: str) -> LegalBasis:
    """The basis on which the organiser handles what the meeting shares."""
    if kind == MeetingKind.SUPPORT_MEETING:
        return LegalBasis.SUPPORT_MEETING
    if kind == MeetingKind.INTEGRATED_MEETING:
        return LegalBasis.COORDINATION
    if kind in NAMED_CASE_KINDS:
        return LegalBasis.CASE_TEAM
    return LegalBasis.NONE


def _require_organizer(actor: Staff, meeting: Meeting) -> None:
    """Only the organising agency's case staff run a meeting; others learn nothing (404)."""
    if not works_cases(actor) or actor.agency_id != meeting.organizer_id:
        raise PermissionDenied
    if meeting.kind == MeetingKind.INTEGRATED_MEETING and actor.role != Role.COORDINATOR:
        raise PermissionDenied


def _require_not_cancelled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code="meeting_cancelled")


def _refresh_grants(meeting: Meeting) -> None:
    """A 支援会議's attendance, pledges, agenda or status grant or end access to its cases."""
    if meeting.kind != MeetingKind.SUPPORT_MEETING:
        return
    households = Case.objects.filter(agenda_items__meeting=meeting).values_list(
        "household_id", flat=True
    )
    grants.refresh(households=list(households))


@transaction.atomic
def meeting_create(
    *,
    actor: Staff,
    kind: str,
    held_at: datetime.datetime,
    place: str = "",
    online: bool = False,
    title: str = "",
) -> Meeting:
    """Hold a meeting, organised by the actor's agency and chaired by the actor.

    A 支援会議 is held by the municipality (an agency of type municipality); a 重層的支援会議
    by coordination (a coordinator). The chair is the first attendee.
    """
    if not works_cases(actor):
        raise PermissionDenied
    agency = actor.agency
    assert agency is not None
    if kind not in MeetingKind.values:
        raise ValidationError(_("Choose the kind of meeting."), code="bad_kind")
    if kind == MeetingKind.SUPPORT_MEETING and agency.agency_type != AgencyType.MUNICIPALITY:
        raise ValidationError(
            _("A support meeting (art. 106-6) is held by the municipality."),
            code="support_meeting_by_municipality",
        )
    if kind == MeetingKind.INTEGRATED_MEETING and actor.role != Role.COORDINATOR:
        raise ValidationError(
            _("An integrated support meeting is held by multi-agency coordination."),
            code="integrated_meeting_by_coordination",
        )
    if not place.strip() and not online:
        raise ValidationError(
            {
                "place": ValidationError(
                    _("Write the place, or mark the meeting as online."), code="place_required"
                )
            }
        )
    meeting = build_meeting(
        actor=actor, kind=kind, held_at=held_at, place=place, online=online, title=title
    )
    meeting.full_clean()
    meeting.save()
    build_attendee(meeting=meeting, agency=agency, staff=actor).save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.MEETING,
        object_id=meeting.public_id,
        detail={"kind": kind},
    )
    return meeting


@transaction.atomic
def meeting_status_change(*, actor: Staff, meeting: Meeting, status: str) -> Meeting:
    """Mark a meeting held or cancelled (the organiser)."""
    _require_organizer(actor, meeting)
    if status not in MeetingStatus.values:
        raise ValidationError(_("Choose the status."), code="bad_status")
    meeting.status = status
    meeting.save(update_fields=["status", "updated_at"])
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.MEETING,
        object_id=meeting.public_id,
        detail={"fields": ["status"]},
    )
    return meeting


@transaction.atomic
def attendee_add(
    *, actor: Staff, meeting: Meeting, agency: Agency, staff: Staff | None = None
) -> Attendee:
    """Invite an agency (and, if named, its staff member) to the meeting."""
    _require_organizer(actor, meeting)
    _require_not_cancelled(meeting)
    if not agency.is_active:
        raise ValidationError(_("This agency is no longer active."), code="agency_inactive")
    if staff is not None and staff.agency_id != agency.pk:
        raise ValidationError(
            {
                "staff": ValidationError(
                    _("This staff member does not work at that agency."), code="staff_not_of_agency"
                )
            }
        )
    if meeting.attendees.filter(agency=agency, staff=staff).exists():
        raise ValidationError(_("This attendee is already on the list."), code="attendee_duplicate")
    try:
        with transaction.atomic():
            attendee = build_attendee(meeting=meeting, agency=agency, staff=staff)
            attendee.save()
    except IntegrityError as exc:  # two organisers adding the same attendee at once
        raise ValidationError(
            _("This attendee is already on the list."), code="attendee_duplicate"
        ) from exc
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.OWN_AGENCY,
        object_type=ObjectType.MEETING_ATTENDEE,
        object_id=attendee.public_id,
        detail={"meeting": str(meeting.public_id)},
    )
    return attendee


@transaction.atomic
def pledge_record(
    *, actor: Staff, attendee: Attendee, at: datetime.datetime | None = None
) -> ConfidentialityPledge:
    """守秘義務の誓約: an attendee's pledge for this 支援会議 (§106-6 (5)).

    Recorded by the organiser (a signed form) or by the attendee's own agency; only at a
    支援会議, whose confidentiality rests on it.
    """
    attendee = Attendee.objects.select_related("meeting").get(pk=attendee.pk)
    meeting = attendee.meeting
    is_organizer = works_cases(actor) and actor.agency_id == meeting.organizer_id
    is_own = (
        works_cases(actor)
        and actor.agency_id == attendee.agency_id
        and attendee.staff_id in (None, actor.pk)
    )
    if not (is_organizer or is_own):
        raise PermissionDenied
    if meeting.kind != MeetingKind.SUPPORT_MEETING:
        raise ValidationError(
            _(
                "A confidentiality pledge is recorded only for a support meeting (art. 106-6); "
                "at this meeting the basis of sharing is the person's consent."
            ),
            code="pledge_not_support_meeting",
        )
    _require_not_cancelled(meeting)
    if ConfidentialityPledge.objects.filter(attendee=attendee).exists():
        raise ValidationError(
            _("This attendee's pledge is already recorded."), code="pledge_duplicate"
        )
    pledge = build_pledge(attendee=attendee, pledged_at=at or timezone.now(), actor=actor)
    pledge.save()
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.SUPPORT_MEETING,
        object_type=ObjectType.MEETING_PLEDGE,
        object_id=attendee.public_id,
        detail={"meeting": str(meeting.public_id)},
    )
    return pledge


def _consent_for_integrated_meeting(case: Case) -> bool:
    """A consent in force of a current household member that covers the 重層的支援会議."""
    consents = consents_in_force().filter(
        person__memberships__household_id=case.household_id,
        person__memberships__ended_on__isnull=True,
    )
    # Purposes are a JSON list; SQLite cannot search inside one, so test it here.
    return any(
        ConsentPurpose.INTEGRATED_MEETING in (c.purposes or []) for c in consents.only("purposes")
    )


def _members(meeting: Meeting, members: Iterable[Attendee]) -> list[Attendee]:
    chosen = list(members)
    if any(m.meeting_id != meeting.pk for m in chosen):
        raise ValidationError(
            {
                "members": ValidationError(
                    _("Choose the members among this meeting's attendees."),
                    code="member_not_attendee",
                )
            }
        )
    return chosen


@transaction.atomic
def agenda_add(
    *,
    actor: Staff,
    meeting: Meeting,
    case: Case,
    members: Iterable[Attendee] = (),
    deidentified_summary: str = "",
    to_decide_support: bool = False,
) -> AgendaItem:
    """Take a case up at the meeting.

    A 支援会議 may take up any case the organiser knows of, also before 支援決定. A
    重層的支援会議 takes up only cases with 支援決定 — or a case brought to decide it
    (``to_decide_support``) — and always needs a consent in force covering the 重層的支援会議
    from at least one current member of the household. At a 支援会議 the chair names the
    attendees who take part for this case (``members``); nobody else reads its minutes.
    """
    _require_organizer(actor, meeting)
    _require_not_cancelled(meeting)
    scope = case_scope(actor)
    if scope is None or not Case.objects.filter(scope, pk=case.pk).exists():
        raise PermissionDenied
    case = Case.objects.get(pk=case.pk)  # the caller's copy may predate 支援決定 or closing
    if not case.is_open:
        raise ValidationError(_("This case is closed."), code="case_closed")
    if meeting.kind == MeetingKind.INTEGRATED_MEETING:
        if case.accepted_at is None and not to_decide_support:
            raise ValidationError(
                _(
                    "An integrated support meeting takes up only cases with a support decision. "
                    "Record the support decision first, or bring the case to decide it; a "
                    "support meeting (art. 106-6) may discuss it before that."
                ),
                code="not_accepted",
            )
        if not _consent_for_integrated_meeting(case):
            raise ValidationError(
                _(
                    "No member of this household has a consent in force that covers the "
                    "integrated support meeting. Obtain and record the consent first, or "
                    "discuss the case at a support meeting (art. 106-6), which needs none."
                ),
                code="no_consent",
            )
    chosen = _members(meeting, members)
    if chosen and actor.pk != meeting.chair_id:
        raise ValidationError(_("Only the chair names the members for a case."), code="not_chair")
    if meeting.agenda.filter(case=case).exists():
        raise ValidationError(
            _("This case is already on the agenda of this meeting."), code="agenda_duplicate"
        )
    item = build_agenda_item(meeting=meeting, case=case, deidentified_summary=deidentified_summary)
    item.full_clean()
    item.save()
    if chosen:
        item.members.set(chosen)
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=meeting_basis(meeting.kind),
        object_type=ObjectType.AGENDA_ITEM,
        object_id=item.public_id,
        detail={
            "meeting": str(meeting.public_id),
            "case": str(case.public_id),
            "to_decide_support": to_decide_support,
        },
    )
    return item


@transaction.atomic
def agenda_members_set(
    *, actor: Staff, item: AgendaItem, members: Iterable[Attendee]
) -> AgendaItem:
    """The chair names (or changes) the attendees who take part for this case."""
    meeting = item.meeting
    _require_organizer(actor, meeting)
    if actor.pk != meeting.chair_id:
        raise ValidationError(_("Only the chair names the members for a case."), code="not_chair")
    item.members.set(_members(meeting, members))
    _refresh_grants(meeting)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=meeting_basis(meeting.kind),
        object_type=ObjectType.AGENDA_ITEM,
        object_id=item.public_id,
        detail={"fields": ["members"]},
    )
    return item


def _require_may_write_item(actor: Staff, item: AgendaItem) -> LegalBasis:
    """The organiser writes the minutes, and only of an item it may itself read."""
    from kasane.meetings.selectors import item_basis

    _require_organizer(actor, item.meeting)
    basis = item_basis(actor, item)
    if basis is None:
        raise PermissionDenied
    return basis


@transaction.atomic
def minutes_record(
    *, actor: Staff, item: AgendaItem, minutes: str, deidentified_summary: str | None = None
) -> AgendaItem:
    """議事録 per case: what was discussed, kept closed to everyone who did not attend."""
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    basis = _require_may_write_item(actor, item)
    fields = ["minutes", "updated_at"]
    if item.meeting.kind not in NAMED_CASE_KINDS:
        # A meeting without names keeps only the de-identified summary of what it discussed.
        item.deidentified_summary = minutes.strip()
        fields = ["deidentified_summary", "updated_at"]
    else:
        item.minutes = minutes.strip()
    if deidentified_summary is not None and item.meeting.kind in NAMED_CASE_KINDS:
        item.deidentified_summary = deidentified_summary.strip()
        fields.append("deidentified_summary")
    item.full_clean()
    item.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=basis,
        object_type=ObjectType.AGENDA_ITEM,
        object_id=item.public_id,
        detail={"fields": [f for f in fields if f != "updated_at"]},
    )
    return item


@transaction.atomic
def decision_add(
    *,
    actor: Staff,
    item: AgendaItem,
    kind: str,
    text: str = "",
    owner: Agency | None = None,
    due_on: datetime.date | None = None,
    next_review_on: datetime.date | None = None,
    from_plans: bool = False,
) -> Decision:
    """A decision that creates work.

    Plan approval and closure are recorded by ``kasane.plans.services`` (``from_plans``),
    which approve the plan or close the case with it: a bare decision would do neither.

    - 支援決定 (support_decision), plan approval and closure only at a 重層的支援会議; the
      support decision records 支援決定 on the case (``case_accept``).
    - An action needs an owner agency on the case's team and a due date.
    - A review needs the date of the next review; a missing resource, its description.
    - A meeting without names (地域ケア会議, 定例会議) decides only about resources and notes.
    """
    item = AgendaItem.objects.select_related("meeting", "case").get(pk=item.pk)
    meeting = item.meeting
    basis = _require_may_write_item(actor, item)
    _require_not_cancelled(meeting)
    text = text.strip()
    if kind not in DecisionKind.values:
        raise ValidationError(_("Choose the kind of decision."), code="bad_kind")
    if kind in PLAN_PAGES_ONLY and not from_plans:
        raise ValidationError(
            _(
                "Approve the plan on the case's plan page, and decide the closure on its "
                "closure page, choosing this meeting: they record the decision here."
            ),
            code="use_plan_pages",
        )
    if kind in INTEGRATED_ONLY and meeting.kind != MeetingKind.INTEGRATED_MEETING:
        raise ValidationError(
            _("This decision is taken only at an integrated support meeting."),
            code="decision_needs_integrated_meeting",
        )
    if meeting.kind not in NAMED_CASE_KINDS and kind not in DEIDENTIFIED_DECISIONS:
        raise ValidationError(
            _("A meeting that sees no names records only missing resources and notes."),
            code="decision_needs_named_meeting",
        )
    if kind == DecisionKind.ACTION:
        if owner is None:
            raise ValidationError(
                {
                    "owner": ValidationError(
                        _("Name the agency that carries out the action."), code="owner_required"
                    )
                }
            )
        if not item.case.team.filter(agency=owner, left_at__isnull=True).exists():
            # Not a field error: programs read the code at the top of the API's answer.
            raise ValidationError(
                _(
                    "%(agency)s is not on this case's support team. Refer the household "
                    "to it first, or give the action to an agency on the team."
                )
                % {"agency": owner.name},
                code="owner_not_on_team",
            )
        if due_on is None:
            raise ValidationError(
                {
                    "due_on": ValidationError(
                        _("Give the date the action is due."), code="due_required"
                    )
                }
            )
    if kind == DecisionKind.REVIEW:
        if next_review_on is None:
            raise ValidationError(
                {
                    "next_review_on": ValidationError(
                        _("Give the date of the next review."), code="review_date_required"
                    )
                }
            )
        if next_review_on < timezone.localtime(meeting.held_at).date():
            raise ValidationError(
                {
                    "next_review_on": ValidationError(
                        _("The next review cannot be before the meeting."), code="review_in_past"
                    )
                }
            )
    if kind == DecisionKind.SUPPORT_DECISION:
        text = text or str(DecisionKind.SUPPORT_DECISION.label)
        case_services.case_accept(actor=actor, case=item.case, at=meeting.held_at)
    if not text:
        raise ValidationError(
            {"text": ValidationError(_("Write the decision."), code="text_required")}
        )
    decision = build_decision(
        item=item,
        kind=kind,
        text=text,
        owner=owner,
        due_on=due_on,
        next_review_on=next_review_on,
    )
    decision.full_clean()
    decision.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=basis,
        object_type=ObjectType.MEETING_DECISION,
        object_id=decision.public_id,
        detail={"item": str(item.public_id), "kind": kind},
    )
    return decision
