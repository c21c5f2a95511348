"""Person search (POST /registry/search/): what staff type finds the person, on SQLite's FTS5
index and PostgreSQL's tsvector index alike; odd input gets a message, never a 500."""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from django.shortcuts import resolve_url
from django.utils.html import escape

from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.conftest import head_of, make_household
from kasane.registry import selectors
from kasane.registry.models import Household, Person, Relationship
from kasane.registry.services import PersonInput, member_add

pytestmark = pytest.mark.django_db

SEARCH = "/registry/search/"


@pytest.fixture
def people(household: Household, agency, other_agency) -> dict[str, Person]:
    """Persons of the caseworker's agency, and one of another agency with the same surname."""
    kusano = head_of(household)
    takahashi = head_of(
        make_household(
            agency, name="髙橋 美咲", kana="タカハシ ミサキ", birth_date=None, address=""
        )
    )
    sato = member_add(
        actor=None,
        household=household,
        person=PersonInput(name="佐藤 花子", kana="サトウ ハナコ", birth_date=None),
        relationship=Relationship.OTHER_RELATIVE,
    )
    sasaki = member_add(
        actor=None,
        household=household,
        person=PersonInput(name="佐々木 ユーコ", kana="ささき ゆーこ", birth_date=None),
        relationship=Relationship.OTHER_RELATIVE,
    )
    foreign = head_of(make_household(other_agency, name="草野 次郎", kana="クサノ ジロウ"))
    return {
        "kusano": kusano,
        "takahashi": takahashi,
        "sato": sato,
        "sasaki": sasaki,
        "foreign": foreign,
    }


def _search(client, q: str, **headers):
    response = client.post(SEARCH, {"q": q}, **headers)
    assert response.status_code == 200
    return response


def _found(response) -> set[str]:
    result = response.context["result"]
    return set() if result is None else {p.name for p in result.persons}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("くさの", {"草野 和夫"}),  # hiragana
        ("ｸｻﾉ", {"草野 和夫"}),  # half-width katakana
        ("クサノ", {"草野 和夫"}),  # full-width katakana
        ("ｶｽﾞｵ", {"草野 和夫"}),  # half-width with a separate voicing mark
        ("和夫", {"草野 和夫"}),  # the kanji given name
        ("草", {"草野 和夫"}),  # one kanji
        ("ミ", {"髙橋 美咲"}),  # one kana
        ("高橋", {"髙橋 美咲"}),  # 髙 found by the common 高
        ("髙橋", {"髙橋 美咲"}),
        ("クサノ　カズオ", {"草野 和夫"}),  # full-width space
        (" くさ の  かず ", {"草野 和夫"}),  # spaces anywhere
        ("サノカズ", {"草野 和夫"}),  # across the surname and the given name
        ("草野和夫", {"草野 和夫"}),
        ("ハ", {"髙橋 美咲", "佐藤 花子"}),
        ("サトウ", {"佐藤 花子"}),
        ("佐々", {"佐々木 ユーコ"}),  # the iteration mark
        ("々", {"佐々木 ユーコ"}),
        ("ゆーこ", {"佐々木 ユーコ"}),  # the prolonged-sound mark
        ("ﾕｰ", {"佐々木 ユーコ"}),
        ("ー", {"佐々木 ユーコ"}),
        ("カズオクサノ", set()),  # the parts in the wrong order
        ("ガズオ", set()),  # a voiced kana is another letter
        ("スズキ", set()),
    ],
)
def test_search_finds_by_any_part_of_the_name(query, expected, people, caseworker, login):
    assert _found(_search(login(caseworker), query)) == expected


def test_search_shows_only_persons_the_agency_may_see(people, caseworker, outsider, login):
    response = _search(login(caseworker), "クサノ")
    assert _found(response) == {"草野 和夫"}
    assert "次郎" not in response.content.decode()
    assert _found(_search(login(outsider), "クサノ")) == {"草野 次郎"}


def test_search_result_links_to_the_person_and_household(people, caseworker, login, household):
    body = _search(login(caseworker), "くさの").content.decode()
    assert resolve_url("registry:person_detail", people["kusano"].public_id) in body
    assert resolve_url("registry:household_detail", household.public_id) in body


