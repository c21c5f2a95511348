"""Consultations through the API: the intake service and selectors, errors in Japanese."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kasane.api.tests.conftest import assert_error, in_japanese
from kasane.audit.models import AuditAction, AuditEvent
from kasane.cases.models import Case, Referral, ReferralStatus
from kasane.conftest import head_of, make_household
from kasane.intake.models import Consultation, Outcome


def _consultation(**overrides):
    body = {
        "requester": "family",
        "channel": "phone",
        "needs": ["8050", "hikikomori"],
        "main_need": "8050",
        "domains": ["elderly", "youth"],
        "summary": "母（82）が息子（52）のひきこもりを心配している。",
        "outcome": Outcome.HANDLED,
        "consent_to_share": True,
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_need_types_by_code(api, caseworker):
    response = api(caseworker).get("/need-types")
    assert response.status_code == 200
    codes = [n["code"] for n in response.json()]
    assert "8050" in codes and "hikikomori" in codes


@pytest.mark.django_db
def test_consultation_about_a_known_household(api, caseworker, household):
    person = head_of(household)
    response = api(caseworker).post(
        "/consultations",
        _consultation(household_id=str(household.public_id), person_ids=[str(person.public_id)]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    consultation = Consultation.objects.get(public_id=body["id"])
    assert consultation.agency == caseworker.agency
    assert list(consultation.persons.all()) == [person]
    assert body["needs"] == ["8050", "hikikomori"] and body["main_need"] == "8050"
    assert body["summary"].startswith("母")
    assert body["household_head"]["id"] == str(person.public_id)
    assert body["case_id"] is None


@pytest.mark.django_db
def test_new_household_referred_opens_a_case_and_a_referral(api, caseworker, outsider):
    response = api(caseworker).post(
        "/consultations",
        _consultation(
            new_household={
                "head": {"name": "山田 ハナ", "kana": "ヤマダ ハナ", "birth_date": "1944-03-01"},
                "members": [
                    {"name": "山田 一郎", "kana": "ヤマダ イチロウ", "relationship": "child"}
                ],
                "address": "かさね市本町一丁目2-3",
            },
            outcome=Outcome.REFERRED,
            referral={
                "to_agency_id": str(outsider.agency.public_id),
                "reason": "障害の疑い",
                "request": "同行訪問をお願いしたい",
            },
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(public_id=body["case_id"])
    referral = Referral.objects.get(public_id=body["referral_ids"][0])
    assert referral.case == case and referral.to_agency == outsider.agency
    assert referral.status == ReferralStatus.REQUESTED
    assert len(body["persons"]) == 2


@pytest.mark.django_db
def test_retried_post_with_the_same_token_records_once(api, caseworker, household):
    client = api(caseworker)
    body = _consultation(household_id=str(household.public_id), token=str(uuid.uuid4()))
    first = client.post("/consultations", body)
    second = client.post("/consultations", body)
    assert first.json()["id"] == second.json()["id"]
    assert Consultation.objects.count() == 1


@pytest.mark.django_db
def test_no_person_and_no_household_is_no_subject(api, caseworker):
    body = assert_error(
        api(caseworker).post("/consultations", _consultation()),
        400,
        "no_subject",
        "Choose the household or the person concerned, or register them as new.",
    )
    assert "fields" not in body
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_service_field_errors_come_back_by_field(api, caseworker, household):
    body = assert_error(
        api(caseworker).post(
            "/consultations",
            _consultation(
                household_id=str(household.public_id),
                main_need="isolation",
                outcome=Outcome.COORDINATION,
            ),
        ),
        400,
        "invalid_fields",
    )
    assert body["fields"]["main_need"][0]["code"] == "main_need_not_in_needs"
    assert body["fields"]["coordination_reason"][0]["code"] == "reason_required"


@pytest.mark.django_db
def test_unknown_need_code(api, caseworker, household):
    body = assert_error(
        api(caseworker).post(
            "/consultations", _consultation(household_id=str(household.public_id), needs=["nope"])
        ),
        400,
        "invalid_fields",
    )
    assert body["fields"]["needs"][0]["code"] == "unknown_need"


@pytest.mark.django_db
def test_persons_of_another_household_are_refused(api, caseworker, household, agency):
    stranger = head_of(make_household(agency, name="別の 人", kana="ベツノ ヒト"))
    body = assert_error(
        api(caseworker).post(
            "/consultations",
            _consultation(
                household_id=str(household.public_id), person_ids=[str(stranger.public_id)]
            ),
        ),
        400,
        "invalid_fields",
    )
    assert body["fields"]["person_ids"][0]["code"] == "person_not_in_household"


@pytest.mark.django_db
def test_consultation_about_another_agencys_household_is_404(api, outsider, household):
    assert_error(
        api(outsider).post("/consultations", _consultation(household_id=str(household.public_id))),
        404,
        "not_found",
    )
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_invalid_json_is_422_in_japanese(api, caseworker):
    assert_error(
        api(caseworker).post_raw("/consultations", '{"requester": "family",'),
        422,
        "invalid_input",
        "The request body is not valid JSON.",
    )


@pytest.mark.django_db
def test_wrong_shape_is_422_with_japanese_field_messages(api, caseworker):
    body = assert_error(
        api(caseworker).post("/consultations", {"requester": "cat", "needs": "8050"}),
        422,
        "invalid_input",
        "The request does not have the expected shape.",
    )
    fields = body["fields"]
    required = in_japanese("This field is required.")
    assert fields["channel"] == [{"code": "missing", "message": required}]
    assert not required.isascii()  # Django's own catalogue translates it, if ours does not
    assert fields["requester"][0]["code"] == "enum"
    assert not fields["requester"][0]["message"].isascii()
    assert "needs" in fields


@pytest.mark.django_db
def test_english_when_the_client_asks_for_it(api, caseworker):
    client = api(caseworker, **{"Accept-Language": "en-US,en;q=0.9,ja;q=0.5"})
    response = client.post("/consultations", {"requester": "family"})
    body = assert_error(response, 422, "invalid_input")
    assert body["message"] == "The request does not have the expected shape."
    assert body["fields"]["channel"][0]["message"] == "This field is required."
    assert response["Content-Language"] == "en"
    japanese = api(caseworker).post("/consultations", {"requester": "family"})
    assert japanese["Content-Language"] == "ja"
    assert japanese.json()["message"] == in_japanese(
        "The request does not have the expected shape."
    )


@pytest.mark.django_db
def test_consultation_list_is_own_agency_and_audited(api, caseworker, outsider, household):
    client = api(caseworker)
    client.post("/consultations", _consultation(household_id=str(household.public_id)))
    other = make_household(outsider.agency, name="他 機関", kana="ホカ キカン")
    api(outsider).post("/consultations", _consultation(household_id=str(other.public_id)))
    response = client.get("/consultations")
    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) == 1 and body["page"]["total"] == 1
    assert body["items"][0]["household_id"] == str(household.public_id)
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="consultation_list", actor=caseworker
    ).exists()


@pytest.mark.django_db
def test_consultation_list_queries_do_not_grow_with_rows(api, caseworker, agency):
    client = api(caseworker)

    def record(n):
        for i in range(n):
            household = make_household(
                agency, name=f"世帯 {i}", kana=f"セタイ {'アイウエオカキ'[i]}"
            )
            response = client.post(
                "/consultations", _consultation(household_id=str(household.public_id))
            )
            assert response.status_code == 201

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/consultations").status_code == 200
        return len(queries)

    record(1)
    client.get("/consultations")
    one = count()
    record(4)
    assert count() == one
    assert len(client.get("/consultations").json()["items"]) == 5


@pytest.mark.django_db
def test_get_consultation(api, caseworker, outsider, household):
    client = api(caseworker)
    created = client.post(
        "/consultations", _consultation(household_id=str(household.public_id))
    ).json()
    response = client.get(f"/consultations/{created['id']}")
    assert response.status_code == 200 and response.json()["summary"]
    assert_error(api(outsider).get(f"/consultations/{created['id']}"), 404, "not_found")
