"""ジェノグラム and エコマップ: the family and the support network of a case, drawn as SVG.

Both are drawn from what is recorded — household members, family relations, dates of birth
and death, the case's team and referrals — never by hand, so the assessment page and its A4
printout always agree with the registry. Building (``build_*``, from model instances) is kept
apart from drawing (``render_*``, from plain dataclasses), so the drawing is testable without
a database.

These functions do not check access: the caller has already fetched the case through
``kasane.privacy``, and every name drawn belongs to that case's household or team.
"""

from __future__ import annotations

import datetime
import itertools
import math
import re
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from xml.sax.saxutils import escape

from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kasane.cases.models import Case, Referral, ReferralStatus, TeamMember, TeamRole
from kasane.core.dates import age_on
from kasane.registry.models import Membership, Person, Relation, RelationKind, Relationship, Sex

FONT = "'Noto Sans CJK JP', sans-serif"
INK = "#111"
# What fits the printable width of A4 portrait (180 mm at 96 dpi) without scaling down.
A4_WIDTH = 680

# --- text ----------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(value: str) -> str:
    """Names are typed by people: escaped for text and attributes alike."""
    return escape(_NOT_XML.sub("", value), {'"': "&quot;", "'": "&#39;"})


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text_width(text: str, size: float) -> float:
    """A rough width: CJK and full-width characters one em, the rest a little over half."""
    return sum(
        size * (1.0 if ord(ch) >= 0x2E80 and not 0xFF61 <= ord(ch) <= 0xFF9F else 0.6)
        for ch in text
    )


def _label(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 12,
    max_width: float | None = None,
    bold: bool = False,
    anchor: str = "middle",
) -> str:
    """A line of text with a white halo, so that a line passing behind it stays readable."""
    fit = ""
    if max_width is not None and _text_width(text, size) > max_width:
        fit = f' textLength="{_n(max_width)}" lengthAdjust="spacingAndGlyphs"'
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}"'
        f'{weight}{fit} fill="{INK}" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
        f' paint-order="stroke">{_esc(text)}</text>'
    )


def _svg(kind: str, width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" role="img"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}"'
        f' font-family="{FONT}">'
        f"<title>{_esc(title)}</title><desc>{_esc(desc)}</desc>"
        f'<rect width="100%" height="100%" fill="#fff"/>' + "".join(body) + "</svg>"
    )


# --- genogram: data -------------------------------------------------------------------------


@dataclass(frozen=True)
class GenogramNode:
    """One person in the genogram. ``generation`` counts rows from the top, from 0."""

    id: int
    name: str
    sex: str = Sex.UNKNOWN
    generation: int = 0
    birth_date: datetime.date | None = None
    age: int | None = None
    deceased: bool = False
    client: bool = False
    in_household: bool = False


@dataclass(frozen=True)
class Family:
    """Children hanging from their parents (one or two), or siblings whose parents are
    not recorded (``parents`` empty)."""

    parents: tuple[int, ...]
    children: tuple[int, ...]


@dataclass(frozen=True)
class Genogram:
    nodes: tuple[GenogramNode, ...]
    couples: tuple[tuple[int, int], ...] = ()
    families: tuple[Family, ...] = ()


# 続柄 gives each member's generation relative to the head of the household.
_GENERATION_FROM_HEAD = {
    Relationship.SPOUSE: 0,
    Relationship.SIBLING: 0,
    Relationship.CHILD: 1,
    Relationship.CHILD_IN_LAW: 1,
    Relationship.GRANDCHILD: 2,
    Relationship.PARENT: -1,
    Relationship.GRANDPARENT: -2,
}


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _birth_key(birth_date: datetime.date | None, pk: int) -> tuple[bool, datetime.date, int]:
    return (birth_date is None, birth_date or datetime.date.min, pk)


