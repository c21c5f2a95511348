"""The registry of computed indicators: ``@computation("code", ...)`` registers a function
``(fiscal_year) -> Result`` counting what happened in that 年度 (April to March).

Every computation is a count over records in one or a few aggregate queries; none walks
through persons one by one.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from django.db.models import Count, Q
from django.utils import timezone

from kasane.cases.models import Case, Referral, ReferralStatus, TeamMember, Triage
from kasane.core.dates import fiscal_year_bounds
from kasane.evaluation.models import IndicatorKind, IndicatorLevel, Project
from kasane.intake.models import Channel, Consultation, ConsultationNeed
from kasane.plans.models import Closure, ClosureReason


@dataclass(frozen=True)
class Result:
    """An indicator's value for a 年度, with its breakdown (counts) and further figures."""

    value: Decimal | None
    breakdown: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Decimal | None] = field(default_factory=dict)


Compute = Callable[[int], Result]


@dataclass(frozen=True)
class Computation:
    code: str
    function: Compute
    name: str
    project: str
    kind: str = IndicatorKind.KPI
    level: str = IndicatorLevel.OUTPUT
    unit: str = "件"


REGISTRY: dict[str, Computation] = {}


def computation(
    code: str,
    *,
    name: str,
    project: str,
    kind: str = IndicatorKind.KPI,
    level: str = IndicatorLevel.OUTPUT,
    unit: str = "件",
) -> Callable[[Compute], Compute]:
    """Register ``function`` under ``code``, with what ``seed_indicators`` needs."""

    def register(function: Compute) -> Compute:
        if code in REGISTRY:
            raise ValueError(f"computation {code!r} is registered twice")
        REGISTRY[code] = Computation(code, function, name, project, kind, level, unit)
        return function

    return register


def compute(code: str, fiscal_year: int) -> Result:
    return REGISTRY[code].function(fiscal_year)


