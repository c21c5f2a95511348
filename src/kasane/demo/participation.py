"""Demo catalogue of places to take part (参加支援カタログ): about 80 places across kinds and
areas of かさね市, some not checked for months (stale), some full. Written in bulk — the
catalogue holds no personal data and the demo needs no audit trail of its own making."""

from __future__ import annotations

import datetime
import random

from kasane.demo.participation_places import SPECS, Spec
from kasane.participation.models import (
    Opportunity,
    OpportunityKindLink,
    OpportunityStatus,
    Resource,
    Schedule,
)
from kasane.registry.models import Area, AreaKind


def _time(pair: tuple[int, int]) -> datetime.time:
    return datetime.time(*pair)


def build_demo_participation(
    *, seed: int, today: datetime.date, count: int = 80
) -> list[Opportunity]:
    """The catalogue: ``count`` places over the city's blocks; returns them."""
    rng = random.Random(f"participation-{seed}")
    blocks = list(Area.objects.filter(kind=AreaKind.BLOCK).order_by("code"))
    if not blocks:
        return []
    resources: dict[str, Resource] = {}
    opportunities: list[Opportunity] = []
    kinds: list[tuple[Opportunity, tuple[str, ...]]] = []
    schedules: list[tuple[Opportunity, Spec]] = []
    used: set[str] = set()
    for i in range(count):
        spec = SPECS[i % len(SPECS)]
        block = blocks[(i * 7 + rng.randrange(len(blocks))) % len(blocks)]
        town = block.name
        name = spec.name.format(town=town)
        if name in used:
            name = f"{name}（{town}）"
        if name in used:
            continue
        used.add(name)
        host = spec.host.format(town=town)
        if host not in resources:
            resources[host] = Resource(
                name=host,
                phone=f"0120-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                description="",
            )
        # About one in six not checked for over six months; a few full, a few closed.
        stale = i % 6 == 5
        checked = today - datetime.timedelta(
            days=rng.randrange(200, 400) if stale else rng.randrange(0, 150)
        )
        vacancies = None
        if spec.capacity is not None:
            vacancies = 0 if i % 5 == 2 else rng.randrange(1, spec.capacity + 1)
        status = OpportunityStatus.TEMPORARILY_CLOSED if i % 23 == 11 else OpportunityStatus.ACTIVE
        opportunity = Opportunity(
            name=name,
            description=spec.description,
            status=status,
            phone="",
            application_process="見学・体験は事前にお電話ください。支援員の同行も歓迎します。",
            location_name=spec.venue.format(town=town),
            area=block,
            address=f"かさね市{town}{rng.randrange(1, 30)}-{rng.randrange(1, 20)}",
            cost_amount=spec.cost,
            cost_description=spec.cost_note,
            accessibility=list(spec.access),
            languages=["ja", "en"] if "foreign_residents" in spec.welcomes else ["ja"],
            welcomes=list(spec.welcomes),
            capacity=spec.capacity,
            vacancies=vacancies,
            age_min=spec.ages[0],
            age_max=spec.ages[1],
            checked_on=checked,
        )
        opportunities.append(opportunity)
        kinds.append((opportunity, spec.kinds))
        schedules.append((opportunity, spec))
    Resource.objects.bulk_create(resources.values())
    by_name = {r.name: r for r in Resource.objects.filter(name__in=list(resources))}
    for opportunity, (_o, spec) in zip(opportunities, schedules, strict=True):
        opportunity.resource = by_name[
            spec.host.format(town=opportunity.area.name if opportunity.area else "")
        ]
    Opportunity.objects.bulk_create(opportunities)
    saved = {
        o.public_id: o
        for o in Opportunity.objects.filter(public_id__in=[o.public_id for o in opportunities])
    }
    OpportunityKindLink.objects.bulk_create(
        [OpportunityKindLink(opportunity=saved[o.public_id], kind=k) for o, ks in kinds for k in ks]
    )
    Schedule.objects.bulk_create(
        [
            Schedule(
                opportunity=saved[o.public_id],
                freq=spec.freq,
                byday=spec.byday,
                opens_at=_time(spec.opens),
                closes_at=_time(spec.closes),
            )
            for o, spec in schedules
        ]
    )
    return list(saved.values())
