"""The dashboard, the logic model and the indicator pages: who sees them, what analysts do
not see, bad input, and query counts that do not grow with the records."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kasane.accounts.models import Agency, Role, Staff
from kasane.cases import services as case_services
from kasane.cases.services import clock_at
from kasane.conftest import StaffFactory, make_household
from kasane.core.dates import fiscal_year
from kasane.evaluation.computations import Scope
from kasane.evaluation.dashboard import selectors, services
from kasane.evaluation.models import Indicator, ManualValue, Target
from kasane.intake import services as intake_services
from kasane.intake.models import NeedType, Outcome

JST = zoneinfo.ZoneInfo("Asia/Tokyo")
Login = Callable[[Staff], Client]

_kana = iter(f"ダッシュ {chr(0x30A2 + i)}" for i in range(0, 90, 2))


def this_year() -> int:
    return fiscal_year(timezone.localdate())


def consult(actor: Staff, when: datetime.datetime, *, domains: list[str]) -> Any:
    household = make_household(actor.agency, kana=next(_kana))  # type: ignore[arg-type]
    need = NeedType.objects.get(code="8050")
    return intake_services.consultation_record(
        actor=actor,
        received_at=when,
        requester="self",
        channel="phone",
        household=household,
        needs=[need],
        main_need=need,
        domains=domains,
        summary="相談内容",
        outcome=Outcome.HANDLED,
    )


def month_start(year: int, month: int) -> datetime.datetime:
    calendar_year = year if month >= 4 else year + 1
    return datetime.datetime(calendar_year, month, 2, 10, 0, tzinfo=JST)


@pytest.fixture
def coordinator_m(db: Any) -> Staff:
    """A coordinator of the municipality: may set targets."""
    agency = Agency.objects.create(
        name="かさね市 福祉政策課",
        agency_type="municipality",
        confidentiality_basis="public_servant",
    )
    return StaffFactory.create(username="coord-m", agency=agency, role=Role.COORDINATOR)


def test_pages_are_for_coordinators_and_analysts_only(
    login: Login, coordinator: Staff, analyst: Staff, caseworker: Staff, auditor: Staff
) -> None:
    for url in (
        reverse("evaluation:dashboard"),
        reverse("evaluation:logic_model"),
        reverse("evaluation:indicator_detail", args=["consultations_received"]),
    ):
        assert login(coordinator).get(url).status_code == 200, url
        assert login(analyst).get(url).status_code == 200, url
        assert login(caseworker).get(url).status_code == 404, url
        assert login(auditor).get(url).status_code == 404, url
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_dashboard_shows_this_year_previous_year_and_target(
    login: Login, caseworker: Staff, coordinator: Staff
) -> None:
    year = this_year()
    for month in (4, 5, 5):
        consult(caseworker, month_start(year, month), domains=["elderly"])
    consult(caseworker, month_start(year - 1, 6), domains=["elderly"])
    services.target_set(code="consultations_received", fiscal_year=year, value=6)
    page = login(coordinator).get(reverse("evaluation:dashboard"), {"fy": year})
    html = page.content.decode()
    row = re.search(r'data-testid="indicator-consultations_received">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert [re.sub(r"<.*?>", "", c).strip() for c in cells[:4]] == ["3件", "1件", "6件", "50%"]
    assert 'data-testid="monthly-chart"' in html and "<svg" in html
    assert 'data-testid="achievement-chart"' in html


def test_month_area_and_domain_narrow_what_they_can(
    login: Login, caseworker: Staff, coordinator: Staff
) -> None:
    year = this_year()
    consult(caseworker, month_start(year, 4), domains=["elderly"])
    consult(caseworker, month_start(year, 5), domains=["child"])
    rows = {
        r.indicator.code: r
        for r in selectors.indicator_rows(Scope(year, month=5), aggregates_only=False)
    }
    assert rows["consultations_received"].current is not None
    assert rows["consultations_received"].current.value == 1
    by_domain = {
        r.indicator.code: r
        for r in selectors.indicator_rows(Scope(year, domain="child"), aggregates_only=False)
    }
    assert by_domain["consultations_received"].current.value == 1  # type: ignore[union-attr]
    page = login(coordinator).get(
        reverse("evaluation:dashboard"), {"fy": str(year), "month": "5", "domain": "child"}
    )
    assert page.status_code == 200
    assert 'data-testid="scope-note"' in page.content.decode()


def test_analysts_see_small_counts_hidden_and_no_case_numbers(
    login: Login, caseworker: Staff, analyst: Staff, coordinator: Staff
) -> None:
    year = this_year()
    for _ in range(3):
        consult(caseworker, month_start(year, 7), domains=["elderly"])
    household = make_household(caseworker.agency, kana="ケースバンゴウ")  # type: ignore[arg-type]
    case = case_services.case_open(
        actor=caseworker, household=household, opened_at=month_start(year, 7)
    )
    as_analyst = login(analyst).get(reverse("evaluation:dashboard"), {"fy": year}).content.decode()
    row = re.search(r'data-testid="indicator-consultations_received">(.*?)</tr>', as_analyst, re.S)
    assert row is not None
    shown = re.sub(r"<.*?>", "", row.group(1))
    assert "—" in shown and "3件" not in shown and ">3<" not in row.group(1)
    assert case.number not in as_analyst
    assert "ケースバンゴウ" not in as_analyst and "草野" not in as_analyst
    assert 'data-testid="aggregates-note"' in as_analyst
    as_coordinator = login(coordinator).get(reverse("evaluation:dashboard"), {"fy": year})
    row = re.search(
        r'data-testid="indicator-consultations_received">(.*?)</tr>',
        as_coordinator.content.decode(),
        re.S,
    )
    assert row is not None and "3件" in re.sub(r"<.*?>", "", row.group(1))


def test_an_empty_year_is_an_honest_empty_dashboard(login: Login, coordinator: Staff) -> None:
    year = this_year() - 5
    page = login(coordinator).get(reverse("evaluation:dashboard"), {"fy": year})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="indicator-consultations_received"' in html
    assert 'data-testid="network"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"fy": "abc"},
        {"fy": "1900"},
        {"month": "13"},
        {"month": "-1"},
        {"area": "999999"},
        {"area": "x"},
        {"domain": "<script>"},
    ],
)
def test_bad_filters_fall_back_rather_than_fail(
    login: Login, coordinator: Staff, params: dict[str, str]
) -> None:
    page = login(coordinator).get(reverse("evaluation:dashboard"), params)
    assert page.status_code == 200
    assert "<script>" not in page.content.decode().split("<main", 1)[1]


def test_dashboard_query_count_does_not_grow_with_records(
    login: Login, caseworker: Staff, coordinator: Staff, other_agency: Agency
) -> None:
    year = this_year()
    client = login(coordinator)
    url = reverse("evaluation:dashboard")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"fy": year}).status_code == 200
        return len(queries)

    consult(caseworker, month_start(year, 4), domains=["elderly"])
    few = count()
    for month in (5, 6, 7, 8, 9, 10):
        consultation = consult(caseworker, month_start(year, month), domains=["elderly"])
        case = case_services.case_open(
            actor=caseworker,
            household=consultation.household,
            opened_at=month_start(year, month),
        )
        with clock_at(month_start(year, month)):
            case_services.referral_create(
                actor=caseworker,
                case=case,
                to_agency=other_agency,
                reason="支援の検討",
                request="同行",
            )
    assert count() == few


def test_targets_are_set_by_the_municipality_only(
    login: Login, coordinator_m: Staff, analyst: Staff
) -> None:
    year = this_year()
    url = reverse("evaluation:indicator_detail", args=["consultations_received"])
    post = {"target-fiscal_year": year, "target-value": "120"}
    assert login(analyst).post(url, post).status_code == 404
    assert not Target.objects.exists()
    answer = login(coordinator_m).post(url, post)
    assert answer.status_code == 302
    assert Target.objects.get(fiscal_year=year).value == Decimal("120")
    bad = login(coordinator_m).post(url, {"target-fiscal_year": year, "target-value": "abc"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()


def test_a_target_for_an_indicator_that_does_not_exist(login: Login, coordinator_m: Staff) -> None:
    url = reverse("evaluation:indicator_detail", args=["no_such_indicator"])
    assert login(coordinator_m).post(url, {"target-fiscal_year": 2025}).status_code == 404
    with pytest.raises(Exception, match="no_such_indicator"):
        services.target_set(code="no_such_indicator", fiscal_year=2025, value=1)


def test_hand_entered_indicator_is_created_and_valued(login: Login, coordinator_m: Staff) -> None:
    client = login(coordinator_m)
    answer = client.post(
        reverse("evaluation:indicator_create"),
        {
            "code": "survey_someone_to_ask",
            "name": "困ったときに相談できる人がいる住民の割合",
            "kind": "KGI",
            "level": "outcome",
            "unit": "%",
            "project": "community",
        },
    )
    assert answer.status_code == 302
    url = reverse("evaluation:indicator_detail", args=["survey_someone_to_ask"])
    year = this_year()
    assert (
        client.post(
            url, {"value-fiscal_year": year, "value-value": "62.5", "value-note": "住民調査"}
        ).status_code
        == 302
    )
    assert ManualValue.objects.get(fiscal_year=year).value == Decimal("62.5")
    duplicate = client.post(
        reverse("evaluation:indicator_create"),
        {
            "code": "consultations_received",
            "name": "x",
            "kind": "KPI",
            "level": "output",
            "project": "community",
        },
    )
    assert duplicate.status_code == 200
    assert Indicator.objects.filter(code="consultations_received").count() == 1
    model = client.get(reverse("evaluation:logic_model"), {"fy": year}).content.decode()
    assert 'data-testid="lm-survey_someone_to_ask"' in model and "62.5" in model


def test_the_standard_indicators_exist_after_migrate(db: Any) -> None:
    assert Indicator.objects.filter(code="consultations_received").exists()