def build_genogram(
    memberships: Iterable[Membership],
    relations: Iterable[Relation],
    *,
    client_ids: Collection[int] = (),
    today: datetime.date,
) -> Genogram:
    """The genogram of a household from its current memberships (with ``person``) and the
    family relations around them (with ``from_person`` and ``to_person``).

    Relations recorded between persons come first; where none is recorded the 続柄 fills in
    (a member recorded as 子 is the head's child, and the head's spouse's). Kept are the
    household, and relatives within one generation of the client (parents, siblings,
    spouse, children).
    """
    persons: dict[int, Person] = {}
    relationship: dict[int, str] = {}
    for membership in memberships:
        persons[membership.person_id] = membership.person
        relationship[membership.person_id] = membership.relationship
    parents: defaultdict[int, set[int]] = defaultdict(set)
    spouses: set[tuple[int, int]] = set()
    siblings: list[tuple[int, int]] = []
    offsets: list[tuple[int, int, int]] = []  # (a, b, generation of b - generation of a)
    for relation in relations:
        a, b = relation.from_person_id, relation.to_person_id
        if relation.kind == RelationKind.OTHER:
            continue
        persons.setdefault(a, relation.from_person)
        persons.setdefault(b, relation.to_person)
        if relation.kind == RelationKind.PARENT:
            parents[b].add(a)
        elif relation.kind == RelationKind.SPOUSE:
            spouses.add(_pair(a, b))
            offsets.append((a, b, 0))
        elif relation.kind == RelationKind.SIBLING:
            siblings.append((a, b))
            offsets.append((a, b, 0))
        elif relation.kind == RelationKind.GRANDPARENT:
            offsets.append((a, b, 2))
    if not persons:
        return Genogram(nodes=())

    head = next((p for p, rel in sorted(relationship.items()) if rel == Relationship.HEAD), None)
    if head is not None:
        recorded = set(parents)
        partners = [p for p, rel in relationship.items() if rel == Relationship.SPOUSE]
        for pid, rel in sorted(relationship.items()):
            if pid == head:
                continue
            if rel in _GENERATION_FROM_HEAD:
                offsets.append((head, pid, _GENERATION_FROM_HEAD[Relationship(rel)]))
            if rel == Relationship.SPOUSE:
                spouses.add(_pair(head, pid))
            elif rel == Relationship.CHILD and pid not in recorded:
                parents[pid].add(head)
                if len(partners) == 1:
                    parents[pid].add(partners[0])
            elif rel == Relationship.PARENT and head not in recorded:
                parents[head].add(pid)
            elif rel == Relationship.SIBLING:
                siblings.append((head, pid))

    # Siblings share parents: one whose parents are not recorded takes those of a sibling.
    root: dict[int, int] = {}

    def find(x: int) -> int:
        while root.get(x, x) != x:
            x = root[x]
        return x

    for a, b in siblings:
        ra, rb = find(a), find(b)
        if ra != rb:
            root[max(ra, rb)] = min(ra, rb)
    sibships: defaultdict[int, list[int]] = defaultdict(list)
    for pid in sorted({p for pair in siblings for p in pair}):
        sibships[find(pid)].append(pid)
    for group in sibships.values():
        known = [p for p in group if parents.get(p)]
        for pid in group:
            if known and not parents.get(pid):
                parents[pid] = set(parents[known[0]])

    for child, of in parents.items():
        offsets.extend((p, child, 1) for p in of)

    # Generations, breadth first from the client (or the head): the first reading wins.
    clients = sorted(set(client_ids) & persons.keys())
    ref = clients[0] if clients else head if head is not None else min(persons)
    neighbours: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b, delta in offsets:
        neighbours[a].append((b, delta))
        neighbours[b].append((a, -delta))
    generation: dict[int, int] = {}
    for start in [ref, *sorted(persons)]:
        if start in generation:
            continue
        generation[start] = generation.get(head, 0) if head is not None else 0
        queue = deque([start])
        while queue:
            current = queue.popleft()
            for other, delta in sorted(neighbours[current]):
                if other not in generation:
                    generation[other] = generation[current] + delta
                    queue.append(other)

    shown = {generation[ref] + d for d in (-1, 0, 1)} | {generation[p] for p in relationship}
    keep = {p for p in persons if p in relationship or generation[p] in shown}
    top = min(generation[p] for p in keep)

    nodes = []
    for pid in sorted(keep):
        person = persons[pid]
        died = person.died_on
        nodes.append(
            GenogramNode(
                id=pid,
                name=person.name,
                sex=person.sex,
                generation=generation[pid] - top,
                birth_date=person.birth_date,
                age=None if person.birth_date is None else age_on(person.birth_date, died or today),
                deceased=died is not None,
                client=pid in client_ids,
                in_household=pid in relationship and died is None,
            )
        )
    birth = {n.id: _birth_key(n.birth_date, n.id) for n in nodes}

    by_parents: defaultdict[tuple[int, ...], list[int]] = defaultdict(list)
    for pid in sorted(keep):
        above = sorted(
            p for p in parents.get(pid, ()) if p in keep and generation[p] == generation[pid] - 1
        )[:2]
        if above:
            by_parents[tuple(above)].append(pid)
    families = [
        Family(ps, tuple(sorted(kids, key=birth.__getitem__))) for ps, kids in by_parents.items()
    ]
    in_family = {c for f in families for c in f.children}
    for group in sibships.values():
        loose = [p for p in group if p in keep and p not in in_family]
        if len(loose) > 1:
            families.append(Family((), tuple(sorted(loose, key=birth.__getitem__))))
    couples = sorted(
        (a, b) for a, b in spouses if a in keep and b in keep and generation[a] == generation[b]
    )
    return Genogram(nodes=tuple(nodes), couples=tuple(couples), families=tuple(families))


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


