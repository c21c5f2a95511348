"""Every read of meetings and their minutes: who may see what, on which legal basis, audited.

A meeting is visible to its organising agency and to the agencies invited to it; everyone
else gets 404. What an attendee reads of each case on the agenda depends on the meeting:

- 支援会議 (§106-6): only attendees whose confidentiality pledge for this meeting is
  recorded, and — when the chair named members for the case — only those members. The basis
  is SUPPORT_MEETING. An attendee without a pledge reads nothing of any case.
- 重層的支援会議: attendees whose agency a consent in force of a household member covers for
  this purpose (CONSENT), and the organising coordination (COORDINATION).
- ケース会議: attendees on the case's team (CASE_TEAM).
- 地域ケア会議 / 定例会議: the de-identified summary only, never a name.

Lists cost a fixed number of queries however many rows they show.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType, Purpose
from kasane.cases.models import Case, TeamMember, Triage
from kasane.core.dates import fiscal_year_bounds
from kasane.meetings.models import (
    NAMED_CASE_KINDS,
    AgendaItem,
    Attendee,
    Decision,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kasane.privacy.cases import agency_id_of, works_cases
from kasane.privacy.consent import consents_in_force
from kasane.privacy.models import ConsentPurpose
from kasane.registry.models import Membership, Relationship

LIST_PAGE_SIZE = 50


@dataclass(frozen=True)
class ItemAccess:
    """What a reader may see of one agenda item: ``basis`` None means nothing at all;
    ``named`` False means the de-identified summary only."""

    basis: LegalBasis | None
    named: bool = False

    @property
    def readable(self) -> bool:
        return self.basis is not None


NO_ACCESS = ItemAccess(None)


def meeting_scope(actor: Staff) -> Q | None:
    """The filter on Meeting the actor may see: held by or attended by the actor's agency."""
    if not works_cases(actor):
        return None
    attended = Attendee.objects.filter(agency_id=agency_id_of(actor)).values("meeting_id")
    return Q(organizer_id=actor.agency_id) | Q(id__in=attended)


def visible_meetings(actor: Staff) -> QuerySet[Meeting]:
    scope = meeting_scope(actor)
    return Meeting.objects.none() if scope is None else Meeting.objects.filter(scope)


def _attendees() -> Prefetch[Any]:
    return Prefetch(
        "attendees",
        queryset=Attendee.objects.select_related("agency", "staff", "pledge").order_by("id"),
    )


def _members() -> Prefetch[Any]:
    return Prefetch("members", queryset=Attendee.objects.only("id"))


def _heads() -> Prefetch[Any]:
    return Prefetch(
        "case__household__memberships",
        queryset=Membership.objects.filter(
            ended_on__isnull=True, relationship=Relationship.HEAD
        ).select_related("person"),
        to_attr="heads",
    )


def mine(actor: Staff, attendees: Iterable[Attendee]) -> list[Attendee]:
    """The attendee rows that stand for the actor: their agency's, unnamed or naming them."""
    return [
        a for a in attendees if a.agency_id == actor.agency_id and a.staff_id in (None, actor.pk)
    ]


def has_pledge(attendee: Attendee) -> bool:
    try:
        return attendee.pledge is not None
    except Attendee.pledge.RelatedObjectDoesNotExist:
        return False


def _consent_households(actor: Staff, household_ids: set[int]) -> set[int]:
    """Households with a member whose consent in force covers the actor's agency for the
    重層的支援会議."""
    if not household_ids:
        return set()
    agency = actor.agency
    assert agency is not None
    persons: dict[int, set[int]] = defaultdict(set)
    for household_id, person_id in Membership.objects.filter(
        household_id__in=household_ids, ended_on__isnull=True
    ).values_list("household_id", "person_id"):
        persons[person_id].add(household_id)
    covered: set[int] = set()
    for consent in consents_in_force().filter(person_id__in=persons).prefetch_related("agencies"):
        if ConsentPurpose.INTEGRATED_MEETING not in (consent.purposes or []):
            continue
        if agency.agency_type in (consent.agency_types or []) or any(
            a.pk == agency.pk for a in consent.agencies.all()
        ):
            covered |= persons[consent.person_id]
    return covered


