"""Query-count guard on the list of consultations: as many queries for 3 rows as for 18."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kasane.conftest import make_household
from kasane.intake import services
from kasane.intake.models import NeedType, Outcome

pytestmark = pytest.mark.django_db

MANY = 15
KANA = "アイウエオカキクケコサシスセソタチツテト"


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_consultation_list_does_not_grow_with_rows(caseworker, outsider, login):
    client = login(caseworker)
    needs = list(NeedType.objects.all()[:3])

    def add(n: int) -> None:
        for i in range(n):
            outcome = [Outcome.HANDLED, Outcome.REFERRED, Outcome.COORDINATION][i % 3]
            services.consultation_record(
                actor=caseworker,
                received_at=timezone.now() - datetime.timedelta(days=1),
                requester="self",
                channel="walk_in",
                household=make_household(
                    caseworker.agency, kana=f"ソウダン {KANA[i % 20]}{KANA[n % 20]}"
                ),
                needs=needs,
                main_need=needs[0],
                summary="相談",
                outcome=outcome,
                referral=services.ReferralRequest(outsider.agency, "a", "b")
                if outcome == Outcome.REFERRED
                else None,
                coordination_reason="8050",
            )

    add(3)
    few = _queries(client, resolve_url("intake:start"))
    add(MANY)
    many = _queries(client, resolve_url("intake:start"))
    assert many[0] <= few[0], "\n".join(many[1])
