"""ジェノグラム: the family of a case's household, read from the registry (``build_genogram``)."""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from kasane.core.dates import age_on
from kasane.registry.models import Membership, Person, Relation, RelationKind, Relationship, Sex

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


def _from_relationships(
    head: int,
    relationship: Mapping[int, str],
    parents: defaultdict[int, set[int]],
    spouses: set[tuple[int, int]],
    siblings: list[tuple[int, int]],
    offsets: list[tuple[int, int, int]],
) -> None:
    """Where no relation is recorded, the 続柄 to the head fills in (in place)."""
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


def _sibships(
    siblings: list[tuple[int, int]], parents: defaultdict[int, set[int]]
) -> dict[int, list[int]]:
    """Groups of siblings. Siblings share parents: one whose parents are not recorded takes
    those of a sibling (``parents`` is completed in place)."""
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

    return sibships


def _generations(
    offsets: list[tuple[int, int, int]], persons: Collection[int], ref: int, head: int | None
) -> dict[int, int]:
    """Each person's generation, breadth first from ``ref``: the first reading wins."""
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

    return generation


def _families(
    keep: set[int],
    parents: Mapping[int, set[int]],
    generation: Mapping[int, int],
    sibships: Mapping[int, list[int]],
    birth: Mapping[int, tuple[bool, datetime.date, int]],
) -> list[Family]:
    """Children under their (one or two) parents a generation above; siblings whose parents
    are not shown together as a family without parents."""
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
    return families


def _read_relations(
    relations: Iterable[Relation], persons: dict[int, Person]
) -> tuple[
    defaultdict[int, set[int]],
    set[tuple[int, int]],
    list[tuple[int, int]],
    list[tuple[int, int, int]],
]:
    """Parents by child, couples, sibling pairs and generation offsets from the recorded
    relations; the persons they name are added to ``persons``."""
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
    return parents, spouses, siblings, offsets


def _node(
    person: Person, generation: int, client: bool, member: bool, today: datetime.date
) -> GenogramNode:
    """One person of the genogram; ``member``: a current member of the household."""
    died = person.died_on
    return GenogramNode(
        id=person.pk,
        name=person.name,
        sex=person.sex,
        generation=generation,
        birth_date=person.birth_date,
        age=None if person.birth_date is None else age_on(person.birth_date, died or today),
        deceased=died is not None,
        client=client,
        in_household=member and died is None,
    )


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
    parents, spouses, siblings, offsets = _read_relations(relations, persons)
    if not persons:
        return Genogram(nodes=())

    head = next((p for p, rel in sorted(relationship.items()) if rel == Relationship.HEAD), None)
    if head is not None:
        _from_relationships(head, relationship, parents, spouses, siblings, offsets)

    sibships = _sibships(siblings, parents)

    for child, of in parents.items():
        offsets.extend((p, child, 1) for p in of)

    # Generations, breadth first from the client (or the head): the first reading wins.
    clients = sorted(set(client_ids) & persons.keys())
    ref = clients[0] if clients else head if head is not None else min(persons)
    generation = _generations(offsets, persons.keys(), ref, head)

    shown = {generation[ref] + d for d in (-1, 0, 1)} | {generation[p] for p in relationship}
    keep = {p for p in persons if p in relationship or generation[p] in shown}
    top = min(generation[p] for p in keep)

    nodes = [
        _node(persons[pid], generation[pid] - top, pid in client_ids, pid in relationship, today)
        for pid in sorted(keep)
    ]
    birth = {n.id: _birth_key(n.birth_date, n.id) for n in nodes}

    families = _families(keep, parents, generation, sibships, birth)
    couples = sorted(
        (a, b) for a, b in spouses if a in keep and b in keep and generation[a] == generation[b]
    )
    return Genogram(nodes=tuple(nodes), couples=tuple(couples), families=tuple(families))
