"""会議 and 支援プラン: meetings held and the cases they took up, plans made and approved,
the days to a first approved plan, reviews on time, and closures."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from kasane.cases.models import Case
from kasane.core.cellkey import record_key
from kasane.evaluation.computations.base import (
    AREA,
    DOMAIN,
    Result,
    Scope,
    computation,
    counts,
    keyed,
    keyed_count,
    median,
    percent,
    percentile,
    share,
)
from kasane.evaluation.models import IndicatorLevel, Project
from kasane.intake.models import Consultation
from kasane.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingStatus
from kasane.plans.models import Closure, ClosureReason, Review, SupportPlan

CASE = Case._meta.label_lower
MEETING_KINDS = (MeetingKind.SUPPORT_MEETING, MeetingKind.INTEGRATED_MEETING)


@computation(
    "meetings_held",
    name="支援会議・重層的支援会議の開催回数",
    project=Project.COORDINATION,
    unit="回",
    filters=frozenset({AREA, DOMAIN}),
)
def meetings_held(scope: Scope) -> Result:
    """支援会議 (§106-6) and 重層的支援会議 held in the period (status held; planned and
    cancelled ones do not count), and the distinct cases each kind took up
    (``cases_<kind>``; ``cases`` for both together).

    Narrowed to an area or a domain, a meeting counts when it took up at least one case of
    that area or domain, and only those cases are counted."""
    start, end = scope.span()
    held = Q(status=MeetingStatus.HELD, kind__in=MEETING_KINDS, held_at__gte=start, held_at__lt=end)
    narrowed = scope.area is not None or bool(scope.domain)
    items = AgendaItem.objects.filter(
        scope.on_cases("case"),
        meeting__status=MeetingStatus.HELD,
        meeting__kind__in=MEETING_KINDS,
        meeting__held_at__gte=start,
        meeting__held_at__lt=end,
    )
    per_kind = {
        row["meeting__kind"]: row
        for row in items.values("meeting__kind")
        .annotate(
            cases=Count("case", distinct=True),
            cases_key=keyed(Case, "case", distinct=True),
            meetings=Count("meeting", distinct=True),
            meetings_key=keyed(Meeting, "meeting", distinct=True),
        )
        .order_by()
    }
    if narrowed:
        meetings = {kind: (row["meetings"], row["meetings_key"]) for kind, row in per_kind.items()}
    else:
        meetings = {
            row["kind"]: (row["n"], row["k"])
            for row in Meeting.objects.filter(held)
            .values("kind")
            .annotate(n=Count("pk"), k=keyed(Meeting))
            .order_by()
        }
    breakdown = {str(kind): meetings.get(kind, (0, 0))[0] for kind in MEETING_KINDS}
    keys = {str(kind): meetings.get(kind, (0, 0))[1] for kind in MEETING_KINDS}
    cases = items.aggregate(n=Count("case", distinct=True), k=keyed(Case, "case", distinct=True))
    figures: dict[str, Decimal | None] = {
        f"cases_{kind}": Decimal(per_kind[kind]["cases"] if kind in per_kind else 0)
        for kind in MEETING_KINDS
    }
    figure_keys = {
        f"cases_{kind}": per_kind[kind]["cases_key"] if kind in per_kind else 0
        for kind in MEETING_KINDS
    }
    figures["cases"] = Decimal(cases["n"])
    figure_keys["cases"] = cases["k"] or 0
    return Result(
        Decimal(sum(breakdown.values())), breakdown, figures, keys=keys, figure_keys=figure_keys
    )


def _approved_in(scope: Scope) -> Q:
    start, end = scope.span()
    return Q(
        approved_at__isnull=False,
        approved_at__meeting__held_at__gte=start,
        approved_at__meeting__held_at__lt=end,
    )


@computation(
    "plans_made",
    name="支援プラン作成件数",
    project=Project.PLANS,
    filters=frozenset({AREA, DOMAIN}),
)
def plans_made(scope: Scope) -> Result:
    """Plan versions approved at a 重層的支援会議 held in the period — the プラン作成 a
    municipality reports — as first plans (version 1) and revisions (``revised``). The
    figures add the drafts begun in the period (``drafts_started``, by when they were
    written) and the cases with an approved plan in force at the period's end."""
    start, end = scope.span()
    plans = SupportPlan.objects.filter(scope.on_cases("case"))
    lines = {
        "first": _approved_in(scope) & Q(version=1),
        "revised": _approved_in(scope) & Q(version__gt=1),
        "drafts_started": Q(created_at__gte=start, created_at__lt=end),
    }
    row = plans.aggregate(**{name: keyed_count(SupportPlan, filter=q) for name, q in lines.items()})
    found, keys = counts(row, lines)
    breakdown = {"first": found["first"], "revised": found["revised"]}
    return Result(
        Decimal(sum(breakdown.values())),
        breakdown,
        {"drafts_started": Decimal(found["drafts_started"])},
        keys={name: keys[name] for name in breakdown},
        figure_keys={"drafts_started": keys["drafts_started"]},
    )


