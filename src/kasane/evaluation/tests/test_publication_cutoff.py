"""The snapshot attack of issue 14 through the pages: an analyst who looks at the figures
before and after one new consultation sees no change (the figures stop at the start of the
month); a coordinator sees it at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.conftest import make_household
from kasane.core.dates import current_fiscal_year
from kasane.intake.models import Consultation

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

Login = Callable[[Staff], Client]


def _consultation(staff: Staff, kana: str) -> Consultation:
    assert staff.agency is not None
    household = make_household(staff.agency, kana=kana)
    return Consultation.objects.create(
        received_at=timezone.now(),
        agency=staff.agency,
        staff=staff,
        requester="self",
        channel="walk_in",
        household=household,
        summary="テスト",
        outcome="handled",
        domains=["disability"],
    )


def _figures(client: Client) -> Any:
    page = client.get(reverse("evaluation:dashboard"), {"fy": current_fiscal_year()})
    assert page.status_code == 200
    return page, [(n, b) for _label, n, b in page.context["monthly_rows"]]


def test_a_new_consultation_changes_nothing_an_analyst_sees_until_next_month(
    caseworker: Staff, analyst: Staff, coordinator: Staff, login: Login
) -> None:
    for i in range(8):
        _consultation(caseworker, f"テスト {'アイウエオカキク'[i]}")
    theirs, mine = login(analyst), login(coordinator)
    page, before = _figures(theirs)
    assert "公表値" in page.content.decode()
    _cpage, coordinator_before = _figures(mine)
    _consultation(caseworker, "シンキ ソウダン")
    _page, after = _figures(theirs)
    assert after == before
    cpage, coordinator_after = _figures(mine)
    assert coordinator_after != coordinator_before
    assert "公表値" not in cpage.content.decode()
