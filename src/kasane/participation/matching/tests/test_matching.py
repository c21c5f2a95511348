"""The ranking of places to take part, on plain data: each rule and its reason."""

from __future__ import annotations

from typing import Any

from kasane.core import kana
from kasane.participation.matching.ranking import Candidate, Profile, rank, score, terms

# Areas: 1 = 町丁目 (block) ⊂ 2 = 中学校区 ⊂ 3 = 圏域 ⊂ 4 = city; 5 = another block in 2.
LEVELS = {1: "block", 5: "block", 2: "school_district", 3: "sphere", 4: "city", 6: "block"}


def candidate(**values) -> Candidate:
    defaults: dict[str, Any] = {
        "id": 1,
        "name": "居場所カフェ ひだまり",
        "text": kana.normalize("居場所カフェ ひだまり 料理 おしゃべり 居場所"),
        "kinds": frozenset({"ibasho"}),
        "kind_labels": {"ibasho": "居場所", "farm": "農園"},
        "area_path": (1, 2, 3, 4),
        "area_levels": LEVELS,
        "weekdays": frozenset({1}),
        "accessibility": frozenset({"wheelchair"}),
        "age_min": 18,
        "age_max": None,
        "cost": 0,
        "vacancies": 3,
    }
    defaults.update(values)
    return Candidate(**defaults)


def test_terms_split_free_text_and_fold_kana():
    assert terms("料理、はたけしごと・パソコン\n") == [
        kana.normalize("料理"),
        kana.normalize("はたけしごと"),
        kana.normalize("パソコン"),
    ]
    assert terms("") == []


def test_each_point_comes_with_its_reason():
    profile = Profile(
        interests=terms("料理"),
        kinds=frozenset({"ibasho"}),
        area_path=(1, 2, 3, 4),
        weekdays=frozenset({1, 3}),
        needs=frozenset({"wheelchair"}),
        age=45,
    )
    found = score(profile, candidate())
    assert found is not None
    text = " / ".join(found.reasons)
    assert "料理" in text
    assert "居場所" in text
    assert "火" in text
    assert found.score > 0 and not found.cautions


def test_hard_mismatches_are_left_out():
    assert score(Profile(age=12), candidate()) is None  # welcomes adults only
    assert score(Profile(needs=frozenset({"quiet_room"})), candidate()) is None
    assert score(Profile(weekdays=frozenset({5})), candidate()) is None  # Saturday only
    assert score(Profile(max_cost=0), candidate(cost=500)) is None


def test_nearer_is_better_and_interests_come_first():
    profile = Profile(interests=terms("畑"), area_path=(1, 2, 3, 4))
    here = candidate(id=1, name="A", text="", area_path=(1, 2, 3, 4))
    district = candidate(id=2, name="B", text="", area_path=(5, 2, 3, 4))
    far_but_liked = candidate(id=3, name="C", text=kana.normalize("畑 農園"), area_path=(6, 4))
    ranked = rank(profile, [district, far_but_liked, here])
    assert [s.id for s in ranked] == [3, 1, 2]


def test_a_full_place_is_kept_with_a_caution():
    found = score(Profile(), candidate(vacancies=0))
    assert found is not None
    assert found.cautions and found.score < score(Profile(), candidate()).score  # type: ignore[union-attr]


def test_rank_is_stable_and_limited():
    many = [candidate(id=i, name=f"場所{i:03d}") for i in range(50)]
    ranked = rank(Profile(), many, limit=10)
    assert [s.id for s in ranked] == list(range(10))
