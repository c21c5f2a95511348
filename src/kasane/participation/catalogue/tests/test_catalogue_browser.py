"""The public catalogue in a browser: an anonymous visitor filters by kind and area and opens
an entry; no sign-in, no request leaving the server."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kasane.demo.participation import build_demo_participation
from kasane.participation.models import Opportunity, OpportunityKindLink
from kasane.registry.models import Area
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_anonymous_visitor_filters_and_opens_an_entry(page, live_server, demo_city):
    build_demo_participation(seed=1, today=timezone.localdate())
    base = live_server.url
    page.goto(f"{base}/catalogue/")
    expect(page.get_by_test_id("who")).to_have_count(0)
    cards = page.get_by_test_id("public-opportunities").locator("li.card")
    expect(cards.first).to_be_visible()
    shoot(page, "catalogue-01-public-list")

    filters = page.get_by_test_id("catalogue-filters")
    filters.locator("select[name=kind]").select_option("childrens_cafeteria")
    sphere = Area.objects.get(name="北部圏域")
    filters.locator("select[name=area]").select_option(str(sphere.pk))
    filters.locator("button[type=submit]").click()
    expected = (
        Opportunity.objects.filter(
            kind_links__in=OpportunityKindLink.objects.filter(kind="childrens_cafeteria"),
            area__parent__parent=sphere,
        )
        .exclude(status="defunct")
        .distinct()
    )
    assert expected.exists()
    expect(cards).to_have_count(expected.count())
    shoot(page, "catalogue-02-filtered")

    first = expected.order_by("name").first()
    assert first is not None
    page.get_by_role("link", name=first.name).click()
    expect(page.locator("h1")).to_have_text(first.name)
    expect(page.locator("main")).to_contain_text("毎月第1・第3土曜 17:00〜19:00")
    shoot(page, "catalogue-03-entry")


def test_staff_list_marks_stale_entries(page, live_server, demo_city):
    build_demo_participation(seed=1, today=timezone.localdate())
    base = live_server.url
    sign_in(page, base, "sanka")
    page.goto(f"{base}/participation/?stale=on")
    expect(page.get_by_test_id("opportunities").locator("tbody tr").first).to_be_visible()
    shoot(page, "catalogue-04-staff-stale")
    page.get_by_test_id("opportunities").locator("tbody tr a").first.click()
    expect(page.get_by_test_id("stale")).to_be_visible()
    page.get_by_test_id("mark-checked").locator("button[type=submit]").click()
    expect(page.get_by_test_id("stale")).to_have_count(0)
    shoot(page, "catalogue-05-staff-checked")
