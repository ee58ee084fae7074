"""Issue 15.1's upload in the browser: an analyst reaches the import page from the census worklist, uploads a CIN
census, the request only queues the import, the status page refreshes itself while the background worker
(`opencsc db_worker`) imports it and then shows the report: children done of total and what was created."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from opencsc.accounts.models import Role
from opencsc.people.models import Child
from opencsc.returns.models import ReturnImport
from tests.e2e.conftest import screenshot, sign_in
from tests.returns.builders import cin_census

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_uploaded_census_is_imported_in_the_background_and_the_page_shows_the_report(
    page, live_user, settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    census = cin_census(tmp_path / "census.xml", 15)
    sign_in(page, live_user(Role.PERFORMANCE_ANALYST))

    page.click(".govuk-service-navigation >> text=Returns")
    page.wait_for_url("**/returns/")
    page.goto("/returns/cin/")
    page.click("[data-testid='import-link']")
    expect(page.locator("h1")).to_contain_text("Import the")
    page.set_input_files("input[type=file][name=files]", str(census))
    page.click("button:has-text('Import the files')")

    expect(page.locator("h1")).to_have_text("Importing the files")
    expect(page.locator("[data-testid='import-progress']")).to_contain_text(
        "Waiting for the background worker"
    )
    assert not Child.objects.exists()
    screenshot(page, "return-import-waiting")

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    # No reload from the test: the page refreshes itself until the import has finished.
    expect(page.locator("h1")).to_have_text("Import finished")
    expect(page.locator("[data-testid='import-progress']")).to_contain_text("15 of 15 children")
    expect(page.locator("[data-testid='import-counts']")).to_contain_text("Child created")
    expect(page.locator("[data-testid='import-kept']")).to_contain_text("0 refused")
    screenshot(page, "return-import-finished")
    assert Child.objects.count() == 15 and ReturnImport.objects.get().report["counts"]["child created"] == 15
