"""多機関協働: cases sent to coordination, referrals, the breadth of collaboration, たらい回し
flags and the caseload of each agency."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from itertools import combinations

from django.db.models import Count, Q

from kasane.accounts.models import CASE_ROLES, Agency, Staff
from kasane.cases.models import Case, Referral, ReferralStatus, TeamMember, Triage
from kasane.cases.selectors import TARAIMAWASHI_DAYS, TARAIMAWASHI_REFERRALS
from kasane.core.cellkey import record_key
from kasane.evaluation.computations.base import (
    AREA,
    DOMAIN,
    DaysBetween,
    Derive,
    Result,
    Scope,
    as_is,
    computation,
    counts,
    keyed,
    keyed_count,
    median,
    shared,
)
from kasane.evaluation.models import IndicatorKind, IndicatorLevel, Project
from kasane.registry.models import Household

CASE = Case._meta.label_lower
AGENCY = Agency._meta.label_lower
AGENCY_PAIR = "accounts.agency:pair"
HOUSEHOLD = Household._meta.label_lower


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
    row = Case.objects.filter(
        scope.on_cases(), sent_to_coordination_at__gte=start, sent_to_coordination_at__lt=end
    ).aggregate(
        **{name: keyed_count(Case, filter=Q(triage=code)) for name, code in TRIAGES.items()},
    )
    found, keys = counts(row, TRIAGES)
    return Result(Decimal(sum(found.values())), found, keys=keys)


TRIAGES = {"A": Triage.A, "B": Triage.B, "C": Triage.C, "untriaged": ""}


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
    keys = dict.fromkeys(ReferralStatus.values, 0)
    for row in in_year.values("status").annotate(n=Count("pk"), k=keyed(Referral)):
        breakdown[row["status"]] = row["n"]
        keys[row["status"]] = row["k"]
    days = list(
        in_year.filter(responded_at__isnull=False)
        .order_by()
        .values_list(DaysBetween("responded_at", "requested_at"), flat=True)
    )
    return Result(
        Decimal(sum(breakdown.values())),
        breakdown,
        {"median_days_to_answer": median(days)},
        keys=keys,
    )


def _teams(scope: Scope) -> dict[int, set[int]]:
    """The agencies on each case team at some time in the period (one query, shared by the
    computations of one page: this year's pairs are compared with last year's, and last
    year is also shown beside this one). Grouped here rather than by a self-join of the
    team rows, which SQLite runs no faster for a city of 100,000 households."""
    area = scope.area.pk if scope.area is not None else None
    key = ("teams", scope.fiscal_year, scope.month, area, scope.domain)
    teams: dict[int, set[int]] = shared(key, lambda: _read_teams(scope))
    return teams


def _read_teams(scope: Scope) -> dict[int, set[int]]:
    start, end = scope.span()
    # Closing a case leaves its team rows as they were: a case closed before the period
    # has no team in it.
    rows = (
        TeamMember.objects.filter(scope.on_cases("case"), joined_at__lt=end)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=start))
        .filter(Q(case__closed_at__isnull=True) | Q(case__closed_at__gte=start))
        .values_list("case_id", "agency_id")
        .order_by()  # the sets below take out repeats: no DISTINCT, no sort
    )
    teams: defaultdict[int, set[int]] = defaultdict(set)
    for case_id, agency_id in rows:
        teams[case_id].add(agency_id)
    return teams


def _pairs(teams: dict[int, set[int]]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for agencies in teams.values():
        if len(agencies) > 1:
            pairs.update(combinations(sorted(agencies), 2))
    return pairs


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
    year, and the mean number of agencies per case team. Seed 000's 「連携できる機関の
    広がり」 is the year on year comparison: the pairs of the same period a 年度 earlier, and
    how many of this year's pairs had not worked a case together then (``new_pairs``)."""
    teams = _teams(scope)
    pairs = _pairs(teams)
    last_year = _pairs(_teams(scope.previous_year()))
    memberships = sum(len(agencies) for agencies in teams.values())
    mean = (Decimal(memberships) / Decimal(len(teams))).quantize(Decimal("0.01")) if teams else None
    agencies = {a for t in teams.values() for a in t}
    # Pairs and agencies are counted as records of their own (a pair keyed by its two
    # agencies), so that they too are perturbed: a pair exists only through a case, and a
    # true "1 pair" in an area beside a published "0 cases" would say a case is there. The
    # mean per case is over the published number of cases.
    derived: dict[str, Derive] = {
        "mean_agencies_per_case": lambda shown: (
            (Decimal(memberships) / Decimal(shown["cases"])).quantize(Decimal("0.01"))
            if shown.get("cases")
            else None
        )
    }
    return Result(
        Decimal(len(pairs)),
        {"cases": len(teams), "agencies": len(agencies)},
        {
            "mean_agencies_per_case": mean,
            "pairs_last_year": Decimal(len(last_year)),
            "new_pairs": Decimal(len(pairs - last_year)),
        },
        keys={
            "cases": sum(record_key(CASE, pk) for pk in teams),
            "agencies": sum(record_key(AGENCY, pk) for pk in agencies),
        },
        value_key=_pairs_key(pairs),
        figure_keys={
            "pairs_last_year": _pairs_key(last_year),
            "new_pairs": _pairs_key(pairs - last_year),
        },
        derived=derived,
    )


