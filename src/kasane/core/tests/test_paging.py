"""List pages whose cost does not grow with the list: a look-ahead row instead of a count of
every row, and a total that stops at a cap ("1,000世帯以上")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from kasane.accounts.models import Agency, Staff
from kasane.conftest import make_household
from kasane.core import paging
from kasane.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(agency: Agency) -> list[Household]:
    return [
        make_household(agency, name=f"草野 {given}", kana=f"クサノ {kana}", address=f"中央{i}")
        for i, (given, kana) in enumerate(
            [
                ("一郎", "イチロウ"),
                ("二郎", "ジロウ"),
                ("三郎", "サブロウ"),
                ("四郎", "シロウ"),
                ("五郎", "ゴロウ"),
            ]
        )
    ]


def test_window_looks_one_row_ahead(five: list[Household]) -> None:
    rows = Household.objects.order_by("id")
    first = paging.window(rows, 1, 2)
    assert [h.pk for h in first] == [five[0].pk, five[1].pk]
    assert (first.number, first.has_previous, first.has_next) == (1, False, True)
    last = paging.window(rows, 3, 2)
    assert [h.pk for h in last] == [five[4].pk]
    assert (last.has_previous, last.has_next) == (True, False)
    # Exactly a full page: no next page (the look-ahead row is not there).
    assert not paging.window(rows, 1, 5).has_next
    # Past the end: nothing, a way back, no error.
    beyond = paging.window(rows, 9, 2)
    assert (list(beyond), beyond.has_previous, beyond.has_next) == ([], True, False)
    # A nonsense page number is page 1.
    assert paging.window(rows, -3, 2).number == 1


def test_bounded_count_stops_at_the_cap(five: list[Household]) -> None:
    rows = Household.objects.all()
    assert paging.bounded_count(rows) == paging.Count(5)
    assert paging.bounded_count(rows, cap=5) == paging.Count(5)
    assert paging.bounded_count(rows, cap=3) == paging.Count(3, more=True)


def test_household_list_says_more_than_the_cap(
    five: list[Household],
    caseworker: Staff,
    login: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = login(caseworker)
    url = reverse("registry:household_list")
    with override_settings(KASANE_PAGE_SIZE=2):
        assert "自機関が登録した世帯：5世帯" in client.get(url).content.decode()
        monkeypatch.setattr(paging, "COUNT_CAP", 3)
        page = client.get(url).content.decode()
        assert "自機関が登録した世帯：3世帯以上" in page
        assert "page=2" in page  # the next page is there, counted or not
        third = client.get(url, {"page": 3}).content.decode()
    assert "中央0" in third and "page=2" in third and "page=4" not in third
