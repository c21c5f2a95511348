"""The one rule of what an analyst may see of an evaluation figure (``suppressed_figure``),
shared by the dashboard, the indicator pages, the self-assessment and the annual workbook:
counts from 1 to 4 are hidden with their complements, and so is any figure that could give
them back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kasane.core.suppression import THRESHOLD, suppress_line
from kasane.evaluation.computations import Result


def is_small(value: Decimal | int | None) -> bool:
    return value is not None and 0 < value < THRESHOLD


# Units whose values are counts of people or records (the workbook uses the same list).
COUNT_UNITS = frozenset({"件", "人", "世帯", "回", "か所", "組"})
# Further figures derived from counts rather than counts themselves, by the ending or the
# start of their key; a figure keyed like a breakdown cell (an agency's cases per staff
# member) is derived from that cell.
DERIVED_ENDINGS = ("_share", "_rate")
DERIVED_STARTS = ("mean_", "median_", "p90_")


@dataclass(frozen=True)
class Figure:
    """One indicator's figures for a period, ready to show (``None``: none, or hidden).

    ``hidden`` says the value is hidden; a hidden breakdown cell is ``None`` (a count is
    never None otherwise); ``hidden_figures`` names the further figures hidden."""

    value: Decimal | None
    breakdown: dict[str, int | None] = field(default_factory=dict)
    figures: dict[str, Decimal | None] = field(default_factory=dict)
    hidden: bool = False
    hidden_figures: frozenset[str] = frozenset()


def is_derived(key: str, breakdown: dict[str, int]) -> bool:
    """A share, rate, mean, median or percentile, or a ratio per breakdown cell."""
    return key in breakdown or key.endswith(DERIVED_ENDINGS) or key.startswith(DERIVED_STARTS)


def _is_count(value: Decimal | None, unit: str) -> bool:
    return value is not None and unit in COUNT_UNITS and value == value.to_integral_value()


def suppressed_figure(result: Result, unit: str) -> Figure:
    """What an analyst may see of ``result``: the one rule of the dashboard, the indicator
    pages and the workbook.

    * The breakdown is one line with its total (``community.suppression.suppress_line``):
      1–4 hidden, then more cells until the hidden ones are at least two adding up to five
      or more, or the total goes too.
    * A count value that is the sum of its breakdown is that total, hidden with it; a
      count value that is not (a part of it, as reviews on time of all due, or a count with
      overlaps) is hidden when small or when any cell is: shown, it could be set against
      the shown cells.
    * Further figures that are counts (not ``is_derived``) are hidden when 1–4.
    * When anything of the indicator is hidden, every further figure (counts and derived
      alike: a count such as the outreach consultations is a part of the breakdown, and a
      share times its base gives back its numerator) is hidden, and so is a value that is
      not a count (%, 日, 件/人, 点, か所/校区): each could be combined with what is shown
      to give back a hidden cell. Shares and means are thus shown only where every count
      behind them that the indicator shows is 0 or at least five.
    """
    keys = list(result.breakdown)
    counts = [max(int(result.breakdown[k]), 0) for k in keys]
    cells, total = suppress_line(counts)
    breakdown: dict[str, int | None] = {
        key: cell.shown for key, cell in zip(keys, cells, strict=True)
    }
    any_cell_hidden = any(cell.hidden for cell in cells)
    value = result.value
    if value is None:
        value_hidden = False
    elif _is_count(value, unit) and keys and value == sum(counts):
        value_hidden = total.hidden
    elif _is_count(value, unit):
        value_hidden = is_small(value) or any_cell_hidden
    else:
        value_hidden = False  # decided below, with the rest of the indicator
    small_figure = any(
        not is_derived(key, result.breakdown) and is_small(figure)
        for key, figure in result.figures.items()
    )
    anything_hidden = any_cell_hidden or value_hidden or small_figure
    if anything_hidden and value is not None and not _is_count(value, unit):
        value_hidden = True
    if anything_hidden:
        return Figure(
            None if value_hidden else value,
            breakdown,
            dict.fromkeys(result.figures),
            value_hidden,
            frozenset(result.figures),
        )
    return Figure(value, breakdown, dict(result.figures))


def suppressed_line(counts: list[int]) -> list[int | None]:
    """A line of counts shown with its total elsewhere (the months of a 年度 beside the
    year's count), as an analyst may see it: the rule of ``suppressed_figure``."""
    cells, _total = suppress_line(counts)
    return [cell.shown for cell in cells]
