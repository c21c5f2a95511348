"""A hand-entered indicator (a resident survey) without a value for the chosen 年度, month,
area or domain shows "—", never an error page — on the dashboard and the logic model, for
coordinators and analysts; an odd area value falls back to the whole city."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.core.dates import fiscal_year
from kasane.evaluation.dashboard import services
from kasane.evaluation.models import IndicatorKind, IndicatorLevel, Project
from kasane.evaluation.templatetags.evaluation import figure
from kasane.registry.models import Area, AreaKind

pytestmark = pytest.mark.django_db

Login = Callable[[Staff], Client]


@pytest.fixture
def survey(analyst: Staff) -> str:
    services.manual_indicator_create(
        code="survey_neighbours",
        name="近所に頼れる人がいると答えた住民の割合",
        kind=IndicatorKind.KGI,
        level=IndicatorLevel.OUTCOME,
        project=Project.COMMUNITY,
        unit="%",
    )
    year = fiscal_year(timezone.localdate())
    services.manual_value_set(actor=analyst, code="survey_neighbours", fiscal_year=year, value=41)
    return "survey_neighbours"


def test_every_filter_and_an_empty_year_render(
    survey: str, coordinator: Staff, analyst: Staff, login: Login
) -> None:
    year = fiscal_year(timezone.localdate())
    city = Area.objects.create(name="かさね市", kind=AreaKind.CITY, code="C9")
    sphere = Area.objects.create(name="北圏域", kind=AreaKind.SPHERE, code="S9", parent=city)
    queries: list[dict[str, str]] = [
        {},
        {"fy": str(year - 5)},  # nothing recorded, the survey not taken
        {"fy": str(year), "month": "4"},
        {"fy": str(year - 1), "month": "3"},
        {"area": str(sphere.pk)},
        {"domain": "elderly"},
        {"area": "²"},  # a digit to str.isdigit, not to int()
    ]
    for staff in (coordinator, analyst):
        client = login(staff)
        for query in queries:
            for name in ("evaluation:dashboard", "evaluation:logic_model"):
                response = client.get(reverse(name), query)
                assert response.status_code == 200, (staff.role, name, query)
    page = login(analyst).get(reverse("evaluation:dashboard"), {"fy": str(year)}).content.decode()
    assert "近所に頼れる人" in page and "41" in page


def test_a_number_or_a_dash() -> None:
    assert figure(12345) == "12,345"
    assert figure("0.2500") == "0.25"
    for nothing in (None, "", "n/a", float("nan"), True):
        assert figure(nothing) == "—"
