"""The genogram and the ecomap, read back as a person would read the drawing: which symbol,
crossed or not, double-lined or not, inside the household's outline or not; which agencies,
tied how strongly. The SVG is parsed, never compared as text."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from kasane.accounts.models import Agency, Staff
from kasane.cases import services as case_services
from kasane.cases.models import Case, DeclineReason, TeamMember, TeamRole
from kasane.conftest import AgencyFactory
from kasane.core.dates import age_on
from kasane.intake.models import Consultation
from kasane.plans.diagrams import (
    EcomapCentre,
    Family,
    Genogram,
    GenogramNode,
    Tie,
    TieKind,
    TieStrength,
    build_genogram,
    ecomap_svg,
    genogram_svg,
    layout_genogram,
    render_ecomap,
    render_genogram,
)
from kasane.registry.models import (
    Household,
    Membership,
    Person,
    Relation,
    RelationKind,
    Relationship,
    Sex,
)
from kasane.registry.services import PersonInput, household_create, member_add, relation_create

NS = "{http://www.w3.org/2000/svg}"
D = datetime.date


# --- reading a drawing ---------------------------------------------------------------------


@dataclass
class Drawn:
    name: str
    classes: set[str]
    shapes: list[ET.Element]
    texts: list[str]
    x: float
    y: float

    def count(self, tag: str) -> int:
        return sum(1 for s in self.shapes if s.tag == NS + tag)


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == NS + "svg"
    return root


def _people(svg: str) -> dict[str, Drawn]:
    people = {}
    for group in _parse(svg).iter(NS + "g"):
        classes = set(group.get("class", "").split())
        if "person" not in classes:
            continue
        texts = [t.text or "" for t in group.iter(NS + "text") if t.text != "?"]
        shapes = [c for c in group if c.tag != NS + "text"]
        first = shapes[0]
        if first.tag == NS + "rect":
            x = float(first.get("x", 0)) + float(first.get("width", 0)) / 2
            y = float(first.get("y", 0)) + float(first.get("height", 0)) / 2
        elif first.tag == NS + "circle":
            x, y = float(first.get("cx", 0)), float(first.get("cy", 0))
        else:
            points = [tuple(map(float, p.split(","))) for p in first.get("points", "").split()]
            x, y = sum(p[0] for p in points) / 4, sum(p[1] for p in points) / 4
        people[texts[0]] = Drawn(texts[0], classes, shapes, texts, x, y)
    return people


def _household_loops(svg: str) -> list[list[tuple[float, float]]]:
    paths = [p for p in _parse(svg).iter(NS + "path") if "household" in p.get("class", "").split()]
    assert len(paths) == 1
    assert paths[0].get("stroke-dasharray")
    loops = []
    for part in paths[0].get("d", "").split("Z"):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", part)]
        if numbers:
            loops.append(list(zip(numbers[::2], numbers[1::2], strict=True)))
    return loops


def _inside(point: tuple[float, float], loops: list[list[tuple[float, float]]]) -> bool:
    """Even-odd ray casting over every loop of the outline."""
    x, y = point
    crossings = 0
    for loop in loops:
        for (x1, y1), (x2, y2) in zip(loop, loop[1:] + loop[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def _assert_safe_svg(svg: str) -> ET.Element:
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.find(NS + "title") is not None and root.find(NS + "desc") is not None
    assert "Noto Sans CJK JP" in root.get("font-family", "")
    assert "<script" not in svg.lower() and "href" not in svg
    width = float(root.get("viewBox", "").split()[2])
    assert width >= 680  # drawn for A4 width; the style scales it down to fit
    return root


# --- households ----------------------------------------------------------------------------


def _8050(agency: Agency) -> tuple[Household, dict[str, Person]]:
    """The 8050 household: an 81-year-old mother, her 51-year-old recluse son at home, her
    late husband, and a daughter married and living elsewhere."""
    household = household_create(
        actor=None,
        agency=agency,
        head=PersonInput(
            name="草野 ハル", kana="クサノ ハル", birth_date=D(1944, 6, 1), sex=Sex.FEMALE
        ),
        started_on=D(2000, 4, 1),
    )
    mother = household.memberships.get().person
    son = member_add(
        actor=None,
        household=household,
        person=PersonInput(
            name="草野 健一", kana="クサノ ケンイチ", birth_date=D(1974, 8, 1), sex=Sex.MALE
        ),
        relationship=Relationship.CHILD,
        started_on=D(2000, 4, 1),
    )
    father = Person.objects.create(
        name="草野 和夫",
        kana="クサノ カズオ",
        birth_date=D(1940, 3, 1),
        died_on=D(2019, 5, 1),
        sex=Sex.MALE,
        registered_by_agency=agency,
    )
    daughter = Person.objects.create(
        name="山田 美和",
        kana="ヤマダ ミワ",
        birth_date=D(1970, 2, 1),
        sex=Sex.FEMALE,
        registered_by_agency=agency,
    )
    relation_create(actor=None, from_person=father, to_person=mother, kind=RelationKind.SPOUSE)
    for parent in (father, mother):
        for child in (son, daughter):
            relation_create(
                actor=None, from_person=parent, to_person=child, kind=RelationKind.PARENT
            )
    return household, {"mother": mother, "son": son, "father": father, "daughter": daughter}


@pytest.fixture
def family(caseworker: Staff) -> tuple[Case, dict[str, Person]]:
    assert caseworker.agency is not None
    household, people = _8050(caseworker.agency)
    case = case_services.case_open(actor=caseworker, household=household)
    return case, people


def _consultation(case: Case, staff: Staff, *persons: Person) -> Consultation:
    assert staff.agency is not None
    consultation = Consultation.objects.create(
        received_at=timezone.now(),
        agency=staff.agency,
        staff=staff,
        requester="family",
        channel="phone",
        household=case.household,
        summary="母（81）が息子（51）のひきこもりを心配している。",
        outcome="handled",
        case=case,
    )
    consultation.persons.add(*persons)
    return consultation


# --- genogram ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_8050_household_in_standard_symbols(family: tuple[Case, dict[str, Person]]) -> None:
    case, people = family
    svg = genogram_svg(case, client_ids={people["son"].pk})
    _assert_safe_svg(svg)
    drawn = _people(svg)
    assert set(drawn) == {"草野 ハル", "草野 健一", "草野 和夫", "山田 美和"}

    mother, son, father = drawn["草野 ハル"], drawn["草野 健一"], drawn["草野 和夫"]
    assert mother.count("circle") == 1 and mother.count("rect") == 0
    assert "deceased" not in mother.classes and "client" not in mother.classes
    today = timezone.localdate()
    assert any(str(age_on(D(1944, 6, 1), today)) in t for t in mother.texts)

    # The late father: a square crossed by two lines, aged as he was when he died.
    assert father.count("rect") == 1 and father.count("line") == 2
    assert "deceased" in father.classes
    assert any("79" in t for t in father.texts)

    # The son, the client: a square drawn twice, one inside the other.
    assert "client" in son.classes
    outer, inner = (s for s in son.shapes if s.tag == NS + "rect")
    assert float(inner.get("width", 0)) < float(outer.get("width", 0))
    assert son.count("line") == 0

    # Parents on one row, their children on the next, eldest on the left.
    assert mother.y == father.y < son.y == drawn["山田 美和"].y
    assert drawn["山田 美和"].x < son.x
    assert father.x < mother.x  # husband on the left


@pytest.mark.django_db
def test_spouses_are_joined_and_children_hang_from_the_marriage_line(
    family: tuple[Case, dict[str, Person]],
) -> None:
    case, _ = family
    svg = genogram_svg(case)
    root = _parse(svg)
    drawn = _people(svg)
    father, mother = drawn["草野 和夫"], drawn["草野 ハル"]
    couples = [e for e in root.iter(NS + "line") if "couple" in e.get("class", "").split()]
    assert len(couples) == 1
    line = couples[0]
    assert float(line.get("y1", 0)) == float(line.get("y2", 0)) == father.y
    assert father.x < float(line.get("x1", 0)) < float(line.get("x2", 0)) < mother.x

    (descent,) = [e for e in root.iter(NS + "path") if e.get("class") == "descent"]
    d = descent.get("d", "")
    assert d.startswith(f"M{(father.x + mother.x) / 2:g} {father.y:g} V")
    for child in ("草野 健一", "山田 美和"):
        assert f"M{drawn[child].x:g} " in d  # a drop to each child


@pytest.mark.django_db
def test_the_dashed_outline_encloses_the_household_and_no_one_else(
    family: tuple[Case, dict[str, Person]],
) -> None:
    case, _ = family
    svg = genogram_svg(case)
    loops = _household_loops(svg)
    drawn = _people(svg)
    for name in ("草野 ハル", "草野 健一"):
        assert "member" in drawn[name].classes
        assert _inside((drawn[name].x, drawn[name].y), loops), name
    for name in ("草野 和夫", "山田 美和"):
        assert "member" not in drawn[name].classes
        assert not _inside((drawn[name].x, drawn[name].y), loops), name


@pytest.mark.django_db
def test_clients_default_to_the_persons_concerned_by_the_case_consultations(
    family: tuple[Case, dict[str, Person]], caseworker: Staff
) -> None:
    case, people = family
    assert not any("client" in p.classes for p in _people(genogram_svg(case)).values())
    _consultation(case, caseworker, people["son"])
    drawn = _people(genogram_svg(case))
    assert [name for name, p in drawn.items() if "client" in p.classes] == ["草野 健一"]


@pytest.mark.django_db
def test_names_are_escaped(caseworker: Staff) -> None:
    assert caseworker.agency is not None
    household = household_create(
        actor=None,
        agency=caseworker.agency,
        head=PersonInput(
            name='<script>alert("x")</script> & 子', kana="テスト", birth_date=None, sex=Sex.MALE
        ),
    )
    case = case_services.case_open(actor=caseworker, household=household)
    for svg in (genogram_svg(case), ecomap_svg(case)):
        assert "<script>" not in svg
        assert "&lt;script&gt;" in svg
        texts = [t.text for t in _parse(svg).iter(NS + "text")]
        assert '<script>alert("x")</script> & 子' in texts


def _household_of(size: int, agency: Agency) -> Household:
    household = household_create(
        actor=None,
        agency=agency,
        head=PersonInput(name="世帯主", kana="セタイヌシ", birth_date=D(1950, 1, 1), sex=Sex.MALE),
    )
    head = household.memberships.get().person
    spouse = member_add(
        actor=None,
        household=household,
        person=PersonInput(
            name="配偶者", kana="ハイグウシャ", birth_date=D(1952, 1, 1), sex=Sex.FEMALE
        ),
        relationship=Relationship.SPOUSE,
    )
    for i in range(size):
        child = member_add(
            actor=None,
            household=household,
            person=PersonInput(name=f"子{i}", kana="コ", birth_date=D(1980 + i, 1, 1)),
            relationship=Relationship.CHILD,
        )
        relation_create(actor=None, from_person=head, to_person=child, kind=RelationKind.PARENT)
        relation_create(actor=None, from_person=spouse, to_person=child, kind=RelationKind.PARENT)
        # A child's spouse living elsewhere, and their own child.
        partner = Person.objects.create(
            name=f"子{i}の配偶者", kana="ハイグウシャ", registered_by_agency=agency
        )
        grandchild = Person.objects.create(name=f"孫{i}", kana="マゴ", registered_by_agency=agency)
        relation_create(actor=None, from_person=child, to_person=partner, kind=RelationKind.SPOUSE)
        relation_create(
            actor=None, from_person=partner, to_person=grandchild, kind=RelationKind.PARENT
        )
        relation_create(
            actor=None, from_person=child, to_person=grandchild, kind=RelationKind.PARENT
        )
    return household


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 8])
def test_the_genogram_costs_the_same_queries_however_large_the_family(
    size: int, caseworker: Staff, django_assert_max_num_queries: Any
) -> None:
    assert caseworker.agency is not None
    household = _household_of(size, caseworker.agency)
    case = case_services.case_open(actor=caseworker, household=household)
    # The eldest child is the client: three generations, from the parents to the grandchildren.
    _consultation(case, caseworker, Person.objects.get(name="子0"))
    case = Case.objects.get(pk=case.pk)
    with django_assert_max_num_queries(4):
        svg = genogram_svg(case)
    assert len(_people(svg)) == 2 + 3 * size


# --- genogram without a database -----------------------------------------------------------


def _person(pk: int, name: str, sex: str = Sex.UNKNOWN, **kwargs: Any) -> Person:
    return Person(id=pk, name=name, sex=sex, **kwargs)


def test_relationships_to_the_head_draw_the_family_when_no_relation_is_recorded() -> None:
    head = _person(1, "父", Sex.MALE, birth_date=D(1960, 1, 1))
    wife = _person(2, "母", Sex.FEMALE, birth_date=D(1962, 1, 1))
    girl = _person(3, "娘", Sex.FEMALE, birth_date=D(2010, 1, 1))
    grandma = _person(4, "祖母", Sex.FEMALE, birth_date=D(1935, 1, 1))
    memberships = [
        Membership(person=head, relationship=Relationship.HEAD),
        Membership(person=wife, relationship=Relationship.SPOUSE),
        Membership(person=girl, relationship=Relationship.CHILD),
        Membership(person=grandma, relationship=Relationship.PARENT),
    ]
    genogram = build_genogram(memberships, [], client_ids={3}, today=D(2025, 4, 1))
    generation = {n.name: n.generation for n in genogram.nodes}
    assert generation == {"祖母": 0, "父": 1, "母": 1, "娘": 2}
    assert genogram.couples == ((1, 2),)
    assert Family((1, 2), (3,)) in genogram.families
    assert Family((4,), (1,)) in genogram.families
    assert {n.name: n.age for n in genogram.nodes}["娘"] == 15


def test_a_sibling_shares_the_recorded_parents() -> None:
    mother = _person(1, "母", Sex.FEMALE)
    me = _person(2, "本人", Sex.MALE, birth_date=D(1990, 1, 1))
    brother = _person(3, "兄", Sex.MALE, birth_date=D(1985, 1, 1))
    relations = [
        Relation(from_person=mother, to_person=me, kind=RelationKind.PARENT),
        Relation(from_person=brother, to_person=me, kind=RelationKind.SIBLING),
    ]
    genogram = build_genogram(
        [Membership(person=me, relationship=Relationship.HEAD)],
        relations,
        client_ids={2},
        today=D(2025, 4, 1),
    )
    assert genogram.families == (Family((1,), (3, 2)),)  # the elder brother first
    layout = layout_genogram(genogram)
    assert layout[3][0] < layout[2][0]
    assert layout[3][1] == layout[2][1] == layout[1][1] + 1


def test_relatives_beyond_a_generation_from_the_client_are_left_out() -> None:
    me = _person(1, "本人", Sex.FEMALE, birth_date=D(1990, 1, 1))
    grandfather = _person(2, "祖父", Sex.MALE)
    aunt_by_marriage = _person(3, "他人", Sex.FEMALE)
    relations = [
        Relation(from_person=grandfather, to_person=me, kind=RelationKind.GRANDPARENT),
        Relation(from_person=aunt_by_marriage, to_person=me, kind=RelationKind.OTHER),
    ]
    genogram = build_genogram(
        [Membership(person=me, relationship=Relationship.HEAD)],
        relations,
        client_ids={1},
        today=D(2025, 4, 1),
    )
    assert [n.name for n in genogram.nodes] == ["本人"]


def test_children_are_centred_under_their_parents() -> None:
    nodes = (
        GenogramNode(1, "父", Sex.MALE, 0),
        GenogramNode(2, "母", Sex.FEMALE, 0),
        *(
            GenogramNode(10 + i, f"子{i}", Sex.MALE, 1, birth_date=D(2000 + i, 1, 1))
            for i in range(4)
        ),
    )
    genogram = Genogram(nodes, couples=((1, 2),), families=(Family((1, 2), (10, 11, 12, 13)),))
    layout = layout_genogram(genogram)
    parents = (layout[1][0] + layout[2][0]) / 2
    children = [layout[10 + i][0] for i in range(4)]
    assert children == sorted(children)
    assert (children[0] + children[-1]) / 2 == parents
    assert min(c for c, _r in layout.values()) == 1


def test_other_or_unknown_sex_is_a_diamond() -> None:
    genogram = Genogram(
        (
            GenogramNode(1, "不明", Sex.UNKNOWN, in_household=True),
            GenogramNode(2, "その他", Sex.OTHER, in_household=True),
        )
    )
    drawn = _people(render_genogram(genogram))
    assert drawn["不明"].count("polygon") == 1 and drawn["その他"].count("polygon") == 1
    assert "?" in [t.text for t in _parse(render_genogram(genogram)).iter(NS + "text")]


def test_an_empty_household_says_so() -> None:
    svg = render_genogram(Genogram(()))
    _assert_safe_svg(svg)
    assert not _people(svg)


# --- ecomap --------------------------------------------------------------------------------


def _ties(svg: str) -> dict[str, list[str]]:
    """Strength → classes of each drawn tie (legend samples left out)."""
    root = _parse(svg)
    legend = {id(e) for g in root.iter(NS + "g") if g.get("class") == "legend" for e in g.iter()}
    ties: dict[str, list[str]] = {}
    for element in root.iter():
        classes = element.get("class", "").split()
        if "tie" in classes and id(element) not in legend:
            ties.setdefault(classes[1], []).append(element.tag.removeprefix(NS))
    return ties


def _node_names(svg: str) -> dict[str, str]:
    """Agency name → the strength its box is drawn with."""
    names = {}
    for group in _parse(svg).iter(NS + "g"):
        classes = group.get("class", "").split()
        if "node" in classes:
            texts = [t.text or "" for t in group.iter(NS + "text")]
            names["".join(texts[:-1]) if len(texts) > 1 else texts[0]] = classes[2]
    return names


@pytest.mark.django_db
def test_the_ecomap_ties_the_household_to_its_team_and_referrals(
    family: tuple[Case, dict[str, Person]],
    caseworker: Staff,
    other_agency: Agency,
    third_agency: Agency,
    stranger: Staff,
    refer: Any,
) -> None:
    case, _ = family
    TeamMember.objects.create(
        case=case, agency=other_agency, role=TeamRole.MEMBER, joined_at=timezone.now()
    )
    pending = AgencyFactory.create(name="かさね市保健センター")
    refer(caseworker, case, pending)
    declined = refer(caseworker, case, third_agency)
    case_services.referral_decline(
        actor=stranger, referral=declined, reason=DeclineReason.NO_CAPACITY
    )
    svg = ecomap_svg(case)
    root = _assert_safe_svg(svg)

    assert _ties(svg) == {
        "strong": ["line"],
        "normal": ["line"],
        "tentative": ["line"],
        "stressful": ["polyline"],
    }
    line = {
        e.get("class"): e for e in root.iter(NS + "line") if "tie" in e.get("class", "").split()
    }
    assert float(line["tie strong"].get("stroke-width", 0)) > float(
        line["tie normal"].get("stroke-width", 0)
    )
    assert line["tie tentative"].get("stroke-dasharray")
    assert not line["tie normal"].get("stroke-dasharray")
    zigzag = root.find(f".//{NS}polyline[@class='tie stressful']")
    assert zigzag is not None and len(zigzag.get("points", "").split()) > 4

    names = _node_names(svg)
    assert names["中央地域包括支援センター"] == "strong"  # the lead, the caseworker's agency
    assert names["かさね市障害者相談支援センター"] == "normal"
    assert names["かさね市保健センター"] == "tentative"
    assert names["かさね市くらし相談窓口"] == "stressful"

    centre = next(g for g in root.iter(NS + "g") if g.get("class") == "household")
    texts = [t.text or "" for t in centre.iter(NS + "text")]
    assert "草野 ハル" in texts
    assert any("2" in t for t in texts)  # mother and son; the late father is not counted


@pytest.mark.django_db
def test_an_agency_on_the_team_is_drawn_once_however_it_was_referred(
    family: tuple[Case, dict[str, Person]], caseworker: Staff, outsider: Staff, refer: Any
) -> None:
    case, _ = family
    referral = refer(caseworker, case, outsider.agency)
    case_services.referral_accept(actor=outsider, referral=referral)
    svg = ecomap_svg(case)
    assert _ties(svg) == {"strong": ["line"], "normal": ["line"]}


@pytest.mark.django_db
def test_resources_join_the_ecomap_through_extra_ties(
    family: tuple[Case, dict[str, Person]],
) -> None:
    case, _ = family
    place = Tie("居場所「ほっと」", TieStrength.TENTATIVE, "見学", TieKind.RESOURCE)
    svg = ecomap_svg(case, extra=[place])
    groups = [g for g in _parse(svg).iter(NS + "g") if "resource" in g.get("class", "").split()]
    assert len(groups) == 1
    assert [t.text for t in groups[0].iter(NS + "text")] == ["居場所「ほっと」", "見学"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 8])
def test_the_ecomap_costs_the_same_queries_however_large_the_team(
    size: int,
    family: tuple[Case, dict[str, Person]],
    caseworker: Staff,
    refer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    case, _ = family
    for _i in range(size):
        TeamMember.objects.create(
            case=case, agency=AgencyFactory.create(), role=TeamRole.MEMBER, joined_at=timezone.now()
        )
        refer(caseworker, case, AgencyFactory.create())
    case = Case.objects.get(pk=case.pk)
    with django_assert_max_num_queries(3):
        svg = ecomap_svg(case)
    assert len(_node_names(svg)) == 1 + 2 * size


def test_many_ties_do_not_overlap() -> None:
    ties = [Tie(f"機関{i}", TieStrength.NORMAL) for i in range(14)]
    root = _parse(render_ecomap(EcomapCentre("本人", 1), ties))
    boxes = [
        (
            float(r.get("x", 0)),
            float(r.get("y", 0)),
            float(r.get("width", 0)),
            float(r.get("height", 0)),
        )
        for g in root.iter(NS + "g")
        if "node" in g.get("class", "").split()
        for r in g.iter(NS + "rect")
    ]
    assert len(boxes) == 14
    for i, (x1, y1, w, h) in enumerate(boxes):
        for x2, y2, _w, _h in boxes[i + 1 :]:
            assert abs(x1 - x2) >= w or abs(y1 - y2) >= h
    width, height = (float(v) for v in root.get("viewBox", "").split()[2:])
    assert all(x >= 0 and x + w <= width and y >= 0 and y + h <= height for x, y, w, h in boxes)


def test_one_outline_goes_round_a_household_whose_members_stand_apart() -> None:
    """Married children living elsewhere stand between the household's members: the outline
    still goes round all of them, in one piece, and round none of the others."""
    father = _person(1, "父", Sex.MALE, birth_date=D(1950, 1, 1))
    mother = _person(2, "母", Sex.FEMALE, birth_date=D(1952, 1, 1))
    memberships = [
        Membership(person=father, relationship=Relationship.HEAD),
        Membership(person=mother, relationship=Relationship.SPOUSE),
    ]
    relations = []
    for i in range(3):
        child = _person(10 + i, f"子{i}", Sex.MALE, birth_date=D(1980 + i, 1, 1))
        if i != 1:
            memberships.append(Membership(person=child, relationship=Relationship.CHILD))
        else:
            relations += [
                Relation(from_person=father, to_person=child, kind=RelationKind.PARENT),
                Relation(from_person=mother, to_person=child, kind=RelationKind.PARENT),
            ]
        partner = _person(20 + i, f"配偶者{i}", Sex.FEMALE)
        relations.append(Relation(from_person=child, to_person=partner, kind=RelationKind.SPOUSE))
    genogram = build_genogram(memberships, relations, client_ids={10}, today=D(2025, 4, 1))
    svg = render_genogram(genogram)
    loops = _household_loops(svg)
    assert len(loops) == 1
    for name, drawn in _people(svg).items():
        assert _inside((drawn.x, drawn.y), loops) == ("member" in drawn.classes), name
    assert {n for n, d in _people(svg).items() if "member" in d.classes} == {
        "父",
        "母",
        "子0",
        "子2",
    }


def test_long_agency_names_break_where_the_script_changes() -> None:
    ties = [Tie("人とくらしのサポートセンター", TieStrength.NORMAL)]
    root = _parse(render_ecomap(EcomapCentre("本人", 1), ties))
    node = next(g for g in root.iter(NS + "g") if "node" in g.get("class", "").split())
    assert [t.text for t in node.iter(NS + "text")] == ["人とくらしの", "サポートセンター"]
