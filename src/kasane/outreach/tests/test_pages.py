"""Outreach pages: a reporter files a report and sees only its status; the team works the
targets; everyone else learns nothing (404). Every list costs a fixed number of queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kasane.audit.models import AuditEvent, LegalBasis
from kasane.outreach import services
from kasane.outreach.models import ConcernReport, ContactAttempt, OutreachTarget, Stage

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # dated "today"


def report_post(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"urgency": "normal"}
    data.update(fields)
    return data


# --- reporters ----------------------------------------------------------------------------


def test_a_report_with_only_an_area_is_accepted(login, minsei, block):
    response = login(minsei).post(reverse("outreach:report_create"), report_post(area=block.pk))
    report = ConcernReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:my_report_detail", args=[report.public_id])
    assert report.area == block and report.who == "" and report.signs == []


@pytest.mark.parametrize(
    ("noticed_on", "message"),
    [
        ("2026-02-30", "正しい日付を入力してください。"),
        ("2999-01-01", "未来の日付は入力できません。"),
    ],
)
def test_an_impossible_date_is_refused_in_japanese(login, minsei, block, noticed_on, message):
    response = login(minsei).post(
        reverse("outreach:report_create"), report_post(area=block.pk, noticed_on=noticed_on)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConcernReport.objects.exists()


def test_a_report_without_a_place_is_refused(login, minsei):
    response = login(minsei).post(
        reverse("outreach:report_create"), report_post(who="小学生", signs=["child_not_at_school"])
    )
    assert response.status_code == 200 and response.context["form"].errors["address"]
    assert not ConcernReport.objects.exists()


def test_the_reporter_sees_the_status_and_not_what_the_team_found(
    login, minsei, outreach_worker, report
):
    target = services.target_open(
        actor=outreach_worker, label="ひきこもりの長男", description="本人と会えず", report=report
    )
    services.attempt_record(
        actor=outreach_worker,
        target=target,
        attempted_on=timezone.localdate(),
        method="visit",
        result="refused",
        note="玄関先で拒否",
    )
    client = login(minsei)
    page = client.get(reverse("outreach:my_report_detail", args=[report.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["report"].get_status_display() in html
    for found in ("ひきこもりの長男", "本人と会えず", "玄関先で拒否", str(target.public_id)):
        assert found not in html
    listing = client.get(reverse("outreach:my_reports")).content.decode()
    assert str(report.public_id) in listing and "ひきこもりの長男" not in listing
    event = AuditEvent.objects.filter(object_type="concern_report", action="view").first()
    assert event is not None and event.legal_basis == LegalBasis.OWN_AGENCY


def test_another_reporters_report_is_404(login, other_minsei, shinbun, report):
    for reporter in (other_minsei, shinbun):
        client = login(reporter)
        assert (
            client.get(reverse("outreach:my_report_detail", args=[report.public_id])).status_code
            == 404
        )
        assert (
            str(report.public_id) not in client.get(reverse("outreach:my_reports")).content.decode()
        )


def test_reporters_do_not_reach_the_teams_pages(login, minsei, report, target):
    client = login(minsei)
    for url in (
        reverse("outreach:report_list"),
        reverse("outreach:report_detail", args=[report.public_id]),
        reverse("outreach:target_list"),
        reverse("outreach:target_detail", args=[target.public_id]),
    ):
        assert client.get(url).status_code == 404, url


def test_home_shows_the_reporters_entry_points(login, minsei):
    html = login(minsei).get("/").content.decode()
    assert reverse("outreach:report_create") in html and reverse("outreach:my_reports") in html


# --- the outreach team --------------------------------------------------------------------


def test_the_outreach_entry_leads_each_role_to_its_page(login, minsei, outreach_worker, caseworker):
    assert login(minsei).get(reverse("outreach:index"))["Location"] == reverse(
        "outreach:my_reports"
    )
    assert login(outreach_worker).get(reverse("outreach:index"))["Location"] == reverse(
        "outreach:target_list"
    )
    assert login(caseworker).get(reverse("outreach:index")).status_code == 404


def test_the_worker_opens_a_target_from_a_report_and_logs_an_attempt(
    login, outreach_worker, report
):
    client = login(outreach_worker)
    form = client.get(reverse("outreach:target_from_report", args=[report.public_id]))
    assert form.context["form"].initial["label"] == report.who
    response = client.post(
        reverse("outreach:target_from_report", args=[report.public_id]),
        {"label": report.who, "area": report.area_id, "age_band": "70代"},
    )
    target = OutreachTarget.objects.get()
    assert response["Location"] == reverse("outreach:target_detail", args=[target.public_id])
    response = client.post(
        reverse("outreach:attempt_add", args=[target.public_id]),
        {"attempted_on": timezone.localdate().isoformat(), "method": "visit", "result": "absent"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("outreach:stage_move", args=[target.public_id]), {"stage": "contacted"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.stage == Stage.CONTACTED and ContactAttempt.objects.count() == 1
    page = client.get(reverse("outreach:target_detail", args=[target.public_id]))
    assert page.status_code == 200 and "令和" in page.content.decode()


def test_an_attempt_with_an_impossible_date_is_refused_in_japanese(login, outreach_worker, target):
    response = login(outreach_worker).post(
        reverse("outreach:attempt_add", args=[target.public_id]),
        {"attempted_on": "2026-02-30", "method": "visit", "result": "absent"},
    )
    assert response.status_code == 400
    assert "正しい日付を入力してください。" in response.content.decode()


def test_the_list_shows_silence_and_the_flow(login, outreach_worker, target, make_target):
    OutreachTarget.objects.filter(pk=target.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=45)
    )
    make_target("最近の人")
    response = login(outreach_worker).get(reverse("outreach:target_list"))
    listing = response.context["listing"]
    assert listing.quiet_count == 1 and listing.flow.new == 2
    rows = {r.target.label: r for r in listing.rows}
    assert (
        rows["この住所の息子（40代）"].quiet
        and rows["この住所の息子（40代）"].days_since_contact == 45
    )
    assert not rows["最近の人"].quiet
    assert 'data-testid="quiet-alert"' in response.content.decode()
    home = login(outreach_worker).get("/").content.decode()
    assert 'data-testid="quiet-targets"' in home and "この住所の息子" in home


def test_outsiders_get_404(login, caseworker, other_outreach_worker, analyst, target, report):
    urls = [
        reverse("outreach:target_detail", args=[target.public_id]),
        reverse("outreach:target_edit", args=[target.public_id]),
        reverse("outreach:target_case", args=[target.public_id]),
    ]
    for actor in (caseworker, other_outreach_worker, analyst):
        client = login(actor)
        for url in urls:
            assert client.get(url).status_code == 404, (actor, url)
    for actor in (caseworker, analyst):
        assert login(actor).get(reverse("outreach:target_list")).status_code == 404
        assert (
            login(actor).get(reverse("outreach:report_detail", args=[report.public_id])).status_code
            == 404
        )


def test_the_coordinator_reads_targets_on_coordination(login, coordinator, target):
    response = login(coordinator).get(reverse("outreach:target_detail", args=[target.public_id]))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(object_type="outreach_target", action="view").first()
    assert event is not None and event.legal_basis == LegalBasis.COORDINATION


def test_the_target_becomes_a_case_from_its_page(login, outreach_worker, target):
    OutreachTarget.objects.filter(pk=target.pk).update(name="髙木 翔", kana="タカギ ショウ")
    client = login(outreach_worker)
    response = client.post(
        reverse("outreach:target_case", args=[target.public_id]),
        {
            "purposes": ["information_sharing"],
            "agencies": [outreach_worker.agency_id],
            "method": "oral",
            "obtained_on": timezone.localdate().isoformat(),
        },
    )
    target.refresh_from_db()
    assert target.case is not None
    assert response["Location"] == reverse("cases:case_detail", args=[target.case.public_id])
    assert client.get(response["Location"]).status_code == 200


# --- a fixed number of queries however many rows ------------------------------------------

# On PostgreSQL the audit log's writers take an advisory lock: one query more per request.
AUDIT_LOCK = 1 if connection.vendor == "postgresql" else 0


def _targets(make_target: Any, outreach_worker: Any, n: int) -> None:
    for i in range(n):
        t = make_target(f"対象{i}")
        services.attempt_record(
            actor=outreach_worker,
            target=t,
            attempted_on=timezone.localdate(),
            method="call",
            result="met",
        )


@pytest.mark.parametrize("rows", [1, 12])
def test_target_list_queries(
    login, outreach_worker, make_target, rows, django_assert_max_num_queries
):
    _targets(make_target, outreach_worker, rows)
    client = login(outreach_worker)
    with django_assert_max_num_queries(13 + AUDIT_LOCK):
        assert client.get(reverse("outreach:target_list")).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_report_lists_queries(
    login, minsei, outreach_worker, block, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        services.concern_report_create(actor=minsei, area=block, signs=["no_light"])
    reporter, team = login(minsei), login(outreach_worker)
    with django_assert_max_num_queries(11 + AUDIT_LOCK):
        assert reporter.get(reverse("outreach:my_reports")).status_code == 200
    with django_assert_max_num_queries(13 + AUDIT_LOCK):
        assert team.get(reverse("outreach:report_list")).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_target_page_queries(login, outreach_worker, target, rows, django_assert_max_num_queries):
    for _ in range(rows):
        services.attempt_record(
            actor=outreach_worker,
            target=target,
            attempted_on=timezone.localdate(),
            method="call",
            result="met",
        )
    client = login(outreach_worker)
    with django_assert_max_num_queries(13 + AUDIT_LOCK):
        response = client.get(reverse("outreach:target_detail", args=[target.public_id]))
        assert response.status_code == 200


def test_an_attempt_and_a_stage_move_are_one_audit_event_each(login, outreach_worker, target):
    """The write is audited by its service; the access check behind the POST writes nothing."""
    client = login(outreach_worker)
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    response = client.post(
        reverse("outreach:attempt_add", args=[target.public_id]),
        {"attempted_on": timezone.localdate().isoformat(), "method": "visit", "result": "absent"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("outreach:stage_move", args=[target.public_id]), {"stage": "contacted"}
    )
    assert response.status_code == 302
    written = list(
        AuditEvent.objects.filter(sequence__gt=last or 0).values_list("action", "object_type")
    )
    assert len(written) == 2
    assert ("view", "outreach_target") not in written
