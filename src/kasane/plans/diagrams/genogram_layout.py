"""ジェノグラム: where each person stands (``layout_genogram``) and the household's outline."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict, deque
from collections.abc import Callable

from kasane.plans.diagrams.genogram_data import Genogram, GenogramNode, _birth_key
from kasane.plans.diagrams.svg import _n
from kasane.registry.models import Sex

# --- genogram: layout and drawing ----------------------------------------------------------

UNIT = 50  # half the distance between neighbours; columns are counted in these
PITCH = 120  # from one generation's row to the next
S = 18  # half the size of a symbol
BLOCK_GAP = 3  # columns between one family's children and the next
MARGIN = 10
TOP = MARGIN + 24  # room above the first row for the household's outline
NAME_WIDTH = 84


def _with_spouses(
    pid: int,
    nodes: dict[int, GenogramNode],
    spouses_of: dict[int, list[int]],
    row_ids: set[int],
    placed: set[int],
    has_parents: set[int],
) -> list[int]:
    """A child with the spouses who married into the family, wife to the right of husband."""
    mates = [
        s
        for s in spouses_of.get(pid, [])
        if s in row_ids and s not in placed and s not in has_parents
    ]
    placed.update([pid, *mates])
    return [*mates, pid] if nodes[pid].sex == Sex.FEMALE else [pid, *mates]


def layout_genogram(genogram: Genogram) -> dict[int, tuple[int, int]]:
    """(column, row) of each person: one row per generation, a couple side by side, the
    children of a family centred under their parents, eldest on the left."""
    nodes = {n.id: n for n in genogram.nodes}
    spouses_of: defaultdict[int, list[int]] = defaultdict(list)
    for a, b in genogram.couples:
        spouses_of[a].append(b)
        spouses_of[b].append(a)
    has_parents = {c for f in genogram.families if f.parents for c in f.children}
    col: dict[int, int] = {}
    rows = sorted({n.generation for n in genogram.nodes})
    for generation in rows:
        in_row = sorted(
            (n for n in genogram.nodes if n.generation == generation),
            key=lambda n: _birth_key(n.birth_date, n.id),
        )
        row_ids = {n.id for n in in_row}
        placed: set[int] = set()
        anchored: list[tuple[float, list[int]]] = []
        loose: list[list[int]] = []

        for family in genogram.families:
            kids = [c for c in family.children if c in row_ids and c not in placed]
            if not kids:
                continue
            block = [
                p
                for kid in kids
                for p in _with_spouses(kid, nodes, spouses_of, row_ids, placed, has_parents)
            ]
            if family.parents and all(p in col for p in family.parents):
                anchored.append((sum(col[p] for p in family.parents) / len(family.parents), block))
            else:
                loose.append(block)
        for node in in_row:
            if node.id in placed:
                continue
            # A couple (or a chain of remarriages) with nobody above them: husband first.
            component, queue = [], deque([node.id])
            placed.add(node.id)
            while queue:
                current = queue.popleft()
                component.append(current)
                for mate in spouses_of[current]:
                    if mate in row_ids and mate not in placed:
                        placed.add(mate)
                        queue.append(mate)
            component.sort(
                key=lambda p: (nodes[p].sex != Sex.MALE, _birth_key(nodes[p].birth_date, p))
            )
            loose.append(component)
        anchored.sort(key=lambda item: (item[0], item[1][0]))
        cursor: int | None = None
        blocks: list[tuple[float | None, list[int]]] = [*anchored, *((None, b) for b in loose)]
        for anchor, block in blocks:
            width = 2 * (len(block) - 1)
            if anchor is not None:
                start = math.floor(anchor - width / 2)
                if cursor is not None:
                    start = max(start, cursor + BLOCK_GAP)
            else:
                start = 0 if cursor is None else cursor + BLOCK_GAP
            for i, pid in enumerate(block):
                col[pid] = start + 2 * i
            cursor = col[block[-1]]
    shift = 1 - min(col.values())
    row_of = {g: i for i, g in enumerate(rows)}
    return {pid: (c + shift, row_of[nodes[pid].generation]) for pid, c in col.items()}


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _outline(
    cells: set[tuple[int, int]],
    x: Callable[[int], float],
    y: Callable[[int], float],
    inset: float = 0,
) -> str:
    """The boundary of a set of grid cells as an SVG path (one closed loop per region)."""
    edges: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for cx, cy in sorted(cells):
        if (cx, cy - 1) not in cells:
            edges[(cx, cy)].append((cx + 1, cy))
        if (cx + 1, cy) not in cells:
            edges[(cx + 1, cy)].append((cx + 1, cy + 1))
        if (cx, cy + 1) not in cells:
            edges[(cx + 1, cy + 1)].append((cx, cy + 1))
        if (cx - 1, cy) not in cells:
            edges[(cx, cy + 1)].append((cx, cy))
    parts = []
    while any(edges.values()):
        start = min(v for v, out in edges.items() if out)
        loop = [start]
        current = start
        while True:
            current = edges[current].pop(0)
            if current == start:
                break
            loop.append(current)
        # Keep only the corners.
        corners = [
            p
            for i, p in enumerate(loop)
            if (loop[i - 1][0] - p[0]) * (loop[(i + 1) % len(loop)][1] - p[1])
            != (loop[i - 1][1] - p[1]) * (loop[(i + 1) % len(loop)][0] - p[0])
        ]
        # Drawn a little inside the cells, off the lines that run along their edges (the
        # line down from a couple to their children runs on a cell edge). The loops run
        # clockwise, so the inside lies to the right of each edge.
        drawn = []
        for i, (cx, cy) in enumerate(corners):
            (px, py), (nx, ny) = corners[i - 1], corners[(i + 1) % len(corners)]
            # The inward normal of an edge (dx, dy) is (-dy, dx): summed over both edges.
            into = (-_sign(cy - py) - _sign(ny - cy), _sign(cx - px) + _sign(nx - cx))
            drawn.append((x(cx) + inset * into[0], y(cy) + inset * into[1]))
        parts.append("M" + " L".join(f"{_n(a)} {_n(b)}" for a, b in drawn) + " Z")
    return " ".join(parts)


def _household_cells(
    genogram: Genogram, layout: dict[int, tuple[int, int]]
) -> set[tuple[int, int]]:
    """The grid cells inside the household's outline: the two columns of each member, and
    the gap between members of one row where no one outside the household stands."""
    cells: set[tuple[int, int]] = set()
    others: set[tuple[int, int]] = set()
    for node in genogram.nodes:
        col, row = layout[node.id]
        (cells if node.in_household else others).update({(col - 1, row), (col, row)})
    for row in {r for _c, r in cells}:
        cols = sorted(c for c, r in cells if r == row)
        for left, right in itertools.pairwise(cols):
            gap = {(c, row) for c in range(left + 1, right)}
            if not gap & others:
                cells |= gap
    return _connect(cells, others)


def _connect(cells: set[tuple[int, int]], others: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Join the parts of the household (a son placed apart from his parents) by the
    shortest corridor of free cells, so that one outline goes round all of it."""
    cells = set(cells)
    cols = [c for c, _r in cells | others]
    rows = [r for _c, r in cells | others]
    box = (min(cols) - 1, max(cols) + 1, min(rows), max(rows))
    while True:
        start = min(cells)
        reached, queue = {start}, deque([start])
        while queue:
            c, r = queue.popleft()
            for step in ((c, r - 1), (c - 1, r), (c + 1, r), (c, r + 1)):
                if step in cells and step not in reached:
                    reached.add(step)
                    queue.append(step)
        if reached == cells:
            return cells
        came: dict[tuple[int, int], tuple[int, int]] = {}
        queue = deque(sorted(reached))
        seen = set(reached)
        found = None
        while queue and found is None:
            c, r = queue.popleft()
            for step in ((c, r - 1), (c - 1, r), (c + 1, r), (c, r + 1)):
                sc, sr = step
                if step in seen or step in others or not (box[0] <= sc <= box[1]):
                    continue
                if not box[2] <= sr <= box[3]:
                    continue
                seen.add(step)
                came[step] = (c, r)
                if step in cells:
                    found = step
                    break
                queue.append(step)
        if found is None:  # walled in by relatives: leave the parts apart
            return cells
        step = came[found]
        while step not in reached:
            cells.add(step)
            step = came[step]
