"""The cells of the annual report workbook: values written as numbers, dates and defused
text (``core.exports.neutralise``), sheets with their header lines and headings, and a
result as the workbook shows it (``HIDDEN`` where an analyst may not see it)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from kasane.core.cellkey import BOUND, THRESHOLD
from kasane.core.exports import neutralise
from kasane.evaluation.computations import Result
from kasane.evaluation.figures import published_figure

HIDDEN = "—"
SUPPRESSION_NOTE = (
    f"件数はセルキー法で攪乱した値です（0は0のまま、1〜{THRESHOLD - 1}は0または{THRESHOLD}、"
    f"それ以上は±{BOUND}以内）。「{HIDDEN}」は公表しない値"
)

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADING_FILL = PatternFill("solid", fgColor="DDE5F0")
WRAP = Alignment(wrap_text=True, vertical="top")


# --- cells ---------------------------------------------------------------------------------


Value = str | int | float | datetime.date | None


def cell_number(value: Decimal | int | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if not value.is_finite():
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def cell_text(value: object) -> Value:
    """A cell's value: numbers and dates as they are, text defused against formulas."""
    if value is None or isinstance(value, int | float | datetime.date):
        return value
    if isinstance(value, Decimal):
        return cell_number(value)
    return neutralise(value)


@dataclass
class Writer:
    sheet: WriteOnlyWorksheet

    def cell(self, value: object, *, font: Font | None = None, number_format: str = "") -> Cell:
        cell = WriteOnlyCell(self.sheet, value=cell_text(value))  # type: ignore[arg-type]
        if font is not None:
            cell.font = font
        if number_format:
            cell.number_format = number_format
        elif isinstance(cell.value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
        return cell

    def row(self, values: Iterable[object]) -> None:
        self.sheet.append([v if isinstance(v, Cell) else self.cell(v) for v in values])


def new_sheet(
    book: Workbook,
    title: str,
    *,
    header: Sequence[str],
    columns: Sequence[tuple[str, float]],
) -> Writer:
    """A sheet with its header lines, the column headings under them, readable column
    widths, and the panes frozen below the headings."""
    sheet = book.create_sheet(title)
    assert isinstance(sheet, WriteOnlyWorksheet)
    for index, (_name, width) in enumerate(columns, start=1):
        # Write-only sheets take column widths before the first row (not in the stubs).
        sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
    sheet.freeze_panes = f"A{len(header) + 2}"
    writer = Writer(sheet)
    for number, line in enumerate(header):
        writer.row([writer.cell(line, font=TITLE if number == 0 else None)])
    headings = []
    for name, _width in columns:
        cell = writer.cell(name, font=BOLD)
        cell.fill = HEADING_FILL
        cell.alignment = WRAP
        headings.append(cell)
    writer.row(headings)
    return writer


# --- the figures and their suppression -------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A result as the workbook shows it: ``HIDDEN`` where suppressed."""

    value: int | float | str | None
    breakdown: dict[str, int | str]
    figures: dict[str, int | float | str | None]


def shown_result(result: Result, unit: str, *, analyst: bool) -> Shown:
    """For analysts, exactly what the dashboard shows (``figures.published_figure``),
    with ``HIDDEN`` where it hides; a figure that is simply not there stays empty."""
    if not analyst:
        return Shown(
            cell_number(result.value),
            dict(result.breakdown),
            {key: cell_number(figure) for key, figure in result.figures.items()},
        )
    shown = published_figure(result, unit)
    return Shown(
        HIDDEN if shown.hidden else cell_number(shown.value),
        {key: HIDDEN if n is None else n for key, n in shown.breakdown.items()},
        {
            key: HIDDEN if key in shown.hidden_figures else cell_number(figure)
            for key, figure in shown.figures.items()
        },
    )


def difference(current: object, previous: object) -> int | float | None:
    if isinstance(current, int | float) and isinstance(previous, int | float):
        difference = current - previous
        return round(difference, 4) if isinstance(difference, float) else difference
    return None


def format_for(key: str) -> str:
    return "0.0%" if key.endswith("share") else ""
