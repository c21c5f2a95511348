"""かさね市, the demo city: areas, the agency map of seed 003, staff for every role, and
several hundred households with realistic compositions.

Deterministic: the same seed gives the same city on any day, because every date is
computed from ``REFERENCE_DATE``, never from today.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from kasane.accounts.models import Agency, AgencyType, ConfidentialityBasis, Role, Staff
from kasane.accounts.services import staff_create
from kasane.core.models import Domain
from kasane.demo.bulk import BulkHouseholds
from kasane.demo.names import FEMALE, MALE, SURNAMES, generation
from kasane.registry.models import Area, AreaKind, Household, RelationKind, Relationship, Sex
from kasane.registry.services import (
    PersonInput,
    area_create,
    household_create,
    member_add,
    relation_create,
)

REFERENCE_DATE = datetime.date(2026, 4, 1)
# A city of more households than LARGE_CITY tells the full service-driven story of its first
# STORY_HOUSEHOLDS households (every showcase, meeting and plan) and loads the others, and
# their years of work, with bulk inserts (kasane.demo.bulk): 100,000 households in minutes.
LARGE_CITY = 2000
STORY_HOUSEHOLDS = 400
DEMO_PASSWORD = "kasane-demo-2026"  # noqa: S105 - printed on purpose: demo data only

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
        AgencyType.MUNICIPALITY,
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


class DemoCity:
    """Builds the city with one random generator, so a seed fixes every choice."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.agencies: dict[str, Agency] = {}
        self.blocks_by_sphere: dict[str, list[Area]] = {}
        self.house_numbers: set[str] = set()
        # Set while the households past the story are built: they are collected for bulk
        # inserts instead of going through the registry services one by one.
        self.bulk: BulkHouseholds | None = None

    # --- places and people who work there ---------------------------------------------------

    def build_areas(self) -> None:
        city = area_create(code="K", name="かさね市", kind=AreaKind.CITY)
        for i, (sphere_name, districts) in enumerate(SPHERES, start=1):
            sphere = area_create(code=f"K{i}", name=sphere_name, kind=AreaKind.SPHERE, parent=city)
            self.blocks_by_sphere[sphere_name] = []
            for j, (district_name, blocks) in enumerate(districts, start=1):
                district = area_create(
                    code=f"K{i}{j}",
                    name=district_name,
                    kind=AreaKind.SCHOOL_DISTRICT,
                    parent=sphere,
                )
                for k, block_name in enumerate(blocks, start=1):
                    self.blocks_by_sphere[sphere_name].append(
                        area_create(
                            code=f"K{i}{j}{k:02d}",
                            name=block_name,
                            kind=AreaKind.BLOCK,
                            parent=district,
                        )
                    )

    def build_agencies(self) -> None:
        spheres = {name: Area.objects.get(name=name) for name, _ in SPHERES}
        for spec in AGENCIES:
            agency = Agency(
                name=spec.name,
                agency_type=spec.agency_type,
                domains=[d.value for d in spec.domains],
                area=spheres[spec.sphere] if spec.sphere else spheres["中央圏域"].parent,
                confidentiality_basis=spec.basis,
            )
            agency.full_clean()
            agency.save()
            self.agencies[spec.key] = agency

    def build_staff(self) -> list[Staff]:
        return [
            staff_create(
                username=spec.username,
                password=DEMO_PASSWORD,
                role=spec.role,
                agency=self.agencies[spec.agency_key],
                display_name=spec.display_name,
            )
            for spec in STAFF
        ]

    # --- households --------------------------------------------------------------------------

    def _birth(self, age_low: int, age_high: int) -> datetime.date:
        age = self.rng.randint(age_low, age_high)
        day_of_year = self.rng.randint(0, 364)
        return REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age - 1) + datetime.timedelta(
            days=day_of_year
        )

    def _person(self, surname: tuple[str, str], sex: Sex, birth: datetime.date) -> PersonInput:
        pool = (MALE if sex == Sex.MALE else FEMALE)[generation(birth.year)]
        given = self.rng.choice(pool)
        return PersonInput(
            name=f"{surname[0]} {given[0]}",
            kana=f"{surname[1]} {given[1]}",
            birth_date=birth,
            sex=sex,
        )

    def _address(self, block: Area) -> str:
        while True:
            address = f"かさね市{block.name}{self.rng.randint(1, 30)}番{self.rng.randint(1, 20)}号"
            if address not in self.house_numbers:
                self.house_numbers.add(address)
                return address

    def _bulk_address(self, block: Area) -> str:
        """A house number in a big city's block, or, once the houses are taken, a flat in
        one of its apartment buildings (a block of the default city has only 600 houses)."""
        for _ in range(4):
            address = f"かさね市{block.name}{self.rng.randint(1, 40)}番{self.rng.randint(1, 30)}号"
            if address not in self.house_numbers:
                self.house_numbers.add(address)
                return address
        while True:
            address = (
                f"かさね市{block.name}{self.rng.randint(1, 40)}番{self.rng.randint(1, 30)}号 "
                f"{self.rng.choice(APARTMENTS)}"
                f"{self.rng.randint(1, 8)}{self.rng.randint(1, 12):02d}号室"
            )
            if address not in self.house_numbers:
                self.house_numbers.add(address)
                return address

    def _household(
        self,
        agency: Agency,
        members: list[tuple[PersonInput, Relationship]],
        sphere: str | None = None,
        note: str = "",
    ) -> Household | None:
        sphere_name = sphere or self.rng.choice([s for s, _ in SPHERES])
        block = self.rng.choice(self.blocks_by_sphere[sphere_name])
        started = REFERENCE_DATE - datetime.timedelta(days=self.rng.randint(200, 12000))
        head, _ = members[0]
        phone = f"077-55{self.rng.randint(0, 9)}-{self.rng.randint(1000, 9999)}"
        if self.bulk is not None:
            self.bulk.add(
                agency=agency,
                block=block,
                address=self._bulk_address(block),
                phone=phone,
                note=note,
                started_on=started,
                members=members,
            )
            return None
        household = household_create(
            actor=None,
            agency=agency,
            head=PersonInput(head.name, head.kana, head.birth_date, head.sex, block, phone),
            address=self._address(block),
            area=block,
            phone=phone,
            note=note,
            started_on=started,
        )
        persons = [household.memberships.get().person]
        for data, relationship in members[1:]:
            persons.append(
                member_add(
                    actor=None,
                    household=household,
                    person=PersonInput(data.name, data.kana, data.birth_date, data.sex, block),
                    relationship=relationship,
                    started_on=max(started, data.birth_date or started),
                )
            )
        self._relate(persons, [r for _, r in members])
        return household

    def _relate(self, persons: list, relationships: list[Relationship]) -> None:  # type: ignore[type-arg]
        """Spouse and parent relations implied by 続柄, for the genogram."""
        head = persons[0]
        spouse = next(
            (p for p, r in zip(persons, relationships, strict=True) if r == Relationship.SPOUSE),
            None,
        )
        if spouse is not None:
            relation_create(
                actor=None, from_person=head, to_person=spouse, kind=RelationKind.SPOUSE
            )
        for person, relationship in zip(persons, relationships, strict=True):
            if relationship == Relationship.CHILD:
                for parent in (head, spouse):
                    if parent is not None:
                        relation_create(
                            actor=None,
                            from_person=parent,
                            to_person=person,
                            kind=RelationKind.PARENT,
                        )
            elif relationship == Relationship.PARENT:
                relation_create(
                    actor=None, from_person=person, to_person=head, kind=RelationKind.PARENT
                )

    def _houkatsu(self, sphere: str) -> Agency:
        index = [s for s, _ in SPHERES].index(sphere)
        return self.agencies[f"houkatsu_{index}"]

    def _sphere(self) -> str:
        return self.rng.choice([s for s, _ in SPHERES])

    def elderly_couple(self) -> None:
        sphere, surname = self._sphere(), self.rng.choice(SURNAMES)
        husband = self._person(surname, Sex.MALE, self._birth(72, 92))
        wife = self._person(surname, Sex.FEMALE, self._birth(70, 90))
        self._household(
            self._houkatsu(sphere),
            [(husband, Relationship.HEAD), (wife, Relationship.SPOUSE)],
            sphere,
        )

    def isolated_elderly(self) -> None:
        sphere, surname = self._sphere(), self.rng.choice(SURNAMES)
        sex = self.rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE])
        agency = self._houkatsu(sphere) if self.rng.random() < 0.7 else self.agencies["shakyo"]
        self._household(
            agency, [(self._person(surname, sex, self._birth(75, 96)), Relationship.HEAD)], sphere
        )

    def pair_8050(self) -> None:
        sphere, surname = self._sphere(), self.rng.choice(SURNAMES)
        parent = self._person(surname, self.rng.choice([Sex.FEMALE, Sex.MALE]), self._birth(78, 92))
        child = self._person(
            surname, self.rng.choice([Sex.MALE, Sex.MALE, Sex.FEMALE]), self._birth(45, 60)
        )
        members = [(parent, Relationship.HEAD), (child, Relationship.CHILD)]
        if self.rng.random() < 0.3:
            other = Sex.MALE if parent.sex == Sex.FEMALE else Sex.FEMALE
            members.insert(
                1, (self._person(surname, other, self._birth(80, 94)), Relationship.SPOUSE)
            )
        self._household(self._houkatsu(sphere), members, sphere)

    def single_parent(self) -> None:
        surname = self.rng.choice(SURNAMES)
        parent_sex = Sex.FEMALE if self.rng.random() < 0.85 else Sex.MALE
        members = [(self._person(surname, parent_sex, self._birth(26, 48)), Relationship.HEAD)]
        for _ in range(self.rng.randint(1, 3)):
            members.append(
                (
                    self._person(
                        surname, self.rng.choice([Sex.MALE, Sex.FEMALE]), self._birth(0, 17)
                    ),
                    Relationship.CHILD,
                )
            )
        agency = self.agencies["kodomo"] if self.rng.random() < 0.7 else self.agencies["konkyu"]
        self._household(agency, members)

    def young_carer(self) -> None:
        surname = self.rng.choice(SURNAMES)
        parent = self._person(surname, self.rng.choice([Sex.FEMALE, Sex.MALE]), self._birth(38, 55))
        carer = self._person(surname, self.rng.choice([Sex.FEMALE, Sex.MALE]), self._birth(11, 17))
        members = [(parent, Relationship.HEAD), (carer, Relationship.CHILD)]
        if self.rng.random() < 0.6:
            members.append(
                (
                    self._person(
                        surname, self.rng.choice([Sex.MALE, Sex.FEMALE]), self._birth(4, 10)
                    ),
                    Relationship.CHILD,
                )
            )
        if self.rng.random() < 0.4:
            members.append(
                (self._person(surname, Sex.FEMALE, self._birth(72, 88)), Relationship.PARENT)
            )
        self._household(
            self.agencies["kodomo"],
            members,
            note="家事と弟妹の世話を中学生の子が担っている（学校から情報提供）",
        )

    def double_care(self) -> None:
        sphere, surname = self._sphere(), self.rng.choice(SURNAMES)
        members = [
            (self._person(surname, Sex.MALE, self._birth(36, 50)), Relationship.HEAD),
            (self._person(surname, Sex.FEMALE, self._birth(34, 48)), Relationship.SPOUSE),
            (
                self._person(surname, self.rng.choice([Sex.MALE, Sex.FEMALE]), self._birth(0, 6)),
                Relationship.CHILD,
            ),
            (self._person(surname, Sex.FEMALE, self._birth(72, 88)), Relationship.PARENT),
        ]
        self._household(self._houkatsu(sphere), members, sphere)

    def disability_household(self) -> None:
        surname = self.rng.choice(SURNAMES)
        members = [
            (self._person(surname, Sex.MALE, self._birth(55, 75)), Relationship.HEAD),
            (self._person(surname, Sex.FEMALE, self._birth(52, 73)), Relationship.SPOUSE),
            (
                self._person(surname, self.rng.choice([Sex.MALE, Sex.FEMALE]), self._birth(20, 45)),
                Relationship.CHILD,
            ),
        ]
        self._household(self.agencies["shogai"], members)

    def working_age_single(self) -> None:
        surname = self.rng.choice(SURNAMES)
        person = self._person(
            surname, self.rng.choice([Sex.MALE, Sex.MALE, Sex.FEMALE]), self._birth(30, 64)
        )
        agency = self.agencies["konkyu"] if self.rng.random() < 0.75 else self.agencies["shakyo"]
        self._household(agency, [(person, Relationship.HEAD)])

    def family(self) -> None:
        surname = self.rng.choice(SURNAMES)
        members = [
            (self._person(surname, Sex.MALE, self._birth(32, 50)), Relationship.HEAD),
            (self._person(surname, Sex.FEMALE, self._birth(30, 48)), Relationship.SPOUSE),
        ]
        for _ in range(self.rng.randint(1, 3)):
            members.append(
                (
                    self._person(
                        surname, self.rng.choice([Sex.MALE, Sex.FEMALE]), self._birth(3, 17)
                    ),
                    Relationship.CHILD,
                )
            )
        agency = self.agencies["kodomo"] if self.rng.random() < 0.5 else self.agencies["kyoiku"]
        self._household(agency, members)

    def seed_003_households(self) -> None:
        """The two example households of seed 003, both referred by the 包括 of 中央圏域."""
        agency = self._houkatsu("中央圏域")
        # ① an elderly mother and two adult children, all with intellectual disability.
        self._household(
            agency,
            [
                (
                    PersonInput("草野 ミツ", "クサノ ミツ", datetime.date(1946, 8, 3), Sex.FEMALE),
                    Relationship.HEAD,
                ),
                (
                    PersonInput("草野 誠", "クサノ マコト", datetime.date(1972, 2, 19), Sex.MALE),
                    Relationship.CHILD,
                ),
                (
                    PersonInput(
                        "草野 久美子", "クサノ クミコ", datetime.date(1975, 11, 7), Sex.FEMALE
                    ),
                    Relationship.CHILD,
                ),
            ],
            "中央圏域",
            note="事例①：世帯員それぞれが金銭管理。住まいの老朽化、見通しをもった対応ができていない。",
        )
        # ② a son in his thirties, withdrawn for years, with his elderly parents and grandmother.
        self._household(
            agency,
            [
                (
                    PersonInput("髙木 昭", "タカギ アキラ", datetime.date(1953, 5, 21), Sex.MALE),
                    Relationship.HEAD,
                ),
                (
                    PersonInput(
                        "髙木 和子", "タカギ カズコ", datetime.date(1956, 9, 30), Sex.FEMALE
                    ),
                    Relationship.SPOUSE,
                ),
                (
                    PersonInput("髙木 翔", "タカギ ショウ", datetime.date(1991, 4, 12), Sex.MALE),
                    Relationship.CHILD,
                ),
                (
                    PersonInput("髙木 キヨ", "タカギ キヨ", datetime.date(1932, 1, 8), Sex.FEMALE),
                    Relationship.PARENT,
                ),
            ],
            "中央圏域",
            note="事例②：民生委員の訪問時に、ひきこもり状態の子について心配との話。",
        )

    def build_households(self, count: int) -> None:
        kinds: list[tuple[Callable[[], None], int]] = [
            (self.elderly_couple, 20),
            (self.isolated_elderly, 18),
            (self.pair_8050, 12),
            (self.single_parent, 12),
            (self.young_carer, 6),
            (self.double_care, 6),
            (self.disability_household, 8),
            (self.working_age_single, 10),
            (self.family, 8),
        ]
        builders = [b for b, _ in kinds]
        weights = [w for _, w in kinds]
        self.seed_003_households()
        story = count if count <= LARGE_CITY else STORY_HOUSEHOLDS
        for _ in range(max(0, story - 2)):
            self.rng.choices(builders, weights)[0]()
        if count > story:
            # The same builders, the same proportions; written in batches.
            with BulkHouseholds() as self.bulk:
                for _ in range(count - story):
                    self.rng.choices(builders, weights)[0]()
            self.bulk = None


def existing_data() -> list[str]:
    """What the database already holds that the demo city would collide with; it loads only
    into an empty database (a superuser made first, say, would clash with the demo admin)."""
    found = [
        label
        for model, label in (
            (Agency, "agencies"),
            (Staff, "staff accounts"),
            (Area, "areas"),
            (Household, "households"),
        )
        if model.objects.exists()
    ]
    return found


@transaction.atomic
def build_demo_city(*, households: int = 400, seed: int = 1) -> list[Staff]:
    """Create the whole demo city in one transaction; returns the demo staff."""
    city = DemoCity(seed)
    city.build_areas()
    city.build_agencies()
    staff = city.build_staff()
    city.build_households(households)
    return staff
