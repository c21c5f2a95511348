"""Small-count suppression (秘匿処理) of a two-way table with its totals.

A count from 1 to 4 could point at a household that a neighbour recognises, so it is not
shown (primary suppression). The table also shows row and column totals, from which one
hidden count per line could be recovered by subtraction; so wherever a line (a row or a
column, with its total) has exactly one hidden cell, a second one is hidden too — the
smallest non-zero shown cell of that line (complementary suppression). This repeats until
no line has a single hidden cell, so no hidden value is the difference of shown ones.

Every hidden cell looks the same ("—"): marking the complementary ones differently would
tell a reader that they are five or more, which narrows the other one down again.
A zero stays visible: "nobody" names no one.

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

    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for p in line if p in hidden) != 1:
                continue
            inner, margin = line[:-1], line[-1]
            candidates = [p for p in inner if p not in hidden and grid[p[0]][p[1]] > 0]
            if candidates:
                hidden.add(min(candidates, key=lambda p: (grid[p[0]][p[1]], p)))
            else:
                # The only hidden cell is inner and every other inner cell is zero: the
                # total equals it and goes too.
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
