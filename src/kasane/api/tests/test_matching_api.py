"""Matching through the API: suggestions, proposing, stages, follow-ups with the UCLA scale."""

import pytest
from django.utils import timezone

from kasane.conftest import head_of
from kasane.participation.matching.tests.test_matching_pages import make_opportunity
from kasane.participation.models import LonelinessScore, Match

pytestmark = pytest.mark.django_db


def test_suggest_propose_start_and_follow_up(api, caseworker, household, stranger):
    person = head_of(household)
    full = make_opportunity("料理サロン", vacancies=0, description="料理")
    make_opportunity("囲碁クラブ", kinds=("hobby",), byday="FR")
    client = api(caseworker)
    response = client.post(
        f"/persons/{person.public_id}/suggestions", {"interests": "料理", "weekdays": [1]}
    )
    assert response.status_code == 200, response.content
    best = response.json()[0]
    assert best["name"] == "料理サロン" and best["cautions"]
    response = client.post(
        f"/persons/{person.public_id}/matches",
        {"opportunity_id": str(full.public_id), "reasons": best["reasons"]},
    )
    assert response.status_code == 201
    match = response.json()
    assert match["full_when_proposed"] is True and match["stage"] == "proposed"
    response = client.post(f"/matches/{match['id']}/stage", {"stage": "started"})
    assert response.status_code == 200
    follow_ups = response.json()["follow_ups"]
    assert len(follow_ups) == 3
    first = next(f for f in follow_ups if not f["with_host"])
    bad = client.post(
        f"/follow-ups/{first['id']}",
        {
            "done_on": timezone.localdate().isoformat(),
            "loneliness": {"lack_companionship": 7, "left_out": 1, "isolated": 1},
        },
    )
    assert bad.status_code in (400, 422)
    assert not LonelinessScore.objects.exists()
    ok = client.post(
        f"/follow-ups/{first['id']}",
        {
            "done_on": timezone.localdate().isoformat(),
            "loneliness": {"lack_companionship": 2, "left_out": 2, "isolated": 1},
        },
    )
    assert ok.status_code == 200 and ok.json()["done_on"]
    assert LonelinessScore.objects.get().total == 5
    # Another agency learns nothing.
    assert api(stranger).get(f"/matches/{match['id']}").status_code == 404
    assert api(stranger).post(f"/persons/{person.public_id}/suggestions", {}).status_code == 404
    assert Match.objects.count() == 1