def _symbol(sex: str, x: float, y: float, inset: float = 0) -> str:
    style = f'fill="#fff" stroke="{INK}" stroke-width="1.6"'
    s = S - inset
    if sex == Sex.MALE:
        size = f'width="{_n(2 * s)}" height="{_n(2 * s)}"'
        return f'<rect x="{_n(x - s)}" y="{_n(y - s)}" {size} {style}/>'
    if sex == Sex.FEMALE:
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(s)}" {style}/>'
    d = s + 4 - inset * 0.4
    points = f"{_n(x)},{_n(y - d)} {_n(x + d)},{_n(y)} {_n(x)},{_n(y + d)} {_n(x - d)},{_n(y)}"
    return f'<polygon points="{points}" {style}/>'


def _person(node: GenogramNode, x: float, y: float) -> str:
    sex = node.sex if node.sex in (Sex.MALE, Sex.FEMALE) else Sex.OTHER
    classes = ["person", sex]
    shapes = [_symbol(sex, x, y)]
    if node.client:
        classes.append("client")
        shapes.append(_symbol(sex, x, y, inset=4))
    if node.sex == Sex.UNKNOWN:
        shapes.append(_label(x, y + 4, "?", size=12))
    if node.deceased:
        classes.append("deceased")
        r = S + 5
        stroke = f'stroke="{INK}" stroke-width="1.6"'
        shapes.append(
            f'<line x1="{_n(x - r)}" y1="{_n(y - r)}" x2="{_n(x + r)}" y2="{_n(y + r)}" {stroke}/>'
        )
        shapes.append(
            f'<line x1="{_n(x - r)}" y1="{_n(y + r)}" x2="{_n(x + r)}" y2="{_n(y - r)}" {stroke}/>'
        )
    if node.in_household:
        classes.append("member")
    if node.deceased:
        age = _("deceased") if node.age is None else _("deceased, %(age)d") % {"age": node.age}
    else:
        age = "" if node.age is None else _("age %(age)d") % {"age": node.age}
    shapes.append(_label(x, y + S + 16, node.name, size=12, max_width=NAME_WIDTH))
    if age:
        shapes.append(_label(x, y + S + 30, age, size=11, max_width=NAME_WIDTH))
    return f'<g class="{" ".join(classes)}">' + "".join(shapes) + "</g>"


def _legend(items: list[tuple[str, str]], width: float, top: float) -> tuple[str, float]:
    """A legend flowing over lines of ``width``: (sample drawn at 0,0, label) pairs."""
    parts, x, y = [], 20.0, top + 14
    for sample, label in items:
        w = 40 + _text_width(label, 11) + 20
        if x + w > width - 10 and x > 20:
            x, y = 20.0, y + 26
        parts.append(f'<g transform="translate({_n(x + 14)} {_n(y)})">{sample}</g>')
        parts.append(_label(x + 34, y + 4, label, size=11, anchor="start"))
        x += w
    return '<g class="legend">' + "".join(parts) + "</g>", y + 18


