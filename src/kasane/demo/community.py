"""地域づくり in かさね市: community places in every 中学校区, and a few 地域課題 raised from
the year's consultations, with their discussions and actions.

Places are registered by the 社協 CSW (生活支援コーディネーター) through the same service
staff use. Every 中学校区 has a salon and a 通いの場; most have a 子ども食堂; two have no
多世代交流拠点 yet, so that the area view shows where the seed-004 target (one hub in every
中学校区) is not met.
"""

from __future__ import annotations

import datetime
import random

from kasane.accounts.models import Staff
from kasane.community import services
from kasane.community.models import ActionStatus, Frequency, IssueStatus, OrganizerType, PlaceKind
from kasane.core.dates import fiscal_year
from kasane.intake.models import NeedType
from kasane.registry.models import Area, AreaKind

DAY = datetime.timedelta(days=1)

# Districts still without a 多世代交流拠点 (資源開拓 is under way in 湖南).
WITHOUT_HUB = {"湖南中学校区", "南中学校区"}

HUBS = ["みんなの家「えんがわ」", "多世代交流拠点「ひだまり」", "地域の茶の間「かさねテラス」"]
HUB_VENUES = ["空き家を改修した民家", "商店街の空き店舗", "小学校の余裕教室"]
CAFETERIAS = ["こども食堂「もぐもぐ」", "みんな食堂「いただきます」", "寺子屋こども食堂"]
CIRCLES = [
    ("囲碁・将棋サークル", "毎週火曜 13:00–16:00"),
    ("男の料理教室", "第3土曜 10:00–13:00"),
    ("手芸サークル「ちくちく」", "第1・第3木曜 13:30–15:30"),
    ("健康麻雀クラブ", "毎週金曜 13:00–16:00"),
]
CAFES = ["認知症カフェ「オレンジ」", "ふらっとカフェ", "コミュニティカフェ「ことり」"]


