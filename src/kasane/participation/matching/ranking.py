"""Ranking places to take part for one person (マッチング), with the reasons for each.

Pure functions over plain data: the selectors turn a person (assessment, registry, the
worker's notes on constraints) into a :class:`Profile` and each opportunity into a
:class:`Candidate`, so the ranking itself needs no database and is fast enough to rank
thousands of opportunities per request (``kasane bench_matching`` measures it).

Scoring is additive and explained: every point a candidate earns comes with a reason in
the worker's language, and a hard mismatch (too young, a need it cannot meet, outside the
days the person can go) removes it or marks it, never silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kasane.core import kana

# Weights: interests first — taking part starts from what the person likes (seed 004).
W_INTEREST = 30
W_STRENGTH = 15
W_KIND = 20
W_BLOCK = 20
W_SCHOOL_DISTRICT = 12
W_SPHERE = 6
W_DAY = 10
W_FREE = 5
W_VACANCY = 5
FULL_PENALTY = 25

_SPLIT = re.compile(r"[、，,・/／\s\n。．]+")


def terms(text: str) -> list[str]:
    """Words of a free-text answer ("料理、畑仕事・パソコン") normalised for matching."""
    seen: dict[str, None] = {}
    for raw in _SPLIT.split(text or ""):
        word = kana.normalize(raw)
        # One kanji is a word (畑, 絵, 歌); one kana or letter is noise.
        if len(word) >= 2 or (word and "\u4e00" <= word <= "\u9fff"):
            seen.setdefault(word, None)
    return list(seen)


@dataclass(frozen=True)
class Profile:
    """What the person brings and needs, as far as recorded."""

    interests: Sequence[str] = ()
    strengths: Sequence[str] = ()
    kinds: frozenset[str] = frozenset()  # kinds the worker is looking for (e.g. 居場所)
    area_path: Sequence[int] = ()  # ids of the person's area and its ancestors, nearest first
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; empty = any day
    needs: frozenset[str] = frozenset()  # accessibility needs (wheelchair, quiet_room…)
    age: int | None = None
    max_cost: int | None = None  # yen per visit; None = no limit stated


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    text: str  # normalised name, description, kinds and tags, for interests
    kinds: frozenset[str]
    kind_labels: dict[str, str]
    area_path: Sequence[int]  # the opportunity's area and its ancestors, nearest first
    area_levels: dict[int, str]  # area id → its level: block, school_district, sphere, city
    weekdays: frozenset[int]  # empty = not fixed / any day
    accessibility: frozenset[str]
    age_min: int | None = None
    age_max: int | None = None
    cost: int | None = None  # yen per visit; 0 = free
    vacancies: int | None = None  # None = not limited


@dataclass
class Suggestion:
    candidate: Candidate
    score: int
    reasons: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.candidate.id


WEEKDAYS = "月火水木金土日"


def _area_reason(profile: Profile, candidate: Candidate) -> tuple[int, str | None]:
    shared = set(profile.area_path) & set(candidate.area_path)
    if not shared:
        return 0, None
    nearest = min(shared, key=lambda a: candidate.area_path.index(a))
    level = candidate.area_levels.get(nearest, "")
    if level == "block":
        return W_BLOCK, _("in the person's own neighbourhood")
    if level == "school_district":
        return W_SCHOOL_DISTRICT, _("in the person's junior-high-school district")
    if level == "sphere":
        return W_SPHERE, _("in the person's daily-life sphere")
    return 0, None


def score(profile: Profile, candidate: Candidate) -> Suggestion | None:
    """The suggestion for one candidate, or None when it cannot fit at all."""
    if profile.age is not None:
        if candidate.age_min is not None and profile.age < candidate.age_min:
            return None
        if candidate.age_max is not None and profile.age > candidate.age_max:
            return None
    missing = profile.needs - candidate.accessibility
    if missing:
        return None
    days = candidate.weekdays
    if profile.weekdays and days and not (days & profile.weekdays):
        return None
    too_dear = profile.max_cost is not None and (candidate.cost or 0) > profile.max_cost
    if too_dear:
        return None

    points = 0
    reasons: list[str] = []
    cautions: list[str] = []
    liked = [t for t in profile.interests if t in candidate.text]
    if liked:
        points += W_INTEREST * len(liked)
        reasons.append(_("matches the interest in %(what)s") % {"what": "・".join(liked[:3])})
    good_at = [t for t in profile.strengths if t in candidate.text]
    if good_at:
        points += W_STRENGTH * len(good_at)
        reasons.append(_("uses the strength in %(what)s") % {"what": "・".join(good_at[:3])})
    kinds = profile.kinds & candidate.kinds
    if kinds:
        points += W_KIND
        labels = [candidate.kind_labels.get(k, k) for k in sorted(kinds)]
        reasons.append(_("the kind of place sought: %(kinds)s") % {"kinds": "・".join(labels)})
    near, why = _area_reason(profile, candidate)
    if why:
        points += near
        reasons.append(why)
    if profile.weekdays and days:
        shared_days = sorted(days & profile.weekdays)
        points += W_DAY
        reasons.append(
            _("meets on a day the person can go (%(days)s)")
            % {"days": "・".join(WEEKDAYS[d] for d in shared_days)}
        )
    if profile.needs:
        reasons.append(_("meets the accessibility needs"))
    if candidate.cost == 0:
        points += W_FREE
        reasons.append(_("free of charge"))
    if candidate.vacancies is not None:
        if candidate.vacancies <= 0:
            points -= FULL_PENALTY
            cautions.append(_("full at present: ask the host about a waiting list"))
        else:
            points += W_VACANCY
            reasons.append(_("has places free (%(n)d)") % {"n": candidate.vacancies})
    return Suggestion(candidate, points, reasons, cautions)


def rank(profile: Profile, candidates: Iterable[Candidate], limit: int = 20) -> list[Suggestion]:
    """The best ``limit`` suggestions, best first; ties by name for a stable order."""
    found = [s for c in candidates if (s := score(profile, c)) is not None]
    found.sort(key=lambda s: (-s.score, s.candidate.name, s.candidate.id))
    return found[:limit]
