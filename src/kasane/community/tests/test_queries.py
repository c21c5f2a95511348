"""Query-count guards: every list page costs the same for few rows as for many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kasane.community import services
from kasane.community.models import PlaceKind
from kasane.core.dates import current_fiscal_year

pytestmark = pytest.mark.django_db

# Session, user, the page's own reads, the audit write of an aggregate view.
MAX_QUERIES = 14
MANY = 15


def _count(client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _rows(city, add_place, consult, caseworker, start: int, n: int) -> None:
    blocks = [city["北町"], city["上野"], city["桜台"], city["南町"]]
    kinds = list(PlaceKind)
    for i in range(start, start + n):
        add_place(blocks[i % 4], f"場{i}", kind=kinds[i % len(kinds)])
        consult(blocks[i % 4], ["isolation", "care"] if i % 2 else ["hikikomori"])
        issue = services.issue_create(
            actor=caseworker,
            area=city["北中学校区"],
            fiscal_year=current_fiscal_year(),
            title=f"課題{i}",
            description="d",
        )
        services.action_add(actor=caseworker, issue=issue, who="社協", what="w")


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (reverse("community:area_view"), {"level": "school_district"}),
        (reverse("community:place_list"), {}),
        (reverse("community:issues"), {"level": "school_district"}),
    ],
)
def test_list_pages_do_not_grow_with_rows(
    city, add_place, consult, caseworker, login, url, params, django_assert_max_num_queries
) -> None:
    client = login(caseworker)
    _rows(city, add_place, consult, caseworker, 0, 2)
    few = _count(client, url, **params)
    _rows(city, add_place, consult, caseworker, 2, MANY)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = _count(client, url, **params)
    assert many == few


def test_issue_page_does_not_grow_with_actions(
    city, caseworker, login, django_assert_max_num_queries
) -> None:
    issue = services.issue_create(
        actor=caseworker,
        area=city["北部圏域"],
        fiscal_year=current_fiscal_year(),
        title="t",
        description="d",
    )
    url = reverse("community:issue_detail", args=[issue.public_id])
    client = login(caseworker)
    few = _count(client, url)
    for i in range(MANY):
        services.action_add(actor=caseworker, issue=issue, who=f"w{i}", what="x")
    with django_assert_max_num_queries(MAX_QUERIES):
        assert _count(client, url) == few
