"""The demo catalogue: about 80 places across kinds and areas, some stale, some full."""

from __future__ import annotations

import datetime

import pytest

from kasane.demo.city import build_demo_city
from kasane.demo.participation import build_demo_participation
from kasane.participation.models import Opportunity, OpportunityKindLink, stale_before

pytestmark = pytest.mark.django_db


def test_demo_catalogue() -> None:
    build_demo_city(households=4)
    today = datetime.date(2026, 11, 1)
    build_demo_participation(seed=1, today=today)
    places = Opportunity.objects.all()
    assert 70 <= places.count() <= 80
    assert places.filter(checked_on__lt=stale_before(today)).exists()
    assert places.filter(vacancies=0).exists()
    assert OpportunityKindLink.objects.values("kind").distinct().count() >= 10
    assert places.values("area").distinct().count() >= 15
    assert all(o.schedules.exists() for o in places[:5])