def _genogram_legend() -> list[tuple[str, str]]:
    stroke = f'fill="#fff" stroke="{INK}" stroke-width="1.4"'
    return [
        (f'<rect x="-8" y="-8" width="16" height="16" {stroke}/>', _("Male")),
        (f'<circle r="8" {stroke}/>', _("Female")),
        (f'<polygon points="0,-10 10,0 0,10 -10,0" {stroke}/>', _("Other or unknown")),
        (
            f'<rect x="-8" y="-8" width="16" height="16" {stroke}/>'
            f'<rect x="-5" y="-5" width="10" height="10" {stroke}/>',
            _("Client"),
        ),
        (
            f'<rect x="-8" y="-8" width="16" height="16" {stroke}/>'
            f'<path d="M-11 -11 L11 11 M-11 11 L11 -11" stroke="{INK}" stroke-width="1.4"/>',
            _("Deceased"),
        ),
        (
            '<rect x="-12" y="-9" width="24" height="18" fill="none" stroke="#555"'
            ' stroke-width="1.4" stroke-dasharray="4 3"/>',
            _("Household"),
        ),
    ]


def render_genogram(genogram: Genogram) -> str:
    """The genogram as an SVG document (a string, escaped throughout)."""
    title = _("Genogram")
    if not genogram.nodes:
        body = [_label(A4_WIDTH / 2, 40, _("No household members are recorded."), size=13)]
        return _svg("genogram", A4_WIDTH, 70, title, _("No household members are recorded."), body)
    layout = layout_genogram(genogram)
    nodes = {n.id: n for n in genogram.nodes}
    max_col = max(c for c, _r in layout.values())
    rows = max(r for _c, r in layout.values()) + 1
    content = (max_col + 1) * UNIT + 2 * MARGIN
    width = max(content, A4_WIDTH)
    ox = MARGIN + (width - content) / 2

    def x_of(pid: int) -> float:
        return ox + layout[pid][0] * UNIT

    def y_of(pid: int) -> float:
        return TOP + layout[pid][1] * PITCH + 34

    lines: list[str] = []
    line = f'stroke="{INK}" stroke-width="1.6" fill="none"'

    def partner_line(a: int, b: int, married: bool) -> tuple[float, float]:
        """Draw the line between partners; return where their children hang from."""
        left, right = sorted((a, b), key=lambda p: layout[p][0])
        xl, xr, y = x_of(left), x_of(right), y_of(left)
        between = any(
            r == layout[left][1] and layout[left][0] < c < layout[right][0]
            for c, r in layout.values()
        )
        dash = "" if married else ' stroke-dasharray="6 4"'
        cls = "couple" if married else "couple unmarried"
        if not between:
            lines.append(
                f'<line class="{cls}" x1="{_n(xl + S)}" y1="{_n(y)}" x2="{_n(xr - S)}"'
                f' y2="{_n(y)}" {line}{dash}/>'
            )
            return (xl + xr) / 2, y
        low = y + S + 42  # below the names, past whoever stands between them
        lines.append(
            f'<path class="{cls}" d="M{_n(xl)} {_n(y + S)} V{_n(low)} H{_n(xr)} V{_n(y + S)}"'
            f" {line}{dash}/>"
        )
        return (xl + xr) / 2, low

    hangs: dict[tuple[int, int], tuple[float, float]] = {}
    spouse_spots: defaultdict[int, set[tuple[int, int]]] = defaultdict(set)
    for a, b in genogram.couples:
        spouse_spots[a].add(layout[b])
        spouse_spots[b].add(layout[a])
    for a, b in genogram.couples:
        hangs[(a, b)] = partner_line(a, b, married=True)
    for family in genogram.families:
        xs = [x_of(c) for c in family.children]
        bar = y_of(family.children[0]) - S - 12
        if len(family.parents) == 2:
            key = _pair(*family.parents)
            if key not in hangs:
                hangs[key] = partner_line(*key, married=False)
            ux, uy = hangs[key]
        elif family.parents:
            # From the side, not through the parent's name: away from a spouse beside them.
            (parent,) = family.parents
            px, py = x_of(parent), y_of(parent)
            side = -1 if (layout[parent][0] + 2, layout[parent][1]) in spouse_spots[parent] else 1
            ux, uy = px + side * UNIT, py
            lines.append(
                f'<line x1="{_n(px + side * S)}" y1="{_n(py)}" x2="{_n(ux)}" y2="{_n(py)}" {line}/>'
            )
        else:
            ux, uy = sum(xs) / len(xs), bar
        d = f"M{_n(ux)} {_n(uy)} V{_n(bar)} M{_n(min([*xs, ux]))} {_n(bar)} H{_n(max([*xs, ux]))}"
        d += "".join(
            f" M{_n(cx)} {_n(bar)} V{_n(y_of(c) - S)}"
            for c, cx in zip(family.children, xs, strict=True)
        )
        lines.append(f'<path class="descent" d="{d}" {line}/>')

    cells = _household_cells(genogram, layout)
    household = ""
    if cells:
        path = _outline(cells, lambda c: ox + c * UNIT, lambda r: TOP - 17 + r * PITCH, inset=6)
        household = (
            f'<path class="household" d="{path}" fill="none" stroke="#555" stroke-width="1.4"'
            ' stroke-dasharray="6 4" stroke-linejoin="round"/>'
        )
    people = [_person(n, x_of(n.id), y_of(n.id)) for n in genogram.nodes]
    legend, height = _legend(_genogram_legend(), width, TOP - 10 + rows * PITCH)
    members = sum(n.in_household for n in genogram.nodes)
    desc = _(
        "%(persons)d persons over %(generations)d generations; the %(members)d current members"
        " of the household are enclosed by a dashed line."
    ) % {"persons": len(nodes), "generations": rows, "members": members}
    return _svg(
        "genogram", width, height + MARGIN, title, desc, [household, *lines, *people, legend]
    )


