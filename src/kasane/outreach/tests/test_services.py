"""Outreach services: what they accept, what they refuse, and what they leave behind."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kasane.accounts.models import Notification
from kasane.audit.models import AuditEvent, LegalBasis
from kasane.cases.models import Case
from kasane.outreach import services
from kasane.outreach.models import (
    ChangeKind,
    ConcernReport,
    OutreachTarget,
    ReportStatus,
    Stage,
)
from kasane.outreach.selectors import month_flow
from kasane.privacy.models import Consent, ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentInput
from kasane.registry.models import Household

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # dated "today"


def test_a_report_with_only_an_area_is_accepted(minsei, block):
    report = services.concern_report_create(actor=minsei, area=block)
    assert report.status == ReportStatus.RECEIVED
    assert report.reporter_agency == minsei.agency
    event = AuditEvent.objects.get(object_type="concern_report", action="create")
    assert event.legal_basis == LegalBasis.OWN_AGENCY


def test_a_report_without_any_place_is_refused(minsei):
    with pytest.raises(ValidationError) as error:
        services.concern_report_create(actor=minsei, who="子ども", signs=["child_not_at_school"])
    assert "address" in error.value.message_dict


def test_a_report_dated_in_the_future_is_refused(minsei, block):
    with pytest.raises(ValidationError) as error:
        services.concern_report_create(
            actor=minsei, area=block, noticed_on=timezone.localdate() + datetime.timedelta(days=1)
        )
    assert "noticed_on" in error.value.message_dict
    assert not ConcernReport.objects.exists()


def test_only_reporters_report(caseworker, outreach_worker, unagreed, shinbun, block):
    for actor in (caseworker, outreach_worker, unagreed):
        with pytest.raises(PermissionDenied):
            services.concern_report_create(actor=actor, area=block)
    assert services.concern_report_create(actor=shinbun, address="駅前の角の家").pk


def test_an_urgent_report_tells_the_outreach_team_without_naming_anyone(
    minsei, outreach_worker, other_outreach_worker, caseworker, block
):
    report = services.concern_report_create(
        actor=minsei, area=block, who="山田 太郎さん", urgency="urgent", address="本町1-2-3"
    )
    told = Notification.objects.filter(kind="concern_report_urgent")
    assert {n.recipient for n in told} == {outreach_worker, other_outreach_worker}
    for note in told:
        assert "山田" not in note.message and "本町" not in note.message
        assert note.link.endswith(f"/outreach/reports/{report.public_id}/")
        assert "?" not in note.link


def test_a_normal_report_tells_nobody(minsei, outreach_worker, block):
    services.concern_report_create(actor=minsei, area=block)
    assert not Notification.objects.exists()


def test_a_target_opened_from_a_report_shows_it_is_being_handled(outreach_worker, report):
    target = services.target_open(actor=outreach_worker, label=report.who, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.target == target
    assert target.worker == outreach_worker and target.stage == Stage.GRASPED
    assert target.changes.get().kind == ChangeKind.OPENED


def test_caseworkers_open_no_target(caseworker):
    with pytest.raises(PermissionDenied):
        services.target_open(actor=caseworker, label="誰か")


def test_attempts_and_stage_moves_are_kept(outreach_worker, target):
    for result in ("absent", "letter_left", "family"):
        services.attempt_record(
            actor=outreach_worker,
            target=target,
            attempted_on=timezone.localdate(),
            method="visit",
            result=result,
        )
    services.target_stage_move(actor=outreach_worker, target=target, stage=Stage.CONTACTED)
    services.target_stage_move(
        actor=outreach_worker, target=target, stage=Stage.RELATIONSHIP, note="本人と話せた"
    )
    target.refresh_from_db()
    assert target.attempts.count() == 3
    assert target.stage == Stage.RELATIONSHIP
    moves = list(target.changes.filter(kind=ChangeKind.STAGE).values_list("from_stage", "to_stage"))
    assert moves == [(Stage.GRASPED, Stage.CONTACTED), (Stage.CONTACTED, Stage.RELATIONSHIP)]


def test_an_attempt_in_the_future_or_before_the_target_is_refused(outreach_worker, target):
    for day in (
        timezone.localdate() + datetime.timedelta(days=1),
        timezone.localdate() - datetime.timedelta(days=3),
    ):
        with pytest.raises(ValidationError) as error:
            services.attempt_record(
                actor=outreach_worker, target=target, attempted_on=day, method="call", result="met"
            )
        assert "attempted_on" in error.value.message_dict


def test_the_same_stage_is_refused(outreach_worker, target):
    with pytest.raises(ValidationError):
        services.target_stage_move(actor=outreach_worker, target=target, stage=Stage.GRASPED)


def test_another_npo_cannot_touch_the_target(other_outreach_worker, target):
    with pytest.raises(PermissionDenied):
        services.target_stage_move(
            actor=other_outreach_worker, target=target, stage=Stage.CONTACTED
        )


def test_closing_marks_the_reports_handled_and_counts_the_flow(outreach_worker, report):
    target = services.target_open(actor=outreach_worker, label="高齢の男性", report=report)
    other = services.target_open(actor=outreach_worker, label="別の人")
    services.target_close(actor=outreach_worker, target=target, reason="moved")
    services.target_close(actor=outreach_worker, target=other, reason="connected")
    services.target_reopen(actor=outreach_worker, target=other)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    flow = month_flow(outreach_worker, timezone.localdate())
    assert (flow.new, flow.returned, flow.connected, flow.moved, flow.ended) == (2, 1, 1, 1, 0)
    with pytest.raises(ValidationError):
        services.attempt_record(
            actor=outreach_worker,
            target=target,
            attempted_on=timezone.localdate(),
            method="call",
            result="met",
        )


def test_a_target_becomes_a_case_without_retyping(outreach_worker, target):
    services.target_update(
        actor=outreach_worker,
        target=target,
        label=target.label,
        area=target.area,
        address=target.address,
        name="髙木 翔",
        kana="たかぎ しょう",
        worker=outreach_worker,
    )
    target.refresh_from_db()
    case = services.target_to_case(
        actor=outreach_worker,
        target=target,
        consent=ConsentInput(
            purposes=[ConsentPurpose.INFORMATION_SHARING],
            method=ConsentMethod.ORAL,
            obtained_on=timezone.localdate(),
        ),
    )
    target.refresh_from_db()
    assert target.case == case and target.stage == Stage.SUPPORTED
    assert case.lead_agency == outreach_worker.agency
    household = Household.objects.get()
    assert household.address == "かさね市本町一丁目3-4" and household.area == target.area
    person = target.person
    assert person is not None and person.name == "髙木 翔" and person.kana == "タカギ ショウ"
    consent = Consent.objects.get(person=person)
    assert set(consent.purposes) == {"information_sharing", "outreach"}
    assert list(consent.agencies.all()) == [outreach_worker.agency]
    with pytest.raises(ValidationError):
        services.target_to_case(
            actor=outreach_worker,
            target=target,
            consent=ConsentInput(
                purposes=["outreach"], method="oral", obtained_on=timezone.localdate()
            ),
        )
    assert Case.objects.count() == 1


def test_a_target_without_a_name_cannot_become_a_case(outreach_worker, target):
    with pytest.raises(ValidationError) as error:
        services.target_to_case(
            actor=outreach_worker,
            target=target,
            consent=ConsentInput(
                purposes=["outreach"], method="oral", obtained_on=timezone.localdate()
            ),
        )
    assert "name" in error.value.message_dict


def _age(target: OutreachTarget, days: int) -> None:
    OutreachTarget.objects.filter(pk=target.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=days)
    )


def run_alerts() -> str:
    out = io.StringIO()
    call_command("outreach_alerts", stdout=out)
    return out.getvalue()


def test_the_silence_alert_is_sent_once_per_silence(outreach_worker, target, make_target):
    _age(target, 40)
    recent = make_target("最近の人")
    _age(recent, 5)
    assert run_alerts().startswith("1 ")
    told = Notification.objects.get(kind="outreach_quiet")
    assert told.recipient == outreach_worker
    assert str(target.public_id) in told.link and target.label not in told.message
    assert run_alerts().startswith("0 ")  # idempotent
    # A new contact, then a new silence: told again.
    services.attempt_record(
        actor=outreach_worker,
        target=target,
        attempted_on=timezone.localdate() - datetime.timedelta(days=35),
        method="visit",
        result="absent",
    )
    assert run_alerts().startswith("0 ")
    OutreachTarget.objects.filter(pk=target.pk).update(
        quiet_alerted_at=timezone.now() - datetime.timedelta(days=36)
    )
    assert run_alerts().startswith("1 ")


@override_settings(KASANE_OUTREACH_QUIET_DAYS=7)
def test_the_silence_period_is_a_setting(outreach_worker, target):
    _age(target, 8)
    assert run_alerts().startswith("1 ")
