"""The standard checklist of the self-assessment of the 包括的な支援体制 (seed 001).

Seed 001 reports municipalities asking "what counts as a developed system?" (§1-7, §2-4) and
ends with the three functions a developed system has (社会福祉法 §106-3): ① 地域で支え合う
機能 (居場所・交流の場, 見守り), ② 支援関係機関が連携して支援を行う機能 (部局横断的ケース
会議等), ③ 地域と支援関係機関をつなぐ機能 (参加支援, アウトリーチ). Each question below
is something a municipality can answer yes or no to, grounded in what the hearings and
seed 004 name; each lists the indicators that evidence it by code, so that an indicator
registered later is linked when the checklist is seeded again.

The questions are data (Japanese, as the municipality reads them), not interface strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from kasane.evaluation.models import SystemFunction


@dataclass(frozen=True)
class ItemSpec:
    code: str
    function: str
    text: str
    evidence: tuple[str, ...] = ()


MUTUAL = SystemFunction.MUTUAL_SUPPORT
COLLABORATION = SystemFunction.COLLABORATION
CONNECTION = SystemFunction.CONNECTION

# A hand-entered indicator a municipality commonly has (a resident survey); linked when an
# indicator of this code exists.
SURVEY_SOMEONE_TO_ASK = "survey_someone_to_ask"

STANDARD_CHECKLIST: tuple[ItemSpec, ...] = (
    # ① 地域で支え合う機能 — §106-3 (1) 1号・2号前段
    ItemSpec(
        "ms_places",
        MUTUAL,
        "住民が気軽に集える居場所・交流の場（サロン、子ども食堂、通いの場など）が、"
        "すべての中学校区にある。",
        ("community_places",),
    ),
    ItemSpec(
        "ms_multigenerational",
        MUTUAL,
        "世代や属性を問わず誰もが参加できる多世代交流拠点があり、趣味のサークルなど福祉以外の"
        "市民活動も、支え合いの場・つなぎ先として把握し応援している。",
        ("community_places",),
    ),
    ItemSpec(
        "ms_watch",
        MUTUAL,
        "民生委員・児童委員や見守り協定を結んだ事業者（新聞・ガス・宅配など）が日常的に"
        "見守り、異変に気づいたときの連絡先が決まっている。",
        ("concern_reports",),
    ),
    ItemSpec(
        "ms_residents_consult",
        MUTUAL,
        "住民同士が身近な困りごとの相談に応じ合い、困ったときに相談できる人が地域にいる。",
        (SURVEY_SOMEONE_TO_ASK,),
    ),
    ItemSpec(
        "ms_coordinators",
        MUTUAL,
        "地域福祉コーディネーター（社協CSW）と生活支援コーディネーターが連携し、住民と"
        "一緒に地域に根ざした活動を続けている。",
    ),
    ItemSpec(
        "ms_resource_development",
        MUTUAL,
        "既存の社会資源では満たせないニーズを把握し、住民や事業者と新しい活動の場をつくって"
        "いる（資源開拓）。",
        ("unmet_needs", "community_places"),
    ),
    # ② 支援関係機関が連携して支援を行う機能 — §106-3 (1) 3号
    ItemSpec(
        "co_any_consultation",
        COLLABORATION,
        "どの支援関係機関も分野を問わず相談を受け止め、たらい回しにせず必要な機関につないで"
        "いる（断らない相談）。",
        ("consultations_by_domain", "tarai_mawashi"),
    ),
    ItemSpec(
        "co_referral_answer",
        COLLABORATION,
        "つなぎ（依頼）を受けた機関が期限内に応答し、断る場合は理由と次の行き先を示している。",
        ("referrals",),
    ),
    ItemSpec(
        "co_meetings",
        COLLABORATION,
        "複雑・複合化した課題を抱える世帯について、支援会議・重層的支援会議で関係者全員が"
        "世帯全体の状況を共有し、役割分担と支援方針を決めている。",
        ("coordination_cases", "meetings_held"),
    ),
    ItemSpec(
        "co_lead_agency",
        COLLABORATION,
        "世帯ごとに主担当機関が決まっていて「ボールが誰の手にあるか」が常に明らかであり、"
        "多機関協働は後方支援に徹している。",
        ("coordination_cases",),
    ),
    ItemSpec(
        "co_breadth",
        COLLABORATION,
        "高齢・障害・子ども・困窮の各分野に加え、県の機関（保健所・児童相談所など）、学校、"
        "医療機関とも一緒に支援している（連携できる機関の広がり）。",
        ("collaboration_breadth",),
    ),
    ItemSpec(
        "co_plans",
        COLLABORATION,
        "支援プランを作成して定期的にモニタリングし、終結時に目標の達成を評価している。",
        ("plans_made", "days_to_first_plan", "reviews_on_time", "closures"),
    ),
    ItemSpec(
        "co_capacity",
        COLLABORATION,
        "多機関協働を通じて既存の相談支援機関の対応力が高まり、各機関が自ら連携して対応できる"
        "事例（トリアージC）が増えている。",
        ("coordination_cases",),
    ),
    # ③ 地域と支援関係機関をつなぐ機能 — §106-3 (1) 2号後段; 参加支援・アウトリーチ
    ItemSpec(
        "cn_outreach",
        CONNECTION,
        "自ら相談に来られない人に、アウトリーチで継続的に関わり、関係を築いて相談・支援に"
        "つなげている。",
        ("outreach_share", "outreach_targets"),
    ),
    ItemSpec(
        "cn_watch_to_agency",
        CONNECTION,
        "地域の見守りで気づいた異変が支援関係機関に速やかに届き、対応したことが通報した人に"
        "返っている。",
        ("concern_reports",),
    ),
    ItemSpec(
        "cn_participation",
        CONNECTION,
        "本人の関心や強みに合わせて地域の活動・就労体験などの参加の場を提案し、見学の同行や"
        "定着支援まで行っている。",
        ("matches",),
    ),
    ItemSpec(
        "cn_catalogue",
        CONNECTION,
        "参加の場（居場所、ボランティア、趣味のサークル、中間的就労など）が一覧になっていて、"
        "どの相談員も本人に紹介できる。",
        ("community_places",),
    ),
    ItemSpec(
        "cn_issues_back",
        CONNECTION,
        "個別の支援から見えた地域課題を、個人が特定されない形で住民や協議体に返し、一緒に"
        "解決を考えている。",
    ),
    ItemSpec(
        "cn_other_sectors",
        CONNECTION,
        "市民協働・企画・住まい・産業労働など福祉以外の部局とも、地域づくりや参加の場づくりで"
        "日常的に連携している。",
    ),
    ItemSpec(
        "cn_loneliness",
        CONNECTION,
        "参加支援や地域とのつながりを通じて、本人の孤立感が和らいでいることを確かめている"
        "（UCLA孤独感尺度など）。",
        ("loneliness_change",),
    ),
)
