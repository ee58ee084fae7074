"""Issue 11.6's return check in the browser: an analyst uploads a CIN census, the request only queues the check,
the status page refreshes itself while the background worker (`opencsc db_worker`) runs it, and then links to
the year's findings."""

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from opencsc.accounts.models import Role
from opencsc.returns.cin.export import cin_census_bytes
from opencsc.returns.models import ReturnCheck, ValidationRun
from tests.e2e.conftest import screenshot, sign_in
from tests.returns.conftest import census_authority, protected_child  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("census_authority")
def test_an_uploaded_census_is_checked_in_the_background_and_the_page_follows_it(
    page, live_user, settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    census = tmp_path / "census.xml"
    census.write_bytes(cin_census_bytes(2026, now=dt.datetime(2026, 4, 10, 9, 30)))
    sign_in(page, live_user(Role.PERFORMANCE_ANALYST))

    page.click(".govuk-service-navigation >> text=Returns")
    page.wait_for_url("**/returns/")
    page.goto("/returns/cin/")
    page.fill("#id_year", "2026")
    page.set_input_files("input[type=file][name=files]", str(census))
    page.click("button:has-text('Check the return')")

    expect(page.locator("h1")).to_have_text("Checking the return")
    expect(page.locator("[data-testid='check-progress']")).to_contain_text(
        "Waiting for the background worker"
    )
    assert not ValidationRun.objects.exists()
    screenshot(page, "return-check-waiting")

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    # No reload from the test: the page refreshes itself until the check has finished.
    expect(page.locator("h1")).to_have_text("Check finished")
    check = ReturnCheck.objects.get()
    expect(page.locator("[data-testid='check-result']")).to_contain_text(f"{check.run.error_count} errors")
    page.click("text=See the findings for 2025-26")
    expect(page.locator("[data-testid='run-summary']")).to_contain_text("census.xml for 2025-26")
