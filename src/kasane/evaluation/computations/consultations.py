"""包括的相談支援: consultations received, by channel, domain and main need, and the share
reached through outreach."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from kasane.core.models import Domain
from kasane.evaluation.computations.base import (
    AREA,
    DOMAIN,
    Result,
    Scope,
    computation,
    counts,
    keyed,
    keyed_count,
    percent,
    touching_domain,
)
from kasane.evaluation.models import IndicatorKind, IndicatorLevel, Project
from kasane.intake.models import Channel, Consultation, ConsultationNeed
from kasane.outreach.models import OutreachTarget


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
        .annotate(n=Count("pk"), k=keyed(Consultation))
    )
    breakdown = dict.fromkeys(Channel.values, 0)
    keys = dict.fromkeys(Channel.values, 0)
    for row in rows:
        breakdown[row["channel"]] = row["n"]
        keys[row["channel"]] = row["k"]
    return Result(Decimal(sum(breakdown.values())), breakdown, keys=keys)


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
    # A conditional count per domain on the JSON text, in the database: decoding every
    # consultation's list in Python is what takes the time.
    row = (
        Consultation.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(scope.in_area("household"), scope.in_domain(""))
        .order_by()
        .aggregate(
            total=keyed_count(Consultation),
            **{
                code: keyed_count(Consultation, filter=touching_domain(code))
                for code in Domain.values
            },
        )
    )
    found, keys = counts(row, ["total", *Domain.values])
    breakdown = {code: found[code] for code in sorted(Domain.values) if found[code]}
    return Result(
        Decimal(found["total"]),
        breakdown,
        keys={code: keys[code] for code in breakdown},
        value_key=keys["total"],
    )


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
    all_of_them = (
        Consultation.objects.filter(in_year)
        .filter(scope.in_area("household"), scope.in_domain(""))
        .aggregate(n=Count("pk"), k=keyed(Consultation))
    )
    total, total_key = all_of_them["n"], all_of_them["k"] or 0
    rows = (
        ConsultationNeed.objects.filter(
            is_main=True,
            consultation__received_at__gte=start,
            consultation__received_at__lt=end,
        )
        .filter(scope.in_area("consultation__household"), scope.in_domain("consultation"))
        .values("need_type__code")
        .annotate(
            n=Count("consultation", distinct=True),
            k=keyed(Consultation, "consultation", distinct=True),
        )
    )
    breakdown = {row["need_type__code"]: row["n"] for row in rows}
    keys = {row["need_type__code"]: row["k"] for row in rows}
    without = total - sum(breakdown.values())
    if without:
        # One main need per consultation: the others' keys are the total's less theirs.
        breakdown["none"] = without
        keys["none"] = total_key - sum(keys.values())
    return Result(Decimal(total), dict(sorted(breakdown.items())), keys=keys, value_key=total_key)


@computation(
    "outreach_share",
    name="アウトリーチを通じた相談の割合",
    project=Project.OUTREACH,
    kind=IndicatorKind.KSI,
    level=IndicatorLevel.OUTCOME,
    unit="%",
    filters=frozenset({AREA, DOMAIN}),
)
def outreach_share(scope: Scope) -> Result:
    """Of the consultations received, the share reached through outreach: taken by outreach
    (channel), or recorded on a case that an outreach target had become — a target opened
    no later than the consultation, so that a case's older consultations do not count.

    The breakdown counts each consultation once: ``outreach_channel``, else
    ``outreach_target``, else ``other``; the value is the first two over all three, in per
    cent."""
    start, end = scope.span()
    from_target = OutreachTarget.objects.filter(
        case_id=OuterRef("case_id"), opened_at__lte=OuterRef("received_at")
    )
    by_channel = Q(channel=Channel.OUTREACH)
    by_target = ~Q(channel=Channel.OUTREACH) & Q(via_target=True)
    row = (
        Consultation.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(scope.in_area("household"), scope.in_domain(""))
        .annotate(via_target=Exists(from_target))
        .aggregate(
            total=keyed_count(Consultation),
            outreach_channel=keyed_count(Consultation, filter=by_channel),
            outreach_target=keyed_count(Consultation, filter=by_target),
        )
    )
    found, raw = counts(row, ["total", "outreach_channel", "outreach_target"])
    reached = found["outreach_channel"] + found["outreach_target"]
    keys = {name: raw[name] for name in ("outreach_channel", "outreach_target")}
    keys["other"] = raw["total"] - sum(keys.values())
    return Result(
        percent(reached, found["total"]),
        {
            "outreach_channel": found["outreach_channel"],
            "outreach_target": found["outreach_target"],
            "other": found["total"] - reached,
        },
        {"outreach_consultations": Decimal(reached)},
        keys=keys,
        figure_keys={"outreach_consultations": sum(keys.values()) - keys["other"]},
        derived={
            "value": lambda shown: percent(
                shown["outreach_consultations"],
                shown["outreach_channel"] + shown["outreach_target"] + shown["other"],
            )
        },
    )