def _pairs_key(pairs: set[tuple[int, int]]) -> int:
    return sum(record_key(AGENCY_PAIR, a * 2**32 + b) for a, b in pairs)


ACCEPTED = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED})


@computation(
    "tarai_mawashi",
    name="たらい回しの疑いがあった世帯数",
    project=Project.COMPREHENSIVE_CONSULTATION,
    level=IndicatorLevel.OUTCOME,
    unit="世帯",
    filters=frozenset({AREA, DOMAIN}),
)
def tarai_mawashi(scope: Scope) -> Result:
    """Households the coordinator's board flagged as たらい回し during the period, by the
    board's own rule (``cases.selectors.taraimawashi_flags``): at some moment, 3 or
    more referrals in the 30 days up to it, whichever of the household's cases they were
    made on, with none of them accepted by then. A flag starts only when a referral is
    made, so each referral of the period is such a moment to test.

    The breakdown says whether a referral of the household was accepted after the flag and
    before the period ended (``accepted_later``) or not (``not_accepted``)."""
    start, end = scope.span()
    window = datetime.timedelta(days=TARAIMAWASHI_DAYS)
    span = Referral.objects.filter(
        scope.on_cases("case"), requested_at__gte=start - window, requested_at__lt=end
    )
    # Only a household with that many referrals in the whole span can have had them within
    # one window of it: the others are left in the database.
    enough = (
        span.order_by()
        .values("case__household_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=TARAIMAWASHI_REFERRALS)
        .values("case__household_id")
    )
    rows = (
        span.filter(case__household_id__in=enough)
        .order_by("requested_at", "pk")
        .values_list("case__household_id", "requested_at", "status", "responded_at")
    )
    by_household: defaultdict[
        int, list[tuple[datetime.datetime, str, datetime.datetime | None]]
    ] = defaultdict(list)
    for household_id, requested_at, status, responded_at in rows:
        by_household[household_id].append((requested_at, status, responded_at))

    def accepted_by(
        status: str, responded_at: datetime.datetime | None, at: datetime.datetime
    ) -> bool:
        return status in ACCEPTED and responded_at is not None and responded_at <= at

    breakdown = {"accepted_later": 0, "not_accepted": 0}
    keys = {"accepted_later": 0, "not_accepted": 0}
    for household_id, referrals_ in by_household.items():
        flagged_at = None
        for moment, _status, _responded in referrals_:
            if moment < start:
                continue
            recent = [r for r in referrals_ if moment - window <= r[0] <= moment]
            if len(recent) >= TARAIMAWASHI_REFERRALS and not any(
                accepted_by(status, responded, moment) for _at, status, responded in recent
            ):
                flagged_at = moment
                break
        if flagged_at is None:
            continue
        later = any(
            status in ACCEPTED and responded is not None and flagged_at < responded < end
            for _at, status, responded in referrals_
        )
        breakdown["accepted_later" if later else "not_accepted"] += 1
        keys["accepted_later" if later else "not_accepted"] += record_key(HOUSEHOLD, household_id)
    return Result(Decimal(sum(breakdown.values())), breakdown, keys=keys)


@computation(
    "caseload_per_staff",
    name="職員1人あたりの担当ケース数",
    project=Project.COORDINATION,
    kind=IndicatorKind.KSI,
    unit="件/人",
)
def caseload_per_staff(scope: Scope) -> Result:
    """Workload at the end of the period: the cases open then that each agency leads, over
    the agency's active staff in roles that work cases. The breakdown holds each agency's
    open cases (agency names are not personal data), the figures each agency's cases per
    staff member (None for an agency with no such staff); the value is the ratio over the
    agencies that have both. The lead is the lead as now recorded and the staff are those
    now active: Kasane keeps no history of either. City-wide only: staff are counted per
    agency, not per area."""
    _start, end = scope.span()
    open_then = Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    led = list(
        Case.objects.filter(open_then, lead_agency__isnull=False)
        .values_list("lead_agency__name")
        .annotate(n=Count("pk"), k=keyed(Case))
        .order_by()
    )
    cases = {name: n for name, n, _k in led}
    case_keys = {name: k for name, _n, k in led}
    staff = dict(
        Staff.objects.filter(is_active=True, role__in=CASE_ROLES, agency__isnull=False)
        .values_list("agency__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    breakdown = {name: cases.get(name, 0) for name in sorted(set(cases) | set(staff))}
    figures: dict[str, Decimal | None] = {
        name: (Decimal(n) / Decimal(staff[name])).quantize(Decimal("0.1"))
        if staff.get(name)
        else None
        for name, n in breakdown.items()
    }
    both = [name for name in breakdown if cases.get(name) and staff.get(name)]
    led = sum(cases[name] for name in both)
    workers = sum(staff[name] for name in both)
    value = (Decimal(led) / Decimal(workers)).quantize(Decimal("0.1")) if workers else None
    if not cases:
        value = Decimal(0) if staff else None
    figures["open_cases"] = Decimal(sum(cases.values()))
    figures["staff"] = Decimal(sum(staff.values()))
    return Result(
        value,
        breakdown,
        figures,
        keys={name: case_keys.get(name, 0) for name in breakdown},
        figure_keys={"open_cases": sum(case_keys.values())},
        derived=_caseload_from_published(staff, figures["staff"]),
    )


def _caseload_from_published(
    staff: dict[str, int], staff_total: Decimal | None
) -> dict[str, Derive]:
    """The ratios of ``caseload_per_staff`` over the published case counts (a true ratio
    beside a known number of staff gives the true count back); staff are shown as they
    are."""

    def ratio(cases: int, workers: int) -> Decimal | None:
        return (Decimal(cases) / Decimal(workers)).quantize(Decimal("0.1")) if workers else None

    def overall(shown: dict[str, int]) -> Decimal | None:
        both = [name for name in staff if shown.get(name) and staff[name]]
        if not both:
            return Decimal(0) if staff and not shown.get("open_cases") else None
        return ratio(sum(shown[name] for name in both), sum(staff[name] for name in both))

    def per_agency(name: str) -> Derive:
        return lambda shown: ratio(shown.get(name, 0), staff.get(name, 0))

    derived = {name: per_agency(name) for name in staff}
    derived["value"] = overall
    derived["staff"] = as_is(staff_total)
    return derived
