"""Community places through the API: list with an area filter, create for staff."""

from __future__ import annotations

import pytest

from kasane.api.tests.conftest import api, assert_error  # noqa: F401
from kasane.community.models import Place

pytestmark = pytest.mark.django_db

BODY = {
    "name": "こども食堂「もぐもぐ」",
    "kind": "children_cafeteria",
    "area_code": "K1201",
    "organizer": "NPO法人 こどもの居場所かさね",
    "organizer_type": "npo",
    "frequency": "twice_monthly",
    "schedule": "第2・第4金曜 17:00–19:00",
}


def test_create_and_list_by_area(api, city, caseworker, add_place, volunteer) -> None:
    add_place(city["南町"], "南町サロン")
    client = api(caseworker)
    response = client.post("/community-places", BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["area"] == {"code": "K1201", "name": "桜台", "kind": "block"}
    assert body["registered_by"]["name"] == caseworker.agency.name

    listing = api(volunteer).get("/community-places", area_code="K1").json()
    assert [p["name"] for p in listing["items"]] == ["こども食堂「もぐもぐ」"]
    assert listing["page"]["total"] == 1
    assert api(volunteer).get("/community-places").json()["page"]["total"] == 2
    one = api(volunteer).get(f"/community-places/{body['id']}")
    assert one.status_code == 200 and one.json()["schedule"] == BODY["schedule"]


def field_code(response, field: str) -> str:
    body = assert_error(response, 400, "invalid_fields")
    return str(body["fields"][field][0]["code"])


def test_errors_are_reported_on_their_fields(api, city, caseworker) -> None:
    client = api(caseworker)
    post = lambda **change: client.post("/community-places", {**BODY, **change})  # noqa: E731
    assert field_code(post(area_code="X"), "area_code") == "unknown_area"
    assert field_code(post(area_code="K1"), "area_code") == "area_too_large"
    assert post().status_code == 201
    assert field_code(post(), "name") == "duplicate_place"


def test_only_staff_who_work_cases_create(api, city, analyst, volunteer, auditor) -> None:
    for staff in (analyst, volunteer, auditor):
        assert_error(api(staff).post("/community-places", BODY), 404, "not_found")
    assert not Place.objects.exists()
    assert api(analyst).get("/community-places").status_code == 200
    assert_error(api(auditor).get("/community-places"), 404, "not_found")
