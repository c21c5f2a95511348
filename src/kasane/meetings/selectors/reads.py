"""The meeting list, a meeting's page, an agenda item, a case's meetings; audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404

from kasane.accounts.models import Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.cases.models import Case
from kasane.meetings.models import (
    AgendaItem,
    Attendee,
    Meeting,
    MeetingKind,
)
from kasane.meetings.selectors.access import (
    ItemAccess,
    _attendees,
    _items,
    access_for_items,
    has_pledge,
    meeting_scope,
    mine,
    visible_meetings,
)
from kasane.privacy.cases import works_cases

LIST_PAGE_SIZE = 50


# --- lists -----------------------------------------------------------------------------


@transaction.atomic
def meeting_list_for_user(actor: Staff, page: int = 1) -> Page[Meeting]:
    """Meetings the actor's agency holds or attends, newest first. No case is named here."""
    meetings = (
        visible_meetings(actor)
        .select_related("organizer", "chair")
        .annotate(cases=Count("agenda", distinct=True))
        .order_by("-held_at", "-id")
    )
    result: Page[Any] = Paginator(meetings, LIST_PAGE_SIZE).get_page(page)
    if result.object_list:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.NONE,
            object_type=ObjectType.MEETING_LIST,
            object_id="",
            detail={"meetings": [str(m.public_id) for m in result.object_list]},
        )
    return result


@dataclass
class ItemView:
    item: AgendaItem
    access: ItemAccess

    @property
    def case(self) -> Case:
        return self.item.case


@dataclass
class MeetingDetail:
    meeting: Meeting
    attendees: list[Attendee]
    items: list[ItemView]
    is_organizer: bool
    is_chair: bool
    my_rows: list[Attendee] = field(default_factory=list)

    @property
    def hidden_items(self) -> int:
        return sum(1 for v in self.items if not v.access.readable)

    @property
    def readable_items(self) -> list[ItemView]:
        return [v for v in self.items if v.access.readable]

    @property
    def needs_pledge(self) -> bool:
        return self.meeting.kind == MeetingKind.SUPPORT_MEETING and not any(
            has_pledge(a) for a in self.my_rows
        )


def _get_meeting(actor: Staff, public_id: UUID | str) -> Meeting:
    try:
        return (
            visible_meetings(actor)
            .select_related("organizer", "chair")
            .prefetch_related(_attendees())
            .get(public_id=public_id)
        )
    except (Meeting.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def get_meeting_for_user(actor: Staff, public_id: UUID | str) -> Meeting:
    """A meeting the actor's agency holds or attends (404 otherwise); the meeting itself
    carries no personal data, so this read is not audited — its cases are."""
    return _get_meeting(actor, public_id)


def _audit_items(
    actor: Staff, object_type: ObjectType, object_id: str, views: Iterable[ItemView]
) -> None:
    by_basis: dict[LegalBasis, list[str]] = defaultdict(list)
    for view in views:
        if view.access.basis is not None:
            by_basis[view.access.basis].append(str(view.item.case.public_id))
    if not by_basis:
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=LegalBasis.NONE,
            object_type=object_type,
            object_id=object_id,
            detail={"cases": []},
        )
    for basis, cases in by_basis.items():
        audit.record(
            actor=actor,
            action=AuditAction.VIEW,
            legal_basis=basis,
            object_type=object_type,
            object_id=object_id,
            detail={"cases": cases},
        )


@transaction.atomic
def meeting_detail_for_user(actor: Staff, public_id: UUID | str) -> MeetingDetail:
    """The meeting page: attendees and pledges, and of each case what the reader may see."""
    meeting = _get_meeting(actor, public_id)
    attendees = list(meeting.attendees.all())
    items = list(_items().filter(meeting=meeting).order_by("id"))
    for item in items:
        # Share the meeting already fetched, with its attendees, instead of one per item.
        item.meeting = meeting
    access = access_for_items(actor, items)
    views = [ItemView(item, access[item.pk]) for item in items]
    _audit_items(actor, ObjectType.MEETING, str(meeting.public_id), views)
    return MeetingDetail(
        meeting=meeting,
        attendees=attendees,
        items=views,
        is_organizer=works_cases(actor) and actor.agency_id == meeting.organizer_id,
        is_chair=actor.pk == meeting.chair_id,
        my_rows=mine(actor, attendees),
    )


@transaction.atomic
def item_for_user(actor: Staff, public_id: UUID | str) -> ItemView:
    """One agenda item whose content the actor may read — minutes, decisions, the print
    page. Anyone else (a non-attendee, an attendee of a 支援会議 without a pledge, a member
    not named for this case) gets 404. Not audited: a write through it is audited by the
    service, a page shown with it by ``record_item_view``."""
    scope = meeting_scope(actor)
    if scope is None:
        raise Http404
    try:
        item = _items().filter(meeting__in=Meeting.objects.filter(scope)).get(public_id=public_id)
    except (AgendaItem.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    access = access_for_items(actor, [item])[item.pk]
    if access.basis is None:
        raise Http404
    return ItemView(item, access)


def record_item_view(actor: Staff, view: ItemView, *, purpose: Purpose = Purpose.VIEW) -> None:
    assert view.access.basis is not None
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=view.access.basis,
        object_type=ObjectType.AGENDA_ITEM,
        object_id=str(view.item.public_id),
        purpose=purpose,
        detail={"case": str(view.item.case.public_id)},
    )


@transaction.atomic
def get_item_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> ItemView:
    """``item_for_user`` with its view recorded."""
    view = item_for_user(actor, public_id)
    record_item_view(actor, view, purpose=purpose)
    return view


@transaction.atomic
def case_meetings_for_user(actor: Staff, case: Case) -> list[ItemView]:
    """The meetings that took up this case, as the actor may see them (the case page)."""
    scope = meeting_scope(actor)
    if scope is None:
        return []
    items = list(
        _items()
        .filter(case=case, meeting__in=Meeting.objects.filter(scope))
        .order_by("-meeting__held_at", "-id")
    )
    access = access_for_items(actor, items)
    views = [ItemView(item, access[item.pk]) for item in items]
    if views:
        _audit_items(actor, ObjectType.CASE_MEETINGS, str(case.public_id), views)
    return views
