"""The registry's forms as staff use them: register a household and its head, add members
(with the 名寄せ warning), edit, record a member leaving, record a family relation; and
what staff see when they type something wrong."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.utils import timezone

from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.conftest import AreaFactory, head_of, make_household
from kasane.registry.models import (
    AreaKind,
    Household,
    Membership,
    Person,
    Relation,
    RelationKind,
    Relationship,
)
from kasane.registry.selectors import search_persons
from kasane.registry.services import PersonInput, member_add

pytestmark = pytest.mark.django_db

CREATE = "/registry/households/new/"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _today() -> datetime.date:
    return timezone.localdate()


def _tomorrow() -> str:
    return (_today() + datetime.timedelta(days=1)).isoformat()


def _form(response):
    assert response.status_code == 200, response.status_code
    return response.context["form"]


def _alerts(response) -> list[str]:
    """The error messages the page shows, as a screen reader announces them."""
    body = response.content.decode()
    return [
        re.sub(r"<[^>]+>", "", m).strip()
        for m in re.findall(r'role="alert"[^>]*>(.*?)</(?:p|div)>', body, re.S)
    ]


def _head_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "森 よし子",
        "kana": "もり よしこ",
        "birth_date": "1941-03-05",
        "sex": "female",
        "person_phone": "",
        "address": "かさね市南町2-3",
        "phone": "０７７－１２３－４５６７",
        "started_on": "2019-04-01",
        "note": "",
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.fixture
def block(db):
    city = AreaFactory.create(kind=AreaKind.CITY)
    sphere = AreaFactory.create(kind=AreaKind.SPHERE, parent=city)
    district = AreaFactory.create(kind=AreaKind.SCHOOL_DISTRICT, parent=sphere, name="南中学校区")
    return AreaFactory.create(kind=AreaKind.BLOCK, parent=district, name="南町二丁目")


# --- a new household and its head ---------------------------------------------------------


def test_register_a_household_with_its_head(caseworker, login, block):
    client = login(caseworker)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, _head_data(area=str(block.pk), person_area=str(block.pk)))
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == resolve_url("registry:household_detail", household.public_id)
    assert household.registered_by_agency == caseworker.agency
    assert household.address == "かさね市南町2-3"
    assert household.phone == "077-123-4567"  # full-width digits typed, stored half-width
    assert household.area == block
    head = head_of(household)
    assert head.name == "森 よし子"
    assert head.kana == "モリ ヨシコ"  # hiragana typed, katakana stored
    assert head.birth_date == datetime.date(1941, 3, 5)
    membership = head.memberships.get()
    assert membership.relationship == Relationship.HEAD
    assert membership.started_on == datetime.date(2019, 4, 1)
    page = client.get(response["Location"]).content.decode()
    assert "森 よし子" in page
    assert "昭和16年" in page  # 和暦 beside the date
    assert [p.name for p in search_persons(caseworker, "ﾖｼｺ").persons] == ["森 よし子"]


def test_posting_the_create_form_twice_registers_one_household(caseworker, login):
    client = login(caseworker)
    data = _head_data()
    first = client.post(CREATE, data)
    second = client.post(CREATE, data)
    assert Household.objects.count() == 1
    assert Person.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    # A new form (a new token) is a new registration.
    client.post(CREATE, _head_data(kana="モリ ヨシオ", name="森 義男", token=str(uuid.uuid4())))
    assert Household.objects.count() == 2


def test_the_create_form_carries_a_one_time_token(caseworker, login):
    client = login(caseworker)
    first = client.get(CREATE).content.decode()
    second = client.get(CREATE).content.decode()
    tokens = [re.findall(r'name="token" value="([0-9a-f-]{36})"', page) for page in (first, second)]
    assert [len(t) for t in tokens] == [1, 1]
    assert tokens[0] != tokens[1]


def test_same_kana_and_birth_date_warns_before_registering(caseworker, login, agency):
    existing = make_household(
        agency, name="森 良子", kana="モリ ヨシコ", birth_date=datetime.date(1941, 3, 5)
    )
    client = login(caseworker)
    # Written in half-width katakana this time: still the same name.
    data = _head_data(kana="ﾓﾘ ﾖｼｺ")
    response = client.post(CREATE, data)
    form = _form(response)
    assert form.has_error("__all__", "possible_duplicate")
    assert JAPANESE.search(form.non_field_errors()[0])
    assert Household.objects.count() == 1
    body = response.content.decode()
    assert "森 良子" in body
    assert resolve_url("registry:household_detail", existing.public_id) in body
    assert 'name="confirm_not_duplicate"' in body
    # The worker checked the list: it is someone else. Confirming registers the household.
    confirmed = client.post(CREATE, {**data, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Household.objects.count() == 2


def test_duplicates_of_another_agency_are_not_revealed(caseworker, login, other_agency):
    make_household(
        other_agency, name="森 良子", kana="モリ ヨシコ", birth_date=datetime.date(1941, 3, 5)
    )
    response = login(caseworker).post(CREATE, _head_data())
    assert response.status_code == 302
    assert Household.objects.filter(registered_by_agency=other_agency).count() == 1
    assert Household.objects.count() == 2


def test_same_kana_without_a_birth_date_is_not_a_duplicate(caseworker, login, agency):
    make_household(agency, name="森 良子", kana="モリ ヨシコ", birth_date=None)
    response = login(caseworker).post(CREATE, _head_data(birth_date=""))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "typed",
    [
        "077-123-4567",
        "０７７－１２３－４５６７",
        "０７７ー１２３ー４５６７",
        "077‐123‐4567",
        "077−123−4567",
        "077ｰ123ｰ4567",
        " 077 123 4567 ",
    ],
)
def test_phone_typed_on_a_japanese_keyboard_is_stored_half_width(typed, caseworker, login):
    response = login(caseworker).post(CREATE, _head_data(phone=typed, person_phone=typed))
    assert response.status_code == 302, _form(response).errors.as_json()
    household = Household.objects.get()
    assert (
        household.phone
        == head_of(household).phone
        == typed.strip().translate(str.maketrans("０１２３４５６７－ー‐−ｰ", "01234567-----"))
    )


# --- what a worker types wrong --------------------------------------------------------------

BAD_HEAD = [
    ({"kana": "森 よし子"}, "kana", "not_kana"),
    ({"kana": "Mori Yoshiko"}, "kana", "not_kana"),
    ({"kana": "ー・"}, "kana", "not_kana"),
    ({"kana": ""}, "kana", "required"),
    ({"name": "   "}, "name", "required"),
    ({"name": "森" * 101}, "name", "max_length"),
    ({"birth_date": "TOMORROW"}, "birth_date", "future"),
    ({"birth_date": "1899-12-31"}, "birth_date", "too_early"),
    ({"birth_date": "2020-13-45"}, "birth_date", "invalid"),
    ({"birth_date": "昭和16年3月5日"}, "birth_date", "invalid"),
    ({"phone": "077-123-456７８９０１２３"}, "phone", "phone"),
    ({"phone": "電話なし"}, "phone", "phone"),
    ({"phone": "12-34"}, "phone", "phone"),
    ({"person_phone": "090-abcd-efgh"}, "person_phone", "phone"),
    ({"started_on": "TOMORROW"}, "started_on", "future"),
    ({"sex": "robot"}, "sex", "invalid_choice"),
    ({"area": "999999"}, "area", "invalid_choice"),
    ({"token": "not-a-uuid"}, "token", "invalid"),
]


@pytest.mark.parametrize(("change", "field", "code"), BAD_HEAD)
def test_bad_input_is_refused_with_a_message(change, field, code, caseworker, login):
    change = {k: _tomorrow() if v == "TOMORROW" else v for k, v in change.items()}
    response = login(caseworker).post(CREATE, _head_data(**change))
    form = _form(response)
    assert form.has_error(field, code), form.errors.as_json()
    assert not Household.objects.exists()
    assert not AuditEvent.objects.exists()
    messages = [str(m) for m in form.errors[field]]
    assert all(JAPANESE.search(m) for m in messages), messages
    if field != "token":  # a hidden field: its error is listed above the form
        assert all(m in response.content.decode() for m in messages)


def test_messages_are_in_japanese_by_default(caseworker, login):
    response = login(caseworker).post(
        CREATE, _head_data(kana="森", name="", birth_date=_tomorrow(), phone="x")
    )
    form = _form(response)
    assert set(form.errors) == {"kana", "name", "birth_date", "phone"}
    alerts = _alerts(response)
    assert len(alerts) >= 4
    for field in form.errors:
        assert JAPANESE.search(str(form.errors[field][0])), field
        assert str(form.errors[field][0]) in alerts


# --- members ---------------------------------------------------------------------------------


def _member_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "草野 一郎",
        "kana": "くさの いちろう",
        "birth_date": "1972-08-15",
        "sex": "male",
        "relationship": "child",
        "started_on": "",
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_add_a_member(household, caseworker, login):
    client = login(caseworker)
    url = resolve_url("registry:member_add", household.public_id)
    assert client.get(url).status_code == 200
    data = _member_data()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == resolve_url("registry:household_detail", household.public_id)
    son = Person.objects.get(name="草野 一郎")
    assert son.kana == "クサノ イチロウ"
    assert son.registered_by_agency == household.registered_by_agency
    membership = son.memberships.get()
    assert membership.household == household
    assert membership.relationship == Relationship.CHILD
    assert membership.started_on == _today()
    # Posted twice: still one son.
    assert client.post(url, data).status_code == 302
    assert Person.objects.filter(name="草野 一郎").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "草野 一郎" in page and "草野 和夫" in page


def test_member_add_offers_no_second_head(household, caseworker, login):
    url = resolve_url("registry:member_add", household.public_id)
    response = login(caseworker).post(url, _member_data(relationship="head"))
    assert _form(response).has_error("relationship", "invalid_choice")
    assert household.memberships.count() == 1


def test_member_already_in_another_household_is_warned(household, caseworker, login, agency):
    """The son registered at his own address by a colleague: the worker sees him and his
    household before adding him here a second time."""
    elsewhere = make_household(
        agency,
        name="草野 一郎",
        kana="クサノ イチロウ",
        birth_date=datetime.date(1972, 8, 15),
        address="かさね市北町9-9",
    )
    client = login(caseworker)
    url = resolve_url("registry:member_add", household.public_id)
    data = _member_data()
    response = client.post(url, data)
    form = _form(response)
    assert form.has_error("__all__", "possible_duplicate")
    assert JAPANESE.search(form.non_field_errors()[0])
    assert resolve_url("registry:household_detail", elsewhere.public_id) in (
        response.content.decode()
    )
    assert Person.objects.filter(kana="クサノ イチロウ").count() == 1
    # It is a different man (another 一郎 born the same day): the worker confirms.
    assert client.post(url, {**data, "confirm_not_duplicate": "on"}).status_code == 302
    assert Person.objects.filter(kana="クサノ イチロウ").count() == 2


def test_a_person_has_one_current_household(household, agency):
    """The database refuses a second current household for one person."""
    other = make_household(agency, name="別 世帯", kana="ベツ セタイ")
    head = head_of(household)
    membership = Membership(
        household=other, person=head, relationship=Relationship.CHILD, started_on=_today()
    )
    with pytest.raises(ValidationError):
        membership.full_clean()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"kana": "草野 一郎"}, "kana", "not_kana"),
        ({"birth_date": "TOMORROW"}, "birth_date", "future"),
        ({"started_on": "TOMORROW"}, "started_on", "future"),
        ({"person_phone": "ABC"}, "person_phone", "phone"),
        ({"relationship": ""}, "relationship", "required"),
    ],
)
def test_member_add_bad_input(change, field, code, household, caseworker, login):
    change = {k: _tomorrow() if v == "TOMORROW" else v for k, v in change.items()}
    url = resolve_url("registry:member_add", household.public_id)
    response = login(caseworker).post(url, _member_data(**change))
    form = _form(response)
    assert form.has_error(field, code)
    assert JAPANESE.search(str(form.errors[field][0]))
    assert household.memberships.count() == 1


# --- editing -------------------------------------------------------------------------------


def test_edit_the_household(household, caseworker, login, block):
    client = login(caseworker)
    url = resolve_url("registry:household_edit", household.public_id)
    page = client.get(url)
    assert page.status_code == 200
    assert "かさね市中央一丁目1-1" in page.content.decode()
    response = client.post(
        url,
        {
            "address": " かさね市南町5-5 ",
            "area": str(block.pk),
            "phone": "0771234567",
            "note": "日中は不在がち",
        },
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.address, household.area, household.phone, household.note) == (
        "かさね市南町5-5",
        block,
        "0771234567",
        "日中は不在がち",
    )
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.detail == {"fields": ["address", "area", "note", "phone"]}


def test_edit_the_household_bad_phone(household, caseworker, login):
    url = resolve_url("registry:household_edit", household.public_id)
    response = login(caseworker).post(url, {"address": "x", "phone": "077-12"})
    assert _form(response).has_error("phone", "phone")
    household.refresh_from_db()
    assert household.address == "かさね市中央一丁目1-1"


def test_edit_a_person_and_find_them_by_the_new_name(household, caseworker, login):
    head = head_of(household)
    client = login(caseworker)
    url = resolve_url("registry:person_edit", head.public_id)
    page = client.get(url).content.decode()
    assert "クサノ カズオ" in page
    response = client.post(
        url,
        {
            "name": "草埜 和男",
            "kana": "ｸｻﾉ ｶｽﾞｵ",
            "birth_date": "1944-06-01",
            "sex": "male",
            "person_phone": "090-1234-5678",
        },
    )
    assert response.status_code == 302
    head.refresh_from_db()
    assert (head.name, head.kana, head.sex, head.phone) == (
        "草埜 和男",
        "クサノ カズオ",
        "male",
        "090-1234-5678",
    )
    assert [p.name for p in search_persons(caseworker, "和男").persons] == ["草埜 和男"]
    assert search_persons(caseworker, "和夫").persons == []
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.detail == {"fields": ["name", "phone", "sex"]}


def test_edit_a_person_bad_input_keeps_the_record(household, caseworker, login):
    head = head_of(household)
    url = resolve_url("registry:person_edit", head.public_id)
    response = login(caseworker).post(
        url, {"name": "草野 和夫", "kana": "草野", "birth_date": _tomorrow(), "sex": "male"}
    )
    form = _form(response)
    assert form.has_error("kana", "not_kana")
    assert form.has_error("birth_date", "future")
    head.refresh_from_db()
    assert head.kana == "クサノ カズオ"


def test_record_a_death_on_the_person_page(household, caseworker, login):
    head = head_of(household)
    url = resolve_url("registry:person_edit", head.public_id)
    person = {
        "name": "草野 和夫",
        "kana": "クサノ カズオ",
        "birth_date": "1944-06-01",
        "sex": "male",
    }
    response = login(caseworker).post(url, {**person, "died_on": "1940-01-01"})
    assert _form(response).has_error("died_on", "before_birth")
    response = login(caseworker).post(url, {**person, "died_on": _tomorrow()})
    assert _form(response).has_error("died_on", "future")
    response = login(caseworker).post(url, {**person, "died_on": "2025-03-01"})
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.died_on == datetime.date(2025, 3, 1)
    page = login(caseworker).get(resolve_url("registry:person_detail", head.public_id))
    assert "死亡日" in page.content.decode()


# --- a member leaves -----------------------------------------------------------------------


@pytest.fixture
def son(household) -> Person:
    return member_add(
        actor=None,
        household=household,
        person=PersonInput(name="草野 一郎", kana="クサノ イチロウ", birth_date=None),
        relationship=Relationship.CHILD,
        started_on=datetime.date(2020, 4, 1),
    )


def test_end_a_membership(household, son, caseworker, login):
    membership = son.memberships.get()
    client = login(caseworker)
    url = resolve_url("registry:membership_end", household.public_id, membership.public_id)
    assert "草野 一郎" in client.get(url).content.decode()
    response = client.post(url, {"ended_on": "2024-03-31"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on == datetime.date(2024, 3, 31)
    detail = client.get(resolve_url("registry:household_detail", household.public_id))
    assert [m.person for m in detail.context["detail"].past] == [son]
    assert son not in [m.person for m in detail.context["detail"].current]
    # The page for ending it again is gone: the membership is no longer current.
    assert client.get(url).status_code == 404
    assert client.post(url, {"ended_on": "2024-04-01"}).status_code == 404


@pytest.mark.parametrize(
    ("ended_on", "code"),
    [
        ("2020-03-31", "before_start"),
        ("TOMORROW", "future"),
        ("", "required"),
        ("31/03/2024", "invalid"),
    ],
)
def test_end_a_membership_bad_date(ended_on, code, household, son, caseworker, login):
    membership = son.memberships.get()
    url = resolve_url("registry:membership_end", household.public_id, membership.public_id)
    ended_on = _tomorrow() if ended_on == "TOMORROW" else ended_on
    response = login(caseworker).post(url, {"ended_on": ended_on})
    form = _form(response)
    assert form.has_error("ended_on", code), form.errors.as_json()
    assert JAPANESE.search(str(form.errors["ended_on"][0]))
    assert str(form.errors["ended_on"][0]) in response.content.decode()
    membership.refresh_from_db()
    assert membership.ended_on is None


def test_end_on_the_day_it_started(household, son, caseworker, login):
    membership = son.memberships.get()
    url = resolve_url("registry:membership_end", household.public_id, membership.public_id)
    assert login(caseworker).post(url, {"ended_on": "2020-04-01"}).status_code == 302


# --- family relations ----------------------------------------------------------------------


def _relation(a: Person, kind: str, b: Person) -> dict[str, str]:
    return {"from_person": str(a.public_id), "kind": kind, "to_person": str(b.public_id)}


def test_add_a_relation(household, son, caseworker, login):
    head = head_of_current(household, Relationship.HEAD)
    client = login(caseworker)
    url = resolve_url("registry:relation_add", household.public_id)
    assert client.get(url).status_code == 200
    response = client.post(url, _relation(head, "parent", son))
    assert response.status_code == 302
    relation = Relation.objects.get()
    assert (relation.from_person, relation.kind, relation.to_person) == (
        head,
        RelationKind.PARENT,
        son,
    )
    detail = client.get(resolve_url("registry:household_detail", household.public_id))
    assert detail.context["detail"].relations == [relation]


def test_the_same_relation_twice_is_refused(household, son, caseworker, login):
    head = head_of_current(household, Relationship.HEAD)
    client = login(caseworker)
    url = resolve_url("registry:relation_add", household.public_id)
    client.post(url, _relation(head, "sibling", son))
    # A sibling relation read the other way round is the same relation.
    for again in (_relation(head, "sibling", son), _relation(son, "sibling", head)):
        form = _form(client.post(url, again))
        assert form.has_error("__all__", "relation_exists")
    assert Relation.objects.count() == 1


def test_relation_to_self_is_refused(household, son, caseworker, login):
    url = resolve_url("registry:relation_add", household.public_id)
    response = login(caseworker).post(url, _relation(son, "parent", son))
    form = _form(response)
    assert form.has_error("__all__", "same_person")
    assert JAPANESE.search(form.non_field_errors()[0])
    assert form.non_field_errors()[0] in response.content.decode()
    assert not Relation.objects.exists()


def test_relation_to_a_former_member_is_not_offered(household, son, caseworker, login):
    membership = son.memberships.get()
    Membership.objects.filter(pk=membership.pk).update(ended_on=datetime.date(2021, 1, 1))
    head = head_of_current(household, Relationship.HEAD)
    url = resolve_url("registry:relation_add", household.public_id)
    form = _form(login(caseworker).post(url, _relation(head, "parent", son)))
    assert form.has_error("to_person", "invalid_choice")


def head_of_current(household: Household, relationship: str) -> Person:
    return household.memberships.get(ended_on=None, relationship=relationship).person


# --- every write is audited with its basis -------------------------------------------------


def test_each_form_writes_its_audit_event(household, son, caseworker, login):
    client = login(caseworker)
    head = head_of_current(household, Relationship.HEAD)
    start = AuditEvent.objects.count()
    client.post(
        resolve_url("registry:relation_add", household.public_id), _relation(head, "parent", son)
    )
    membership = son.memberships.get()
    client.post(
        resolve_url("registry:membership_end", household.public_id, membership.public_id),
        {"ended_on": "2024-03-31"},
    )
    writes = AuditEvent.objects.filter(
        sequence__gt=start, action__in=[AuditAction.CREATE, AuditAction.UPDATE]
    ).order_by("sequence")
    assert [(e.action, e.object_type) for e in writes] == [
        ("create", "relation"),
        ("update", "membership"),
    ]
    for event in writes:
        assert event.actor == caseworker
        assert event.legal_basis == LegalBasis.OWN_AGENCY
        assert event.request_id


# --- what is typed is shown as text --------------------------------------------------------


def test_markup_in_a_name_is_shown_as_text(household, caseworker, login):
    head = head_of_current(household, Relationship.HEAD)
    other = member_add(
        actor=None,
        household=household,
        person=PersonInput(name="<script>alert(1)</script>", kana="アラート", birth_date=None),
        relationship=Relationship.CHILD,
    )
    client = login(caseworker)
    client.post(
        resolve_url("registry:relation_add", household.public_id),
        _relation(head, "parent", other),
    )
    pages = [
        client.get(resolve_url("registry:household_detail", household.public_id)),
        client.get(resolve_url("registry:person_detail", other.public_id)),
        client.get(resolve_url("registry:household_list")),
        client.post(resolve_url("registry:person_search"), {"q": "あらーと"}),
    ]
    for page in pages:
        body = page.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<script>alert(1)" not in body
