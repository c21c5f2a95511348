"""The kinds of household of the demo city and what each brings to a consultation: its needs,
domains and the agencies it is referred to, the summaries and notes written about it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from kasane.core.dates import age_on
from kasane.core.models import Domain
from kasane.registry.models import Household, Relationship

DAY = datetime.timedelta(days=1)

# What each kind of household brings to a consultation: needs (the first is the usual
# 主訴), the domains touched, the agencies it is usually referred to.
PROFILES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "8050": (
        ["8050", "hikikomori", "isolation", "money_management", "care"],
        [Domain.ELDERLY, Domain.YOUTH],
        ["npo_outreach", "shogai", "konkyu", "hoken"],
    ),
    "isolated": (["isolation", "care", "health", "food"], [Domain.ELDERLY], ["shakyo", "hoken"]),
    "elderly_couple": (
        ["care", "health", "money_management", "advocacy"],
        [Domain.ELDERLY],
        ["shakyo", "hoken"],
    ),
    "double_care": (
        ["double_care", "care", "childcare"],
        [Domain.ELDERLY, Domain.CHILD],
        ["kodomo", "shakyo"],
    ),
    "young_carer": (
        ["young_carer", "childcare", "school_refusal", "care"],
        [Domain.CHILD, Domain.EDUCATION],
        ["kyoiku", "houkatsu", "shogai"],
    ),
    "disability": (
        ["disability", "decision_support", "advocacy", "employment"],
        [Domain.DISABILITY],
        ["npo_sanka", "konkyu", "shakyo"],
    ),
    "working_age_single": (
        ["poverty", "debt", "employment", "housing", "food"],
        [Domain.POVERTY, Domain.EMPLOYMENT, Domain.HOUSING],
        ["npo_sanka", "shakyo", "hoken"],
    ),
    "single_parent": (
        ["childcare", "poverty", "food", "money_management"],
        [Domain.CHILD, Domain.POVERTY],
        ["konkyu", "shakyo"],
    ),
    "family": (
        ["childcare", "school_refusal", "abuse_dv", "health"],
        [Domain.CHILD, Domain.EDUCATION],
        ["kyoiku", "hoken"],
    ),
}

SUMMARIES: dict[str, list[str]] = {
    "8050": [
        "高齢の親から、長年ひきこもっている子の今後について相談。親の年金で生活している。",
        "訪問時、同居の子が自室から出てこないと親が話す。親の介護認定の話も出ている。",
    ],
    "isolated": [
        "近所の人から、最近姿を見かけないと連絡。訪問すると食事が十分とれていない様子。",
        "一人暮らし。通院が途切れがちで、話し相手がいないと本人が話す。",
    ],
    "elderly_couple": [
        "夫が妻の介護をしているが疲れが見える。金銭管理にも不安がある。",
        "夫婦とも通院中。介護サービスの利用について相談。",
    ],
    "double_care": ["乳幼児の子育てと親の介護が重なり、仕事を続けられるか不安との相談。"],
    "young_carer": [
        "学校から、欠席が増えている生徒が家で家族の世話をしているらしいと情報提供。",
        "中学生の子が家事ときょうだいの世話を担っている。本人は困っていないと話す。",
    ],
    "disability": ["障害のある子の将来と、親亡き後の生活について相談。就労の希望もある。"],
    "working_age_single": [
        "失業し家賃を滞納している。借入もあり、食料にも困っている。",
        "体調を崩して退職。仕事を探したいが、何から始めればよいかわからない。",
    ],
    "single_parent": ["ひとり親で仕事を掛け持ちしている。家計が厳しく、子どもの食事が心配。"],
    "family": [
        "子どもが不登校気味。親も対応に疲れている。",
        "子育ての悩み。夫婦間の関係にも不安。",
    ],
}

NOTE_TEXTS = [
    "本人と面談。生活の状況と困りごとを聞き取った。",
    "家族に電話。次回訪問の日程を調整した。",
    "自宅を訪問。室内の様子を確認し、本人の意向を聞いた。",
    "関係機関と情報共有。役割分担を確認した。",
    "通院に同行。主治医と今後の見通しを話した。",
    "前回からの変化を記録。支援方針は継続。",
]


@dataclass
class HouseholdInfo:
    household: Household
    kind: str


def kind_of(household: Household, registrar_key: str, on: datetime.date) -> str:
    """Recognise the kind of household the demo city built, from who lives in it."""
    members = household.current  # type: ignore[attr-defined]
    return household_kind(
        [(m.relationship, m.person.birth_date) for m in members],
        household.note,
        registrar_key,
        on,
    )


def household_kind(
    members: Sequence[tuple[str, datetime.date | None]],
    note: str,
    registrar_key: str,
    on: datetime.date,
) -> str:
    """The kind of household, from its current members' 続柄 and birth dates."""
    ages = {relationship: age_on(birth, on) for relationship, birth in members if birth}
    all_ages = [age_on(birth, on) for _relationship, birth in members if birth]
    head_age = ages.get(Relationship.HEAD, 0)
    if registrar_key == "shogai":
        return "disability"
    if "中学生の子" in note:
        return "young_carer"
    if head_age >= 75 and any(
        relationship == Relationship.CHILD and birth and 30 <= age_on(birth, on) <= 65
        for relationship, birth in members
    ):
        return "8050"
    if len(members) == 1:
        return "isolated" if head_age >= 70 else "working_age_single"
    if Relationship.PARENT in ages and any(a <= 7 for a in all_ages):
        return "double_care"
    if head_age >= 65:
        return "elderly_couple"
    if Relationship.SPOUSE not in ages:
        return "single_parent"
    return "family"
