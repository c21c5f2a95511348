"""Views and downloads of aggregates in the audit log (issue 14, "Why" 5): an analyst's
1,140 dashboard queries, differencing tables, left no trace. Every page and file of counts is
one event with its filters; very many in an hour raise one alert."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.shortcuts import resolve_url

from kasane.accounts.models import Notification
from kasane.audit.alerts import NOTIFICATION_KIND
from kasane.audit.models import AGGREGATE_TYPES, AlertKind, AuditAction, AuditAlert, AuditEvent
from kasane.conftest import AreaFactory
from kasane.core.dates import current_fiscal_year
from kasane.registry.models import AreaKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(db: Any) -> list[Any]:
    city = AreaFactory.create(code="K", kind=AreaKind.CITY)
    sphere = AreaFactory.create(code="K1", kind=AreaKind.SPHERE, parent=city)
    district = AreaFactory.create(code="K11", kind=AreaKind.SCHOOL_DISTRICT, parent=sphere)
    return [sphere, district]


def _aggregates() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type__in=AGGREGATE_TYPES).order_by("sequence"))


def test_the_dashboard_view_is_recorded_with_its_filters(analyst, areas, login):
    year = current_fiscal_year()
    response = login(analyst).get(
        resolve_url("evaluation:dashboard"),
        {"fy": year, "month": 5, "area": areas[1].pk, "domain": "elderly"},
    )
    assert response.status_code == 200
    (event,) = _aggregates()
    assert event.action == AuditAction.VIEW and event.object_type == "evaluation_dashboard"
    assert event.legal_basis == "none" and event.actor == analyst
    assert event.detail == {"filters": {"fy": year, "month": 5, "area": "K11", "domain": "elderly"}}


def test_an_analysts_differencing_queries_leave_rows_and_one_alert(
    analyst, auditor, areas, login, settings
):
    """The attack from the issue: 1,140 dashboard queries (years × months × areas ×
    domains). The threshold is lowered so that the pages driven through the client cross
    it; the rest of the 1,140 are the same event written by the same helper."""
    from kasane.audit import services as audit
    from kasane.audit.models import ObjectType

    settings.KASANE_ALERT_AGGREGATE_VIEWS_PER_HOUR = 20
    client = login(analyst)
    year = current_fiscal_year()
    asked = list(
        itertools.product(
            [year, year - 1], [None, *range(1, 13)], [None, *areas], ["", "elderly", "disability"]
        )
    )[:40]
    for fy, month, area, domain in asked:
        query = {"fy": fy, "month": month or "", "area": area.pk if area else "", "domain": domain}
        assert client.get(resolve_url("evaluation:dashboard"), query).status_code == 200
    for i in range(1140 - len(asked)):
        audit.record_aggregate(
            actor=analyst, object_type=ObjectType.EVALUATION_DASHBOARD, filters={"fy": i}
        )
    rows = _aggregates()
    assert len(rows) == 1140
    assert rows[7].detail["filters"] == {
        "fy": asked[7][0],
        "month": asked[7][1],
        "area": asked[7][2].code if asked[7][2] else None,
        "domain": asked[7][3] or None,
    }
    (alert,) = AuditAlert.objects.all()
    assert alert.kind == AlertKind.AGGREGATE_VIEWS and alert.actor_username == analyst.username
    assert alert.count == 20
    assert Notification.objects.filter(kind=NOTIFICATION_KIND, recipient=auditor).count() == 1


def test_the_default_threshold_catches_1140_queries_in_an_hour(analyst, auditor):
    from kasane.audit import services as audit
    from kasane.audit.models import ObjectType

    for i in range(1140):
        audit.record_aggregate(
            actor=analyst, object_type=ObjectType.EVALUATION_DASHBOARD, filters={"fy": i}
        )
    (alert,) = AuditAlert.objects.all()
    assert alert.threshold == 200


@pytest.mark.parametrize(
    ("name", "object_type", "filters"),
    [
        ("evaluation:logic_model", "logic_model", {"fy": "CURRENT"}),
        ("evaluation:staffing", "staffing_estimate", {"fy": "CURRENT"}),
        ("evaluation:self_assessment", "self_assessment", {"fy": "CURRENT"}),
        ("community:issues", "community_aggregate", {"fy": "CURRENT", "level": "sphere"}),
        ("community:area_view", "community_places_by_area", {"fy": "CURRENT", "level": "sphere"}),
    ],
)
def test_each_page_of_counts_is_one_view_with_its_filters(
    name, object_type, filters, coordinator, areas, login
):
    response = login(coordinator).get(resolve_url(name))
    assert response.status_code == 200
    (event,) = _aggregates()
    assert event.action == AuditAction.VIEW and event.object_type == object_type
    expected = {k: current_fiscal_year() if v == "CURRENT" else v for k, v in filters.items()}
    assert event.detail["filters"] == expected


def test_the_annual_report_workbook_is_one_download_with_its_year(analyst, login):
    year = current_fiscal_year()
    response = login(analyst).get(resolve_url("evaluation:annual_report_xlsx"), {"fy": year})
    assert response.status_code == 200
    (event,) = _aggregates()
    assert event.action == AuditAction.DOWNLOAD and event.object_type == "annual_report"
    assert event.detail == {"filters": {"fy": year}}


def test_the_places_csv_is_one_download_with_its_filters(caseworker, areas, login):
    response = login(caseworker).get(resolve_url("community:place_list_csv"), {"area": areas[0].pk})
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="community_place_list_export")
    assert event.action == AuditAction.DOWNLOAD
    assert event.detail == {"filters": {"area": "K1", "kind": None}}


def test_the_catalogue_export_is_one_download(caseworker, login):
    response = login(caseworker).get(resolve_url("participation:catalogue_export", "json"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="participation.catalogue_export")
    assert event.action == AuditAction.DOWNLOAD
    assert event.detail["filters"] == {"format": "json"}


def test_a_page_refused_to_a_role_records_no_view(caseworker, login):
    assert login(caseworker).get(resolve_url("evaluation:dashboard")).status_code == 404
    assert _aggregates() == []
