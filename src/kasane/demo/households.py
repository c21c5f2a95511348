"""The households of the demo city by kind (an elderly couple, 8050, a young carer, double care…),
each with its members and family relations, through the registry services or, past the
story, collected for bulk inserts (kasane.demo.bulk)."""

import datetime
import random

from kasane.accounts.models import Agency
from kasane.demo.agencies import APARTMENTS, SPHERES
from kasane.demo.bulk import BulkHouseholds
from kasane.demo.names import FEMALE, MALE, SURNAMES, generation
from kasane.registry.models import Area, Household, RelationKind, Relationship, Sex
from kasane.registry.services import (
    PersonInput,
    household_create,
    member_add,
    relation_create,
)

# Every birth date is computed from this day, never from today: the same seed gives the same
# city on any day.
REFERENCE_DATE = datetime.date(2026, 4, 1)


class HouseholdMaker:
    """Makes the households of ``DemoCity``, with its random generator, agencies and blocks."""

    rng: random.Random
    agencies: dict[str, Agency]
    blocks_by_sphere: dict[str, list[Area]]
    house_numbers: set[str]
    bulk: BulkHouseholds | None

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
