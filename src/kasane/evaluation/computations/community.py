"""地域づくり: community places (居場所・地域活動) per 中学校区."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Q

from kasane.community.models import Place
from kasane.evaluation.computations.base import AREA, Result, Scope, computation
from kasane.evaluation.models import IndicatorKind, Project
from kasane.registry.models import Area, AreaKind


@computation(
    "community_places",
    name="中学校区あたりの居場所・地域活動の数",
    project=Project.COMMUNITY,
    kind=IndicatorKind.KSI,
    unit="か所/校区",
    filters=frozenset({AREA}),
)
def community_places(scope: Scope) -> Result:
    """Community places active at some time in the period (begun before its end, not ended
    before its start), counted in their 中学校区 (a place registered for a 町丁目 counts in
    the district that holds it), by district name. The value is the mean per district over
    every district in the city (or in the area asked for), those with none included; seed
    004 sets 「多世代交流拠点を各中学校区に1か所以上」. The figures give the places, the
    districts, and the districts with none."""
    start, end = scope.date_span()
    active = (Q(started_on__isnull=True) | Q(started_on__lt=end)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )
    districts = Area.objects.filter(kind=AreaKind.SCHOOL_DISTRICT)
    areas = scope.areas
    if scope.area is not None and scope.area.kind == AreaKind.BLOCK:
        districts = districts.filter(pk=scope.area.parent_id or 0)  # the district holding it
    elif areas is not None:
        districts = districts.filter(pk__in=areas)
    names = dict(districts.values_list("pk", "name"))
    rows = Place.objects.filter(active, scope.at_area("area")).values_list(
        "area_id", "area__kind", "area__parent_id"
    )
    counts: Counter[str] = Counter()
    places = 0
    for area_id, kind, parent_id in rows:
        places += 1
        district = area_id if kind == AreaKind.SCHOOL_DISTRICT else parent_id
        if district in names:
            counts[names[district]] += 1
    breakdown = {name: counts.get(name, 0) for name in sorted(names.values())}
    value = (Decimal(places) / Decimal(len(names))).quantize(Decimal("0.01")) if names else None
    return Result(
        value,
        breakdown,
        {
            "places": Decimal(places),
            "districts": Decimal(len(names)),
            "districts_without": Decimal(sum(1 for n in breakdown.values() if n == 0)),
        },
        # Places are a public registry of groups, not people: their counts are exact.
        exact=True,
    )
