"""The registry's records as its services fill them, unsaved.

``kasane.registry.services`` validates, saves and audits what these build; the demo's bulk
loader (``kasane.demo.bulk``) writes the same records in batches. One place fills the fields
(a name's spacing, kana in katakana, search tokens, a phone's digits), so the two cannot drift.
"""

import datetime
from dataclasses import dataclass

from kasane.accounts.models import Agency
from kasane.core import kana
from kasane.registry.models import Area, Household, Membership, Person, Relation, Sex
from kasane.registry.validators import normalize_phone


@dataclass(frozen=True)
class PersonInput:
    name: str
    kana: str
    birth_date: datetime.date | None
    sex: str = Sex.UNKNOWN
    area: Area | None = None
    phone: str = ""
    died_on: datetime.date | None = None


def fill_person(person: Person, data: PersonInput) -> None:
    """Set a person's fields from ``data``: the normalised name, kana and search tokens."""
    person.name = " ".join(data.name.split())
    person.kana = kana.to_katakana(data.kana)
    person.birth_date = data.birth_date
    person.sex = data.sex
    person.area = data.area
    person.phone = normalize_phone(data.phone)
    person.died_on = data.died_on
    person.name_normalized = kana.normalize(person.name)
    person.kana_normalized = kana.normalize(person.kana)
    person.search_tokens = kana.search_tokens(person.name, person.kana)


def build_person(data: PersonInput, *, agency: Agency | None) -> Person:
    """A new person registered by ``agency`` (the household's)."""
    person = Person(registered_by_agency=agency)
    fill_person(person, data)
    return person


def build_household(
    *, agency: Agency, address: str = "", area: Area | None = None, phone: str = "", note: str = ""
) -> Household:
    return Household(
        address=address.strip(),
        area=area,
        phone=normalize_phone(phone),
        note=note,
        registered_by_agency=agency,
    )


def build_membership(
    *, household: Household, person: Person, relationship: str, started_on: datetime.date
) -> Membership:
    return Membership(
        household=household, person=person, relationship=relationship, started_on=started_on
    )


def build_relation(*, from_person: Person, to_person: Person, kind: str) -> Relation:
    return Relation(from_person=from_person, to_person=to_person, kind=kind)
