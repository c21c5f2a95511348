"""参加支援: matches started and settled (定着率), the change in the UCLA loneliness score,
and unmet needs with the places developed in answer (資源開拓)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Min, Q

from kasane.evaluation.computations.base import AREA, Result, Scope, computation, mean, share
from kasane.evaluation.models import IndicatorKind, IndicatorLevel, Project
from kasane.participation.models import LonelinessScore, MatchStage, MatchStageChange, UnmetNeed

TAKING_PART = (MatchStage.STARTED, MatchStage.SETTLED)


@computation(
    "matches",
    name="参加支援のマッチング（参加開始・定着）",
    project=Project.PARTICIPATION,
    level=IndicatorLevel.OUTCOME,
)
def matches(scope: Scope) -> Result:
    """Matches whose person began taking part in the period (the value: the first 参加開始,
    or 定着 reached directly), matches that settled (定着) in the period, and 定着率: of the
    matches begun in the period, the share that have settled (``settlement_rate``)."""
    start, end = scope.date_span()
    rows = (
        MatchStageChange.objects.filter(stage__in=TAKING_PART)
        .values("match_id")
        .annotate(began=Min("on"), settled=Min("on", filter=Q(stage=MatchStage.SETTLED)))
        .filter(Q(began__gte=start, began__lt=end) | Q(settled__gte=start, settled__lt=end))
        .order_by()
        .values_list("began", "settled")
    )
    started = settled = settled_of_started = 0
    for began, settled_on in rows:
        if start <= began < end:
            started += 1
            settled_of_started += settled_on is not None
        if settled_on is not None and start <= settled_on < end:
            settled += 1
    return Result(
        Decimal(started),
        {"started": started, "settled": settled},
        {
            "settled_of_started": Decimal(settled_of_started),
            "settlement_rate": share(settled_of_started, started),
        },
    )


@computation(
    "loneliness_change",
    name="UCLA孤独感尺度の変化（参加前後の平均）",
    project=Project.PARTICIPATION,
    kind=IndicatorKind.KPI,
    level=IndicatorLevel.OUTCOME,
    unit="点",
)
def loneliness_change(scope: Scope) -> Result:
    """For each person with a later score measured in the period, the latest such score
    (3 items, 3–12) minus the first score ever recorded for them; the value is the mean
    change (negative: less lonely). Persons with one score only are left out. The breakdown
    counts persons ``better`` (lower), ``same`` and ``worse``; the figures give n and the
    mean before and after. Seed 004 sets a 20% improvement as its outcome KPI."""
    start, end = scope.date_span()
    rows = (
        LonelinessScore.objects.filter(measured_on__lt=end)
        .order_by("person_id", "measured_on", "pk")
        .values_list("person_id", "measured_on", "lack_companionship", "left_out", "isolated")
    )
    first: dict[int, int] = {}
    latest: dict[int, int] = {}
    for person_id, measured_on, *answers in rows:
        total = sum(answers)
        if person_id not in first:
            first[person_id] = total
        elif _in(measured_on, start, end):
            latest[person_id] = total
    before = [first[p] for p in latest]
    after = [latest[p] for p in latest]
    changes = [a - b for a, b in zip(after, before, strict=True)]
    breakdown = {
        "better": sum(1 for c in changes if c < 0),
        "same": sum(1 for c in changes if c == 0),
        "worse": sum(1 for c in changes if c > 0),
    }
    return Result(
        mean(changes),
        breakdown,
        {"persons": Decimal(len(changes)), "mean_before": mean(before), "mean_after": mean(after)},
    )


def _in(day: datetime.date, start: datetime.date, end: datetime.date) -> bool:
    return start <= day < end


@computation(
    "unmet_needs",
    name="未充足ニーズの記録件数と開拓した参加の場",
    project=Project.PARTICIPATION,
    filters=frozenset({AREA}),
)
def unmet_needs(scope: Scope) -> Result:
    """Unmet needs (a need no place meets) recorded in the period, by the kind of place
    missing, with the places developed in answer in the period (``developed``: distinct
    places, by the date they were developed, whenever the need was recorded) and the needs
    still unmet at the period's end (``still_unmet``). Narrowed by the need's area (a 圏域
    or 中学校区)."""
    start, end = scope.date_span()
    rows = (
        UnmetNeed.objects.filter(scope.at_area("area"))
        .values("kind")
        .annotate(
            recorded=Count("pk", filter=Q(recorded_on__gte=start, recorded_on__lt=end)),
            still_unmet=Count(
                "pk",
                filter=Q(recorded_on__lt=end)
                & (Q(developed_on__isnull=True) | Q(developed_on__gte=end)),
            ),
        )
        .order_by("kind")
    )
    breakdown: dict[str, int] = {}
    still_unmet = 0
    for row in rows:
        if row["recorded"]:
            breakdown[row["kind"]] = row["recorded"]
        still_unmet += row["still_unmet"]
    # One place may answer several needs: count the places.
    developed = (
        UnmetNeed.objects.filter(
            scope.at_area("area"), developed_on__gte=start, developed_on__lt=end
        )
        .exclude(developed__isnull=True)
        .aggregate(n=Count("developed", distinct=True))["n"]
    )
    return Result(
        Decimal(sum(breakdown.values())),
        breakdown,
        {"developed": Decimal(developed), "still_unmet": Decimal(still_unmet)},
    )
