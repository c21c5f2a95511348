"""事業実績報告: the annual report workbook (.xlsx) of a 年度.

One sheet per project of the program, holding every registered computation of that project
(``computations.REGISTRY``, so a new computation appears without a change here) with its
value, breakdown and further figures for the 年度 and the previous one; a sheet of every
indicator against its target; and the 支援ケース一覧 (case list) read through
``evaluation.report.selectors``, which audits it.

Analysts (``access.aggregates_only``) get aggregates only: every count perturbed by the
cell-key method (``kasane.core.cellkey``), exactly as the dashboard shows it, shares from
the perturbed counts, and the case list is not in their workbook. Every text cell is
defused as in the CSV exports (``core.exports.neutralise``); numbers are written as
numbers, dates as dates.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from openpyxl import Workbook

from kasane.accounts.models import Staff
from kasane.cases.models import CaseStatus
from kasane.core.dates import fiscal_year_bounds, fiscal_year_label, wareki
from kasane.evaluation.access import aggregates_only, may_see
from kasane.evaluation.computations import REGISTRY, Computation, Result, Scope
from kasane.evaluation.computations.base import shared_reads
from kasane.evaluation.labels import key_labels, label
from kasane.evaluation.models import (
    Indicator,
    IndicatorLevel,
    IndicatorSource,
    ManualValue,
    Project,
    Target,
)
from kasane.evaluation.report.cells import (
    BOLD,
    SUPPRESSION_NOTE,
    cell_number,
    difference,
    format_for,
    new_sheet,
    shown_result,
)
from kasane.evaluation.report.selectors import CaseRow, annual_case_list_for_user
from kasane.privacy.cases import works_cases
from kasane.registry.models import Area, AreaKind

PROJECT_SHEETS: dict[str, str] = {
    Project.COMPREHENSIVE_CONSULTATION: "包括的相談支援",
    Project.PARTICIPATION: "参加支援",
    Project.COMMUNITY: "地域づくり",
    Project.OUTREACH: "アウトリーチ",
    Project.COORDINATION: "多機関協働",
    Project.PLANS: "支援プラン",
}
INDICATOR_SHEET = "指標と目標"
CASE_SHEET = "支援ケース一覧"
REPORT_TITLE = "事業実績報告"


_LEVELS = {IndicatorLevel.OUTPUT: "アウトプット", IndicatorLevel.OUTCOME: "アウトカム"}
_SOURCES = {IndicatorSource.COMPUTED: "記録から計算", IndicatorSource.MANUAL: "手入力"}


def municipality_name() -> str:
    """The city at the root of the area tree (the demo's かさね市), or nothing."""
    name = (
        Area.objects.filter(kind=AreaKind.CITY, parent__isnull=True)
        .order_by("id")
        .values_list("name", flat=True)
        .first()
    )
    return name or ""


# --- the workbook ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    fiscal_year: int
    municipality: str
    generated_at: datetime.datetime
    analyst: bool

    def header(self, title: str, note: str = "") -> list[str]:
        first, last = fiscal_year_bounds(self.fiscal_year)
        label = fiscal_year_label(self.fiscal_year)
        at = self.generated_at
        lines = [
            f"{self.municipality} {label}（{self.fiscal_year}年度） {REPORT_TITLE}"
            f" — {title}".strip(),
            f"作成日時: {at:%Y-%m-%d %H:%M}（{wareki(at.date())} {at:%H:%M}）",
            f"対象期間: {first.isoformat()} 〜 {last.isoformat()}"
            f"（{wareki(first)}〜{wareki(last)}）",
        ]
        notes = [n for n in (note, SUPPRESSION_NOTE if self.analyst else "") if n]
        lines.append(" / ".join(notes))
        return lines


def _project_sheet(
    book: Workbook,
    context: _Context,
    title: str,
    entries: list[Computation],
    results: dict[tuple[str, int], Result],
    labels: dict[str, str],
) -> None:
    year, before = context.fiscal_year, context.fiscal_year - 1
    writer = new_sheet(
        book,
        title,
        header=context.header(title),
        columns=[
            ("指標", 34),
            ("項目", 34),
            ("コード", 24),
            (f"{fiscal_year_label(year)}", 14),
            (f"前年度（{fiscal_year_label(before)}）", 18),
            ("増減", 10),
            ("単位", 8),
        ],
    )
    if not entries:
        writer.row(["この事業の計算指標はまだ登録されていません。"])
        return
    for entry in entries:
        current = shown_result(results[(entry.code, year)], entry.unit, analyst=context.analyst)
        previous = shown_result(results[(entry.code, before)], entry.unit, analyst=context.analyst)
        writer.row(
            [
                writer.cell(entry.name, font=BOLD),
                writer.cell("合計", font=BOLD),
                entry.code,
                writer.cell(current.value, font=BOLD),
                previous.value,
                difference(current.value, previous.value),
                entry.unit,
            ]
        )
        keys = list(dict.fromkeys([*current.breakdown, *previous.breakdown]))
        for key in keys:
            now, then = current.breakdown.get(key, 0), previous.breakdown.get(key, 0)
            writer.row(
                [
                    "",
                    f"内訳: {label(labels, entry.code, key)}",
                    key,
                    now,
                    then,
                    difference(now, then),
                    entry.unit,
                ]
            )
        for key in dict.fromkeys([*current.figures, *previous.figures]):
            now_figure = current.figures.get(key)
            then_figure = previous.figures.get(key)
            number_format = format_for(key)
            writer.row(
                [
                    "",
                    label(labels, entry.code, key),
                    key,
                    writer.cell(now_figure, number_format=number_format),
                    writer.cell(then_figure, number_format=number_format),
                    writer.cell(difference(now_figure, then_figure), number_format=number_format),
                    "",
                ]
            )


def _achievement(value: object, target: Decimal | None) -> float | None:
    if not isinstance(value, int | float) or target is None or target == 0:
        return None
    return float((Decimal(str(value)) / target * 100).quantize(Decimal("0.1")))


def _indicator_sheet(
    book: Workbook,
    context: _Context,
    results: dict[tuple[str, int], Result],
) -> None:
    year, before = context.fiscal_year, context.fiscal_year - 1
    writer = new_sheet(
        book,
        INDICATOR_SHEET,
        header=context.header(INDICATOR_SHEET),
        columns=[
            ("事業", 16),
            ("コード", 24),
            ("指標", 34),
            ("種別", 7),
            ("区分", 12),
            ("取得方法", 12),
            ("単位", 7),
            (f"実績（{fiscal_year_label(year)}）", 14),
            (f"前年度実績（{fiscal_year_label(before)}）", 18),
            ("目標値", 12),
            ("達成率（%）", 12),
            ("備考", 40),
        ],
    )
    indicators = list(Indicator.objects.order_by("project", "kind", "code"))
    targets = dict(Target.objects.filter(fiscal_year=year).values_list("indicator_id", "value"))
    manual = {
        (indicator_id, fy): (value, note)
        for indicator_id, fy, value, note in ManualValue.objects.filter(
            fiscal_year__in=[year, before]
        ).values_list("indicator_id", "fiscal_year", "value", "note")
    }
    if not indicators:
        writer.row(["指標はまだ登録されていません。"])
    for indicator in indicators:
        now: int | float | str | None = None
        then: int | float | str | None = None
        note = ""
        if indicator.source == IndicatorSource.MANUAL:
            entered = manual.get((indicator.pk, year))
            earlier = manual.get((indicator.pk, before))
            now = cell_number(entered[0]) if entered else None
            then = cell_number(earlier[0]) if earlier else None
            note = entered[1] if entered and entered[1] else ("" if entered else "未入力")
        elif (indicator.computation, year) in results:
            now = shown_result(
                results[(indicator.computation, year)], indicator.unit, analyst=context.analyst
            ).value
            then = shown_result(
                results[(indicator.computation, before)],
                indicator.unit,
                analyst=context.analyst,
            ).value
        else:
            note = f"計算「{indicator.computation}」が登録されていません"
        target = targets.get(indicator.pk)
        writer.row(
            [
                PROJECT_SHEETS.get(indicator.project, indicator.project),
                indicator.code,
                indicator.name,
                indicator.kind,
                _LEVELS.get(indicator.level, indicator.level),  # type: ignore[call-overload]
                _SOURCES.get(indicator.source, indicator.source),  # type: ignore[call-overload]
                indicator.unit,
                now,
                then,
                cell_number(target),
                _achievement(now, target),
                note,
            ]
        )


CASE_COLUMNS: list[tuple[str, float]] = [
    ("ケース番号", 14),
    ("世帯主", 16),
    ("開始日", 12),
    ("開始日（和暦）", 18),
    ("支援決定日", 12),
    ("終結日", 12),
    ("終結日（和暦）", 18),
    ("状態", 12),
    ("主担当機関", 30),
    ("トリアージ", 10),
    ("課題", 48),
]
CASE_NOTE = "世帯主と課題は、閲覧の根拠（同意・支援会議・主担当など）がある場合にのみ記載"


def _case_sheet(book: Workbook, context: _Context, rows: list[CaseRow]) -> None:
    writer = new_sheet(
        book, CASE_SHEET, header=context.header(CASE_SHEET, CASE_NOTE), columns=CASE_COLUMNS
    )
    statuses = {str(value): str(label) for value, label in CaseStatus.choices}
    for row in rows:
        writer.row(
            [
                row.number,
                row.head_name,
                row.opened_on,
                wareki(row.opened_on),
                row.accepted_on,
                row.closed_on,
                wareki(row.closed_on) if row.closed_on else None,
                statuses.get(row.status, row.status),
                row.lead_agency,
                row.triage,
                "、".join(row.needs) if row.needs else None,
            ]
        )


def _context(actor: Staff, fiscal_year: int) -> _Context:
    return _Context(
        fiscal_year=fiscal_year,
        municipality=municipality_name(),
        generated_at=timezone.localtime().replace(tzinfo=None),
        analyst=aggregates_only(actor),
    )


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_annual_report(*, actor: Staff, fiscal_year: int) -> bytes:
    """The workbook of the 年度 for a coordinator or an analyst (404 for anyone else).

    The case list is read (and audited) only for those who see cases, never for analysts.
    """
    if not may_see(actor):
        raise Http404
    context = _context(actor, fiscal_year)
    results: dict[tuple[str, int], Result] = {}
    by_project: dict[str, list[Computation]] = {project: [] for project in PROJECT_SHEETS}
    with shared_reads():
        for entry in REGISTRY.values():
            by_project.setdefault(entry.project, []).append(entry)
            for year in (fiscal_year, fiscal_year - 1):
                results[(entry.code, year)] = entry.function(Scope(year))
    # Breakdown and figure keys in words, as on the dashboard; a key without a label is
    # shown as it is, beside its code, so a new computation is never hidden.
    labels = key_labels()

    book = Workbook(write_only=True)
    for project, entries in by_project.items():
        title = PROJECT_SHEETS.get(project, project[:31])
        _project_sheet(book, context, title, entries, results, labels)
    _indicator_sheet(book, context, results)
    if not context.analyst and works_cases(actor):
        _case_sheet(book, context, annual_case_list_for_user(actor, fiscal_year))
    return _save(book)


def build_case_list(*, actor: Staff, fiscal_year: int) -> bytes:
    """The 支援ケース一覧 of the 年度 on its own: refused (404) to analysts and to anyone
    who may not see the evaluation pages, like the case list CSV."""
    if not may_see(actor) or aggregates_only(actor):
        raise Http404
    context = _context(actor, fiscal_year)
    book = Workbook(write_only=True)
    _case_sheet(book, context, annual_case_list_for_user(actor, fiscal_year))
    return _save(book)
