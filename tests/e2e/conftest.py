"""End-to-end tests: the real site served by pytest-django's live server, driven by the system
Chromium (`/usr/bin/chromium`, installed by `.ci/install-system-packages`) through Playwright.
Screenshots of the main pages land in `SCREENSHOT_DIR` (default `artifacts/screenshots/`)."""

import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CHROMIUM = "/usr/bin/chromium"
SEOUL = ZoneInfo("Asia/Seoul")
SCREENSHOT_DIR = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "artifacts" / "screenshots")
)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API runs an event loop in this thread, and
    the ORM calls the tests make between browser steps are still synchronous ones: Django's async
    guard is lifted for the module only (and restored after, never in deployment)."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def screenshot():
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def open_page(browser, live_server):
    """A new browser page in Korean (the default) or English, phone- or laptop-sized."""
    contexts = []

    def open_(*, locale: str = "ko-KR", phone: bool = False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(locale=locale, viewport=viewport, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.base = live_server.url
        return page

    yield open_
    for context in contexts:
        context.close()


def log_in(page, email: str, password: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
