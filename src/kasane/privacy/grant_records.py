"""The records behind the legal bases, read for a batch of households in a fixed number of
queries (``kasane.privacy.grants`` computes the access grants from them).

Holders: ``agency:<id>`` (an agency), ``staff:<id>`` (one member of staff: break-glass) and
``role:coordinator`` (the municipal coordinators, for the cases sent to coordination).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from kasane.accounts.models import Agency, Role
from kasane.audit.models import LegalBasis
from kasane.cases.models import Case, Handover, HandoverStatus, Referral, ReferralStatus, TeamMember
from kasane.meetings.models import AgendaItem, Attendee, MeetingKind, MeetingStatus
from kasane.privacy.models import BreakGlass, Consent, ConsentPurpose
from kasane.registry.models import Household, Membership

# A referral waiting for its answer lets the addressee read the case to decide; once it
# accepts, it is on the team (and leaving the team ends its access).
OPEN_REFERRAL = [ReferralStatus.REQUESTED]
COORDINATOR = f"role:{Role.COORDINATOR.value}"


def agency_holder(agency_id: int) -> str:
    return f"agency:{agency_id}"


def staff_holder(staff_id: int) -> str:
    """One member of staff: break-glass opens a case to the person who gave the reason."""
    return f"staff:{staff_id}"


Span = tuple[datetime.datetime | None, datetime.datetime | None]
ALWAYS: Span = (None, None)


def day_start(day: datetime.date) -> datetime.datetime:
    """00:00 of the day in Japan: a date-bounded basis starts or ends at local midnight."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class Records:
    """The records of a batch of households that any basis reads, in a fixed number of
    queries."""

    registered_by: Mapping[int, int | None]
    members: dict[int, list[tuple[int, Span]]]  # household -> (person, membership span)
    consents: dict[int, list[tuple[str, set[int], Span]]]  # person -> (source, agencies, span)
    cases: list[tuple[int, int, int, bool]]  # (case, household, lead, sent to coordination)
    seen: dict[int, list[tuple[str, str, str]]]  # case -> (holder, basis, source)
    pledged: dict[int, list[tuple[int, str, Span]]]  # case -> (agency, source, span)
    glass: dict[int, list[tuple[int, int, str, Span]]]  # case -> (agency, staff, source, span)


def _agencies_by_type() -> dict[str, set[int]]:
    by_type: dict[str, set[int]] = defaultdict(set)
    for pk, agency_type in Agency.objects.values_list("pk", "agency_type"):
        by_type[agency_type].add(pk)
    return by_type


def sharing_consents(person_ids: Iterable[int]) -> dict[int, list[tuple[str, set[int], Span]]]:
    """Consents for information sharing not withdrawn, with the agencies they cover and the
    days they are in force (obtained on → expires on, inclusive)."""
    by_type = _agencies_by_type()
    found: dict[int, list[tuple[str, set[int], Span]]] = defaultdict(list)
    rows = (
        Consent.objects.filter(person_id__in=list(person_ids), withdrawn_at__isnull=True)
        .prefetch_related("agencies")
        .only("pk", "person_id", "purposes", "agency_types", "obtained_on", "expires_on")
    )
    for consent in rows:
        if ConsentPurpose.INFORMATION_SHARING not in (consent.purposes or []):
            continue
        covered = {a.pk for a in consent.agencies.all()}
        for agency_type in consent.agency_types or []:
            covered |= by_type.get(agency_type, set())
        until = (
            day_start(consent.expires_on + datetime.timedelta(days=1))
            if consent.expires_on
            else None
        )
        span: Span = (day_start(consent.obtained_on), until)
        found[consent.person_id].append((f"consent:{consent.pk}", covered, span))
    return found


