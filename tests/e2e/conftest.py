"""Browser journeys: Playwright for Python driving Debian's chromium against pytest-django's live server.

Nothing is downloaded: the browser is the system's /usr/bin/chromium (scripts/ensure-chromium installs it).
Every test here is marked `e2e`, so `pytest -m "not e2e"` gives a quick loop without a browser.

The live server runs in a thread of this process and reads the same test database, so what a test creates
must be committed: any test using `page` or `live_user` gets pytest-django's transactional database (on
SQLite an in-memory database shared with the server thread, on PostgreSQL test_<name>, flushed after each
test).
"""

import datetime as dt
import io
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from opencsc.accounts.models import User
from opencsc.accounts.two_factor import current_code

# Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a thread with a
# running loop unless told it is safe: here it is, as the tests' own ORM calls are plain synchronous ones.
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
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000
PASSWORD = "a long test password"  # as tests/conftest.py make_user sets it
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HERE = Path(__file__).resolve().parent


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: a browser journey through Debian's chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_context(browser: Browser, base_url: str) -> BrowserContext:
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    """A fresh browser tab (its own cookies and storage) pointed at the live server."""
    context = _new_context(browser, live_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture
def signed_in_page(browser, live_server) -> Iterator[Callable[[User], Page]]:
    """signed_in_page(user): another tab, in its own browser context, already past both sign-in steps."""
    contexts = []

    def open_as(user: User) -> Page:
        context = _new_context(browser, live_server.url)
        contexts.append(context)
        tab = context.new_page()
        sign_in(tab, user)
        return tab

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def live_user(transactional_db, live_server, make_user) -> Callable[..., User]:
    """make_user for browser tests: the user is committed, so the live server's thread can sign them in."""
    return make_user


@pytest.fixture
def traveller(request):
    """The clock at the journey module's TODAY, ticking (the sign-in codes need time to pass)."""
    with time_machine.travel(request.module.TODAY, tick=True) as travelling:
        yield travelling


def run_sweep(on: dt.date | None = None) -> str:
    """Run the nightly sweep (for `on`, else today) as the scheduler does, and return what it printed."""
    out = io.StringIO()
    call_command("sweep", *(["--date", on.isoformat()] if on else []), stdout=out)
    return out.getvalue()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def send(page: Page, selector: str) -> None:
    """Click a form's button and wait for the page it leads to (the context's timeout, not expect's five seconds:
    the machine may be busy)."""
    with page.expect_navigation():
        page.click(selector)


def fill_date(page: Page, field: str, value: dt.date) -> None:
    """Type a date into a GOV.UK date input (day, month and year boxes)."""
    page.fill(f"#id_{field}-day", str(value.day))
    page.fill(f"#id_{field}-month", str(value.month))
    page.fill(f"#id_{field}-year", str(value.year))


def enter_password(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Continue')")
    page.wait_for_url("**/accounts/sign-in/two-factor/**")


def unused_code(user: User) -> str:
    """The code the user's authenticator shows now, waiting for the next 30-second step if this one's code
    has already been used (the service refuses a code twice, so a second sign-in within a step must wait)."""
    user.refresh_from_db()
    totp = pyotp.TOTP(user.totp_secret)
    while user.totp_last_used_step is not None and time.time() // totp.interval <= user.totp_last_used_step:
        time.sleep(totp.interval - time.time() % totp.interval + 0.2)
    return current_code(user)


def sign_in(page: Page, user: User) -> None:
    """The real two-step sign-in: password, then a TOTP code typed in. On a first sign-in the page shows the
    key to enrol an authenticator; the code is worked out from the key on the page, as the app would."""
    enter_password(page, user.username)
    secret_on_page = page.locator("[data-testid='totp-secret']")
    if secret_on_page.count():
        secret = secret_on_page.inner_text().strip()
        user.refresh_from_db()
        assert secret == user.totp_secret, "the key shown to enrol is not the one the service checks"
        code = pyotp.TOTP(secret).now()
    else:
        code = unused_code(user)
    page.fill("#id_code", code)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/accounts/sign-in" not in url)