class CommunityDemo:
    def __init__(self, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed * 7919 + 5)
        self.today = today
        self.csw = Staff.objects.get(username="csw")
        self.coordinator = Staff.objects.get(username="coordinator")

    def started(self) -> datetime.date:
        return self.today - self.rng.randint(200, 3000) * DAY

    def place(self, **fields: object) -> None:
        services.place_create(actor=self.csw, started_on=self.started(), **fields)  # type: ignore[arg-type]

    def places(self) -> None:
        districts = Area.objects.filter(kind=AreaKind.SCHOOL_DISTRICT).order_by("code")
        for n, district in enumerate(districts):
            blocks = list(district.children.order_by("code"))
            town = district.name.removesuffix("中学校区")
            first, second = blocks[0], blocks[-1]
            self.place(
                name=f"ふれあいいきいきサロン{first.name}",
                kind=PlaceKind.SALON,
                area=first,
                venue=f"{first.name}集会所",
                organizer=f"{first.name}自治会",
                organizer_type=OrganizerType.RESIDENTS,
                frequency=self.rng.choice([Frequency.MONTHLY, Frequency.TWICE_MONTHLY]),
                schedule=f"第{self.rng.randint(1, 2)}水曜 10:00–12:00",
                audience="おおむね65歳以上の方",
                contact="かさね市社会福祉協議会 地域福祉係",
            )
            if len(blocks) > 3:
                # Larger districts: a second salon, run by the 民生委員 of the area.
                self.place(
                    name=f"ふれあいいきいきサロン{blocks[1].name}",
                    kind=PlaceKind.SALON,
                    area=blocks[1],
                    venue=f"{blocks[1].name}会館",
                    organizer=f"{town}地区民生委員児童委員協議会",
                    organizer_type=OrganizerType.RESIDENTS,
                    frequency=Frequency.MONTHLY,
                    schedule="第3火曜 13:30–15:30",
                    audience="一人暮らしの高齢者の方",
                )
            self.place(
                name="通いの場「いきいき百歳体操」",
                kind=PlaceKind.GATHERING_PLACE,
                area=second,
                venue=f"{second.name}公民館",
                organizer=f"{second.name}いきいき百歳体操の会",
                organizer_type=OrganizerType.RESIDENTS,
                frequency=Frequency.WEEKLY,
                schedule=f"毎週{'月火水木金'[n % 5]}曜 9:30–10:30",
                audience="どなたでも（体操のできる服装で）",
                contact=f"{district.parent.name[:2]}地域包括支援センター"
                if district.parent
                else "",
            )
            if n % 4 != 3:
                self.place(
                    name=CAFETERIAS[n % len(CAFETERIAS)],
                    kind=PlaceKind.CHILDREN_CAFETERIA,
                    area=self.rng.choice(blocks),
                    venue=self.rng.choice(["地区会館", "寺の本堂", "教会のホール"]),
                    organizer=self.rng.choice(
                        ["NPO法人 こどもの居場所かさね", f"{town}こども食堂実行委員会"]
                    ),
                    organizer_type=self.rng.choice([OrganizerType.NPO, OrganizerType.RESIDENTS]),
                    frequency=Frequency.TWICE_MONTHLY,
                    schedule="第2・第4金曜 17:00–19:00",
                    audience="子どもは無料・大人300円、どなたでも",
                )
            if district.name not in WITHOUT_HUB:
                self.place(
                    name=HUBS[n % len(HUBS)],
                    kind=PlaceKind.MULTIGENERATIONAL_HUB,
                    area=self.rng.choice(blocks),
                    venue=HUB_VENUES[n % len(HUB_VENUES)],
                    organizer=f"{town}まちづくり協議会",
                    organizer_type=OrganizerType.RESIDENTS,
                    frequency=Frequency.DAILY,
                    schedule="平日 10:00–17:00（学習支援は水曜夕方）",
                    audience="赤ちゃんから高齢者まで、どなたでも",
                    note="子ども食堂・無料学習塾・高齢者サロンを一体で運営。",
                )
            circle, schedule = CIRCLES[n % len(CIRCLES)]
            self.place(
                name=f"{town}{circle}",
                kind=PlaceKind.CIRCLE,
                area=self.rng.choice(blocks),
                venue=f"{town}地区センター",
                organizer=f"{town}{circle}",
                organizer_type=OrganizerType.RESIDENTS,
                frequency=Frequency.WEEKLY if "毎週" in schedule else Frequency.MONTHLY,
                schedule=schedule,
                audience="初心者歓迎",
            )
            if n % 2 == 0:
                self.place(
                    name=CAFES[n // 2 % len(CAFES)],
                    kind=PlaceKind.COMMUNITY_CAFE,
                    area=self.rng.choice(blocks),
                    venue="特別養護老人ホームの地域交流スペース",
                    organizer="社会福祉法人 かさね福祉会",
                    organizer_type=OrganizerType.SOCIAL_WELFARE_CORPORATION,
                    frequency=Frequency.MONTHLY,
                    schedule="第4土曜 13:30–15:30",
                    audience="認知症の方と家族、地域の方",
                )

    def issues(self) -> None:
        year = fiscal_year(self.today)
        needs = {n.code: n for n in NeedType.objects.all()}
        area = {a.name: a for a in Area.objects.filter(kind__in=["sphere", "school_district"])}
        # Raised early in the 年度, or last month when the 年度 has only just begun.
        start = max(datetime.date(year, 4, 1), self.today - 300 * DAY)
        raised = min(start + 30 * DAY, self.today - 20 * DAY)
        raised = max(raised, datetime.date(year, 4, 1))

        issue = services.issue_create(
            actor=self.coordinator,
            area=area["北部圏域"],
            fiscal_year=year,
            title="8050世帯の孤立と、親亡き後への不安",
            description="北部圏域では、高齢の親と就労していない中高年の子の世帯からの相談が"
            "続いている。親の介護認定をきっかけに世帯の課題が見つかることが多く、"
            "子が地域とつながる場がない。",
            need_types=[needs[c] for c in ("8050", "hikikomori", "isolation") if c in needs],
            raised_on=raised,
        )
        services.discussion_add(
            actor=self.coordinator,
            issue=issue,
            held_on=min(raised + 14 * DAY, self.today),
            forum="北部圏域 地域ケア会議",
            summary="包括・社協・民生委員で共有。介護サービスの訪問時に同居の子の様子に"
            "気づいても、つなぎ先がわからないという声が多い。",
        )
        services.action_add(
            actor=self.coordinator,
            issue=issue,
            who="北部地域包括支援センター・NPO法人 よりそいネット",
            what="ケアマネジャー向けに、ひきこもり相談のつなぎ方の勉強会を開く",
            due_on=raised + 60 * DAY,
        )
        action = services.action_add(
            actor=self.coordinator,
            issue=issue,
            who="かさね市社会福祉協議会（CSW）",
            what="北中学校区の多世代交流拠点で、中高年向けの軽作業ボランティアの場をつくる",
            due_on=raised + 120 * DAY,
        )
        services.action_status_change(
            actor=self.coordinator, action=action, status=ActionStatus.IN_PROGRESS
        )

        issue = services.issue_create(
            actor=self.csw,
            area=area["湖南中学校区"],
            fiscal_year=year,
            title="子どもの居場所と学習の場が足りない",
            description="湖南中学校区には子ども食堂も多世代交流拠点もなく、ひとり親世帯や"
            "不登校の相談が市内の他地区より目立つ。放課後に過ごせる場がない。",
            need_types=[needs[c] for c in ("childcare", "school_refusal", "food") if c in needs],
            raised_on=raised,
        )
        services.discussion_add(
            actor=self.csw,
            issue=issue,
            held_on=min(raised + 10 * DAY, self.today),
            forum="東部圏域 第2層協議体",
            summary="自治会長・民生委員・学校・社協で意見交換。浜辺地区の空き店舗を"
            "活用できないか、商店会に相談することになった。",
        )
        done = services.action_add(
            actor=self.csw,
            issue=issue,
            who="かさね市社会福祉協議会（CSW）",
            what="浜辺商店会と空き店舗の活用について話し合う",
            due_on=raised + 30 * DAY,
        )
        services.action_status_change(
            actor=self.csw,
            action=done,
            status=ActionStatus.DONE,
            done_on=min(raised + 25 * DAY, self.today),
        )
        services.action_add(
            actor=self.csw,
            issue=issue,
            who="NPO法人 こどもの居場所かさね",
            what="子ども食堂の立ち上げ助成の申請を支援する",
            due_on=raised + 90 * DAY,
        )

        issue = services.issue_create(
            actor=self.csw,
            area=area["中央中学校区"],
            fiscal_year=year,
            title="駅前の単身高齢者の見守り",
            description="駅前・栄町の集合住宅で一人暮らしの高齢者が増え、近所付き合いが"
            "ほとんどない。新聞や郵便が溜まっているとの通報が続いた。",
            need_types=[needs[c] for c in ("isolation", "health") if c in needs],
            raised_on=raised,
        )
        services.discussion_add(
            actor=self.csw,
            issue=issue,
            held_on=min(raised + 20 * DAY, self.today),
            forum="中央地区 民生委員児童委員協議会 定例会",
            summary="見守り協定の事業者（新聞・ガス・宅配）との連絡会を年2回開くことで合意。",
        )
        services.issue_status_change(actor=self.csw, issue=issue, status=IssueStatus.RESOLVED)


def build_demo_community(*, seed: int, today: datetime.date) -> None:
    """Community places for every 中学校区 and a few 地域課題 with their discussions."""
    demo = CommunityDemo(seed, today)
    demo.places()
    demo.issues()
