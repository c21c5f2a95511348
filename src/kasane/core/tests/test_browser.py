"""Browser tests: Debian's Chromium driven by Playwright against a live server.

They walk the way a caseworker works — sign in, find a person by part of the kana, open the
household — and save a screenshot of every page to /screenshots for people to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect, sync_playwright

from kasane.demo.city import DEMO_PASSWORD, build_demo_city

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[4] / "screenshots"
CHROMIUM = os.environ.get("KASANE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `python3 dev.py test` installs it.")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # inside one unless told it is safe (the live server runs in its own thread).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def demo_city(transactional_db: object) -> None:
    build_demo_city(households=30)


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    # Closed municipal networks: any request that leaves the live server fails the test.
    outside: list[str] = []
    base = str(live_server.url)  # type: ignore[attr-defined]

    def note_outside(request: Request) -> None:
        if not request.url.startswith(base):
            outside.append(request.url)

    context.on("request", note_outside)
    opened = context.new_page()
    yield opened
    context.close()
    assert outside == [], f"requests left the server: {outside}"


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("who")).to_be_visible()


def test_caseworker_finds_a_household_by_part_of_the_kana(page, live_server, demo_city):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    # TEMP expect(page.locator("h1")).to_contain_text("ログイン")
    shoot(page, "01-login")

    sign_in(page, base, "houkatsu")
    expect(page.get_by_test_id("who")).to_contain_text("中央地域包括支援センター")
    shoot(page, "02-home")

    # Half-width katakana for part of 草野: the search ignores script and width.
    page.locator("#id_q").fill("ｸｻﾉ")
    page.locator("form.search button[type=submit]").click()
    results = page.locator("#search-results")
    expect(results).to_contain_text("草野")
    assert "ｸｻﾉ" not in page.url and "%" not in page.url  # names never enter a URL
    shoot(page, "03-search")

    results.get_by_role("link", name="草野").first.click()
    expect(page.locator("h1")).to_contain_text("草野")
    shoot(page, "04-person-or-household")

    page.goto(f"{base}/registry/households/")
    expect(page.locator("table")).to_contain_text("草野")
    shoot(page, "05-household-list")

    # A function this version does not offer yet says so, with no figures on the page.
    page.locator("nav.site-nav a[href$='/functions/outreach/']").click()
    expect(page.locator(".notice")).to_be_visible()
    assert not any(ch.isdigit() for ch in page.locator(".notice").inner_text().replace("#5", ""))
    shoot(page, "09-function-not-built")


def test_caseworker_registers_a_household_and_sees_japanese_errors(page, live_server, demo_city):
    base = live_server.url
    sign_in(page, base, "houkatsu")
    page.goto(f"{base}/registry/households/new/")
    page.locator("input[name=name]").fill("試験 花子")
    page.locator("input[name=kana]").fill("試験")  # kanji where kana belongs
    page.locator("input[name=birth_date]").fill("2999-01-01")
    page.locator("main form button[type=submit]").last.click()
    errors = page.locator(".errorlist, .field-error, [role=alert]")
    expect(errors.first).to_be_visible()
    expect(page.locator("main")).to_contain_text("カナ")
    shoot(page, "06-household-form-errors")

    page.locator("input[name=kana]").fill("しけん はなこ")
    page.locator("input[name=birth_date]").fill("1980-02-29")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("h1")).to_contain_text("試験")
    expect(page.locator("main")).to_contain_text("シケン ハナコ")
    shoot(page, "07-household-detail")


def test_auditor_reads_the_audit_log(page, live_server, demo_city):
    base = live_server.url
    sign_in(page, base, "auditor")
    page.goto(f"{base}/audit/")
    expect(page.locator("table")).to_be_visible()
    shoot(page, "08-audit-log")
