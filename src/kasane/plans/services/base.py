"""What every service of the plans app shares: the case lock and the
checks of who writes."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit.models import LegalBasis
from kasane.cases import services as case_services
from kasane.cases.models import Case, CaseStatus
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.meetings.models import AgendaItem, MeetingKind, MeetingStatus
from kasane.plans.error_codes import ErrorCode
from kasane.plans.selectors import is_plan_writer
from kasane.privacy.cases import case_scope, require_case_details

NOTIFY_CLOSED_BY_LEAD = "case_closed_by_lead"


def _today() -> datetime.date:
    # The demo loader sets the clock the case services read; follow it.
    return timezone.localdate(case_services._now())


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("household").get(pk=case.pk)


def _require_writer(actor: Staff, case: Case) -> LegalBasis:
    """The basis on which the actor writes this case's plan, or an error: outsiders learn
    nothing (PermissionDenied), a team agency without a basis gets ``NoDetailBasis``."""
    scope = case_scope(actor)
    if scope is None or not Case.objects.filter(scope, pk=case.pk).exists():
        raise PermissionDenied
    basis = require_case_details(actor, case)
    if not is_plan_writer(actor, case):
        raise PermissionDenied
    return basis


def _advance(case: Case, status: CaseStatus) -> None:
    """Move the case forward in the cycle (受付 → アセスメント → プラン作成 → 支援中), never back:
    a case already further on, watching over or closed keeps its status."""
    order = [CaseStatus.RECEIVED, CaseStatus.ASSESSMENT, CaseStatus.PLANNING, CaseStatus.IN_SUPPORT]
    earlier = order[: order.index(status)]
    if Case.objects.filter(pk=case.pk, status__in=earlier).update(
        status=status, row_version=F("row_version") + 1
    ):
        case.status = status
        case.refresh_from_db(fields=["row_version"])


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed."), code=CoreCode.CASE_CLOSED)


def _not_future(day: datetime.date, field: str) -> None:
    if day > _today():
        raise ValidationError(
            {field: ValidationError(_("The date cannot be in the future."), code=CoreCode.FUTURE)}
        )


def _integrated_item_for(
    item: AgendaItem, case: Case, *, wrong_kind: ErrorCode, other_case: ErrorCode
) -> AgendaItem:
    """The agenda item, if it is a 重層的支援会議 (not cancelled) that took up this case.

    ``wrong_kind`` and ``other_case`` are the codes of the decision's two refusals.
    """
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    if item.meeting.kind != MeetingKind.INTEGRATED_MEETING:
        raise ValidationError(
            _(
                "This is decided at an integrated support meeting; the meeting you chose is "
                "of another kind."
            ),
            code=wrong_kind,
        )
    if item.case_id != case.pk:
        raise ValidationError(
            _(
                "The meeting you chose did not take up this case. Choose the integrated "
                "support meeting that discussed it, or put the case on its agenda first."
            ),
            code=other_case,
        )
    if item.meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code=CoreCode.MEETING_CANCELLED)
    return item


def _require_organizer(actor: Staff, item: AgendaItem) -> None:
    if actor.agency_id != item.meeting.organizer_id:
        raise ValidationError(
            _("The decision is recorded by the agency that held the meeting."),
            code=ErrorCode.NOT_ORGANIZER,
        )
