"""The placements budget in brief: the director's dashboard panel (not for roles without the budget), the board
pack's section and its line in brief (numbers only), and the cached figures following the records."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from opencsc.accounts.models import Role
from opencsc.finance import services
from opencsc.finance.summary import budget_summary
from tests.finance.builders import child, episode, home

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    cache.clear()
    with time_machine.travel(dt.datetime(2025, 10, 1, 12, 0), tick=False):
        yield
    cache.clear()


def _homes(director) -> list:
    kids = []
    for n in range(8):
        kid = child(n, restricted=n == 1)
        first = episode(kid, D(2024, 10, 1) + dt.timedelta(days=40 * n), place="K2", provider="PR4")
        services.placement_cost_agree(
            actor=director, episode=first, provider=home(director, f"Home {n}"), weekly_cost="5000"
        )
        kids.append(kid)
    services.budget_set(actor=director, year=2026, lines={"residential": ("1000000", "4")})
    return kids


def test_the_director_sees_the_budget_panel_on_the_dashboard_and_the_chief_executive_does_not(
    make_user, teams, client_for
):
    director = make_user(Role.DIRECTOR, None)
    _homes(director)
    page = client_for(director).get("/insight/dashboard/").content.decode()
    panel = page[page.index('data-testid="budget-panel"') :]
    assert "Placements budget 2025-26: forecast outturn £" in panel
    assert "against a budget of £1,000,000: an overspend of £" in panel
    assert "most in children&#39;s homes and residential schools" in panel
    assert "/finance/budget/category/residential/?year=2026" in panel
    chief = client_for(make_user(Role.CHIEF_EXECUTIVE, None))
    chiefs_page = chief.get("/insight/dashboard/")
    assert chiefs_page.status_code == 200 and b"budget-panel" not in chiefs_page.content


def test_the_board_pack_carries_the_budget_in_brief_and_by_category_naming_no_child(make_user, client_for):
    director = make_user(Role.DIRECTOR, None)
    kids = _homes(director)
    board = make_user(Role.IMPROVEMENT_BOARD, None)
    page = client_for(board).get("/board/pack/?on=2025-10-01").content.decode()
    brief = page[page.index('data-testid="budget-in-brief"') :]
    assert brief.split("</li>")[0].count("Placements budget 2025-26: forecast outturn") == 1
    section = page[page.index('id="budget"') :]
    assert "Children&#39;s homes and residential schools" in section
    assert "/finance/" not in section.split('id="escalations"')[0]  # the board cannot open the budget
    assert not any(kid.first_name in page for kid in kids)


def test_the_cached_summary_follows_a_change_to_the_records(make_user):
    director = make_user(Role.DIRECTOR, None)
    kids = _homes(director)
    before = budget_summary(D(2025, 10, 1))
    assert budget_summary(D(2025, 10, 1)) == before
    agreement = kids[3].placement_agreements.get()
    services.placement_cost_change(
        actor=director,
        agreement=agreement,
        expected_version=agreement.version,
        effective_from=D(2025, 9, 1),
        weekly_cost="9000",
        change="enhanced",
    )
    after = budget_summary(D(2025, 10, 1))
    assert after.outturn > before.outturn
