"""Households and persons through the API: the registry services and privacy selectors."""

import datetime

import pytest
from django.utils import timezone

from kasane.api.tests.conftest import assert_error
from kasane.audit.models import AuditAction, AuditEvent, LegalBasis
from kasane.conftest import head_of, make_household
from kasane.registry.models import Household, Person

HEAD = {"name": "山田 ハナ", "kana": "やまだ はな", "birth_date": "1944-03-01", "sex": "female"}


@pytest.mark.django_db
def test_create_household_with_members(api, caseworker):
    response = api(caseworker).post(
        "/households",
        {
            "head": HEAD,
            "members": [
                {
                    "name": "山田 一郎",
                    "kana": "ﾔﾏﾀﾞ ｲﾁﾛｳ",
                    "birth_date": "1974-05-05",
                    "relationship": "child",
                },
            ],
            "address": "かさね市本町一丁目2-3",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get(public_id=body["id"])
    assert household.registered_by_agency == caseworker.agency
    assert body["address"] == "かさね市本町一丁目2-3"
    members = {m["person"]["name"]: m for m in body["members"]}
    assert members["山田 ハナ"]["relationship"] == "head"
    assert members["山田 一郎"]["person"]["kana"] == "ヤマダ イチロウ"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="person").count() == 2


@pytest.mark.django_db
def test_create_household_errors_name_the_person(api, caseworker):
    response = api(caseworker).post(
        "/households",
        {
            "head": HEAD,
            "members": [{"name": "山田 一郎", "kana": "Yamada", "relationship": "head"}],
        },
    )
    body = assert_error(response, 400, "invalid_fields")
    assert body["fields"]["members.0.kana"][0]["code"] == "not_kana"
    assert body["fields"]["members.0.relationship"][0]["code"] == "one_head"
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_create_household_stops_at_a_likely_duplicate(api, caseworker, household):
    client = api(caseworker)
    head = {"name": "草野 和夫", "kana": "クサノ カズオ", "birth_date": "1944-06-01"}
    assert_error(client.post("/households", {"head": head}), 400, "possible_duplicate")
    confirmed = client.post("/households", {"head": head, "confirm_not_duplicate": True})
    assert confirmed.status_code == 201


@pytest.mark.django_db
def test_get_household_is_audited(api, caseworker, household):
    person = head_of(household)
    response = api(caseworker).get(f"/households/{household.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["members"][0]["person"]["id"] == str(person.public_id)
    assert body["members"][0]["birth_date"] == "1944-06-01"
    event = AuditEvent.objects.filter(object_type="household", action=AuditAction.VIEW).get()
    assert event.actor == caseworker
    assert event.object_id == str(household.public_id)
    assert event.legal_basis == LegalBasis.OWN_AGENCY
    assert event.detail["persons"] == [str(person.public_id)]
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.django_db
def test_get_person(api, caseworker, household):
    person = head_of(household)
    response = api(caseworker).get(f"/persons/{person.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["kana"]) == ("草野 和夫", "クサノ カズオ")
    assert body["households"][0]["household_id"] == str(household.public_id)
    assert AuditEvent.objects.filter(object_type="person", action=AuditAction.VIEW).exists()


@pytest.mark.django_db
def test_search_is_posted_and_finds_by_kana(api, caseworker, household, other_agency):
    make_household(other_agency, name="草野 次郎", kana="クサノ ジロウ")
    response = api(caseworker).post("/persons/search", {"q": "くさの"})
    assert response.status_code == 200
    body = response.json()
    assert [p["name"] for p in body["results"]] == ["草野 和夫"]
    assert body["results"][0]["household_id"] == str(household.public_id)
    assert body["truncated"] is False
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert "くさの" not in str(event.detail)


@pytest.mark.django_db
def test_search_of_symbols_only_is_refused(api, caseworker):
    body = assert_error(
        api(caseworker).post("/persons/search", {"q": "・・"}), 400, "invalid_fields"
    )
    assert body["fields"]["q"][0]["code"] == "unsearchable"


@pytest.mark.django_db
def test_outsider_gets_404_on_our_household_and_person(api, outsider, household):
    client = api(outsider)
    person = head_of(household)
    for path in [f"/households/{household.public_id}", f"/persons/{person.public_id}"]:
        body = assert_error(
            client.get(path),
            404,
            "not_found",
            "The record does not exist, or you do not have access to it.",
        )
        assert "草野" not in str(body)
    assert client.post("/persons/search", {"q": "クサノ"}).json()["results"] == []


@pytest.mark.django_db
def test_roles_without_persons_get_404(api, auditor, household):
    assert_error(api(auditor).get(f"/households/{household.public_id}"), 404, "not_found")


@pytest.mark.django_db
def test_future_birth_date_is_refused(api, caseworker):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    body = assert_error(
        api(caseworker).post("/households", {"head": {**HEAD, "birth_date": tomorrow}}),
        400,
        "invalid_fields",
    )
    assert body["fields"]["head.birth_date"][0]["code"] == "future"
    assert not Person.objects.exists()
