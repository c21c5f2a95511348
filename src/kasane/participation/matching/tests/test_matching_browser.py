"""Matching in a browser: a participation worker finds places for a person, proposes one,
and records the first visit and the start, with the loneliness scale."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kasane.accounts.models import Staff
from kasane.conftest import make_household
from kasane.participation.matching.tests.test_matching_pages import make_opportunity
from kasane.privacy.models import ConsentMethod, ConsentPurpose
from kasane.privacy.services import ConsentInput, consent_record
from kasane.testing.browser import browser, demo_city, page, shoot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_match_a_person_and_start(page, live_server, demo_city):
    base = live_server.url
    houkatsu = Staff.objects.get(username="houkatsu")
    sanka = Staff.objects.get(username="sanka")
    assert houkatsu.agency is not None and sanka.agency is not None
    household = make_household(
        houkatsu.agency, name="江口 拓也", kana="エグチ タクヤ", birth_date=None
    )
    person = household.memberships.get().person
    consent_record(
        actor=houkatsu,
        person=person,
        data=ConsentInput(
            purposes=[ConsentPurpose.INFORMATION_SHARING, ConsentPurpose.PARTICIPATION],
            method=ConsentMethod.WRITTEN,
            obtained_on=timezone.localdate(),
            agencies=[sanka.agency],
        ),
    )
    make_opportunity("農園ボランティア「みどりの手」", kinds=("volunteer",), description="畑 野菜")
    make_opportunity("パソコン教室", kinds=("learning",), byday="FR")
    make_opportunity("料理サロン", description="料理", vacancies=0)

    sign_in(page, base, "sanka")
    page.goto(f"{base}/registry/persons/{person.public_id}/")
    page.get_by_test_id("find-places").click()
    form = page.get_by_test_id("search-form")
    form.locator("textarea[name=interests]").fill("畑、土いじり")
    form.locator("input[name=weekdays][value='1']").check()
    form.locator("button[type=submit]").click()
    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions.locator("h3").first).to_contain_text("農園ボランティア")
    expect(suggestions).not_to_contain_text("パソコン教室")
    shoot(page, "80-matching-suggestions")
    suggestions.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("match-facts")).to_contain_text(re.compile("提案|proposed"))
    shoot(page, "81-match-proposed")

    move = page.get_by_test_id("move-form")
    expect(move.locator("select[name=stage]")).to_have_value("visit")  # the next stage
    move.locator("button[type=submit]").click()
    move = page.get_by_test_id("move-form")
    move.locator("select[name=stage]").select_option("started")
    move.locator("button[type=submit]").click()
    expect(page.get_by_test_id("follow-ups")).to_contain_text(timezone.localdate().strftime("%Y"))
    scale = page.get_by_test_id("loneliness-form")
    for name in ("lack_companionship", "left_out", "isolated"):
        scale.locator(f"input[name={name}][value='3']").check()
    scale.locator("button[type=submit]").click()
    expect(page.get_by_test_id("loneliness")).to_contain_text("9")
    expect(page.get_by_test_id("match-history")).to_contain_text(re.compile("見学|visit"))
    shoot(page, "82-match-started-with-follow-ups")
    page.goto(f"{base}/participation/matching/")
    expect(page.get_by_test_id("matches")).to_contain_text("江口 拓也")
    shoot(page, "83-matches-of-the-agency")
    page.goto(f"{base}/participation/matching/unmet-needs/")
    shoot(page, "84-unmet-needs")
