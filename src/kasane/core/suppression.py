"""Small-count suppression (秘匿処理) of a two-way table with its totals.

A count from 1 to 4 could point at a household that a neighbour recognises, so it is not
shown (primary suppression). The table also shows row and column totals, from which a
hidden count could be recovered by subtraction — the only hidden cell of a line is its
total minus the shown ones, and two hidden cells that add up to less than five are each
narrowed to 1–4 again (a total of 238 beside shown cells adding up to 236 says both hidden
cells are 1). So, line by line (a row or a column, with its total), while the total is
shown and the hidden cells of the line are fewer than two, add up to less than
``THRESHOLD`` or are all ones (which their sum would give away), the smallest non-zero
shown cell of the line is hidden too (complementary suppression); when no such cell is
left, the total is hidden. A line whose total is hidden (as a small count itself, or as
another line's complement) keeps at least one hidden inner cell, or the total would be the
sum of the shown ones. This repeats until every line
holds, so no hidden value is the difference of shown ones, and what a line's total gives
away — the sum of its hidden cells — is at least five spread over at least two cells.

Every hidden cell looks the same ("—"): marking the complementary ones differently would
tell a reader that they are five or more, which narrows the other one down again.
A zero stays visible and is never taken as a complement: "nobody" names no one, and a
hidden zero would add nothing to the sum the rule asks of the hidden cells.

Pure functions on plain integers, so the rule is testable without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Cell:
    value: int
    hidden: bool

    @property
    def shown(self) -> int | None:
        return None if self.hidden else self.value


@dataclass(frozen=True)
class SuppressedTable:
    """``cells[i][j]`` for row i and column j; ``row_totals[i]``, ``column_totals[j]`` and
    ``total`` are the sums, suppressed by the same rule."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    total: Cell


Position = tuple[int, int]


def _covered(hidden: Sequence[int], threshold: int) -> bool:
    """Hidden cells a shown total cannot give back: at least two, adding up to at least
    ``threshold``, and not all ones (a hidden cell is never zero, so five hidden cells
    adding up to five would each be 1)."""
    total = sum(hidden)
    return len(hidden) >= 2 and total >= threshold and total > len(hidden)


def suppress_line(counts: Sequence[int], threshold: int = THRESHOLD) -> tuple[list[Cell], Cell]:
    """One line of counts and its total, suppressed by the same rule as a table: the cells
    and the total. The total is hidden only when it is small or nothing else would do."""
    table = suppress([list(counts)], threshold)
    return table.cells[0], table.row_totals[0]


def suppress(counts: Sequence[Sequence[int]], threshold: int = THRESHOLD) -> SuppressedTable:
    """Suppress a table of non-negative counts (rows × columns) and its totals."""
    rows = len(counts)
    columns = len(counts[0]) if rows else 0
    if any(len(row) != columns for row in counts):
        raise ValueError("every row needs the same number of columns")
    if any(value < 0 for row in counts for value in row):
        raise ValueError("counts are never negative")
    # The grid with its margins: row ``rows`` holds the column totals, column ``columns``
    # the row totals, and the corner the grand total.
    grid = [[*list(row), sum(row)] for row in counts]
    grid.append([sum(grid[i][j] for i in range(rows)) for j in range(columns + 1)])

    hidden: set[Position] = {
        (i, j) for i in range(rows + 1) for j in range(columns + 1) if 0 < grid[i][j] < threshold
    }

    # Each line: its inner cells, then its total (the sum of the inner cells).
    lines: list[list[Position]] = [
        [(i, j) for j in range(columns + 1)] for i in range(rows + 1)
    ] + [[(i, j) for i in range(rows + 1)] for j in range(columns + 1)]

    def value(p: Position) -> int:
        return grid[p[0]][p[1]]

    changed = True
    while changed:
        changed = False
        for line in lines:
            inner, margin = line[:-1], line[-1]
            hidden_inner = [p for p in inner if p in hidden]
            if margin in hidden:
                # The total is not shown; it stays hidden only if a cell of the line is.
                if hidden_inner or value(margin) == 0:
                    continue
            elif not hidden_inner or _covered([value(p) for p in hidden_inner], threshold):
                continue
            candidates = [p for p in inner if p not in hidden and value(p) > 0]
            if candidates:
                hidden.add(min(candidates, key=lambda p: (value(p), p)))
            else:
                # Every non-zero cell of the line is hidden and still too few or too
                # small: the total equals their sum and goes too.
                hidden.add(margin)
            changed = True

    def cell(i: int, j: int) -> Cell:
        return Cell(grid[i][j], (i, j) in hidden)

    return SuppressedTable(
        cells=[[cell(i, j) for j in range(columns)] for i in range(rows)],
        row_totals=[cell(i, columns) for i in range(rows)],
        column_totals=[cell(rows, j) for j in range(columns)],
        total=cell(rows, columns),
    )