def genogram_svg(case: Case, *, client_ids: set[int] | None = None) -> SafeString:
    """The genogram of the case's household: its current members and their parents,
    spouses, children and siblings; the clients (by default, the persons concerned by the
    case's consultations) drawn with a double line. Four queries, however large the family."""
    memberships = list(
        Membership.objects.filter(household_id=case.household_id, ended_on__isnull=True)
        .select_related("person")
        .order_by("id")
    )
    member_ids = {m.person_id for m in memberships}
    relations = list(
        Relation.objects.filter(Q(from_person_id__in=member_ids) | Q(to_person_id__in=member_ids))
        .select_related("from_person", "to_person")
        .order_by("id")
    )
    relatives = {p for r in relations for p in (r.from_person_id, r.to_person_id)} - member_ids
    if len(relatives) > 1:
        # Between relatives outside the household: a sibling's spouse, a late father's marriage.
        relations += list(
            Relation.objects.filter(from_person_id__in=relatives, to_person_id__in=relatives)
            .select_related("from_person", "to_person")
            .order_by("id")
        )
    if client_ids is None:
        client_ids = set(
            Person.objects.filter(consultations__case_id=case.pk).values_list("id", flat=True)
        )
    genogram = build_genogram(
        memberships, relations, client_ids=client_ids, today=timezone.localdate()
    )
    return SafeString(render_genogram(genogram))


# --- ecomap ---------------------------------------------------------------------------------


class TieStrength(StrEnum):
    STRONG = "strong"
    NORMAL = "normal"
    TENTATIVE = "tentative"
    STRESSFUL = "stressful"


class TieKind(StrEnum):
    AGENCY = "agency"
    RESOURCE = "resource"  # 参加支援 places, community activities, informal support


@dataclass(frozen=True)
class Tie:
    """One tie of the household to an agency or a resource: ``note`` is the small line
    under the name (the team role, the state of a referral)."""

    label: str
    strength: TieStrength
    note: str = ""
    kind: TieKind = TieKind.AGENCY


@dataclass(frozen=True)
class EcomapCentre:
    name: str
    members: int


_ROLE_ORDER = {TeamRole.LEAD: 0, TeamRole.COORDINATION: 1, TeamRole.MEMBER: 2}
_REFERRAL_STRENGTH = {
    ReferralStatus.REQUESTED: TieStrength.TENTATIVE,
    ReferralStatus.ACCEPTED: TieStrength.NORMAL,
    ReferralStatus.DECLINED: TieStrength.STRESSFUL,
}


