"""The 支援ケース一覧 of a 年度 for the annual report (事業実績報告): the cases the actor may
see that were open at some time in the 年度, read in a fixed number of queries and audited
as one export with every case's id.

What each row shows follows the case pages: the number, dates, status, lead agency and
triage of every visible case; the head of household's name only where the actor may read
the person (``person_scope``), and the needs only where the actor may read the case's
details (``detail_scope``): an agency that only knows a case exists learns no more here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kasane.accounts.models import Role, Staff
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType
from kasane.cases.models import Case
from kasane.cases.selectors import visible_cases
from kasane.core.dates import fiscal_year_bounds
from kasane.intake.models import ConsultationNeed
from kasane.privacy.cases import detail_scope, works_cases
from kasane.privacy.policy import person_scope
from kasane.registry.models import Membership, Person, Relationship


@dataclass(frozen=True)
class CaseRow:
    number: str
    head_name: str | None  # None: the actor may not read the head of household
    opened_on: datetime.date
    closed_on: datetime.date | None
    status: str
    lead_agency: str | None
    triage: str
    accepted_on: datetime.date | None
    needs: tuple[str, ...] | None  # None: no basis to read the case's details


def _year_filter(fiscal_year: int) -> Q:
    """Cases open at some time in the 年度: opened before it ended, not closed before it began."""
    first, last = fiscal_year_bounds(fiscal_year)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    )
    return Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=start))


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


def _head_names(actor: Staff, cases: QuerySet[Case]) -> dict[int, str]:
    """The head's name of each case's household, by household id: only heads the actor may
    read (``person_scope``)."""
    heads: dict[int, str] = {}
    people = person_scope(actor)
    if people is not None:
        found = Membership.objects.filter(
            ended_on__isnull=True,
            relationship=Relationship.HEAD,
            household_id__in=cases.values("household_id"),
            person__in=Person.objects.filter(people),
        ).values_list("household_id", "person__name")
        for household_id, name in found:
            heads.setdefault(household_id, name)
    return heads


def _need_names(details: Q, in_year: Q) -> dict[int, list[str]]:
    """The needs of the consultations of each case whose details the actor may read, by
    case id, in the needs' order."""
    needs: defaultdict[int, list[str]] = defaultdict(list)
    pairs = (
        ConsultationNeed.objects.filter(
            consultation__case__in=Case.objects.filter(details, in_year)
        )
        .values_list("consultation__case_id", "need_type__name")
        .order_by("consultation__case_id", "need_type__sort_order", "need_type__code")
    )
    for case_id, name in pairs:
        if name not in needs[case_id]:
            needs[case_id].append(name)
    return needs


@transaction.atomic
def annual_case_list_for_user(actor: Staff, fiscal_year: int) -> list[CaseRow]:
    """The cases of the 年度 the actor may see, oldest first; audited in this transaction
    as ``annual_report_case_list`` with every case's id (nothing when there is none).

    Five queries and the audit row, however many cases: no per-row query.
    """
    if not works_cases(actor):
        raise Http404
    in_year = _year_filter(fiscal_year)
    cases = visible_cases(actor).filter(in_year)
    rows = list(
        cases.order_by("opened_at", "id").values(
            "id",
            "public_id",
            "number",
            "household_id",
            "opened_at",
            "closed_at",
            "status",
            "lead_agency__name",
            "triage",
            "accepted_at",
        )
    )
    if not rows:
        return []

    details = detail_scope(actor)
    readable: set[int] = (
        set(Case.objects.filter(details, in_year).values_list("id", flat=True))
        if details is not None
        else set()
    )

    heads = _head_names(actor, cases)
    needs = _need_names(details, in_year) if details is not None else {}

    audit.record(
        actor=actor,
        action=AuditAction.DOWNLOAD,
        legal_basis=LegalBasis.COORDINATION
        if actor.role == Role.COORDINATOR
        else LegalBasis.CASE_TEAM,
        object_type=ObjectType.ANNUAL_REPORT_CASE_LIST,
        object_id=str(fiscal_year),
        detail={"fiscal_year": fiscal_year, "cases": [str(r["public_id"]) for r in rows]},
    )
    return [
        CaseRow(
            number=r["number"],
            head_name=heads.get(r["household_id"]),
            opened_on=timezone.localdate(r["opened_at"]),
            closed_on=_local_date(r["closed_at"]),
            status=r["status"],
            lead_agency=r["lead_agency__name"],
            triage=r["triage"],
            accepted_on=_local_date(r["accepted_at"]),
            needs=tuple(needs.get(r["id"], ())) if r["id"] in readable else None,
        )
        for r in rows
    ]