def _pledged(case_ids: list[int]) -> dict[int, list[tuple[int, str, Span]]]:
    """Per case, the agencies that attended with a pledge a 支援会議 that took it up (as a
    named member where the chair named members), from the meeting's time."""
    items = list(
        AgendaItem.objects.filter(case_id__in=case_ids, meeting__kind=MeetingKind.SUPPORT_MEETING)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .values_list("pk", "case_id", "meeting_id", "meeting__held_at")
    )
    if not items:
        return {}
    named: dict[int, set[int]] = defaultdict(set)
    named_pledged: dict[int, set[int]] = defaultdict(set)
    through = AgendaItem.members.through.objects.filter(agendaitem_id__in=[i[0] for i in items])
    for item_id, agency_id, pledge in through.values_list(
        "agendaitem_id", "attendee__agency_id", "attendee__pledge"
    ):
        named[item_id].add(agency_id)
        if pledge is not None:
            named_pledged[item_id].add(agency_id)
    attending: dict[int, set[int]] = defaultdict(set)
    for meeting_id, agency_id in Attendee.objects.filter(
        meeting_id__in={i[2] for i in items}, pledge__isnull=False
    ).values_list("meeting_id", "agency_id"):
        attending[meeting_id].add(agency_id)
    found: dict[int, list[tuple[int, str, Span]]] = defaultdict(list)
    for item_id, case_id, meeting_id, held_at in items:
        agencies = named_pledged[item_id] if item_id in named else attending[meeting_id]
        for agency_id in agencies:
            found[case_id].append((agency_id, f"meeting:{item_id}", (held_at, None)))
    return found


def read(household_ids: list[int]) -> Records:
    registered_by = dict(
        Household.objects.filter(pk__in=household_ids).values_list("pk", "registered_by_agency_id")
    )
    members: dict[int, list[tuple[int, Span]]] = defaultdict(list)
    for household_id, person_id, ended_on in Membership.objects.filter(
        household_id__in=household_ids
    ).values_list("household_id", "person_id", "ended_on"):
        until = day_start(ended_on + datetime.timedelta(days=1)) if ended_on else None
        members[household_id].append((person_id, (None, until)))
    consents = sharing_consents({p for rows in members.values() for p, _ in rows})
    cases = [
        (pk, household_id, lead, sent is not None)
        for pk, household_id, lead, sent in Case.objects.filter(
            household_id__in=household_ids
        ).values_list("pk", "household_id", "lead_agency_id", "sent_to_coordination_at")
    ]
    case_ids = [c[0] for c in cases]
    seen: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for case_id, agency_id in TeamMember.objects.filter(
        case_id__in=case_ids, left_at__isnull=True
    ).values_list("case_id", "agency_id"):
        seen[case_id].append((agency_holder(agency_id), LegalBasis.CASE_TEAM, "team"))
    for case_id, agency_id in Referral.objects.filter(
        case_id__in=case_ids, status__in=OPEN_REFERRAL
    ).values_list("case_id", "to_agency_id"):
        seen[case_id].append((agency_holder(agency_id), LegalBasis.REFERRAL, "referral"))
    # Asked to take the lead: the agency reads the case to decide, and joins if it accepts.
    for case_id, agency_id in Handover.objects.filter(
        case_id__in=case_ids, status=HandoverStatus.PENDING
    ).values_list("case_id", "to_agency_id"):
        seen[case_id].append((agency_holder(agency_id), LegalBasis.REFERRAL, "handover"))
    for case_id, _household, _lead, sent in cases:
        if sent:
            seen[case_id].append((COORDINATOR, LegalBasis.COORDINATION, "coordination"))
    glass: dict[int, list[tuple[int, int, str, Span]]] = defaultdict(list)
    for pk, case_id, agency_id, staff_id, started_at, expires_at in BreakGlass.objects.filter(
        case_id__in=case_ids
    ).values_list("pk", "case_id", "agency_id", "staff_id", "started_at", "expires_at"):
        glass[case_id].append((agency_id, staff_id, f"break_glass:{pk}", (started_at, expires_at)))
    return Records(registered_by, members, consents, cases, seen, _pledged(case_ids), glass)
