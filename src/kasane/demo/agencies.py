"""The map of かさね市 (seed 003): its spheres and blocks, the agencies and where they work,
and the demo staff of every role."""

from dataclasses import dataclass

from kasane.accounts.models import AgencyType, ConfidentialityBasis, Role
from kasane.core.models import Domain

SPHERES: list[tuple[str, list[tuple[str, list[str]]]]] = [
    (
        "北部圏域",
        [
            ("北中学校区", ["北町一丁目", "北町二丁目", "緑ケ丘", "上野"]),
            ("桜中学校区", ["桜台一丁目", "桜台二丁目", "若葉町"]),
        ],
    ),
    (
        "東部圏域",
        [
            ("東中学校区", ["東町", "朝日町", "日の出一丁目", "日の出二丁目"]),
            ("湖南中学校区", ["湖南町", "浜辺", "新浜"]),
        ],
    ),
    ("中央圏域", [("中央中学校区", ["本町一丁目", "本町二丁目", "駅前", "栄町", "寿町"])]),
    (
        "西部圏域",
        [
            ("西中学校区", ["西町", "山手一丁目", "山手二丁目", "松原"]),
            ("青葉中学校区", ["青葉台", "若松町", "大谷"]),
        ],
    ),
    ("南部圏域", [("南中学校区", ["南町", "川原", "稲田", "平野一丁目", "平野二丁目"])]),
]


APARTMENTS = ["コーポかさね", "ハイツ湖畔", "メゾン桜", "グリーンヒル", "市営住宅", "サンライズ"]


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    agency_type: AgencyType
    domains: tuple[Domain, ...]
    basis: ConfidentialityBasis
    sphere: str | None = None


AGENCIES: list[AgencySpec] = [
    AgencySpec(
        "coordination",
        "かさね市 人とくらしのサポートセンター（多機関協働）",
        AgencyType.MUNICIPALITY,
        tuple(Domain),
        ConfidentialityBasis.PUBLIC_SERVANT,
    ),
    AgencySpec(
        "it",
        "かさね市 情報政策課",
        AgencyType.ADMINISTRATION,
        (),
        ConfidentialityBasis.PUBLIC_SERVANT,
    ),
    *[
        AgencySpec(
            f"houkatsu_{i}",
            f"{sphere[:2]}地域包括支援センター",
            AgencyType.COMMUNITY_GENERAL_SUPPORT,
            (Domain.ELDERLY,),
            ConfidentialityBasis.CONTRACT,
            sphere,
        )
        for i, (sphere, _) in enumerate(SPHERES)
    ],
    AgencySpec(
        "shogai",
        "かさね市障害者相談支援センター",
        AgencyType.DISABILITY_SUPPORT,
        (Domain.DISABILITY,),
        ConfidentialityBasis.STATUTORY,
    ),
    AgencySpec(
        "kodomo",
        "かさね市こども家庭センター",
        AgencyType.CHILD_FAMILY_CENTER,
        (Domain.CHILD, Domain.EDUCATION),
        ConfidentialityBasis.PUBLIC_SERVANT,
    ),
    AgencySpec(
        "konkyu",
        "かさね市くらし相談窓口（自立相談支援）",
        AgencyType.SELF_RELIANCE_SUPPORT,
        (Domain.POVERTY, Domain.HOUSING, Domain.EMPLOYMENT),
        ConfidentialityBasis.STATUTORY,
    ),
    AgencySpec(
        "shakyo",
        "かさね市社会福祉協議会",
        AgencyType.SOCIAL_WELFARE_COUNCIL,
        (Domain.ELDERLY, Domain.POVERTY, Domain.YOUTH),
        ConfidentialityBasis.CONTRACT,
    ),
    AgencySpec(
        "kyoiku",
        "かさね市教育委員会",
        AgencyType.BOARD_OF_EDUCATION,
        (Domain.EDUCATION, Domain.CHILD),
        ConfidentialityBasis.PUBLIC_SERVANT,
    ),
    AgencySpec(
        "hoken",
        "かさね市保健センター",
        AgencyType.HEALTH_CENTER,
        (Domain.HEALTH,),
        ConfidentialityBasis.PUBLIC_SERVANT,
    ),
    AgencySpec(
        "npo_outreach",
        "NPO法人 よりそいネット",
        AgencyType.NPO,
        (Domain.YOUTH, Domain.HEALTH),
        ConfidentialityBasis.CONTRACT,
    ),
    AgencySpec(
        "npo_sanka",
        "NPO法人 はたらくカタチ",
        AgencyType.NPO,
        (Domain.EMPLOYMENT, Domain.YOUTH),
        ConfidentialityBasis.CONTRACT,
    ),
    AgencySpec(
        "minsei",
        "かさね市民生委員児童委員協議会",
        AgencyType.COMMISSIONED_VOLUNTEERS,
        (Domain.ELDERLY, Domain.CHILD),
        ConfidentialityBasis.COMMISSIONED_VOLUNTEER,
    ),
    # 見守り協定: local businesses that tell the outreach team what their staff notice
    # (their agreement dates are in kasane.demo.outreach).
    *[
        AgencySpec(key, name, AgencyType.WATCH_BUSINESS, (), ConfidentialityBasis.PLEDGE)
        for key, name in (
            ("watch_shinbun", "かさね新聞販売所"),
            ("watch_gas", "かさねガス株式会社"),
            ("watch_water", "かさね市上下水道事業所"),
            ("watch_takuhai", "みずうみ運輸 かさね営業所"),
            ("watch_post", "かさね本町郵便局"),
        )
    ],
]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    role: Role
    agency_key: str


STAFF: list[StaffSpec] = [
    StaffSpec("houkatsu", "中央包括 相談員 森田", Role.CASEWORKER, "houkatsu_2"),
    StaffSpec("shogai", "障害相談 相談員 北川", Role.CASEWORKER, "shogai"),
    StaffSpec("kodomo", "こども家庭 相談員 南", Role.CASEWORKER, "kodomo"),
    StaffSpec("konkyu", "くらし相談 支援員 東野", Role.CASEWORKER, "konkyu"),
    StaffSpec("csw", "社協 CSW 西田", Role.CASEWORKER, "shakyo"),
    StaffSpec("coordinator", "多機関協働 コーディネーター 上田", Role.COORDINATOR, "coordination"),
    StaffSpec("outreach", "アウトリーチ支援員 野口", Role.OUTREACH_WORKER, "npo_outreach"),
    StaffSpec("sanka", "参加支援員 大野", Role.PARTICIPATION_WORKER, "npo_sanka"),
    StaffSpec("minsei", "民生委員 川村", Role.VOLUNTEER, "minsei"),
    StaffSpec("shinbun", "かさね新聞販売所 店長 佐野", Role.VOLUNTEER, "watch_shinbun"),
    StaffSpec("analyst", "福祉政策課 企画担当 平田", Role.ANALYST, "coordination"),
    StaffSpec("auditor", "情報政策課 情報セキュリティ担当 石田", Role.AUDITOR, "it"),
    StaffSpec("admin", "情報政策課 システム管理者 安田", Role.ADMIN, "it"),
]