def year_span(fiscal_year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The 年度 as [start, end) in local time, for filtering timestamps."""
    first, last = fiscal_year_bounds(fiscal_year)
    start = datetime.datetime.combine(first, datetime.time.min)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start), timezone.make_aware(end)


def _share(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


@computation(
    "consultations_received",
    name="相談受付件数",
    project=Project.COMPREHENSIVE_CONSULTATION,
)
def consultations_received(fiscal_year: int) -> Result:
    """Consultations received in the year, by channel."""
    start, end = year_span(fiscal_year)
    rows = (
        Consultation.objects.filter(received_at__gte=start, received_at__lt=end)
        .values("channel")
        .annotate(n=Count("pk"))
    )
    breakdown = dict.fromkeys(Channel.values, 0)
    for row in rows:
        breakdown[row["channel"]] = row["n"]
    return Result(Decimal(sum(breakdown.values())), breakdown)


@computation(
    "consultations_by_domain",
    name="分野別相談受付件数",
    project=Project.COMPREHENSIVE_CONSULTATION,
)
def consultations_by_domain(fiscal_year: int) -> Result:
    """Consultations received in the year, and how many touched each domain (a consultation
    touching two domains counts once in each)."""
    start, end = year_span(fiscal_year)
    domain_lists = Consultation.objects.filter(
        received_at__gte=start, received_at__lt=end
    ).values_list("domains", flat=True)
    total = 0
    counts: Counter[str] = Counter()
    for domains in domain_lists:
        total += 1
        counts.update(set(domains or ()))
    return Result(Decimal(total), dict(sorted(counts.items())))


@computation(
    "consultations_by_main_need",
    name="主訴別相談受付件数",
    project=Project.COMPREHENSIVE_CONSULTATION,
)
def consultations_by_main_need(fiscal_year: int) -> Result:
    """Consultations received in the year by their main need (主訴); those without one
    count under ``"none"``."""
    start, end = year_span(fiscal_year)
    in_year = Q(received_at__gte=start, received_at__lt=end)
    total = Consultation.objects.filter(in_year).count()
    rows = (
        ConsultationNeed.objects.filter(
            is_main=True,
            consultation__received_at__gte=start,
            consultation__received_at__lt=end,
        )
        .values("need_type__code")
        .annotate(n=Count("consultation", distinct=True))
    )
    breakdown = {row["need_type__code"]: row["n"] for row in rows}
    without = total - sum(breakdown.values())
    if without:
        breakdown["none"] = without
    return Result(Decimal(total), dict(sorted(breakdown.items())))


@computation(
    "coordination_cases",
    name="多機関協働事業につないだ事例数",
    project=Project.COORDINATION,
)
def coordination_cases(fiscal_year: int) -> Result:
    """Cases sent to multi-agency coordination in the year, by triage (A/B/C, or
    ``"untriaged"``)."""
    start, end = year_span(fiscal_year)
    counts = Case.objects.filter(
        sent_to_coordination_at__gte=start, sent_to_coordination_at__lt=end
    ).aggregate(
        total=Count("pk"),
        A=Count("pk", filter=Q(triage=Triage.A)),
        B=Count("pk", filter=Q(triage=Triage.B)),
        C=Count("pk", filter=Q(triage=Triage.C)),
        untriaged=Count("pk", filter=Q(triage="")),
    )
    total = counts.pop("total")
    return Result(Decimal(total), counts)


@computation(
    "referrals",
    name="つなぎ（依頼）件数",
    project=Project.COMPREHENSIVE_CONSULTATION,
)
def referrals(fiscal_year: int) -> Result:
    """Referrals sent in the year by where they stand, and the median days to an answer
    (accepted or declined) of those answered."""
    start, end = year_span(fiscal_year)
    in_year = Referral.objects.filter(requested_at__gte=start, requested_at__lt=end)
    breakdown = dict.fromkeys(ReferralStatus.values, 0)
    for row in in_year.values("status").annotate(n=Count("pk")):
        breakdown[row["status"]] = row["n"]
    answered = in_year.filter(responded_at__isnull=False).values_list(
        "requested_at", "responded_at"
    )
    days = [
        (responded - requested).total_seconds() / 86400
        for requested, responded in answered
        if responded is not None
    ]
    median = Decimal(str(statistics.median(days))).quantize(Decimal("0.1")) if days else None
    return Result(Decimal(sum(breakdown.values())), breakdown, {"median_days_to_answer": median})


@computation(
    "collaboration_breadth",
    name="協働した機関の組み合わせ数",
    project=Project.COORDINATION,
    kind=IndicatorKind.KSI,
    unit="組",
)
def collaboration_breadth(fiscal_year: int) -> Result:
    """Distinct unordered pairs of agencies that were on the same case team during the
    year, and the mean number of agencies per case team."""
    start, end = year_span(fiscal_year)
    rows = (
        TeamMember.objects.filter(joined_at__lt=end)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=start))
        .values_list("case_id", "agency_id")
        .distinct()
    )
    teams: defaultdict[int, set[int]] = defaultdict(set)
    for case_id, agency_id in rows:
        teams[case_id].add(agency_id)
    pairs: set[tuple[int, int]] = set()
    for agencies in teams.values():
        pairs.update(combinations(sorted(agencies), 2))
    memberships = sum(len(agencies) for agencies in teams.values())
    mean = (Decimal(memberships) / Decimal(len(teams))).quantize(Decimal("0.01")) if teams else None
    return Result(
        Decimal(len(pairs)),
        {"cases": len(teams), "agencies": len({a for t in teams.values() for a in t})},
        {"mean_agencies_per_case": mean},
    )


@computation(
    "closures",
    name="終結件数",
    project=Project.PLANS,
    level=IndicatorLevel.OUTCOME,
)
def closures(fiscal_year: int) -> Result:
    """Cases closed in the year by reason, and the share closed with their goals achieved."""
    start, end = year_span(fiscal_year)
    breakdown = dict.fromkeys(ClosureReason.values, 0)
    rows = (
        Closure.objects.filter(case__closed_at__gte=start, case__closed_at__lt=end)
        .values("reason")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        breakdown[row["reason"]] = row["n"]
    total = sum(breakdown.values())
    return Result(
        Decimal(total),
        breakdown,
        {"goals_achieved_share": _share(breakdown[ClosureReason.GOALS_MET], total)},
    )
