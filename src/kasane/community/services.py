"""Every change in the community app: registering a place, raising a 地域課題, recording its
discussions and actions, moving their status.

Only staff who work with households write here (``selectors.may_work_issues``). Each
service validates, saves and writes its audit event in one transaction; nothing here is
personal data, so the basis recorded is ``LegalBasis.NONE``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.community.error_codes import ErrorCode
from kasane.community.models import (
    ActionStatus,
    CommunityIssue,
    IssueAction,
    IssueDiscussion,
    IssueStatus,
    Place,
)
from kasane.community.selectors import LEVELS, fiscal_years_offered, may_work_issues
from kasane.core.error_codes import ErrorCode as CoreCode
from kasane.intake.models import NeedType
from kasane.registry.models import Area, AreaKind


def _require_writer(actor: Staff) -> None:
    if not may_work_issues(actor):
        raise PermissionDenied


def _not_in_future(value: datetime.date | None, name: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(
            {
                name: ValidationError(
                    _("The date cannot be in the future."), code=CoreCode.FUTURE_DATE
                )
            }
        )


@transaction.atomic
def place_create(
    *,
    actor: Staff,
    name: str,
    kind: str,
    area: Area,
    organizer: str,
    organizer_type: str,
    frequency: str,
    venue: str = "",
    schedule: str = "",
    audience: str = "",
    contact: str = "",
    started_on: datetime.date | None = None,
    note: str = "",
) -> Place:
    """Register a place or activity in a 中学校区 or 町丁目, on behalf of the actor's agency.

    A name is unique within its area, so the same サロン is not registered twice.
    """
    _require_writer(actor)
    if area.kind not in (AreaKind.SCHOOL_DISTRICT, AreaKind.BLOCK):
        raise ValidationError(
            {
                "area": ValidationError(
                    _("Choose the junior high school district or the town block."),
                    code=ErrorCode.AREA_TOO_LARGE,
                )
            }
        )
    _not_in_future(started_on, "started_on")
    if Place.objects.filter(area=area, name=name.strip()).exists():
        raise ValidationError(
            {
                "name": ValidationError(
                    _("A place of this name is already registered in this area."),
                    code=ErrorCode.DUPLICATE_PLACE,
                )
            }
        )
    assert actor.agency is not None
    place = Place(
        name=name.strip(),
        kind=kind,
        area=area,
        organizer=organizer.strip(),
        organizer_type=organizer_type,
        frequency=frequency,
        venue=venue.strip(),
        schedule=schedule.strip(),
        audience=audience.strip(),
        contact=contact.strip(),
        started_on=started_on,
        note=note.strip(),
        registered_by_agency=actor.agency,
    )
    place.full_clean()
    place.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.COMMUNITY_PLACE,
        object_id=place.public_id,
        detail={"kind": kind},
    )
    return place


@transaction.atomic
def place_end(*, actor: Staff, place: Place, ended_on: datetime.date) -> Place:
    """Record that a place has stopped meeting; it stays in the registry for past 年度."""
    _require_writer(actor)
    _not_in_future(ended_on, "ended_on")
    if place.started_on is not None and ended_on < place.started_on:
        raise ValidationError(
            {
                "ended_on": ValidationError(
                    _("A place cannot end before it started."), code=ErrorCode.ENDS_BEFORE_START
                )
            }
        )
    place.ended_on = ended_on
    place.full_clean()
    place.save(update_fields=["ended_on", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.COMMUNITY_PLACE,
        object_id=place.public_id,
        detail={"ended_on": str(ended_on)},
    )
    return place


@transaction.atomic
def issue_create(
    *,
    actor: Staff,
    area: Area,
    fiscal_year: int,
    title: str,
    description: str,
    need_types: Iterable[NeedType] = (),
    raised_on: datetime.date | None = None,
) -> CommunityIssue:
    """Raise a 地域課題 for a 圏域 or 中学校区 and a 年度 the pages offer."""
    _require_writer(actor)
    assert actor.agency is not None
    if area.kind not in LEVELS:
        raise ValidationError(
            {
                "area": ValidationError(
                    _("Choose a daily-life sphere or a junior high school district."),
                    code=ErrorCode.AREA_LEVEL,
                )
            }
        )
    if fiscal_year not in fiscal_years_offered():
        raise ValidationError(
            {
                "fiscal_year": ValidationError(
                    _("Choose one of the fiscal years offered."), code=ErrorCode.FISCAL_YEAR
                )
            }
        )
    raised_on = raised_on or timezone.localdate()
    _not_in_future(raised_on, "raised_on")
    issue = CommunityIssue(
        area=area,
        fiscal_year=fiscal_year,
        title=title.strip(),
        description=description.strip(),
        raised_on=raised_on,
        agency=actor.agency,
        raised_by=actor,
    )
    issue.full_clean()
    issue.save()
    needs = list(need_types)
    issue.need_types.set(needs)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.COMMUNITY_ISSUE,
        object_id=issue.public_id,
        detail={"fiscal_year": fiscal_year, "needs": [n.code for n in needs]},
    )
    return issue


@transaction.atomic
def issue_status_change(*, actor: Staff, issue: CommunityIssue, status: str) -> CommunityIssue:
    """Move a 地域課題 between under discussion, being worked on and resolved."""
    _require_writer(actor)
    if status not in IssueStatus.values:
        raise ValidationError(
            {"status": ValidationError(_("Choose a status."), code=CoreCode.STATUS)}
        )
    previous = issue.status
    issue.status = status
    issue.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.COMMUNITY_ISSUE,
        object_id=issue.public_id,
        detail={"status": [previous, status]},
    )
    return issue


@transaction.atomic
def discussion_add(
    *, actor: Staff, issue: CommunityIssue, held_on: datetime.date, forum: str, summary: str
) -> IssueDiscussion:
    """Record where and when the issue was discussed, and what was said (no names)."""
    _require_writer(actor)
    _not_in_future(held_on, "held_on")
    discussion = IssueDiscussion(
        issue=issue,
        held_on=held_on,
        forum=forum.strip(),
        summary=summary.strip(),
        recorded_by=actor,
    )
    discussion.full_clean()
    discussion.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.COMMUNITY_ISSUE_DISCUSSION,
        object_id=discussion.public_id,
    )
    return discussion


@transaction.atomic
def action_add(
    *,
    actor: Staff,
    issue: CommunityIssue,
    who: str,
    what: str,
    due_on: datetime.date | None = None,
) -> IssueAction:
    """Record an action on the issue: who does what, by when. A new action is planned, and
    an issue under discussion becomes one being worked on."""
    _require_writer(actor)
    action = IssueAction(
        issue=issue, who=who.strip(), what=what.strip(), due_on=due_on, recorded_by=actor
    )
    action.full_clean()
    action.save()
    if issue.status == IssueStatus.OPEN:
        issue.status = IssueStatus.IN_PROGRESS
        issue.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.COMMUNITY_ISSUE_ACTION,
        object_id=action.public_id,
    )
    return action


@transaction.atomic
def action_status_change(
    *, actor: Staff, action: IssueAction, status: str, done_on: datetime.date | None = None
) -> IssueAction:
    """Move an action along; a done action carries the day it was done (today by default)."""
    _require_writer(actor)
    if status not in ActionStatus.values:
        raise ValidationError(
            {"status": ValidationError(_("Choose a status."), code=CoreCode.STATUS)}
        )
    if status == ActionStatus.DONE:
        done_on = done_on or timezone.localdate()
        _not_in_future(done_on, "done_on")
    else:
        done_on = None
    action.status = status
    action.done_on = done_on
    action.full_clean()
    action.save(update_fields=["status", "done_on", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.NONE,
        object_type=ObjectType.COMMUNITY_ISSUE_ACTION,
        object_id=action.public_id,
        detail={"status": status},
    )
    return action
