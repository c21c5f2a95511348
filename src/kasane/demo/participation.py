"""Demo catalogue of places to take part (参加支援カタログ): about 80 places across kinds and
areas of かさね市, some not checked for months (stale), some full. Written in bulk — the
catalogue holds no personal data and the demo needs no audit trail of its own making."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from kasane.participation.models import (
    Opportunity,
    OpportunityKindLink,
    OpportunityStatus,
    Resource,
    Schedule,
)
from kasane.registry.models import Area, AreaKind


@dataclass(frozen=True)
class Spec:
    name: str  # {town} is the block's name
    kinds: tuple[str, ...]
    host: str
    description: str
    freq: str
    byday: str
    opens: tuple[int, int]
    closes: tuple[int, int]
    cost: int | None = 0
    cost_note: str = ""
    access: tuple[str, ...] = ()
    welcomes: tuple[str, ...] = ("anyone",)
    ages: tuple[int | None, int | None] = (None, None)
    capacity: int | None = None
    venue: str = "{town}地区センター"


SPECS: list[Spec] = [
    Spec(
        "居場所カフェ「ひだまり」",
        ("ibasho",),
        "NPO法人 ひだまりの会",
        "誰でも立ち寄れるカフェ。話さずに本を読んで過ごしてもかまいません。",
        "WEEKLY",
        "TU,FR",
        (13, 0),
        (16, 0),
        100,
        "飲み物代",
        ("no_speaking", "quiet_room", "short_stay", "wheelchair"),
        ("anyone", "first_timers", "withdrawal"),
        venue="{town}の空き店舗",
    ),
    Spec(
        "{town}ふれあいサロン",
        ("salon",),
        "かさね市社会福祉協議会",
        "お茶を飲みながらおしゃべり。体操や季節の行事もあります。",
        "MONTHLY",
        "2TU,4TU",
        (10, 0),
        (12, 0),
        100,
        "お茶代",
        ("wheelchair", "accessible_toilet"),
        ("elderly",),
        (60, None),
        venue="{town}集会所",
    ),
    Spec(
        "{town}こども食堂",
        ("childrens_cafeteria", "multigenerational"),
        "かさね市社会福祉協議会",
        "子どもは無料、大人300円。宿題をみるボランティアもいます。",
        "MONTHLY",
        "1SA,3SA",
        (17, 0),
        (19, 0),
        0,
        "子ども無料・大人300円",
        ("wheelchair", "childcare"),
        ("children", "parents", "anyone"),
        capacity=40,
        venue="{town}公民館",
    ),
    Spec(
        "いきいき百歳体操（{town}）",
        ("kayoi_no_ba",),
        "かさね市 地域包括ケア推進課",
        "おもりを使った筋力体操。見学だけでも歓迎です。",
        "WEEKLY",
        "WE",
        (10, 0),
        (11, 0),
        0,
        "",
        ("wheelchair", "accompanied_visit"),
        ("elderly",),
        (65, None),
        venue="{town}集会所",
    ),
    Spec(
        "シルバー人材センターの就労体験（{town}）",
        ("work_experience",),
        "公益社団法人 かさね市シルバー人材センター",
        "公園の清掃や植木の手入れを、短時間から体験できます。",
        "WEEKLY",
        "MO,TH",
        (9, 0),
        (12, 0),
        0,
        "交通費支給",
        ("short_stay",),
        ("elderly", "job_seekers"),
        (60, None),
        capacity=6,
        venue="シルバー人材センター {town}作業所",
    ),
    Spec(
        "みどり農園ボランティア",
        ("volunteer", "intermediate_work"),
        "NPO法人 はたらくカタチ",
        "畑の草取り・収穫・袋詰め。体調に合わせて1時間から。",
        "WEEKLY",
        "TU,SA",
        (9, 30),
        (11, 30),
        0,
        "軍手・飲み物を用意します",
        ("short_stay", "no_speaking", "accompanied_visit"),
        ("anyone", "withdrawal", "job_seekers"),
        capacity=8,
        venue="みどり農園（{town}）",
    ),
    Spec(
        "封入・発送作業（中間的就労）",
        ("intermediate_work",),
        "社会福祉法人 かさね福祉会",
        "公文書の封入や発送の軽作業。訓練として始め、雇用型へ移ることもできます。",
        "WEEKLY",
        "MO,WE,FR",
        (10, 0),
        (15, 0),
        0,
        "訓練手当あり",
        ("quiet_room", "no_speaking", "accompanied_visit"),
        ("job_seekers", "withdrawal", "disability"),
        (18, 64),
        capacity=5,
        venue="かさね福祉会 {town}事業所",
    ),
    Spec(
        "若者のたまり場「ほっとステーション」",
        ("ibasho", "peer_support"),
        "NPO法人 よりそいネット",
        "10代〜30代の居場所。ゲーム、おしゃべり、何もしなくても大丈夫。",
        "WEEKLY",
        "WE,SA",
        (14, 0),
        (18, 0),
        0,
        "",
        ("quiet_room", "no_speaking", "short_stay", "online"),
        ("young_people", "withdrawal"),
        (15, 39),
        venue="{town}ユースルーム",
    ),
    Spec(
        "{town}囲碁・将棋クラブ",
        ("hobby",),
        "{town}町内会",
        "初心者歓迎。対局しながら気軽に交流できます。",
        "WEEKLY",
        "TH",
        (13, 0),
        (16, 0),
        200,
        "場所代",
        ("wheelchair",),
        ("anyone",),
        venue="{town}集会所",
    ),
    Spec(
        "パソコン・スマホ教室",
        ("learning",),
        "かさね市生涯学習センター",
        "スマホの使い方からパソコンの基本まで少人数で学びます。",
        "MONTHLY",
        "1TH,3TH",
        (10, 0),
        (12, 0),
        500,
        "テキスト代",
        ("wheelchair", "accessible_toilet"),
        ("elderly", "anyone"),
        capacity=10,
        venue="{town}コミュニティセンター",
    ),
    Spec(
        "多世代交流拠点「えんがわ」",
        ("multigenerational", "ibasho"),
        "NPO法人 えんがわ",
        "子どもから高齢者まで誰でも。駄菓子屋・自習スペース・談話コーナー。",
        "WEEKLY",
        "MO,TU,WE,TH,FR",
        (11, 0),
        (18, 0),
        0,
        "",
        ("wheelchair", "quiet_room", "short_stay", "accessible_toilet"),
        ("anyone", "children", "elderly"),
        venue="{town}の空き家",
    ),
    Spec(
        "ひきこもり家族のつどい",
        ("peer_support",),
        "かさね市保健センター",
        "ご家族同士で気持ちを分かち合う会。名前を名乗らなくても参加できます。",
        "MONTHLY",
        "2SA",
        (14, 0),
        (16, 0),
        0,
        "",
        ("no_speaking", "quiet_room"),
        ("carers",),
        venue="かさね市保健センター",
    ),
    Spec(
        "介護者カフェ",
        ("peer_support", "salon"),
        "{town}地域包括支援センター",
        "介護をしている方がほっと一息つける場。専門職にも相談できます。",
        "MONTHLY",
        "-1FR",
        (13, 30),
        (15, 30),
        200,
        "お茶代",
        ("wheelchair", "accompanied_visit"),
        ("carers",),
        venue="{town}カフェスペース",
    ),
    Spec(
        "日本語ひろば",
        ("learning", "multigenerational"),
        "かさね国際交流協会",
        "外国から来た人と地域の人が日本語でおしゃべり。",
        "WEEKLY",
        "SU",
        (10, 0),
        (12, 0),
        0,
        "",
        ("written_conversation",),
        ("foreign_residents", "anyone"),
        venue="{town}公民館",
    ),
    Spec(
        "子育てひろば「にこにこ」",
        ("ibasho",),
        "NPO法人 子育てネットかさね",
        "0〜3歳の親子が自由に遊べる広場。子育て相談もできます。",
        "WEEKLY",
        "TU,TH",
        (10, 0),
        (12, 0),
        0,
        "",
        ("childcare", "wheelchair", "accessible_toilet"),
        ("parents",),
        venue="{town}児童館",
    ),
    Spec(
        "清掃ボランティア（{town}）",
        ("volunteer",),
        "{town}町内会",
        "月に一度、公園と通学路をみんなで清掃します。",
        "MONTHLY",
        "1SU",
        (8, 0),
        (9, 0),
        0,
        "",
        ("short_stay", "no_speaking"),
        ("anyone",),
        venue="{town}公園",
    ),
    Spec(
        "手芸サークル「ちくちく」",
        ("hobby",),
        "手芸サークル ちくちく",
        "編み物・刺し子など。材料費のみで参加できます。",
        "MONTHLY",
        "2WE,4WE",
        (13, 0),
        (15, 0),
        300,
        "材料費",
        ("wheelchair",),
        ("anyone",),
        capacity=12,
        venue="{town}集会所",
    ),
    Spec(
        "カフェ就労体験（中間的就労）",
        ("intermediate_work", "work_experience"),
        "社会福祉法人 かさね福祉会",
        "地域カフェでの配膳・洗い場の体験。週1日・2時間から。",
        "WEEKLY",
        "TU,TH",
        (10, 0),
        (14, 0),
        0,
        "訓練手当あり",
        ("short_stay", "accompanied_visit"),
        ("job_seekers", "disability", "withdrawal"),
        (18, 64),
        capacity=3,
        venue="コミュニティカフェ {town}店",
    ),
]


def _time(pair: tuple[int, int]) -> datetime.time:
    return datetime.time(*pair)


def build_demo_participation(
    *, seed: int, today: datetime.date, count: int = 80
) -> list[Opportunity]:
    """The catalogue: ``count`` places over the city's blocks; returns them."""
    rng = random.Random(f"participation-{seed}")
    blocks = list(Area.objects.filter(kind=AreaKind.BLOCK).order_by("code"))
    if not blocks:
        return []
    resources: dict[str, Resource] = {}
    opportunities: list[Opportunity] = []
    kinds: list[tuple[Opportunity, tuple[str, ...]]] = []
    schedules: list[tuple[Opportunity, Spec]] = []
    used: set[str] = set()
    for i in range(count):
        spec = SPECS[i % len(SPECS)]
        block = blocks[(i * 7 + rng.randrange(len(blocks))) % len(blocks)]
        town = block.name
        name = spec.name.format(town=town)
        if name in used:
            name = f"{name}（{town}）"
        if name in used:
            continue
        used.add(name)
        host = spec.host.format(town=town)
        if host not in resources:
            resources[host] = Resource(
                name=host,
                phone=f"0120-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                description="",
            )
        # About one in six not checked for over six months; a few full, a few closed.
        stale = i % 6 == 5
        checked = today - datetime.timedelta(
            days=rng.randrange(200, 400) if stale else rng.randrange(0, 150)
        )
        vacancies = None
        if spec.capacity is not None:
            vacancies = 0 if i % 5 == 2 else rng.randrange(1, spec.capacity + 1)
        status = OpportunityStatus.TEMPORARILY_CLOSED if i % 23 == 11 else OpportunityStatus.ACTIVE
        opportunity = Opportunity(
            name=name,
            description=spec.description,
            status=status,
            phone="",
            application_process="見学・体験は事前にお電話ください。支援員の同行も歓迎します。",
            location_name=spec.venue.format(town=town),
            area=block,
            address=f"かさね市{town}{rng.randrange(1, 30)}-{rng.randrange(1, 20)}",
            cost_amount=spec.cost,
            cost_description=spec.cost_note,
            accessibility=list(spec.access),
            languages=["ja", "en"] if "foreign_residents" in spec.welcomes else ["ja"],
            welcomes=list(spec.welcomes),
            capacity=spec.capacity,
            vacancies=vacancies,
            age_min=spec.ages[0],
            age_max=spec.ages[1],
            checked_on=checked,
        )
        opportunities.append(opportunity)
        kinds.append((opportunity, spec.kinds))
        schedules.append((opportunity, spec))
    Resource.objects.bulk_create(resources.values())
    by_name = {r.name: r for r in Resource.objects.filter(name__in=list(resources))}
    for opportunity, (_o, spec) in zip(opportunities, schedules, strict=True):
        opportunity.resource = by_name[
            spec.host.format(town=opportunity.area.name if opportunity.area else "")
        ]
    Opportunity.objects.bulk_create(opportunities)
    saved = {
        o.public_id: o
        for o in Opportunity.objects.filter(public_id__in=[o.public_id for o in opportunities])
    }
    OpportunityKindLink.objects.bulk_create(
        [OpportunityKindLink(opportunity=saved[o.public_id], kind=k) for o, ks in kinds for k in ks]
    )
    Schedule.objects.bulk_create(
        [
            Schedule(
                opportunity=saved[o.public_id],
                freq=spec.freq,
                byday=spec.byday,
                opens_at=_time(spec.opens),
                closes_at=_time(spec.closes),
            )
            for o, spec in schedules
        ]
    )
    return list(saved.values())
