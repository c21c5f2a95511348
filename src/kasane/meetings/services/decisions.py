"""The decisions a meeting takes on a case, and which meeting may take which."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Agency, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, ObjectType
from kasane.cases import services as case_services
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings.builders import build_decision
from kasane.meetings.error_codes import ErrorCode
from kasane.meetings.models import (
    NAMED_CASE_KINDS,
    AgendaItem,
    Decision,
    DecisionKind,
    Meeting,
    MeetingKind,
)
from kasane.meetings.services.agenda import _require_may_write_item
from kasane.meetings.services.base import _require_not_cancelled

# Decisions only a 重層的支援会議 takes (DESIGN.md: it decides 支援決定, approves the plan,
# decides 終結). Closure of a case without 支援決定 is the lead agency's, outside meetings.
INTEGRATED_ONLY = frozenset(
    {DecisionKind.SUPPORT_DECISION, DecisionKind.PLAN_APPROVAL, DecisionKind.CLOSURE}
)


# Recorded only with the plan they approve or the closure they decide (kasane.plans).
PLAN_PAGES_ONLY = frozenset({DecisionKind.PLAN_APPROVAL, DecisionKind.CLOSURE})


# Meetings that see no names: only what concerns the area, never a household's work.
DEIDENTIFIED_DECISIONS = frozenset({DecisionKind.MISSING_RESOURCE, DecisionKind.NOTE})


def _check_kind(meeting: Meeting, kind: str, *, from_plans: bool) -> None:
    """This kind of decision exists, is recorded here, and this meeting may take it."""
    if kind not in DecisionKind.values:
        raise ValidationError(_("Choose the kind of decision."), code=ErrorCode.BAD_KIND)
    if kind in PLAN_PAGES_ONLY and not from_plans:
        raise ValidationError(
            _(
                "Approve the plan on the case's plan page, and decide the closure on its "
                "closure page, choosing this meeting: they record the decision here."
            ),
            code=ErrorCode.USE_PLAN_PAGES,
        )
    if kind in INTEGRATED_ONLY and meeting.kind != MeetingKind.INTEGRATED_MEETING:
        raise ValidationError(
            _("This decision is taken only at an integrated support meeting."),
            code=ErrorCode.DECISION_NEEDS_INTEGRATED_MEETING,
        )
    if meeting.kind not in NAMED_CASE_KINDS and kind not in DEIDENTIFIED_DECISIONS:
        raise ValidationError(
            _("A meeting that sees no names records only missing resources and notes."),
            code=ErrorCode.DECISION_NEEDS_NAMED_MEETING,
        )


def _check_action(item: AgendaItem, owner: Agency | None, due_on: datetime.date | None) -> None:
    """An action has an owner agency on the case's team and a due date."""
    if owner is None:
        raise ValidationError(
            {
                "owner": ValidationError(
                    _("Name the agency that carries out the action."),
                    code=ErrorCode.OWNER_REQUIRED,
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
            code=ErrorCode.OWNER_NOT_ON_TEAM,
        )
    if due_on is None:
        raise ValidationError(
            {
                "due_on": ValidationError(
                    _("Give the date the action is due."), code=ErrorCode.DUE_REQUIRED
                )
            }
        )


def _check_review(meeting: Meeting, next_review_on: datetime.date | None) -> None:
    """A review names the date of the next review, not before the meeting."""
    if next_review_on is None:
        raise ValidationError(
            {
                "next_review_on": ValidationError(
                    _("Give the date of the next review."), code=CoreCode.REVIEW_DATE_REQUIRED
                )
            }
        )
    if next_review_on < timezone.localtime(meeting.held_at).date():
        raise ValidationError(
            {
                "next_review_on": ValidationError(
                    _("The next review cannot be before the meeting."),
                    code=CoreCode.REVIEW_IN_PAST,
                )
            }
        )


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
    _check_kind(meeting, kind, from_plans=from_plans)
    if kind == DecisionKind.ACTION:
        _check_action(item, owner, due_on)
    if kind == DecisionKind.REVIEW:
        _check_review(meeting, next_review_on)
    if kind == DecisionKind.SUPPORT_DECISION:
        text = text or str(DecisionKind.SUPPORT_DECISION.label)
        case_services.case_accept(actor=actor, case=item.case, at=meeting.held_at)
    if not text:
        raise ValidationError(
            {"text": ValidationError(_("Write the decision."), code=ErrorCode.TEXT_REQUIRED)}
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
