"""The outreach demo: agreements with local businesses, a year of reports, targets at every
stage, seed 003's son of household ② among them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.demo.city import build_demo_city
from kasane.demo.outreach import build_demo_outreach
from kasane.outreach.models import (
    ConcernReport,
    ContactAttempt,
    OutreachTarget,
    ReportStatus,
    Stage,
    WatchAgreement,
)
from kasane.privacy.outreach import may_report

pytestmark = [pytest.mark.django_db, pytest.mark.clock]  # the demo ends today


def test_the_demo_has_agreements_reports_and_targets_at_every_stage():
    build_demo_city(households=30)
    build_demo_outreach(seed=1, today=timezone.localdate())
    assert WatchAgreement.objects.count() == 5
    assert may_report(Staff.objects.get(username="shinbun"))
    assert may_report(Staff.objects.get(username="minsei"))
    assert ConcernReport.objects.filter(reporter__username="shinbun").exists() or (
        ConcernReport.objects.filter(reporter_agency__agency_type="watch_business").exists()
    )
    statuses = set(ConcernReport.objects.values_list("status", flat=True))
    assert statuses == set(ReportStatus.values)
    open_stages = set(
        OutreachTarget.objects.filter(closed_at__isnull=True).values_list("stage", flat=True)
    )
    assert open_stages == set(Stage.values)
    assert OutreachTarget.objects.exclude(closed_at=None).exists()
    takagi = OutreachTarget.objects.get(name="髙木 翔")
    assert takagi.stage == Stage.RELATIONSHIP and takagi.attempts.count() == 6
    # Nobody visits in the future.
    assert not ContactAttempt.objects.filter(attempted_on__gt=timezone.localdate()).exists()