def test_htmx_search_answers_with_the_results_only(people, caseworker, login):
    response = _search(login(caseworker), "くさの", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "草野 和夫" in body
    assert "<html" not in body


def test_search_is_posted_and_the_name_never_enters_a_url(people, caseworker, login):
    client = login(caseworker)
    page = client.get(SEARCH)
    assert page.status_code == 200
    form = page.content.decode()
    assert 'method="post"' in form
    assert 'hx-post="/registry/search/"' in form
    assert 'hx-push-url="false"' in form  # HTMX never puts the search in the address bar
    # A name in a query string is not searched (and so not encouraged by any link).
    got = client.get(SEARCH, {"q": "くさの"})
    assert got.status_code == 200
    assert got.context["result"] is None
    assert "草野" not in got.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()
    # The answer neither redirects to, nor links to, an address that carries the name.
    response = _search(client, "くさの")
    assert "Location" not in response
    body = response.content.decode()
    assert "草野 和夫" in body
    addresses = re.findall(r'(?:href|action|hx-post|hx-get|src)="([^"]*)"', body)
    assert any(str(people["kusano"].public_id) in a for a in addresses)
    for address in addresses:
        for personal in ("くさの", "草野", "クサノ", "%E3%", "q="):
            assert personal not in address


def test_search_writes_an_audit_event_with_ids_only(people, caseworker, login):
    _search(login(caseworker), "くさの")
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.actor == caseworker
    assert event.legal_basis == LegalBasis.OWN_AGENCY
    assert event.agency_name == caseworker.agency.name
    assert event.detail["persons"] == [str(people["kusano"].public_id)]
    assert event.detail["results"] == 1
    text = str(event.detail) + event.object_id
    for personal in ("くさの", "クサノ", "草野", "カズオ"):
        assert personal not in text


def test_search_with_no_result_is_audited_too(people, caseworker, login):
    """Who looked for a name matters even when nobody was found."""
    _search(login(caseworker), "スズキ")
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.detail["results"] == 0
    assert "スズキ" not in str(event.detail)


def test_search_keeps_the_name_out_of_the_logs(people, caseworker, login, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(caseworker)
    _search(client, "くさの")
    _search(client, "草野 和夫")
    client.post(SEARCH, {"q": "草野" * 100})
    # A page not found is logged (by its path): proof that the capture above works.
    client.get(resolve_url("registry:person_detail", uuid.uuid4()))
    assert any("Not Found" in r.getMessage() for r in caplog.records)
    for personal in ("くさの", "草野", "和夫", "クサノ"):
        assert personal not in caplog.text


def test_many_matches_are_cut_at_the_limit(caseworker, agency, login):
    household = make_household(agency, name="山田 一", kana="ヤマダ ハジメ", birth_date=None)
    for i in range(selectors.SEARCH_LIMIT + 1):
        member_add(
            actor=None,
            household=household,
            person=PersonInput(name=f"山田 {i}", kana="ヤマダ タロウ", birth_date=None),
            relationship=Relationship.CHILD,
        )
    response = _search(login(caseworker), "やまだ")
    result = response.context["result"]
    assert len(result.persons) == selectors.SEARCH_LIMIT
    assert result.truncated


# --- input that is not a name --------------------------------------------------------------

# Input the form refuses, and the error code it refuses it with.
REFUSED = [
    ("", "required"),
    ("   ", "required"),
    ("ア" * 10_000, "max_length"),
    ("くさ\x00の", "null_characters_not_allowed"),
    ('"*', "unsearchable"),
    ("&|!:*", "unsearchable"),
    ("()<->", "unsearchable"),
    ("・ 。、", "unsearchable"),
    ("%_", "unsearchable"),
]


@pytest.mark.parametrize(("query", "code"), REFUSED)
def test_input_without_letters_gets_a_message(query, code, people, caseworker, login):
    response = _search(login(caseworker), query)
    form = response.context["form"]
    assert form.has_error("q", code), form.errors.as_json()
    assert response.context["result"] is None
    body = response.content.decode()
    message = str(form.errors["q"][0])
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", message), message  # in Japanese
    assert f'role="alert"><p>{escape(message)}</p>' in body
    assert "\x00" not in body
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        "'; DROP TABLE registry_person; --",
        "クサノ' OR '1'='1",
        "AND",
        "NEAR(",
        "クサノ OR サトウ",
        '"クサノ" OR "サトウ"',
        "クサ* NOT サトウ",
        "{search_tokens}: クサ",
        "クサノ & サトウ",
        "!クサノ:* | サトウ",
        "'クサ':* <-> 'サト'",
        "\\'",
        "a" * 50,
        "1",
    ],
)
def test_query_syntax_of_either_database_is_just_text(query, people, caseworker, login):
    response = _search(login(caseworker), query)
    result = response.context["result"]
    form = response.context["form"]
    assert result is not None or form.errors
    if result is not None:
        # Nobody is named "OR" or "AND": operators find nobody, and never another agency's.
        assert {p.name for p in result.persons} <= {"草野 和夫"}
    assert Person.objects.count() == 5


@pytest.mark.parametrize(
    "query", ["クサノ:*", "!クサノ", "クサノ*", '"クサノ"', "(クサノ)", "クサノ%", "クサ_ノ"]
)
def test_symbols_around_a_name_are_ignored(query, people, caseworker, login):
    assert _found(_search(login(caseworker), query)) == {"草野 和夫"}


def test_an_empty_post_shows_the_form(caseworker, login):
    response = login(caseworker).post(SEARCH, {})
    assert response.status_code == 200
    assert response.context["result"] is None
