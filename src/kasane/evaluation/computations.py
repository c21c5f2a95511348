"""The registry of computed indicators: ``@computation("code", ...)`` registers a function
``(scope) -> Result`` counting what happened in a ``Scope``: one 年度 (April to March), or one
month of it, perhaps narrowed to an area (圏域, 中学校区 or 町丁目, by the household's address)
and a domain (分野, by the consultations' domains).

A computation declares which narrowings it honours (``filters``); the dashboard says so
beside those that ignore one, rather than show a city-wide figure as if it were an area's.

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
from django.utils.functional import cached_property

from kasane.cases.models import Case, Referral, ReferralStatus, TeamMember, Triage
from kasane.core.dates import fiscal_year_bounds
from kasane.evaluation.models import IndicatorKind, IndicatorLevel, Project
from kasane.intake.models import Channel, Consultation, ConsultationNeed
from kasane.plans.models import Closure, ClosureReason
from kasane.registry.models import Area, AreaKind

AREA = "area"
DOMAIN = "domain"


@dataclass(frozen=True)
class Result:
    """An indicator's value for a 年度, with its breakdown (counts) and further figures."""

    value: Decimal | None
    breakdown: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Decimal | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """What a computation counts over: a 年度, or one calendar month of it (``month`` 1–12),
    optionally narrowed to an area and a domain."""

    fiscal_year: int
    month: int | None = None
    area: Area | None = None
    domain: str = ""

    def span(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) in local time, for filtering timestamps."""
        if self.month is None:
            return year_span(self.fiscal_year)
        year = self.fiscal_year if self.month >= 4 else self.fiscal_year + 1
        first = datetime.date(year, self.month, 1)
        after = datetime.date(year + (self.month == 12), self.month % 12 + 1, 1)
        return _aware(first), _aware(after)

    def date_span(self) -> tuple[datetime.date, datetime.date]:
        """[first day, day after) for filtering dates."""
        start, end = self.span()
        return timezone.localtime(start).date(), timezone.localtime(end).date()

    @cached_property
    def blocks(self) -> list[int] | None:
        """Ids of the 町丁目 inside the area (the area itself if it is one); None: city-wide."""
        area = self.area
        if area is None or area.kind == AreaKind.CITY:
            return None
        if area.kind == AreaKind.BLOCK:
            return [area.pk]
        parents = [area.pk]
        for _level in range(3):
            found = list(Area.objects.filter(parent_id__in=parents).values_list("pk", "kind"))
            blocks = [pk for pk, kind in found if kind == AreaKind.BLOCK]
            if blocks or not found:
                return blocks
            parents = [pk for pk, _kind in found]
        return []

    def in_area(self, household_path: str) -> Q:
        """A filter on the household at ``household_path`` ("household", "case__household"…)."""
        blocks = self.blocks
        if blocks is None:
            return Q()
        return Q(**{f"{household_path}__area_id__in": blocks})

    def in_domain(self, consultation_path: str) -> Q:
        """A filter on consultations (at ``consultation_path``) touching the domain."""
        if not self.domain:
            return Q()
        prefix = f"{consultation_path}__" if consultation_path else ""
        # JSON text match: portable between SQLite and PostgreSQL, exact on the quoted code.
        return Q(**{f"{prefix}domains__icontains": f'"{self.domain}"'})

    def on_cases(self, case_path: str = "") -> Q:
        """A filter on cases (at ``case_path``; "" for Case itself): the household in the
        area, and a consultation of the case touching the domain."""
        prefix = f"{case_path}__" if case_path else ""
        q = self.in_area(f"{prefix}household")
        if self.domain:
            touching = Consultation.objects.filter(self.in_domain(""), case__isnull=False)
            q &= Q(**{f"{prefix}pk__in" if prefix else "pk__in": touching.values("case_id")})
        return q


Compute = Callable[[Scope], Result]


@dataclass(frozen=True)
class Computation:
    code: str
    function: Compute
    name: str
    project: str
    kind: str = IndicatorKind.KPI
    level: str = IndicatorLevel.OUTPUT
    unit: str = "件"
    filters: frozenset[str] = frozenset()


REGISTRY: dict[str, Computation] = {}


def computation(
    code: str,
    *,
    name: str,
    project: str,
    kind: str = IndicatorKind.KPI,
    level: str = IndicatorLevel.OUTPUT,
    unit: str = "件",
    filters: frozenset[str] = frozenset(),
) -> Callable[[Compute], Compute]:
    """Register ``function`` under ``code``, with what ``seed_indicators`` needs and the
    narrowings (``AREA``, ``DOMAIN``) it honours."""

    def register(function: Compute) -> Compute:
        if code in REGISTRY:
            raise ValueError(f"computation {code!r} is registered twice")
        REGISTRY[code] = Computation(code, function, name, project, kind, level, unit, filters)
        return function

    return register


def compute(
    code: str,
    fiscal_year: int,
    *,
    month: int | None = None,
    area: Area | None = None,
    domain: str = "",
) -> Result:
    return REGISTRY[code].function(Scope(fiscal_year, month, area, domain))


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def year_span(fiscal_year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The 年度 as [start, end) in local time, for filtering timestamps."""
    first, last = fiscal_year_bounds(fiscal_year)
    return _aware(first), _aware(last + datetime.timedelta(days=1))