@computation(
    "days_to_first_plan",
    name="初回相談から支援プラン確定までの日数（中央値）",
    project=Project.PLANS,
    level=IndicatorLevel.OUTCOME,
    unit="日",
    filters=frozenset({AREA, DOMAIN}),
)
def days_to_first_plan(scope: Scope) -> Result:
    """The days from a case's first consultation (or, for a case with none, such as one
    opened from outreach, the day it was opened) to the approval of its first plan, for the
    cases whose first plan was approved in the period: the median is the value, the 90th
    percentile and the mean are figures, the cases counted the breakdown. Calendar days,
    Japan time. Seed 004 支援策① sets 「支援開始から多機関による支援プラン確定までの
    平均所要日数」 as a KPI."""
    start, end = scope.span()
    firsts = (
        SupportPlan.objects.filter(scope.on_cases("case"), approved_at__isnull=False)
        .values("case_id", "case__opened_at")
        .annotate(approved=Min("approved_at__meeting__held_at"))
        .filter(approved__gte=start, approved__lt=end)
        .order_by()
    )
    rows = list(firsts.values_list("case_id", "case__opened_at", "approved"))
    first_consultation = dict(
        Consultation.objects.filter(case_id__in=firsts.values("case_id"))
        .values("case_id")
        .annotate(first=Min("received_at"))
        .order_by()
        .values_list("case_id", "first")
    )
    days: list[int] = []
    for case_id, opened_at, approved in rows:
        began = first_consultation.get(case_id) or opened_at
        delta = timezone.localtime(approved).date() - timezone.localtime(began).date()
        days.append(delta.days)
    mean = (Decimal(sum(days)) / Decimal(len(days))).quantize(Decimal("0.1")) if days else None
    return Result(
        median(days),
        {"cases": len(days)},
        {
            "p90_days": percentile(days, 90),
            "mean_days": mean,
        },
        keys={"cases": sum(record_key(CASE, case_id) for case_id, _o, _a in rows)},
    )


@computation(
    "reviews_on_time",
    name="モニタリング・評価の期日内実施率",
    project=Project.PLANS,
    unit="%",
    filters=frozenset({AREA, DOMAIN}),
)
def reviews_on_time(scope: Scope) -> Result:
    """Reviews (モニタリング, and the evaluation at closure) held in the period against the
    date they were due: ``on_time`` (on or before it) or ``late``; and ``overdue``: reviews
    due before the period's end (or before today, for a period not over) and not held by
    then — whether held later, or not yet. The value is the share on time, in per cent, of
    everything due that the period answers for (on time + late + overdue); ``held`` is the
    reviews held in the period (on time + late)."""
    _start_at, end_at = scope.span()
    start, end = scope.date_span()
    cutoff = min(end, timezone.localdate() + datetime.timedelta(days=1))
    reviews = Review.objects.filter(scope.on_cases("case"), due_on__isnull=False)
    lines = {
        "on_time": Q(held_on__gte=start, held_on__lt=end, held_on__lte=F("due_on")),
        "late": Q(held_on__gte=start, held_on__lt=end, held_on__gt=F("due_on")),
        "held_after": Q(due_on__lt=cutoff, held_on__gte=cutoff),
    }
    found, raw = counts(
        reviews.aggregate(**{name: keyed_count(Review, filter=q) for name, q in lines.items()}),
        lines,
    )
    # Plans whose review was due before the cutoff and never held: the version in force at
    # the period's end (the latest approved at a meeting before it), on a case not closed
    # before it, with no review of it for that due date.
    approved_before_end = Q(approved_at__isnull=False, approved_at__meeting__held_at__lt=end_at)
    latest = (
        SupportPlan.objects.filter(approved_before_end, case_id=OuterRef("case_id"))
        .order_by("-version")
        .values("version")[:1]
    )
    held_for_due = Review.objects.filter(plan_id=OuterRef("pk"), due_on=OuterRef("review_due_on"))
    never_held = (
        SupportPlan.objects.filter(scope.on_cases("case"), approved_before_end)
        .filter(review_due_on__lt=cutoff)
        .filter(Q(case__closed_at__isnull=True) | Q(case__closed_at__gte=end_at))
        .annotate(latest=Subquery(latest), held=Exists(held_for_due))
        .filter(version=F("latest"), held=False)
        .aggregate(n=Count("pk"), k=keyed(SupportPlan))
    )
    breakdown = {
        "on_time": found["on_time"],
        "late": found["late"],
        "overdue": found["held_after"] + never_held["n"],
    }
    # Reviews and plans are numbered apart: a plan's key and a review's are both keys of
    # their own records, and the overdue cell holds some of each.
    keys = {
        "on_time": raw["on_time"],
        "late": raw["late"],
        "overdue": raw["held_after"] + (never_held["k"] or 0),
    }
    return Result(
        percent(breakdown["on_time"], sum(breakdown.values())),
        breakdown,
        {"held": Decimal(found["on_time"] + found["late"])},
        keys=keys,
        figure_keys={"held": keys["on_time"] + keys["late"]},
        derived={
            "value": lambda shown: percent(
                shown["on_time"], shown["on_time"] + shown["late"] + shown["overdue"]
            )
        },
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
    keys = dict.fromkeys(ClosureReason.values, 0)
    rows = (
        Closure.objects.filter(
            scope.on_cases("case"), case__closed_at__gte=start, case__closed_at__lt=end
        )
        .values("reason")
        .annotate(n=Count("pk"), k=keyed(Closure))
    )
    for row in rows:
        breakdown[row["reason"]] = row["n"]
        keys[row["reason"]] = row["k"]
    total = sum(breakdown.values())
    return Result(
        Decimal(total),
        breakdown,
        {"goals_achieved_share": share(breakdown[ClosureReason.GOALS_MET], total)},
        keys=keys,
        derived={
            "goals_achieved_share": lambda shown: share(
                shown[ClosureReason.GOALS_MET], shown["value"]
            )
        },
    )