def build_ties(team: Iterable[TeamMember], referrals: Iterable[Referral]) -> list[Tie]:
    """The team on the case (the lead a strong tie, the others normal), then the agencies
    referred to that are not on the team, by the answer to the latest referral: pending is
    tentative, accepted normal, declined stressful. A completed referral draws no tie."""
    ties = []
    seen: set[int] = set()
    current = [m for m in team if m.left_at is None]
    for member in sorted(
        current, key=lambda m: (_ROLE_ORDER.get(TeamRole(m.role), 9), m.joined_at, m.pk)
    ):
        if member.agency_id in seen:
            continue
        seen.add(member.agency_id)
        strength = TieStrength.STRONG if member.role == TeamRole.LEAD else TieStrength.NORMAL
        ties.append(Tie(member.agency.name, strength, member.get_role_display()))
    for referral in sorted(referrals, key=lambda r: (r.requested_at, r.pk), reverse=True):
        if referral.to_agency_id in seen:
            continue
        seen.add(referral.to_agency_id)
        answered = _REFERRAL_STRENGTH.get(ReferralStatus(referral.status))
        if answered is not None:
            note = _("referral %(status)s") % {"status": referral.get_status_display()}
            ties.append(Tie(referral.to_agency.name, answered, note))
    return ties


def build_centre(memberships: Iterable[Membership]) -> EcomapCentre:
    """The household as the ecomap's centre: its head's name and how many live in it."""
    living = [m for m in memberships if m.person.died_on is None]
    head = next((m for m in living if m.relationship == Relationship.HEAD), None)
    if head is None and living:
        head = min(living, key=lambda m: m.pk)
    return EcomapCentre(name="" if head is None else head.person.name, members=len(living))


BOX_W, BOX_H = 176, 56
CENTRE_R = 64
_WIDTHS = {
    TieStrength.STRONG: 5.0,
    TieStrength.NORMAL: 2.0,
    TieStrength.TENTATIVE: 2.0,
    TieStrength.STRESSFUL: 1.6,
}


