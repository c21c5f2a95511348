"""評価 in かさね市: the standard indicators with targets, a resident survey entered by
hand, the self-assessment of the support system for the previous and the current 年度,
two PDCA review records, and the staffing assumptions' defaults.

Everything goes through the services staff use. The previous 年度 was scored at its end
(March), weaker on ① 地域で支え合う機能 and ③ つなぐ機能 as seed 001 §2 reports of most
municipalities; the current one shows the changes its review decided.

Call after ``build_demo_activity`` (the indicators' values come from that year of work):
``build_demo_evaluation(seed=seed, today=today)``.
"""

from __future__ import annotations

import datetime
import random

from kasane.accounts.models import Staff
from kasane.core.dates import fiscal_year, fiscal_year_bounds
from kasane.evaluation.dashboard import services
from kasane.evaluation.models import (
    ChecklistItem,
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    PdcaReview,
    Project,
)
from kasane.evaluation.staffing.services import staffing_defaults_seed
from kasane.evaluation.system.checklist import SURVEY_SOMEONE_TO_ASK
from kasane.evaluation.system.services import Answer, checklist_seed, pdca_review_record
from kasane.evaluation.system.services import self_assessment_score as score

DAY = datetime.timedelta(days=1)

# Previous 年度: the score of each question, and what it rests on.
PREVIOUS: dict[str, tuple[int, str]] = {
    "ms_places": (2, "サロン・通いの場は全校区にあるが、湖南・南中学校区に多世代交流拠点がない。"),
    "ms_multigenerational": (1, "趣味のサークルを「つなぎ先」として把握する取組は未着手。"),
    "ms_watch": (2, "見守り協定は新聞・ガスの2業種。宅配・郵便は協議中。"),
    "ms_residents_consult": (1, "住民意識調査で「相談できる人がいる」は6割弱。"),
    "ms_coordinators": (1, "社協CSWと生活支援コーディネーターの定例会がない。"),
    "ms_resource_development": (0, "未充足ニーズを記録する仕組みがなかった。"),
    "co_any_consultation": (2, "各機関で受け止めているが、分野外の相談の記録が残らない。"),
    "co_referral_answer": (2, "つなぎの回答期限を設けたが、期限超過が散見される。"),
    "co_meetings": (2, "支援会議は月1回開催。重層的支援会議は必要時のみ。"),
    "co_lead_agency": (3, "全ケースで主担当機関を記録している。"),
    "co_breadth": (1, "保健所・児童相談所との連携は個別の関係に頼っている。"),
    "co_plans": (2, "プランは作成しているが、モニタリングの期日管理が紙。"),
    "co_capacity": (1, "トリアージCの割合は3割未満。"),
    "cn_outreach": (1, "アウトリーチは相談全体の1割に届かない。"),
    "cn_watch_to_agency": (1, "通報者への結果の返し方が決まっていない。"),
    "cn_participation": (1, "参加支援のマッチングを始めたばかり。"),
    "cn_catalogue": (0, "参加の場の一覧がない。"),
    "cn_issues_back": (1, "地域課題を協議体に返す場が年1回のみ。"),
    "cn_other_sectors": (0, "市民協働課・企画課との連携はない。"),
    "cn_loneliness": (0, "孤独感の変化を測っていない。"),
}

# Current 年度: the questions whose score moved after the review, and why.
CURRENT: dict[str, tuple[int, str]] = {
    "ms_watch": (3, "宅配・郵便局と見守り協定を締結し、4業種になった。"),
    "ms_resource_development": (1, "未充足ニーズの記録を始め、湖南で拠点づくりを協議中。"),
    "co_referral_answer": (3, "Kasaneで期限超過を自動で上げ、超過がほぼなくなった。"),
    "co_plans": (3, "モニタリング期日をKasaneで管理している。"),
    "co_breadth": (2, "支援会議に保健所が定例で出席するようになった。"),
    "cn_catalogue": (2, "参加の場のカタログを作成し、相談員が検索できる。"),
    "cn_participation": (2, "同行と定着支援の記録を始めた。"),
    "cn_loneliness": (1, "参加前後にUCLA孤独感尺度を測り始めた。"),
}

# Targets for the current 年度 (seed 003: 57 coordination cases a year; seed 004: outreach
# is about 8% of consultations, so 10% is the aim).
TARGETS: dict[str, str] = {
    "coordination_cases": "60",
    "collaboration_breadth": "40",
    "outreach_share": "10",
    "meetings_held": "24",
    SURVEY_SOMEONE_TO_ASK: "65",
}

