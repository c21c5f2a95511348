"""The words of the demo's casework: what each agency is asked, the life areas, directions and
goals of each kind of household, the person's views, the closing notes."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from kasane.plans.models import (
    ClosureReason,
    LifeArea,
)
from kasane.registry.models import Relationship, Sex

if TYPE_CHECKING:
    pass


DAY = datetime.timedelta(days=1)
REVIEW_EVERY = 90  # days between reviews (モニタリング), as the manual suggests: 3 months
SUPPORT_PLACE = "かさね市役所 本館3階 第2会議室"
INTEGRATED_PLACE = "人とくらしのサポートセンター 相談室"

SHORT = {
    "coordination": "多機関協働",
    "shogai": "障害相談",
    "kodomo": "こども家庭センター",
    "konkyu": "くらし相談",
    "shakyo": "社協",
    "kyoiku": "教育委員会",
    "hoken": "保健センター",
    "npo_outreach": "よりそいネット",
    "npo_sanka": "はたらくカタチ",
    "minsei": "民生委員",
}

TASKS = {
    "coordination": "支援チームの調整と進捗の確認",
    "houkatsu": "介護保険サービスの利用調整と定期訪問",
    "shogai": "障害福祉サービスの利用意向の確認と計画相談の調整",
    "kodomo": "子どもの状況確認と学校との連絡調整",
    "konkyu": "家計の聞き取りと家計改善支援の提案",
    "shakyo": "日常生活自立支援事業の利用検討と地域の見守り体制づくり",
    "kyoiku": "登校状況の確認とスクールソーシャルワーカーの派遣調整",
    "hoken": "健康状態の確認と受診勧奨のための訪問",
    "npo_outreach": "本人との関係づくりのための定期訪問",
    "npo_sanka": "本人の関心に合う活動の場の見学調整",
    "minsei": "日常の見守りと、気になる変化があったときの連絡",
}

# Per kind of household (activity.PROFILES), and for 草野: the assessment, the direction
# agreed at the 支援会議, the goals of the plan and the goal revised in version 2.
AREAS: dict[str, list[tuple[str, str, int]]] = {
    "kusano": [
        (LifeArea.MONEY, "世帯員がそれぞれ金銭管理をしており、世帯全体の収支が見えない", 2),
        (LifeArea.HOUSING, "住居の老朽化・破損が進み、住み替えを決める人がいない", 3),
        (LifeArea.RIGHTS, "各世帯員の生活の実態や意向が確認できていない", 2),
        (LifeArea.SOCIAL, "過去の障害福祉の支援が継続につながっていない", 1),
    ],
    "8050": [
        (LifeArea.DAILY_LIVING, "親の身体機能が低下し、家事が滞っている", 2),
        (LifeArea.SOCIAL, "子は長年ひきこもり状態で、家族以外との交流がない", 3),
        (LifeArea.MONEY, "親の年金で世帯の生活費をまかなっている", 2),
        (LifeArea.HEALTH, "親は持病があり、通院が途切れがち", 1),
    ],
    "isolated": [
        (LifeArea.SOCIAL, "近所づきあいがなく、話し相手がいない", 2),
        (LifeArea.HEALTH, "通院が途切れがちで、服薬の管理に不安がある", 2),
        (LifeArea.DAILY_LIVING, "食事が十分にとれていない", 2),
    ],
    "elderly_couple": [
        (LifeArea.FAMILY, "夫が一人で妻の介護を担い、疲れが見える", 2),
        (LifeArea.MONEY, "金銭管理に不安がある", 1),
        (LifeArea.HEALTH, "夫婦とも通院中", 1),
    ],
    "double_care": [
        (LifeArea.FAMILY, "乳幼児の子育てと親の介護が重なっている", 2),
        (LifeArea.WORK_SCHOOL, "仕事を続けられるか不安がある", 2),
    ],
    "young_carer": [
        (LifeArea.WORK_SCHOOL, "欠席が増えている", 2),
        (LifeArea.FAMILY, "子どもが家事ときょうだいの世話を担っている", 3),
        (LifeArea.HEALTH, "親の体調が不安定", 1),
    ],
    "disability": [
        (LifeArea.RIGHTS, "将来の暮らしについて本人の意向が確認できていない", 2),
        (LifeArea.WORK_SCHOOL, "就労の希望があるが、日中活動の場がない", 1),
        (LifeArea.MONEY, "金銭管理を家族が担っている", 1),
    ],
    "working_age_single": [
        (LifeArea.MONEY, "家賃を滞納し、借入もある", 3),
        (LifeArea.HOUSING, "退去を求められるおそれがある", 2),
        (LifeArea.WORK_SCHOOL, "失業中で、求職活動ができていない", 2),
    ],
    "single_parent": [
        (LifeArea.MONEY, "家計が厳しく、食費を切り詰めている", 2),
        (LifeArea.FAMILY, "仕事の掛け持ちで、子どもと過ごす時間が少ない", 1),
    ],
    "family": [
        (LifeArea.WORK_SCHOOL, "子どもが不登校気味", 2),
        (LifeArea.FAMILY, "親が対応に疲れている", 2),
        (LifeArea.SAFETY, "夫婦間の関係に不安がある", 1),
    ],
}

DIRECTIONS = {
    "kusano": "世帯員それぞれの生活実態を確認しながら意思決定を支援する。家計の見える化、"
    "金銭管理の支援、住まいの検討を並行して進める。",
    "8050": "親の介護サービスの導入を入口に、子との関係づくりを時間をかけて進める。",
    "isolated": "見守りの目を増やし、通院と食事の確保を優先する。",
    "elderly_couple": "介護者の負担軽減を優先し、金銭管理の支援を検討する。",
    "double_care": "保育と介護のサービスを組み合わせ、就労の継続を支える。",
    "young_carer": "子どもの負担を減らすサービスを入れ、学校と連携して見守る。",
    "disability": "本人の意向を確かめながら、日中活動と将来の住まいを一緒に考える。",
    "working_age_single": "住まいの確保を最優先に、家計の立て直しと就労準備を進める。",
    "single_parent": "使える制度の申請を支え、子どもの食と居場所を確保する。",
    "family": "子どもの居場所づくりと、親の相談先の確保を進める。",
}

GOALS: dict[str, tuple[str, list[str], str]] = {
    "kusano": (
        "家族それぞれが納得できる形で、安心して暮らせる住まいを決めたい",
        ["世帯の1か月の収支を、家族と支援者で一緒に確認できる", "子2人の思いを聞く機会をもつ"],
        "日常生活自立支援事業を使って、毎月の支払いを滞りなく済ませる",
    ),
    "8050": (
        "親子が地域の中で安心して暮らし続けたい",
        ["親の介護サービスを使って負担を減らす", "子が支援者と月に1回は会って話せる"],
        "子が週に1回、居場所に通ってみる",
    ),
    "isolated": (
        "住み慣れた家で、一人でも安心して暮らしたい",
        ["週に1回は誰かと話す機会をもつ", "通院を続けられるようにする"],
        "地域のサロンに月2回参加する",
    ),
    "elderly_couple": (
        "夫婦で無理なく暮らしを続けたい",
        ["介護サービスを使って夫の負担を軽くする", "お金の管理の手伝いを受ける"],
        "ショートステイを試して、夫が休める日をつくる",
    ),
    "double_care": (
        "仕事を続けながら、子育てと介護を両立したい",
        ["保育と介護サービスの利用を整える", "困ったときに相談できる相手をもつ"],
        "親のデイサービスを週3回に増やし、残業のある日に備える",
    ),
    "young_carer": (
        "子どもが子どもらしく学校生活を送れるようにしたい",
        ["家事や世話の負担を減らすサービスを入れる", "週に3日以上登校する"],
        "放課後に友だちと過ごせる日を週2日つくる",
    ),
    "disability": (
        "親亡き後も、地域で自分らしく暮らしたい",
        ["日中活動の場に週2回通う", "金銭管理の支援を受ける"],
        "グループホームの体験利用をしてみる",
    ),
    "working_age_single": (
        "仕事を見つけて、生活を立て直したい",
        ["家賃の滞納を解消する", "就労準備の活動に参加する"],
        "週3日の短時間の仕事を始める",
    ),
    "single_parent": (
        "子どもと安心して暮らせる収入と時間を確保したい",
        ["使える手当や制度を申請する", "子どもの食事を安定させる"],
        "子ども食堂を週1回利用し、親子で出かける時間をつくる",
    ),
    "family": (
        "家族が落ち着いて暮らせるようにしたい",
        ["子どもの居場所を見つける", "親が相談できる場をもつ"],
        "子どもが適応指導教室に通い始める",
    ),
}

PERSON_VIEWS = [
    "少しずつ生活が落ち着いてきた。",
    "まだ不安はあるが、相談できる人ができて安心した。",
    "家のことを手伝ってもらえて助かっている。",
    "今のペースで続けたい。",
    "思っていたより早く変わってきたと感じる。",
]

STRENGTHS = [
    "近くに頼れる親族がいる。",
    "支援者の訪問を受け入れている。",
    "本人に困りごとを話す力がある。",
    "地域の民生委員とつながりがある。",
]

CLOSURE_NOTES = {
    ClosureReason.GOALS_MET: "目標を達成し、既存の支援で見守りが可能になった。",
    ClosureReason.TRANSFERRED: "支援が安定し、主担当機関の継続支援へ移行した。",
    ClosureReason.MOVED_AWAY: "市外へ転出。転出先の相談窓口を本人に案内した。",
    ClosureReason.REFUSED: "本人から支援は不要との意向。地域での見守りは継続。",
    ClosureReason.UNREACHABLE: "訪問と電話を重ねたが連絡が取れない。民生委員に見守りを依頼した。",
}

PROXY_RELATION: dict[tuple[str, str], str] = {
    (Relationship.CHILD, Sex.MALE): "長男",
    (Relationship.CHILD, Sex.FEMALE): "長女",
    (Relationship.SPOUSE, Sex.MALE): "夫",
    (Relationship.SPOUSE, Sex.FEMALE): "妻",
    (Relationship.PARENT, Sex.MALE): "父",
    (Relationship.PARENT, Sex.FEMALE): "母",
}
