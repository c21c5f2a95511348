"""Small-count suppression on tables whose answer is known by hand."""

from __future__ import annotations

import itertools

import pytest

from kasane.core.suppression import suppress


def shown(table) -> list[list[int | None]]:
    return [[c.shown for c in row] for row in table.cells]


def test_four_is_suppressed_and_five_is_shown() -> None:
    assert suppress([[4]]).cells[0][0].hidden
    assert suppress([[5]]).cells[0][0].shown == 5


def test_a_lone_small_count_takes_its_total_with_it() -> None:
    table = suppress([[4]])
    # The total would be the count itself.
    assert table.row_totals[0].hidden and table.column_totals[0].hidden and table.total.hidden


def test_zero_is_shown() -> None:
    table = suppress([[0, 7]])
    assert table.cells[0][0].shown == 0 and not table.cells[0][0].hidden


def test_complementary_cells_hand_worked() -> None:
    # rows: needs X, Y; columns: areas A, B, C.
    #        A  B  C | total
    #   X    4  7  0 |  11
    #   Y    6  8  5 |  19
    #   ----------------------
    #       10 15  5 |  30
    # X/A (4) is hidden. Row X would give it back as 11 - 7 - 0, so X/B (7) goes too.
    # Column A would then give X/A as 10 - 6, so Y/A goes; column B likewise takes Y/B.
    # Row Y now has two hidden cells; Y/C = 5 stays, as do all totals.
    table = suppress([[4, 7, 0], [6, 8, 5]])
    assert shown(table) == [[None, None, 0], [None, None, 5]]
    assert [c.shown for c in table.row_totals] == [11, 19]
    assert [c.shown for c in table.column_totals] == [10, 15, 5]
    assert table.total.shown == 30


def test_the_smallest_shown_cell_is_the_complement() -> None:
    table = suppress([[3, 50, 9, 20]])
    assert shown(table) == [[None, 50, None, 20]]


@pytest.mark.parametrize(
    "counts",
    [
        [[4, 7, 0], [6, 8, 5]],
        [[1, 2, 30], [12, 0, 4], [5, 5, 5]],
        [[0, 0], [0, 3]],
        [[9, 1, 1, 9], [9, 9, 9, 9], [2, 0, 0, 40]],
    ],
)
def test_no_line_has_a_single_hidden_cell(counts) -> None:
    """Whatever the table, no hidden value is the difference of a total and shown cells."""
    table = suppress(counts)
    grid = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    grid.append([*table.column_totals, table.total])
    lines = grid + [list(column) for column in zip(*grid, strict=True)]
    for line in lines:
        assert sum(c.hidden for c in line) != 1
    for cell in itertools.chain.from_iterable(grid):
        assert cell.hidden or not 0 < cell.value < 5


def test_ragged_or_negative_input_is_refused() -> None:
    with pytest.raises(ValueError):
        suppress([[1, 2], [3]])
    with pytest.raises(ValueError):
        suppress([[-1]])