def access_for_items(actor: Staff, items: Sequence[AgendaItem]) -> dict[int, ItemAccess]:
    """What the actor may read of each item, in a fixed number of queries.

    The items must come with ``meeting`` selected, ``meeting__attendees`` prefetched through
    ``_attendees()`` and ``members`` through ``_members()``.
    """
    if not works_cases(actor) or not items:
        return {item.pk: NO_ACCESS for item in items}
    integrated = {
        i.case.household_id for i in items if i.meeting.kind == MeetingKind.INTEGRATED_MEETING
    }
    consented = _consent_households(actor, integrated)
    conference = [i.case_id for i in items if i.meeting.kind == MeetingKind.CASE_CONFERENCE]
    on_team = (
        set(
            TeamMember.objects.filter(
                agency_id=agency_id_of(actor), left_at__isnull=True, case_id__in=conference
            ).values_list("case_id", flat=True)
        )
        if conference
        else set()
    )
    result: dict[int, ItemAccess] = {}
    for item in items:
        meeting = item.meeting
        rows = mine(actor, meeting.attendees.all())
        member_ids = {m.pk for m in item.members.all()}
        if member_ids:
            rows = [a for a in rows if a.pk in member_ids]
        kind = meeting.kind
        access = NO_ACCESS
        if kind == MeetingKind.SUPPORT_MEETING:
            if any(has_pledge(a) for a in rows):
                access = ItemAccess(LegalBasis.SUPPORT_MEETING, named=True)
        elif kind == MeetingKind.INTEGRATED_MEETING:
            if rows and item.case.household_id in consented:
                access = ItemAccess(LegalBasis.CONSENT, named=True)
            elif actor.role == Role.COORDINATOR and actor.agency_id == meeting.organizer_id:
                access = ItemAccess(LegalBasis.COORDINATION, named=True)
        elif kind == MeetingKind.CASE_CONFERENCE:
            if rows and item.case_id in on_team:
                access = ItemAccess(LegalBasis.CASE_TEAM, named=True)
        elif rows or actor.agency_id == meeting.organizer_id:
            access = ItemAccess(LegalBasis.NONE, named=False)
        result[item.pk] = access
    return result


def item_basis(actor: Staff, item: AgendaItem) -> LegalBasis | None:
    """The basis on which the actor may read this item's minutes (named kinds), or None."""
    fresh = _items().get(pk=item.pk)
    access = access_for_items(actor, [fresh])[fresh.pk]
    if not access.readable:
        return None
    return access.basis


def _items() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.select_related(
        "meeting", "meeting__organizer", "case", "case__household", "case__lead_agency"
    ).prefetch_related(
        Prefetch(
            "meeting__attendees",
            queryset=Attendee.objects.select_related("agency", "staff", "pledge"),
        ),
        _members(),
        _heads(),
        Prefetch("decisions", queryset=Decision.objects.select_related("owner").order_by("id")),
    )


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
def get_item_for_user(
    actor: Staff, public_id: UUID | str, *, purpose: Purpose = Purpose.VIEW
) -> ItemView:
    """One agenda item whose content the actor may read — minutes, decisions, the print
    page. Anyone else (a non-attendee, an attendee of a 支援会議 without a pledge, a member
    not named for this case) gets 404."""
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
    view = ItemView(item, access)
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        legal_basis=access.basis,
        object_type=ObjectType.AGENDA_ITEM,
        object_id=str(item.public_id),
        purpose=purpose,
        detail={"case": str(item.case.public_id)},
    )
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


# --- the coordinator's board -------------------------------------------------------------


@dataclass
class TriageASplit:
    """Cases triaged A in the 年度, by the kind of meeting that took them up."""

    support_meeting: int
    integrated_meeting: int


def triage_a_by_meeting_kind(fiscal_year: int) -> TriageASplit:
    """Seed 003 splits A (meeting held) by meeting: 支援会議 or 重層的支援会議. A case taken up
    at both counts in both columns. Counts only: no name, no audit."""
    start, end = fiscal_year_bounds(fiscal_year)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )

    def at(kind: str) -> Exists:
        # A = meeting held: planned and cancelled meetings do not count.
        return Exists(
            AgendaItem.objects.filter(
                case_id=OuterRef("pk"), meeting__kind=kind, meeting__status=MeetingStatus.HELD
            )
        )

    row = Case.objects.filter(
        triage=Triage.A, sent_to_coordination_at__gte=since, sent_to_coordination_at__lt=until
    ).aggregate(
        support=Count("id", filter=at(MeetingKind.SUPPORT_MEETING)),
        integrated=Count("id", filter=at(MeetingKind.INTEGRATED_MEETING)),
    )
    return TriageASplit(support_meeting=row["support"], integrated_meeting=row["integrated"])


__all__ = [
    "NAMED_CASE_KINDS",
    "ItemAccess",
    "ItemView",
    "MeetingDetail",
    "TriageASplit",
    "access_for_items",
    "case_meetings_for_user",
    "get_item_for_user",
    "get_meeting_for_user",
    "item_basis",
    "meeting_detail_for_user",
    "meeting_list_for_user",
    "triage_a_by_meeting_kind",
    "visible_meetings",
]
