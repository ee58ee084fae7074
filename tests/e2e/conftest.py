"""Browser journeys: Playwright for Python driving Debian's chromium against pytest-django's live server.

Nothing is downloaded: the browser is the system's /usr/bin/chromium (scripts/ensure-chromium installs it).
"""

import os
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, sync_playwright

from opencsc.accounts.models import User

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "a long test password"  # as tests/conftest.py make_user sets it
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: a browser journey through Debian's chromium")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def enter_password(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Continue')")


def sign_in(page: Page, user: User) -> None:
    """The real two-step sign-in: password, then a TOTP code (enrolling from the page's key the first time)."""
    enter_password(page, user.username)
    secret_on_page = page.locator("[data-testid='totp-secret']")
    if secret_on_page.count():
        secret = secret_on_page.inner_text().strip()
    else:
        user.refresh_from_db()
        secret = user.totp_secret
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/sign-in" not in url)