def _share(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


@computation(
    "consultations_received",
    name="相談受付件数",
    project=Project.COMPREHENSIVE_CONSULTATION,
    filters=frozenset({AREA, DOMAIN}),
)
def consultations_received(scope: Scope) -> Result:
    """Consultations received in the year, by channel."""
    start, end = scope.span()
    rows = (
        Consultation.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(scope.in_area("household"), scope.in_domain(""))
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
    filters=frozenset({AREA, DOMAIN}),
)
def consultations_by_domain(scope: Scope) -> Result:
    """Consultations received in the year, and how many touched each domain (a consultation
    touching two domains counts once in each)."""
    start, end = scope.span()
    domain_lists = (
        Consultation.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(scope.in_area("household"), scope.in_domain(""))
        .values_list("domains", flat=True)
    )
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
    filters=frozenset({AREA, DOMAIN}),
)
def consultations_by_main_need(scope: Scope) -> Result:
    """Consultations received in the year by their main need (主訴); those without one
    count under ``"none"``."""
    start, end = scope.span()
    in_year = Q(received_at__gte=start, received_at__lt=end)
    total = (
        Consultation.objects.filter(in_year)
        .filter(scope.in_area("household"), scope.in_domain(""))
        .count()
    )
    rows = (
        ConsultationNeed.objects.filter(
            is_main=True,
            consultation__received_at__gte=start,
            consultation__received_at__lt=end,
        )
        .filter(scope.in_area("consultation__household"), scope.in_domain("consultation"))
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
    filters=frozenset({AREA, DOMAIN}),
)
def coordination_cases(scope: Scope) -> Result:
    """Cases sent to multi-agency coordination in the year, by triage (A/B/C, or
    ``"untriaged"``)."""
    start, end = scope.span()
    counts = Case.objects.filter(
        scope.on_cases(), sent_to_coordination_at__gte=start, sent_to_coordination_at__lt=end
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
    filters=frozenset({AREA, DOMAIN}),
)
def referrals(scope: Scope) -> Result:
    """Referrals sent in the year by where they stand, and the median days to an answer
    (accepted or declined) of those answered."""
    start, end = scope.span()
    in_year = Referral.objects.filter(
        scope.on_cases("case"), requested_at__gte=start, requested_at__lt=end
    )
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
    filters=frozenset({AREA, DOMAIN}),
)
def collaboration_breadth(scope: Scope) -> Result:
    """Distinct unordered pairs of agencies that were on the same case team during the
    year, and the mean number of agencies per case team."""
    start, end = scope.span()
    rows = (
        TeamMember.objects.filter(scope.on_cases("case"), joined_at__lt=end)
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
    filters=frozenset({AREA, DOMAIN}),
)
def closures(scope: Scope) -> Result:
    """Cases closed in the year by reason, and the share closed with their goals achieved."""
    start, end = scope.span()
    breakdown = dict.fromkeys(ClosureReason.values, 0)
    rows = (
        Closure.objects.filter(
            scope.on_cases("case"), case__closed_at__gte=start, case__closed_at__lt=end
        )
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
