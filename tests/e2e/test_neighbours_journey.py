"""Issue 16 point 2's journey: a performance analyst loads the DfE's published files (a malformed one refused
first, naming the file and the column, nothing loaded), then the director finds each measure beside its
statistical neighbours, region and England on the dashboard, with the chart ranking the authority among them.
Files: the hand-made fixtures in tests/insight/published_fixtures."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from opencsc.accounts.models import Role
from opencsc.insight.models import PublishedFigure
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
FIXTURES = Path(__file__).parent.parent / "insight" / "published_fixtures"


def test_the_analyst_loads_published_files_and_the_director_sees_the_neighbours(live_user, signed_in_page):
    analyst = signed_in_page(live_user(Role.PERFORMANCE_ANALYST, first_name="Ana", last_name="Analyst"))
    analyst.goto("/insight/comparators/")
    analyst.fill("#year", "2025")
    analyst.set_input_files("#files", [str(FIXTURES / "c1_malformed_fixture.csv")])
    analyst.click("button:has-text('Load')")
    refusal = analyst.locator("[data-testid='load-refused']")
    expect(refusal).to_contain_text("Nothing was loaded")
    expect(refusal).to_contain_text("c1_malformed_fixture.csv")
    expect(refusal).to_contain_text("rereferral_percent")
    expect(analyst.locator("#year")).to_have_value("2025")
    assert not PublishedFigure.objects.exists()

    analyst.set_input_files(
        "#files", [str(FIXTURES / "c1_referrals_fixture.csv"), str(FIXTURES / "neighbours_fixture.csv")]
    )
    analyst.click("button:has-text('Load')")
    expect(analyst.locator(".govuk-notification-banner--success")).to_contain_text(
        "Loaded 2 file(s) for 2025"
    )
    expect(analyst.locator("[data-testid='neighbours'] li")).to_have_count(10)
    screenshot(analyst, "comparators-loaded")

    director = signed_in_page(live_user(Role.DIRECTOR, first_name="Dana", last_name="Director"))
    director.click(".govuk-service-navigation >> text=Leadership")
    director.click("a.govuk-service-navigation__link:has-text('Dashboard')")
    director.wait_for_url("**/insight/dashboard/")
    block = director.locator("[data-testid='neighbours-rereferral_rate_12m']")
    expect(block).to_contain_text("Against statistical neighbours, year to 31 March 2025")
    expect(block).to_contain_text("average 23.1% of 9 with a figure, range 18.0% to 30.0%")
    expect(block).to_contain_text("South East 22.9%; England 22.6%")
    expect(block.locator("[data-testid='rank-rereferral_rate_12m']")).to_have_text("Ranked 5 of 10")
    expect(block).to_contain_text("Source: DfE, Children in need, reporting year 2025")
    expect(block.locator("svg title")).to_contain_text("among its statistical neighbours")
    expect(
        director.locator("[data-testid='kpi-summary'] tr[data-kpi='rereferral_rate_12m']")
    ).to_contain_text("we rank 5 of 10")
    block.scroll_into_view_if_needed()
    screenshot(director, "dashboard-neighbours")
