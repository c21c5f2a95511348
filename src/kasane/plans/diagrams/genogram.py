"""ジェノグラム: drawing the family as SVG (``render_genogram``, ``genogram_svg``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kasane.cases.models import Case
from kasane.plans.diagrams.genogram_data import Genogram, GenogramNode, _pair, build_genogram
from kasane.plans.diagrams.genogram_layout import (
    MARGIN,
    NAME_WIDTH,
    PITCH,
    TOP,
    UNIT,
    S,
    _household_cells,
    _outline,
    layout_genogram,
)
from kasane.plans.diagrams.svg import A4_WIDTH, INK, _label, _n, _svg, _text_width
from kasane.registry.models import Membership, Person, Relation, Sex


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


def _lines(
    genogram: Genogram,
    layout: dict[int, tuple[int, int]],
    x_of: Callable[[int], float],
    y_of: Callable[[int], float],
) -> list[str]:
    """The lines between partners and from parents down to their children."""
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
    return lines


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

    lines = _lines(genogram, layout, x_of, y_of)

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
