"""The one rule of what an analyst may see of an evaluation figure (``published_figure``),
shared by the dashboard, the indicator pages, the self-assessment and the annual workbook:
every count perturbed by the cell-key method (``kasane.core.cellkey``), so that no
combination of views gives a small count back by subtraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kasane.core import cellkey
from kasane.evaluation.computations import Result

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


def published_figure(result: Result, unit: str) -> Figure:
    """What an analyst may see of ``result``: the one rule of the dashboard, the indicator
    pages, the self-assessment and the workbook (``kasane.core.cellkey``).

    * Every count (breakdown cells, a count value, count figures) is published perturbed
      by its cell key: 0 stays 0, 1–4 become 0 or 5, larger counts move by at most 2. A
      count value is its own cell (the sum of the breakdown's records), never the sum of
      perturbed cells. A count whose records' keys the computation did not give is hidden.
    * Shares, rates and ratios (``Result.derived``) are computed from the published counts,
      never from the true ones (a true share beside a perturbed total gives the true
      numerator back).
    * Measurements (medians, means, percentiles, and any other value that is not a count)
      are shown when the published breakdown adds up to at least ``RELIABLE``: they then
      describe enough people not to describe one.
    * ``Result.exact``: counts of no person (places), shown as they are.
    """
    if result.exact:
        return Figure(result.value, dict(result.breakdown), dict(result.figures))
    published: dict[str, int] = {}
    breakdown: dict[str, int | None] = {}
    for key, count in result.breakdown.items():
        raw = result.keys.get(key)
        if raw is not None:
            breakdown[key] = published[key] = cellkey.publish(max(int(count), 0), raw)
        elif key in result.derived:  # a count of organisations
            breakdown[key] = count
        else:
            breakdown[key] = None  # a count without its records' keys
    value: Decimal | None = result.value
    value_hidden = False
    if _is_count(value, unit):
        raw_value = result.value_key
        if (
            raw_value is None
            and result.breakdown
            and value == sum(result.breakdown.values())
            and all(key in result.keys for key in result.breakdown)
        ):
            raw_value = cellkey.combined(*result.keys.values())
        if raw_value is None:
            value, value_hidden = None, True
        else:
            value = Decimal(cellkey.publish(int(result.value or 0), raw_value))
            published["value"] = int(value)
    figures: dict[str, Decimal | None] = {}
    for key, figure in result.figures.items():
        raw = result.figure_keys.get(key)
        if raw is not None and figure is not None:
            figures[key] = Decimal(cellkey.publish(int(figure), raw))
            published[key] = int(figures[key])  # type: ignore[arg-type]
    base = sum(n for n in breakdown.values() if n is not None)
    reliable = base >= cellkey.RELIABLE and None not in breakdown.values()

    def derive(name: str, true_value: Decimal | None) -> Decimal | None:
        if name in result.derived:
            return result.derived[name](published)
        return true_value if reliable else None

    for key, figure in result.figures.items():
        if key in figures or figure is None:
            figures.setdefault(key, None)
        elif key in result.derived or is_derived(key, result.breakdown):
            figures[key] = derive(key, figure)
        else:
            figures[key] = None  # a count without its records' keys
    if "value" in result.derived or (value is not None and not _is_count(value, unit)):
        value = derive("value", result.value)
        value_hidden = value is None and result.value is not None
    hidden_figures = frozenset(
        key for key, figure in result.figures.items() if figure is not None and figures[key] is None
    )
    return Figure(value, breakdown, figures, value_hidden, hidden_figures)
