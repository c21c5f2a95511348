"""The audit log and the application logs watch personal data without keeping a copy of it:
events carry public ids, counts and field names; logs carry nothing typed about a person."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.forms.models import model_to_dict
from django.shortcuts import resolve_url

from kasane.audit.models import AuditEvent
from kasane.conftest import head_of
from kasane.registry.models import Household, Membership, Person

pytestmark = pytest.mark.django_db

# What a worker types about the family below; none of it may reach an event or a log line.
PERSONAL = [
    "森",
    "よし子",
    "ヨシコ",
    "ﾓﾘ",
    "一郎",
    "イチロウ",
    "いちろう",
    "南町",
    # Digits as they were typed: four digits alone turn up in any hexadecimal id or hash.
    "123-4567",
    "9876-5432",
    "1941-03",
    "1972-08",
    "昭和",
    "ひきこもり",
    "不在",
    "義男",
]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _a_morning_of_work(client, extra_family: bool = True) -> Household:
    """Register a household, add the son (with a 名寄せ warning first), edit both, relate
    them, record him leaving, and search and read along the way."""
    client.post(
        "/registry/households/new/",
        {
            "name": "森 よし子",
            "kana": "ﾓﾘ ﾖｼｺ",
            "birth_date": "1941-03-05",
            "sex": "female",
            "address": "かさね市南町2-3",
            "phone": "077-123-4567",
            "note": "息子がひきこもり",
        },
    )
    household = Household.objects.get()
    mother = head_of(household)
    member_url = resolve_url("registry:member_add", household.public_id)
    son = {
        "name": "森 一郎",
        "kana": "もり いちろう",
        "birth_date": "1972-08-15",
        "sex": "male",
        "relationship": "child",
        "person_phone": "090-9876-5432",
        "started_on": "2000-04-01",
    }
    client.post(member_url, son)
    if extra_family:
        # The same kana and birth date again: the duplicate check runs, then is confirmed.
        client.post(member_url, {**son, "name": "森 義男"})
        client.post(member_url, {**son, "name": "森 義男", "confirm_not_duplicate": "on"})
    ichiro = Person.objects.get(name="森 一郎")
    client.post(
        resolve_url("registry:household_edit", household.public_id),
        {"address": "かさね市南町9-9", "phone": "077-123-4567", "note": "日中は不在"},
    )
    client.post(
        resolve_url("registry:person_edit", mother.public_id),
        {"name": "森 よし子", "kana": "モリ ヨシコ", "birth_date": "1941-03-06", "sex": "female"},
    )
    client.post(
        resolve_url("registry:relation_add", household.public_id),
        {
            "from_person": str(mother.public_id),
            "kind": "parent",
            "to_person": str(ichiro.public_id),
        },
    )
    membership = Membership.objects.get(person=ichiro)
    client.post(
        resolve_url("registry:membership_end", household.public_id, membership.public_id),
        {"ended_on": "2024-03-31"},
    )
    client.post(resolve_url("registry:person_search"), {"q": "もり よし"})
    client.post(resolve_url("registry:person_search"), {"q": "ｲﾁﾛｳ"})
    client.get(resolve_url("registry:household_list"))
    client.get(resolve_url("registry:household_detail", household.public_id))
    client.get(resolve_url("registry:person_detail", ichiro.public_id))
    return household


def _ids_only(value: object, path: str = "detail") -> None:
    """Every string in an event's detail is a public id, a code or a field name."""
    if isinstance(value, dict):
        for key, item in value.items():
            _ids_only(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _ids_only(item, f"{path}[{i}]")
    elif isinstance(value, str):
        assert UUID.match(value) or re.fullmatch(r"[a-z_]{1,40}", value), (path, value)
    else:
        assert value is None or isinstance(value, int | bool), (path, value)


def test_audit_events_hold_ids_not_personal_data(caseworker, login):
    household = _a_morning_of_work(login(caseworker))
    assert Person.objects.count() == 3
    events = list(AuditEvent.objects.order_by("sequence"))
    kinds = {(e.action, e.object_type) for e in events}
    assert {
        ("create", "household"),
        ("create", "person"),
        ("update", "household"),
        ("update", "person"),
        ("create", "relation"),
        ("update", "membership"),
        ("search", "person"),
        ("view", "household"),
        ("view", "person"),
        ("view", "household_list"),
    } <= kinds
    for event in events:
        _ids_only(event.detail)
        assert event.object_id == "" or UUID.match(event.object_id)
        stored = json.dumps(model_to_dict(event), ensure_ascii=False, default=str)
        for personal in PERSONAL:
            assert personal not in stored, (event, personal)
    assert str(household.public_id) in {e.object_id for e in events}


def test_the_audit_log_page_names_no_one(caseworker, auditor, login):
    _a_morning_of_work(login(caseworker), extra_family=False)
    body = login(auditor).get("/privacy/audit/").content.decode()
    for personal in PERSONAL:
        assert personal not in body, personal


def test_application_logs_carry_no_personal_data(caseworker, outsider, login, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(caseworker)
    household = _a_morning_of_work(client)
    # Refusals and errors log too: an outsider's 404, a form sent with bad input.
    login(outsider).get(resolve_url("registry:household_detail", household.public_id))
    client.post("/registry/households/new/", {"name": "森 よし子", "kana": "森"})
    client.post(resolve_url("registry:person_search"), {"q": "森" * 200})
    assert caplog.records  # the 404 above was logged: the capture works
    for personal in PERSONAL:
        assert personal not in caplog.text, personal
