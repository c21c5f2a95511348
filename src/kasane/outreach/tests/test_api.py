"""Outreach through the API: the same services and privacy selectors as the pages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kasane.api.tests.conftest import api, assert_error  # noqa: F401
from kasane.outreach.models import ConcernReport, OutreachTarget

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # dated "today"


def test_a_reporter_files_a_report_and_reads_only_its_status(api, minsei, other_minsei, block):
    client = api(minsei)
    response = client.post("/outreach/reports", {"area": block.code})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received" and set(body) == {
        "id",
        "received_at",
        "status",
        "status_changed_at",
    }
    assert client.get(f"/outreach/reports/mine/{body['id']}").json()["status"] == "received"
    assert [r["id"] for r in client.get("/outreach/reports/mine").json()["reports"]] == [body["id"]]
    # Another reporter, and the team's view of the report, are closed to the reporter.
    assert_error(api(other_minsei).get(f"/outreach/reports/mine/{body['id']}"), 404, "not_found")
    assert_error(client.get(f"/outreach/reports/{body['id']}"), 404, "not_found")


def test_an_impossible_or_future_date_is_refused(api, minsei, block):
    client = api(minsei)
    response = client.post("/outreach/reports", {"area": block.code, "noticed_on": "2026-02-30"})
    assert response.status_code == 422
    body = assert_error(
        client.post("/outreach/reports", {"area": block.code, "noticed_on": "2999-01-01"}),
        400,
        "invalid_fields",
    )
    assert body["fields"]["noticed_on"] == [
        {"code": "future", "message": "未来の日付は入力できません。"}
    ]
    assert not ConcernReport.objects.exists()


def test_a_report_without_a_place_is_refused(api, minsei):
    response = api(minsei).post("/outreach/reports", {"who": "子ども"})
    body = assert_error(response, 400, "invalid_fields")
    assert body["fields"]["address"][0]["code"] == "no_place"


def test_the_team_opens_a_target_logs_attempts_and_moves_the_stage(
    api, outreach_worker, caseworker, report
):
    client = api(outreach_worker)
    response = client.post(
        "/outreach/targets", {"label": "この住所の息子（40代）", "report_id": str(report.public_id)}
    )
    assert response.status_code == 201, response.content
    target_id = response.json()["id"]
    for result in ("absent", "letter_left", "family"):
        response = client.post(
            f"/outreach/targets/{target_id}/attempts",
            {"attempted_on": timezone.localdate().isoformat(), "method": "visit", "result": result},
        )
        assert response.status_code == 201, response.content
    response = client.post(f"/outreach/targets/{target_id}/stage", {"stage": "contacted"})
    assert response.status_code == 200 and response.json()["stage"] == "contacted"
    assert len(response.json()["attempt_list"]) == 3
    listing = client.get("/outreach/targets").json()
    assert listing["flow"]["new"] == 1 and listing["targets"][0]["attempts"] == 3
    assert listing["targets"][0]["days_since_contact"] == 0
    assert client.get(f"/outreach/reports/{report.public_id}").json()["status"] == "in_progress"
    # A caseworker of another agency learns nothing.
    assert_error(api(caseworker).get(f"/outreach/targets/{target_id}"), 404, "not_found")
    assert_error(api(caseworker).get("/outreach/targets"), 404, "not_found")
    assert OutreachTarget.objects.count() == 1
