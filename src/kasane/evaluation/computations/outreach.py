"""アウトリーチ: concern reports received, and outreach targets by stage at the period's end
with the period's inflow and outflow."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery

from kasane.evaluation.computations.base import (
    AREA,
    Result,
    Scope,
    computation,
    counts,
    keyed,
    keyed_count,
)
from kasane.evaluation.models import IndicatorKind, Project
from kasane.outreach.models import (
    ChangeKind,
    CloseReason,
    ConcernReport,
    OutreachTarget,
    Stage,
    StageChange,
)


@computation(
    "concern_reports",
    name="見守り通報の受付件数",
    project=Project.OUTREACH,
    filters=frozenset({AREA}),
)
def concern_reports(scope: Scope) -> Result:
    """Concern reports (見守り通報) received in the period, from businesses with a watch
    agreement (``watch_business``) or from 民生委員 and others (``volunteer``), and how many
    the outreach team took on as a target (``to_target``). Narrowed by the report's area."""
    start, end = scope.span()
    business = Q(reporter_agency__watch_agreement__isnull=False)
    row = (
        ConcernReport.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(scope.at_area("area"))
        .aggregate(
            watch_business=keyed_count(ConcernReport, filter=business),
            volunteer=keyed_count(ConcernReport, filter=~business),
            to_target=keyed_count(ConcernReport, filter=Q(target__isnull=False)),
        )
    )
    found, keys = counts(row, ["watch_business", "volunteer", "to_target"])
    to_target, to_target_key = found.pop("to_target"), keys.pop("to_target")
    return Result(
        Decimal(sum(found.values())),
        found,
        {"to_target": Decimal(to_target)},
        keys=keys,
        figure_keys={"to_target": to_target_key},
    )


@computation(
    "outreach_targets",
    name="アウトリーチ対象者数（年度末）",
    project=Project.OUTREACH,
    kind=IndicatorKind.KSI,
    unit="人",
    filters=frozenset({AREA}),
)
def outreach_targets(scope: Scope) -> Result:
    """Outreach targets open at the end of the period, by the stage they had reached then
    (from each target's history, so a past 年度 reads as it stood), and the period's
    inflow (``new``, ``returned``) and outflow (``connected``, ``moved``, ``ended``) — the
    same lines the outreach list counts for its month. Narrowed by the target's area."""
    start, end = scope.span()
    before_end = StageChange.objects.filter(target_id=OuterRef("pk"), at__lt=end).order_by(
        "-at", "-id"
    )
    rows = (
        OutreachTarget.objects.filter(scope.at_area("area"), opened_at__lt=end)
        .annotate(
            last_kind=Subquery(before_end.values("kind")[:1]),
            last_stage=Subquery(before_end.exclude(to_stage="").values("to_stage")[:1]),
        )
        .exclude(last_kind=ChangeKind.CLOSED)
        .values("last_stage")
        .annotate(n=Count("pk"), k=keyed(OutreachTarget))
        .order_by()
    )
    breakdown = dict.fromkeys(Stage.values, 0)
    keys = dict.fromkeys(Stage.values, 0)
    for row in rows:
        if row["last_stage"] in breakdown:
            breakdown[row["last_stage"]] += row["n"]
            keys[row["last_stage"]] += row["k"]
    flow = dict.fromkeys(["new", "returned", "connected", "moved", "ended"], 0)
    flow_keys = dict.fromkeys(flow, 0)
    changes = (
        StageChange.objects.filter(at__gte=start, at__lt=end)
        .filter(scope.at_area("target__area"))
        .values("kind", "close_reason")
        .annotate(n=Count("pk"), k=keyed(StageChange))
        .order_by()
    )
    for row in changes:
        line = _flow_line(row["kind"], row["close_reason"])
        if line:
            flow[line] += row["n"]
            flow_keys[line] += row["k"]
    return Result(
        Decimal(sum(breakdown.values())),
        breakdown,
        {key: Decimal(n) for key, n in flow.items()},
        keys=keys,
        figure_keys=flow_keys,
    )


def _flow_line(kind: str, reason: str) -> str:
    if kind == ChangeKind.OPENED:
        return "new"
    if kind == ChangeKind.REOPENED:
        return "returned"
    if kind == ChangeKind.CLOSED and reason == CloseReason.CONNECTED:
        return "connected"
    if kind == ChangeKind.CLOSED and reason == CloseReason.MOVED:
        return "moved"
    if kind == ChangeKind.CLOSED:
        return "ended"
    return ""
