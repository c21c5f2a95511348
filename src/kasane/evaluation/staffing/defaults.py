"""The seeded assumptions of the staffing estimate, each with its basis, and the bounds a
municipality's own assumptions must keep (``staffing.services``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kasane.evaluation.models import StaffRole, WorkloadKind

ONE_DECIMAL = Decimal("0.1")
HOURS_MAX = Decimal("160")  # one item cannot take more than a full-time month
FTE_HOURS_MIN = Decimal("20")
FTE_HOURS_MAX = Decimal("200")
CONSULTATION_MONTHS = 3
DEFAULT_HOURS_PER_FTE = Decimal("120")
HOURS_PER_FTE_BASIS = (
    "月の所定労働時間 約155時間（7時間45分×20日）のうち、会議・研修・庶務を除き相談支援に"
    "充てられる時間を約8割（120時間）と仮定。"
)


@dataclass(frozen=True)
class Default:
    hours: Decimal
    done_by: StaffRole
    note: str


# Seeded defaults, each with its basis; the municipality replaces them with its own.
DEFAULTS: dict[WorkloadKind, Default] = {
    WorkloadKind.TRIAGE_A: Default(
        Decimal("8"),
        StaffRole.COORDINATOR,
        "会議を開催した事例：支援会議・重層的支援会議1回（日程調整・資料準備・開催・記録 約6時間）"
        "＋関係機関との連絡調整 約2時間／月。",
    ),
    WorkloadKind.TRIAGE_B: Default(
        Decimal("5"),
        StaffRole.COORDINATOR,
        "会議を予定している事例：開催に向けた情報収集・関係機関への打診・日程調整 約5時間／月。",
    ),
    WorkloadKind.TRIAGE_C: Default(
        Decimal("1.5"),
        StaffRole.COORDINATOR,
        "既存のネットワークで対応できる事例：主担当機関への助言と月1回程度の状況確認"
        "（seed 001 §5-3 後方支援に徹する）。",
    ),
    WorkloadKind.TRIAGE_PENDING: Default(
        Decimal("4"),
        StaffRole.COORDINATOR,
        "トリアージ前の事例：受理・情報収集・関係機関への聞き取り・トリアージ判断 約4時間。",
    ),
    WorkloadKind.CASE: Default(
        Decimal("3"),
        StaffRole.WORKER,
        "主担当機関の継続支援：支援員1人あたり年間相談対応件数 32.9件（全国）〜43.7件（特別区）"
        "（seed 004）から、120時間÷約40件＝約3時間／月。",
    ),
    WorkloadKind.OUTREACH: Default(
        Decimal("4"),
        StaffRole.WORKER,
        "アウトリーチ対象：月2回程度の訪問・手紙・電話（移動を含め1回約2時間）。",
    ),
    WorkloadKind.MATCH: Default(
        Decimal("2"),
        StaffRole.WORKER,
        "参加支援のマッチング：提案・見学同行・定着支援のフォローアップ 月1回程度 約2時間。",
    ),
    WorkloadKind.CONSULTATION: Default(
        Decimal("1.5"),
        StaffRole.WORKER,
        "新規相談1件：受付・聞き取り・相談受付票の記録・つなぎ 約1.5時間。",
    ),
}
