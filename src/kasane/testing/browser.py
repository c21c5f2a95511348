"""Shared pieces of the browser tests: Debian's Chromium through Playwright, a live server,
screenshots to /screenshots, and a guard that no request leaves the server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect, sync_playwright

from kasane.demo.city import DEMO_PASSWORD, build_demo_city

SCREENSHOTS = Path(__file__).resolve().parents[3] / "screenshots"
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
