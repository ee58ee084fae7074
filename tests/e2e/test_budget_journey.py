"""Issue 14's journey: a director opens the placements budget, sees the forecast outturn with its range and the
variance by category, drills to the residential placements behind the overspend (a restricted child among them
unnamed), saves a scenario (a missing number refused, what was typed kept) and sees what it changes in the cost."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role
from opencsc.finance import services
from opencsc.finance.models import Scenario
from opencsc.finance.outturn import financial_year_of, year_bounds
from tests.e2e.conftest import screenshot, sign_in
from tests.finance.builders import child, episode, home

pytestmark = pytest.mark.django_db(transaction=True)


def _pounds(text: str) -> float:
    number = re.search(r"(-?)£([\d,]+)", text)
    return float(number.group(2).replace(",", "")) * (-1 if number.group(1) else 1)


def _homes_over_eighteen_months(director) -> tuple[int, list]:
    """Fourteen children placed in private homes at £5,000 a week from a year before this financial year, one
    in three leaving after five months, one restricted; a residential budget for four children."""
    year = financial_year_of(timezone.localdate())
    first_day = year_bounds(year)[0] - dt.timedelta(days=365)
    kids = []
    for n in range(14):
        kid = child(n, restricted=n == 1)
        start = first_day + dt.timedelta(days=30 * n)
        ended = start + dt.timedelta(days=150) if n % 3 == 0 else None
        placement = episode(kid, start, ended, place="K2", provider="PR4")
        services.placement_cost_agree(
            actor=director, episode=placement, provider=home(director, f"Home {n}"), weekly_cost="5000"
        )
        kids.append(kid)
    services.budget_set(actor=director, year=year, lines={"residential": ("1040000", "4")})
    return year, kids


def test_a_director_finds_the_overspend_drills_to_the_homes_and_costs_a_step_down(page, live_user):
    director = live_user(Role.DIRECTOR, first_name="Dana", last_name="Director")
    year, kids = _homes_over_eighteen_months(director)

    sign_in(page, director)
    page.click(".govuk-service-navigation >> text=Leadership")
    page.click(".govuk-service-navigation >> text=Placements budget")
    headline = page.locator("[data-testid='budget-headline']")
    expect(headline).to_contain_text("overspend of")
    expect(page.locator("[data-testid='outturn-range']")).to_contain_text(
        "80% range puts the outturn between"
    )
    residential = page.locator("[data-testid='outturn-by-category'] tr[data-category='residential']")
    cells = residential.locator("td")
    outturn, variance = _pounds(cells.nth(5).inner_text()), _pounds(cells.nth(7).inner_text())
    assert variance == pytest.approx(outturn - 1_040_000, abs=1) and variance > 0
    low, high = (_pounds(part) for part in cells.nth(6).inner_text().split(" to "))
    assert low < outturn < high
    expect(page.locator("[data-testid='variance-explained']")).to_contain_text("From the number of children")
    screenshot(page, "budget-outturn")

    residential.locator("a").click()
    expect(page.locator("h1")).to_contain_text("Children's homes and residential schools")
    behind = page.locator("[data-testid='placements-behind']")
    expect(behind).to_contain_text("a restricted record")
    expect(behind).not_to_contain_text(re.compile(rf"{kids[1].first_name}\b"))
    open_now = [kid for n, kid in enumerate(kids) if n % 3 and n != 1]
    for kid in open_now:
        expect(behind).to_contain_text(f"{kid.first_name} {kid.last_name}")
    expect(behind).to_contain_text("Home 4")
    screenshot(page, "budget-residential-placements")

    page.click("text=Back to the budget")
    page.click("text=Save a scenario")
    page.get_by_label("Name").fill("Step two a month down to fostering")
    page.get_by_label("Children moved a month from one placement category to another").check()
    page.get_by_label("Placement category (from)").select_option("residential")
    page.get_by_label("Moved to (for children moved a month)").select_option("fostering")
    page.click("button:has-text('Save')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter how many")
    expect(page.get_by_label("Name")).to_have_value("Step two a month down to fostering")
    assert Scenario.objects.count() == 0
    page.get_by_label("How many children").fill("2")
    page.click("button:has-text('Save')")

    result = page.locator("[data-testid='scenario-result']")
    expect(result).to_contain_text("Step two a month down to fostering")
    expect(result).to_contain_text("saved by Dana Director")
    change = page.locator("[data-testid='scenario-change']").inner_text()
    this_year, year_on = (_pounds(part) for part in change.split("a change of")[1:3])
    assert this_year < 0 and year_on < 0  # homes cost more than foster care: the step-down saves
    expect(page.locator("[data-testid='scenarios']")).to_contain_text("Dana Director")
    assert Scenario.objects.get().author == director
    screenshot(page, "budget-scenario")
