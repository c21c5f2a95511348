"""``kasane bench_matching``: how long ranking places to take part for one person takes.

Issue #5 sets the target: among 5,000 opportunities, under 50 ms on SQLite. The command adds
synthetic opportunities inside a transaction that it rolls back (the database is left as it
was), then times the ranking for one person many times and prints the figures:

- *warm*: what a request pays when the catalogue has not changed since the last one
  (the check that it has not changed, and the ranking);
- *cold*: after a change, when the candidates are rebuilt from the database.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from kasane.participation.matching.candidates import build_candidates, catalogue_candidates
from kasane.participation.matching.ranking import Profile, rank, terms
from kasane.participation.models import (
    AccessibilityFeature,
    Opportunity,
    OpportunityKind,
    OpportunityKindLink,
    Resource,
    Schedule,
)
from kasane.registry.models import Area, AreaKind

WORDS = [
    "料理",
    "畑",
    "パソコン",
    "手芸",
    "読書",
    "散歩",
    "体操",
    "囲碁",
    "写真",
    "音楽",
    "清掃",
    "園芸",
]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "1TU,3TU", "2WE,4WE"]


class _Rollback(Exception):
    pass


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"median {statistics.median(ordered) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


class Command(BaseCommand):
    help = "Time the ranking of places to take part for one person (target: < 50 ms / 5,000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--opportunities", type=int, default=5000)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                self._run(options["opportunities"], options["repeat"], options["seed"])
                raise _Rollback
        except _Rollback:
            pass

    def _areas(self) -> list[Area]:
        blocks = list(Area.objects.filter(kind=AreaKind.BLOCK)[:200])
        if blocks:
            return blocks
        city = Area.objects.create(code="BENCH", name="ベンチ市", kind=AreaKind.CITY)
        sphere = Area.objects.create(code="BENCH-S", name="圏域", kind=AreaKind.SPHERE, parent=city)
        district = Area.objects.create(
            code="BENCH-D", name="中学校区", kind=AreaKind.SCHOOL_DISTRICT, parent=sphere
        )
        return [
            Area.objects.create(
                code=f"BENCH-B{i}", name=f"町{i}", kind=AreaKind.BLOCK, parent=district
            )
            for i in range(20)
        ]

    def _run(self, count: int, repeat: int, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        areas = self._areas()
        resource = Resource.objects.create(name="ベンチマーク用の団体")
        today = timezone.localdate()
        kinds = OpportunityKind.values
        features = AccessibilityFeature.values
        existing = Opportunity.objects.count()
        made = Opportunity.objects.bulk_create(
            Opportunity(
                resource=resource,
                name=f"参加の場 {i:05d}",
                description=" ".join(rng.sample(WORDS, 3)),
                area=rng.choice(areas),
                cost_amount=rng.choice([0, 0, 100, 300, 500]),
                accessibility=rng.sample(features, rng.randint(0, 3)),
                capacity=20,
                vacancies=rng.randint(0, 20),
                age_min=rng.choice([None, 15, 18, 65]),
                checked_on=today,
            )
            for i in range(count)
        )
        OpportunityKindLink.objects.bulk_create(
            OpportunityKindLink(opportunity=o, kind=k)
            for o in made
            for k in rng.sample(kinds, rng.randint(1, 2))
        )
        Schedule.objects.bulk_create(
            Schedule(opportunity=o, freq="WEEKLY", byday=rng.choice(DAYS)) for o in made
        )
        profile = Profile(
            interests=terms("料理、畑・音楽"),
            strengths=terms("パソコン"),
            kinds=frozenset({"ibasho", "volunteer"}),
            area_path=(areas[0].pk, *(a for a in [areas[0].parent_id] if a)),
            weekdays=frozenset({1, 3}),
            needs=frozenset({"quiet_room"}),
            age=45,
        )
        total = existing + count
        self.stdout.write(
            f"bench_matching: {total} opportunities on {connection.vendor}, "
            f"ranking for one person, {repeat} runs"
        )
        cold: list[float] = []
        for _ in range(max(3, repeat // 5)):
            started = time.perf_counter()
            found = rank(profile, build_candidates())
            cold.append(time.perf_counter() - started)
        catalogue_candidates()  # fill the cache as the first request after a change would
        warm: list[float] = []
        for _ in range(repeat):
            started = time.perf_counter()
            found = rank(profile, catalogue_candidates())
            warm.append(time.perf_counter() - started)
        self.stdout.write(f"  warm (catalogue unchanged): {_ms(warm)}")
        self.stdout.write(f"  cold (candidates rebuilt):  {_ms(cold)}")
        self.stdout.write(
            f"  suggestions: {len(found)}; best: {found[0].candidate.name if found else '—'}"
        )
        target = statistics.median(warm) * 1000
        verdict = "meets" if target < 50 else "MISSES"
        self.stdout.write(f"  target < 50 ms (warm median): {verdict} ({target:.1f} ms)")
