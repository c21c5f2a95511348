"""参加支援: matches started and settled (定着率), the change in the UCLA loneliness score,
and unmet needs with the places developed in answer (資源開拓)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Min, Q

from kasane.core.cellkey import Tally
from kasane.evaluation.computations.base import (
    AREA,
    Result,
    Scope,
    as_is,
    computation,
    counts,
    keyed_count,
    mean,
    share,
)
from kasane.evaluation.models import IndicatorKind, IndicatorLevel, Project
from kasane.participation.models import (
    LonelinessScore,
    Match,
    MatchStage,
    MatchStageChange,
    UnmetNeed,
)
from kasane.registry.models import Person

MATCH = Match._meta.label_lower
PERSON = Person._meta.label_lower

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
        .values_list("match_id", "began", "settled")
    )
    tally = Tally(MATCH)
    for match_id, began, settled_on in rows:
        if start <= began < end:
            tally.add("started", match_id)
            if settled_on is not None:
                tally.add("settled_of_started", match_id)
        if settled_on is not None and start <= settled_on < end:
            tally.add("settled", match_id)
    started = tally.count("started")
    return Result(
        Decimal(started),
        {"started": started, "settled": tally.count("settled")},
        {
            "settled_of_started": Decimal(tally.count("settled_of_started")),
            "settlement_rate": share(tally.count("settled_of_started"), started),
        },
        keys={"started": tally.key("started"), "settled": tally.key("settled")},
        figure_keys={"settled_of_started": tally.key("settled_of_started")},
        derived={
            "settlement_rate": lambda shown: share(shown["settled_of_started"], shown["started"])
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
    tally = Tally(PERSON)
    for person_id, change in zip(latest, changes, strict=True):
        tally.add("better" if change < 0 else "same" if change == 0 else "worse", person_id)
    breakdown = {line: tally.count(line) for line in ("better", "same", "worse")}
    return Result(
        mean(changes),
        breakdown,
        {"persons": Decimal(len(changes)), "mean_before": mean(before), "mean_after": mean(after)},
        keys={line: tally.key(line) for line in breakdown},
        figure_keys={"persons": sum(tally.key(line) for line in breakdown)},
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
    recorded = Q(recorded_on__gte=start, recorded_on__lt=end)
    unmet = Q(recorded_on__lt=end) & (Q(developed_on__isnull=True) | Q(developed_on__gte=end))
    rows = (
        UnmetNeed.objects.filter(scope.at_area("area"))
        .values("kind")
        .annotate(
            recorded=keyed_count(UnmetNeed, filter=recorded),
            still_unmet=keyed_count(UnmetNeed, filter=unmet),
        )
        .order_by("kind")
    )
    breakdown: dict[str, int] = {}
    keys: dict[str, int] = {}
    still_unmet = still_unmet_key = 0
    for row in rows:
        found, raw = counts(row, ["recorded", "still_unmet"])
        if found["recorded"]:
            breakdown[row["kind"]] = found["recorded"]
            keys[row["kind"]] = raw["recorded"]
        still_unmet += found["still_unmet"]
        still_unmet_key += raw["still_unmet"]
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
        keys=keys,
        figure_keys={"still_unmet": still_unmet_key},
        # Places developed are places (a public registry), not people.
        derived={"developed": as_is(Decimal(developed))},
    )