def _tie_line(strength: TieStrength, x1: float, y1: float, x2: float, y2: float) -> str:
    cls = f'class="tie {strength}"'
    stroke = f'stroke="{INK}" stroke-width="{_n(_WIDTHS[strength])}" fill="none"'
    if strength == TieStrength.STRESSFUL:
        length = math.hypot(x2 - x1, y2 - y1)
        steps = max(2, int(length // 8))
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        points = [(x1, y1)]
        for i in range(1, steps):
            side = 5 if i % 2 else -5
            points.append(
                (x1 + ux * length * i / steps - uy * side, y1 + uy * length * i / steps + ux * side)
            )
        points.append((x2, y2))
        drawn = " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
        return f'<polyline {cls} points="{drawn}" {stroke} stroke-linejoin="round"/>'
    dash = ' stroke-dasharray="8 6"' if strength == TieStrength.TENTATIVE else ""
    return f'<line {cls} x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" {stroke}{dash}/>'


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x3040 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF or 0xFF66 <= code <= 0xFF9F:
        return "katakana"
    if 0x4E00 <= code <= 0x9FFF or ch == "々":
        return "kanji"
    return "space" if ch.isspace() else "other"


def _wrap(text: str, size: float, width: float) -> list[str]:
    """One line, or two: broken where the script changes (人とくらしの|サポートセンター)
    near the middle if that fits, else in the middle. A line still too long is squeezed."""
    if _text_width(text, size) <= width:
        return [text]
    breaks = [
        i
        for i in range(1, len(text))
        if _script(text[i - 1]) != _script(text[i])
        and _text_width(text[:i], size) <= width
        and _text_width(text[i:], size) <= width
    ]
    middle = (len(text) + 1) // 2
    cut = min(breaks, key=lambda i: (abs(2 * i - len(text)), i)) if breaks else middle
    return [text[:cut].rstrip(), text[cut:].lstrip()]


def _orbit(count: int) -> tuple[float, float, list[tuple[float, float]]]:
    """An ellipse around the centre, widened until no two boxes touch."""
    rx, ry = 240.0, 160.0
    while True:
        spots = [
            (
                rx * math.cos(-math.pi / 2 + 2 * math.pi * i / count),
                ry * math.sin(-math.pi / 2 + 2 * math.pi * i / count),
            )
            for i in range(count)
        ]
        crowded = any(
            abs(a[0] - b[0]) < BOX_W + 12 and abs(a[1] - b[1]) < BOX_H + 12
            for i, a in enumerate(spots)
            for b in spots[i + 1 :]
        )
        if not crowded:
            return rx, ry, spots
        rx, ry = rx * 1.1, ry * 1.1


def render_ecomap(centre: EcomapCentre, ties: Sequence[Tie]) -> str:
    """The ecomap as an SVG document: the household in the middle, its ties around it."""
    rx, ry, spots = _orbit(len(ties)) if ties else (240.0, 160.0, [])
    width = max(A4_WIDTH, 2 * (rx + BOX_W / 2 + 20))
    height = 2 * (ry + BOX_H / 2 + 20)
    cx, cy = width / 2, height / 2
    lines, boxes = [], []
    for tie, (dx, dy) in zip(ties, spots, strict=True):
        bx, by = cx + dx, cy + dy
        distance = math.hypot(dx, dy)
        # From the centre's rim to the edge of the box.
        into_box = min(
            (BOX_W / 2) / abs(dx) if dx else math.inf, (BOX_H / 2) / abs(dy) if dy else math.inf
        )
        lines.append(
            _tie_line(
                tie.strength,
                cx + dx * CENTRE_R / distance,
                cy + dy * CENTRE_R / distance,
                bx - dx * into_box,
                by - dy * into_box,
            )
        )
        rounded = BOX_H / 2 if tie.kind == TieKind.RESOURCE else 8
        name_lines = _wrap(tie.label, 12, BOX_W - 16)
        texts = [*name_lines, tie.note] if tie.note else name_lines
        top = by - (len(texts) - 1) * 7.5 + 4
        box = [
            f'<rect x="{_n(bx - BOX_W / 2)}" y="{_n(by - BOX_H / 2)}" width="{BOX_W}"'
            f' height="{BOX_H}" rx="{_n(rounded)}" fill="#fff" stroke="{INK}" stroke-width="1.4"/>'
        ]
        for i, text in enumerate(texts):
            note = tie.note and i == len(texts) - 1
            box.append(
                _label(bx, top + 15 * i, text, size=10 if note else 12, max_width=BOX_W - 12)
            )
        boxes.append(f'<g class="node {tie.kind} {tie.strength}">' + "".join(box) + "</g>")
    name = centre.name or _("Household")
    count = ngettext("%(count)d member", "%(count)d members", centre.members) % {
        "count": centre.members
    }
    middle = (
        f'<g class="household"><circle cx="{_n(cx)}" cy="{_n(cy)}" r="{CENTRE_R}" fill="#fff"'
        f' stroke="{INK}" stroke-width="2"/>'
        + _label(cx, cy - 14, _("Household"), size=10)
        + _label(cx, cy + 5, name, size=14, bold=True, max_width=2 * CENTRE_R - 20)
        + _label(cx, cy + 24, count, size=11)
        + "</g>"
    )
    legend_items = [
        (_tie_line(TieStrength.STRONG, -14, 0, 14, 0), _("Strong (lead agency)")),
        (_tie_line(TieStrength.NORMAL, -14, 0, 14, 0), _("Normal (team, accepted)")),
        (_tie_line(TieStrength.TENTATIVE, -14, 0, 14, 0), _("Tentative (referral pending)")),
        (_tie_line(TieStrength.STRESSFUL, -14, 0, 14, 0), _("Stressful (referral declined)")),
    ]
    legend, bottom = _legend(legend_items, width, height)
    if not ties:
        lines.append(
            _label(
                cx, cy + CENTRE_R + 30, _("No agency is working with the household yet."), size=12
            )
        )
    desc = ngettext(
        "The household of %(name)s at the centre, with %(count)d tie to an agency or resource.",
        "The household of %(name)s at the centre, with %(count)d ties to agencies and resources.",
        len(ties),
    ) % {"name": name, "count": len(ties)}
    return _svg(
        "ecomap", width, bottom + MARGIN, _("Ecomap"), desc, [*lines, *boxes, middle, legend]
    )


def ecomap_svg(case: Case, *, extra: Sequence[Tie] = ()) -> SafeString:
    """The ecomap of the case: its team and referrals, plus ``extra`` ties (参加支援 places
    and community resources, which later issues supply). Three queries."""
    memberships = Membership.objects.filter(
        household_id=case.household_id, ended_on__isnull=True
    ).select_related("person")
    team = case.team.filter(left_at__isnull=True).select_related("agency")
    referrals = case.referrals.select_related("to_agency")
    ties = [*build_ties(team, referrals), *extra]
    return SafeString(render_ecomap(build_centre(memberships), ties))
