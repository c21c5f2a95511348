"""エコマップ: the support network of a case drawn as SVG."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kasane.cases.models import Case, Referral, ReferralStatus, TeamMember, TeamRole
from kasane.plans.diagrams.genogram import _legend
from kasane.plans.diagrams.genogram_layout import MARGIN
from kasane.plans.diagrams.svg import A4_WIDTH, INK, _label, _n, _svg, _text_width
from kasane.registry.models import Membership, Relationship

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
