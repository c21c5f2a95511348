"""What the demo outreach tells: the businesses watching, the concern reports, the targets and
their notes, the results of contact attempts as the relationship grows."""

from __future__ import annotations

from kasane.outreach.models import (
    ContactResult,
    Stage,
    WatchBusinessKind,
)

# Days before today each business signed its agreement.
AGREEMENTS: dict[str, tuple[WatchBusinessKind, int]] = {
    "かさね新聞販売所": (WatchBusinessKind.NEWSPAPER, 900),
    "かさねガス株式会社": (WatchBusinessKind.GAS, 720),
    "かさね市上下水道事業所": (WatchBusinessKind.WATER, 610),
    "みずうみ運輸 かさね営業所": (WatchBusinessKind.DELIVERY, 400),
    "かさね本町郵便局": (WatchBusinessKind.POST, 250),
}

# What each kind of reporter typically notices: (signs, who, details).
STORIES: dict[str, list[tuple[list[str], str, str]]] = {
    "minsei": [
        (
            ["not_seen"],
            "一人暮らしの高齢女性",
            "最近姿を見かけない。以前は毎朝ごみ出しをしていた。",
        ),
        (
            ["child_not_at_school"],
            "小学生くらいの男の子",
            "平日の昼間に公園に一人でいることが多い。",
        ),
        (
            ["not_seen", "health"],
            "高齢の夫婦の息子（40代）",
            "何年も外出していないと母親が話していた。",
        ),
        (["smell"], "", "庭に物が積まれ、においがする。"),
        (["voices"], "子ども", "夜遅くに怒鳴り声と泣き声が聞こえる。"),
        (["health"], "一人暮らしの高齢男性", "話がかみ合わないことが増えた。"),
    ],
    WatchBusinessKind.NEWSPAPER: [
        (["newspapers"], "高齢の男性", "新聞が3日分たまっている。"),
        (["newspapers", "no_light"], "", "新聞がたまり、夜も明かりがつかない。"),
    ],
    WatchBusinessKind.GAS: [
        (["meter"], "", "ガスの使用量が2週間ほぼゼロ。"),
        (["meter", "health"], "高齢の女性", "検針時に声をかけたが、ぼんやりしていた。"),
    ],
    WatchBusinessKind.WATER: [(["meter"], "", "水道の使用量が急に止まった。")],
    WatchBusinessKind.DELIVERY: [
        (["not_seen"], "", "不在が続き、荷物が受け取られていない。"),
        (["smell"], "高齢の男性", "玄関先にごみ袋が積まれている。"),
    ],
    WatchBusinessKind.POST: [
        (["newspapers"], "", "郵便受けに郵便物があふれている。"),
        (["no_light"], "一人暮らしの高齢女性", "昼も夜も明かりがついたまま。"),
    ],
}

LABELS = [
    "この住所の一人暮らしの高齢者",
    "この住所の息子（40代）",
    "この住所の娘（50代）",
    "この住所の小学生の子",
    "アパート2階の男性（30代）",
    "この住所の高齢夫婦",
]

NOTES = {
    ContactResult.MET: ["玄関先で少し話せた。", "本人と短時間会えた。体調は安定している様子。"],
    ContactResult.ABSENT: ["応答なし。", "インターホンに応答なし。メモを残した。"],
    ContactResult.REFUSED: ["「話すことはない」と断られた。", "ドア越しに拒否。"],
    ContactResult.FAMILY: [
        "母親と話せた。本人の様子を聞いた。",
        "家族から最近の様子を聞き取った。",
    ],
    ContactResult.LETTER_LEFT: ["手紙を投函した。", "相談窓口の案内と手紙を投函。"],
}

# Results likelier as the relationship grows.
RESULTS_BY_STAGE: dict[str, list[ContactResult]] = {
    Stage.GRASPED: [ContactResult.ABSENT, ContactResult.LETTER_LEFT, ContactResult.ABSENT],
    Stage.CONTACTED: [ContactResult.FAMILY, ContactResult.REFUSED, ContactResult.ABSENT],
    Stage.RELATIONSHIP: [ContactResult.MET, ContactResult.FAMILY, ContactResult.ABSENT],
    Stage.CONSULTING: [ContactResult.MET, ContactResult.MET, ContactResult.FAMILY],
    Stage.SUPPORTED: [ContactResult.MET, ContactResult.MET],
}