SURVEY_NAME = "住民アンケート「困ったときに相談できる人がいる」と答えた住民の割合"


def _survey(analyst: Staff, previous: int, current: int) -> None:
    if not Indicator.objects.filter(code=SURVEY_SOMEONE_TO_ASK).exists():
        services.manual_indicator_create(
            code=SURVEY_SOMEONE_TO_ASK,
            name=SURVEY_NAME,
            kind=IndicatorKind.KGI,
            level=IndicatorLevel.OUTCOME,
            project=Project.COMMUNITY,
            unit="%",
            description="市民意識調査（無作為抽出の18歳以上1,200人、郵送・WEB）の設問。",
        )
    for year, value in ((previous, "58.4"), (current, "61.2")):
        services.manual_value_set(
            actor=analyst,
            code=SURVEY_SOMEONE_TO_ASK,
            fiscal_year=year,
            value=value,
            note="市民意識調査（回答率 47%）",
        )


def _answers(rng: random.Random, overrides: dict[str, tuple[int, str]]) -> dict[str, Answer]:
    answers = {}
    for item in ChecklistItem.objects.filter(is_active=True):
        if item.code in overrides:
            value, comment = overrides[item.code]
        elif item.code in PREVIOUS:
            value, comment = PREVIOUS[item.code]
        else:  # a question the municipality added: scored without comment
            value, comment = rng.randint(0, 2), ""
        answers[item.code] = Answer(value, comment)
    return answers


def build_demo_evaluation(*, seed: int, today: datetime.date) -> None:
    """Indicators with targets, the survey, two self-assessments and two reviews."""
    rng = random.Random(seed * 7907 + 11)
    coordinator = Staff.objects.get(username="coordinator")
    analyst = Staff.objects.get(username="analyst")
    current = fiscal_year(today)
    previous = current - 1

    services.seed_indicators()
    _survey(analyst, previous, current)
    checklist_seed()  # after the survey exists, so that its question is linked to it
    staffing_defaults_seed()
    for code, value in TARGETS.items():
        if Indicator.objects.filter(code=code).exists():
            services.target_set(code=code, fiscal_year=current, value=value)

    end_of_previous = fiscal_year_bounds(previous)[1]
    score(
        actor=coordinator,
        fiscal_year=previous,
        answers=_answers(rng, {}),
        note="年度末に多機関協働の担当と福祉政策課で点検。地域づくりとつなぐ機能が弱い。",
        scored_on=end_of_previous - 10 * DAY,
    )
    score(
        actor=coordinator,
        fiscal_year=current,
        answers=_answers(rng, CURRENT),
        note="評価会議で決めた取組の途中経過。見守り協定と参加の場のカタログが進んだ。",
        scored_on=today,
    )

    if PdcaReview.objects.exists():
        return
    start_of_current = fiscal_year_bounds(current)[0]
    pdca_review_record(
        actor=coordinator,
        fiscal_year=previous,
        held_on=end_of_previous - 5 * DAY,
        meeting_name="重層的支援体制整備事業 評価会議（年度末）",
        participants="福祉政策課、多機関協働（人とくらしのサポートセンター）、社会福祉協議会、"
        "地域包括支援センター、障害者相談支援センター、子ども家庭センター、外部有識者",
        findings="自己点検で①地域で支え合う機能と③つなぐ機能の平均が1点台。参加の場の一覧がなく、"
        "相談を受けても「出口」がない（seed 001 ③-5）。つなぎの回答期限超過が月に数件ある。",
        changes="参加の場のカタログを作る（参加支援・社協）。見守り協定を宅配・郵便局に広げる。"
        "つなぎの期限超過をKasaneで自動的に上げる。次年度の目標値を設定する。",
        follow_up_on=start_of_current + 180 * DAY,
    )
    pdca_review_record(
        actor=coordinator,
        fiscal_year=current,
        held_on=max(start_of_current, today - 14 * DAY),
        meeting_name="重層的支援体制推進会議（中間確認）",
        participants="福祉政策課、多機関協働、社会福祉協議会、市民協働課",
        findings="カタログと見守り協定は予定どおり。湖南・南中学校区の多世代交流拠点は未整備。"
        "市民協働課との連携は始まったばかり。",
        changes="湖南中学校区で空き店舗を使った拠点づくりを協議体に諮る。市民協働課と"
        "地域活動団体の立ち上げ支援を一緒に行う。",
        follow_up_on=fiscal_year_bounds(current)[1],
    )
