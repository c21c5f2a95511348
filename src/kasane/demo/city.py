"""かさね市, the demo city: areas, the agency map of seed 003, staff for every role, and
several hundred households with realistic compositions.

Deterministic: the same seed gives the same city on any day, because every date is
computed from ``kasane.demo.households.REFERENCE_DATE``, never from today.
"""

import datetime
import random
from collections.abc import Callable

from django.db import transaction

from kasane.accounts.models import Agency, Staff
from kasane.accounts.services import staff_create
from kasane.demo.agencies import AGENCIES, SPHERES, STAFF
from kasane.demo.bulk import BulkHouseholds
from kasane.demo.households import HouseholdMaker
from kasane.registry.models import Area, AreaKind, Household, Relationship, Sex
from kasane.registry.services import (
    PersonInput,
    area_create,
)

# A city of more households than LARGE_CITY tells the full service-driven story of its first
# STORY_HOUSEHOLDS households (every showcase, meeting and plan) and loads the others, and
# their years of work, with bulk inserts (kasane.demo.bulk): 100,000 households in minutes.
LARGE_CITY = 2000
STORY_HOUSEHOLDS = 400
DEMO_PASSWORD = "kasane-demo-2026"  # noqa: S105 - printed on purpose: demo data only


class DemoCity(HouseholdMaker):
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
