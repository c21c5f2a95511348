"""Side doors of the authorization matrix (issue #7): what a persona without access could
still learn from search, duplicate checks, counts, exports, printouts, error pages and the
time a refusal takes. The world is the matrix's (``kasane.testing.matrix``), built once.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kasane.testing import matrix as mx
from kasane.testing.matrix import World, build_world

# Agencies that have nothing to do with the household, or know only that its case exists.
NO_ACCESS = ("outsider", "unpledged", "team_nobasis", "outreach_worker", "participation_worker")
CASE_FAMILY = "case household (鷲尾)"


@pytest.fixture(scope="module")
def _world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world: World, db: None) -> World:
    return _world


def _client(world: World, persona: str) -> Client:
    return mx.session_client(world.staff[persona])


def _shows_household(text: str) -> bool:
    tokens = mx.NAME_FAMILIES[CASE_FAMILY][0]
    return any(token in text for token in tokens)


SEARCHES = ("ワシオ", "わしお", "ﾜｼｵ", "鷲尾", "ワシオ　")


def _found(world: World, response: Any) -> list[str]:
    """The household's names and ids in a search answer (the query itself is echoed back
    in the form, so only what the query does not spell counts)."""
    text = mx.response_text(response)
    markers = (mx.HEAD_NAME, mx.SON_NAME, "カズオ", "マコト", "和夫")
    ids = (world.head.public_id, world.son.public_id, world.household.public_id)
    return [m for m in markers if m in text] + [str(i) for i in ids if str(i) in text]


def test_person_search_names_nobody_to_agencies_without_access(world: World) -> None:
    # The lead agency finds the household by every spelling: the searches do search.
    lead = _client(world, "caseworker")
    lead_api = mx.api_client(world.tokens["caseworker"])
    for q in SEARCHES:
        assert _found(world, lead.post(reverse("registry:person_search"), {"q": q})), q
        assert _found(world, lead.post(reverse("intake:search"), {"q": q})), q
        found = lead_api.post("/api/v1/persons/search", {"q": q}, content_type="application/json")
        assert _found(world, found), q

    for persona in NO_ACCESS:
        client = _client(world, persona)
        api = mx.api_client(world.tokens[persona])
        for q in SEARCHES:
            page = client.post(reverse("registry:person_search"), {"q": q})
            assert page.status_code == 200
            assert not _found(world, page), (persona, q)
            picked = client.post(reverse("intake:search"), {"q": q})
            assert not _found(world, picked), (persona, q)
            result = api.post("/api/v1/persons/search", {"q": q}, content_type="application/json")
            assert result.status_code == 200
            assert not _found(world, result), (persona, q)


def test_duplicate_check_does_not_tell_an_outsider_the_person_exists(world: World) -> None:
    """Registering 'ワシオ カズオ, 1943-06-01' (the head's kana and birth date) must answer an
    outsider exactly as a kana and birth date nobody has: no name, no id, same status."""
    api = mx.api_client(world.tokens["outsider"])

    def register(birth_date: str) -> Any:
        body = {"head": {"name": "和尾 和夫", "kana": "ワシオ カズオ", "birth_date": birth_date}}
        return mx.probe(
            api,
            "POST",
            "/api/v1/households",
            data=json.dumps(body),
            content_type="application/json",
        )

    existing, nobody = register("1943-06-01"), register("1943-06-02")
    assert existing.status_code == nobody.status_code == 201, existing.content
    assert "鷲尾" not in mx.response_text(existing)
    assert str(world.head.public_id) not in mx.response_text(existing)
    # The lead agency, which may see the head, is asked to confirm: the check does check.
    lead = mx.api_client(world.tokens["caseworker"])
    body = {"head": {"name": "和尾 和夫", "kana": "ワシオ カズオ", "birth_date": "1943-06-01"}}
    refused = mx.probe(
        lead, "POST", "/api/v1/households", data=json.dumps(body), content_type="application/json"
    )
    assert refused.status_code == 400
    assert "possible_duplicate" in refused.content.decode()


# Lists, counts and exports an outsider reaches: none may change when records the outsider
# cannot see are added (counts, totals and pagers included).
COUNTED = (
    "registry:household_list",
    "registry:household_list_csv",
    "cases:case_list",
    "cases:case_list_csv",
    "intake:consultation_list_csv",
    "meetings:meeting_list",
    "matching:match_list",
    "matching:match_list_csv",
    "core:home",
)
COUNTED_API = ("/api/v1/cases", "/api/v1/consultations")
_VOLATILE = re.compile(
    r'(csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"|csrf-token" content="[^"]*"'
    r'|"X-CSRFToken": "[^"]*")'
)


def _snapshot(world: World, persona: str) -> dict[str, str]:
    client = _client(world, persona)
    api = mx.api_client(world.tokens[persona])
    pages = {name: mx.response_text(client.get(reverse(name))) for name in COUNTED}
    pages |= {path: mx.response_text(api.get(path)) for path in COUNTED_API}
    return {key: _VOLATILE.sub("", text) for key, text in pages.items()}


def test_counts_do_not_move_for_an_outsider_when_the_lead_agency_adds_records(
    world: World,
) -> None:
    from kasane.cases import services as cases
    from kasane.intake import services as intake
    from kasane.registry import services as registry

    watchers = ("outsider", "unpledged")
    before = {p: _snapshot(world, p) for p in watchers}
    lead_before = _snapshot(world, "caseworker")
    caseworker = world.staff["caseworker"]
    for n in range(3):
        household = registry.household_create(
            actor=caseworker,
            head=registry.PersonInput(
                name=f"鷲尾 {n}郎", kana=f"ワシオ {'イチジサブ'[n]}ロウ", birth_date=None
            ),
            address=f"かさね市本町一丁目{n + 10}",
        )
        intake.consultation_record(
            actor=caseworker,
            received_at=world.consultation.received_at,
            requester="self",
            channel="phone",
            household=household,
            persons=[m.person for m in household.memberships.all()],
            needs=world.needs,
            main_need=world.needs[0],
            domains=["elderly"],
            summary="相談",
            outcome="handled",
        )
        cases.case_open(actor=caseworker, household=household)
    for persona in watchers:
        after = _snapshot(world, persona)
        changed = [key for key in after if after[key] != before[persona][key]]
        assert not changed, f"{persona} sees the lead agency's new records move: {changed}"
    # The lead agency's own lists did move: the snapshot would notice.
    lead_after = _snapshot(world, "caseworker")
    assert lead_after["registry:household_list"] != lead_before["registry:household_list"]
    assert lead_after["cases:case_list_csv"] != lead_before["cases:case_list_csv"]


EXPORTS_AND_PRINTS = (
    ("plans:plan_print", "plan"),
    ("plans:assessment_print", "assessment"),
    ("meetings:item_print", "support_item"),
)


def test_printouts_and_case_workbooks_are_404_to_agencies_without_access(world: World) -> None:
    for name, record in EXPORTS_AND_PRINTS:
        url = reverse(name, args=[world.objects[record].public_id])
        assert _shows_household(mx.response_text(_client(world, "coordinator").get(url))), name
        for persona in ("outsider", "unpledged", "volunteer", "analyst", "admin"):
            response = _client(world, persona).get(url)
            assert response.status_code == 404, (name, persona)
            assert not _shows_household(mx.response_text(response))
    cases_xlsx = reverse("evaluation:annual_report_cases_xlsx")
    for persona in ("analyst", "outsider", "caseworker"):
        assert _client(world, persona).get(cases_xlsx).status_code == 404, persona
    # CSV exports an outsider may download hold only the outsider's own records, in either
    # encoding.
    for name in (
        "cases:case_list_csv",
        "registry:household_list_csv",
        "intake:consultation_list_csv",
    ):
        for encoding in ("", "cp932"):
            query = {"encoding": encoding} if encoding else {}
            response = _client(world, "outsider").get(reverse(name), query)
            assert response.status_code == 200
            assert not _shows_household(mx.response_text(response)), (name, encoding)


def test_a_server_error_page_shows_nothing_of_the_record_being_read(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With DEBUG off, a 500 raised while a page holds the household's names shows none."""
    from kasane.cases.selectors import detail as case_selectors

    settings.DEBUG = False

    def fail(actor: Any, case: Any) -> Any:
        raise RuntimeError(f"timeline failed for {mx.HEAD_NAME} ({mx.HEAD_KANA})")

    monkeypatch.setattr(case_selectors, "timeline_events", fail)
    client = Client(raise_request_exception=False)
    client.force_login(world.staff["caseworker"])
    response = client.get(reverse("cases:case_detail", args=[world.case.public_id]))
    assert response.status_code == 500
    assert not _shows_household(mx.response_text(response))
    assert "RuntimeError" not in mx.response_text(response)


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("outsider", "cases:case_detail"),
        ("outsider", "registry:person_detail"),
        ("unpledged", "meetings:item_detail"),
        ("team_nobasis", "intake:consultation_detail"),  # on the team, without a basis
    ],
)
def test_a_forbidden_record_and_a_missing_one_look_and_take_the_same(
    world: World, settings: Any, persona: str, page: str
) -> None:
    """For an agency without access, an existing record and a uuid of no record give the
    same 404, byte for byte, in about the same time (medians of 30, interleaved)."""
    settings.DEBUG = False
    record = {
        "cases:case_detail": "case",
        "registry:person_detail": "head",
        "intake:consultation_detail": "consultation",
    }.get(page, "support_item")
    existing = reverse(page, args=[world.objects[record].public_id])
    missing = reverse(page, args=[mx.MISSING])
    client = _client(world, persona)
    client.get(existing), client.get(missing)  # warm both paths
    samples: dict[str, list[float]] = {existing: [], missing: []}
    bodies: set[bytes] = set()
    for _ in range(30):
        for path in (existing, missing):
            start = time.perf_counter()
            response = client.get(path)
            samples[path].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 404
            bodies.add(response.content)
    assert len(bodies) == 1, "the 404 for an existing record differs from a missing one"
    a, b = statistics.median(samples[existing]), statistics.median(samples[missing])
    # Generous: a lookup that stopped at "exists" and then checked access would show as a
    # steady gap; three times the faster or 15 ms, whichever is larger, is no such gap.
    assert abs(a - b) < max(15.0, 2 * min(a, b)), f"existing {a:.1f} ms, missing {b:.1f} ms"
