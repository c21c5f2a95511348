"""Who reads what of a meeting and of each agenda item, on which legal basis."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kasane.accounts.models import Role, Staff
from kasane.audit.models import LegalBasis
from kasane.cases.models import TeamMember
from kasane.meetings.models import (
    AgendaItem,
    Attendee,
    Decision,
    Meeting,
    MeetingKind,
)
from kasane.privacy.cases import agency_id_of, works_cases
from kasane.privacy.consent import consents_in_force
from kasane.privacy.models import ConsentPurpose
from kasane.registry.models import Membership, Relationship


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
