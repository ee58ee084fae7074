"""Placement costs accrue by day from the placements' own dates; the budget's outturn adds commitments and the
forecast; the variance splits exactly into volume and price (issue 14 points 1 and 3)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from opencsc.accounts.models import Role
from opencsc.finance import accrual, services
from opencsc.finance.codes import CostChange, ProviderKind, ScenarioKind
from opencsc.finance.models import Scenario
from opencsc.finance.outturn import budget_outturn
from opencsc.finance.prices import DEFAULT_WEEKLY_PRICE
from tests.finance.builders import child, episode, home

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def director(make_user):
    return make_user(Role.DIRECTOR, None)


def test_a_placement_accrues_a_seventh_of_its_weekly_cost_a_night_through_its_changes(director):
    kid = child(1)
    first = episode(kid, D(2025, 4, 10), D(2025, 5, 20), rec="X1")
    episode(kid, D(2025, 5, 20), D(2025, 6, 30), rne="L", ls="C1")  # same placement, new legal status
    episode(kid, D(2025, 6, 30), rne="P", place="K2", provider="PR4")  # a move: a new placement
    agreement = services.placement_cost_agree(
        actor=director, episode=first, provider=home(director), weekly_cost="700"
    )
    services.placement_cost_change(
        actor=director,
        agreement=agreement,
        expected_version=agreement.version,
        effective_from=D(2025, 6, 1),
        weekly_cost="1400",
        change=CostChange.ENHANCED,
        social_care_share="50",
        health_share="50",
    )
    fostering, home_placement = accrual.placements_between(D(2025, 4, 1), D(2026, 3, 31))
    assert (fostering.started_on, fostering.ended_on) == (D(2025, 4, 10), D(2025, 6, 30))
    cost = accrual.accrue(fostering, D(2025, 4, 1), D(2026, 4, 1))
    # 21 nights in April and 31 in May at £100 a night; 29 nights in June at £200 gross, £100 to social care.
    assert cost.nights == {D(2025, 4, 1): 21, D(2025, 5, 1): 31, D(2025, 6, 1): 29}
    assert cost.total_gross == Decimal(52 * 100 + 29 * 200)
    assert cost.total_net == Decimal(81 * 100)
    assert not home_placement.costed
    assert (
        home_placement.cost_on(D(2025, 7, 1)).weekly
        == DEFAULT_WEEKLY_PRICE[ProviderKind.CHILDRENS_HOME_PRIVATE]
    )


@time_machine.travel(dt.datetime(2025, 10, 1, 12, 0), tick=False)
def test_the_outturn_is_spent_plus_committed_plus_forecast_and_the_variance_splits_into_volume_and_price(
    director,
):
    # Twenty children in homes across the year before, so the forecast has rates; ten still there today.
    for n in range(20):
        kid = child(n)
        start = D(2024, 4, 1) + dt.timedelta(days=15 * n)
        end = None if n % 2 else start + dt.timedelta(days=200)
        first = episode(kid, start, end, place="K2", provider="PR4")
        services.placement_cost_agree(
            actor=director, episode=first, provider=home(director, f"Home {n}"), weekly_cost="4200"
        )
    services.budget_set(
        actor=director, year=2026, lines={"residential": ("1500000", "7"), "fostering": ("100000", "3")}
    )
    result = budget_outturn(year=2026, today=D(2025, 10, 1))
    residential = result.categories["residential"]
    assert result.as_of == D(2025, 10, 1) and not result.forecast_note
    placements = accrual.placements_between(D(2025, 4, 1), D(2026, 3, 31))
    spent = sum(
        float(accrual.accrue(p, D(2025, 4, 1), D(2025, 10, 2), assume_open=True).total_net)
        for p in placements
    )
    assert residential.spent == pytest.approx(spent)
    open_today = [p for p in placements if p.ended_on is None]
    assert residential.committed == pytest.approx(
        len(open_today) * 600 * (D(2026, 3, 31) - D(2025, 10, 1)).days
    )
    assert residential.outturn == pytest.approx(
        residential.spent + residential.committed + residential.changes + residential.new
    )
    assert residential.changes < 0 < residential.new  # children leave; others come
    for figures in (*result.categories.values(), result.total):
        assert figures.volume_effect + figures.price_effect == pytest.approx(figures.variance)
    # Budgeted: 7 children at £1.5m a year; forecast at £600 a night: the price effect is the price difference.
    budget_night = 1_500_000 / (7 * 365)
    assert residential.price_effect == pytest.approx(
        (600 - budget_night) * residential.outturn_nights, rel=1e-6
    )
    fostering = result.categories["fostering"]
    assert fostering.outturn == 0 and fostering.volume_effect == pytest.approx(-100_000)
    assert sum(month.budget for month in result.months) == pytest.approx(1_600_000)
    assert sum(month.outturn for month in result.months) == pytest.approx(result.total.outturn)


@time_machine.travel(dt.datetime(2025, 10, 1, 12, 0), tick=False)
def test_a_scenario_of_fewer_residential_entries_costs_less_and_a_step_down_moves_the_cost(director):
    for n in range(30):
        kid = child(n)
        start = D(2024, 10, 1) + dt.timedelta(days=12 * n)
        episode(
            kid, start, start + dt.timedelta(days=120) if n % 3 == 0 else None, place="K2", provider="PR4"
        )
    base = budget_outturn(year=2026, today=D(2025, 10, 1))
    fewer = Scenario(
        name="Fewer",
        author=director,
        kind=ScenarioKind.FEWER_ENTRIES,
        category="residential",
        number=Decimal(10),
    )
    step = Scenario(
        name="Step",
        author=director,
        kind=ScenarioKind.STEP_DOWN,
        category="residential",
        to_category="fostering",
        number=Decimal(2),
    )
    with_fewer = budget_outturn(year=2026, today=D(2025, 10, 1), scenario=fewer)
    with_step = budget_outturn(year=2026, today=D(2025, 10, 1), scenario=step)
    assert with_fewer.categories["residential"].new < base.categories["residential"].new
    assert with_fewer.total.outturn < base.total.outturn
    assert with_fewer.categories["residential"].spent == base.categories["residential"].spent
    assert with_step.categories["fostering"].changes_nights > 0
    assert with_step.categories["residential"].changes < base.categories["residential"].changes
    assert with_step.weekly_cost_year_on < base.weekly_cost_year_on


def test_a_year_with_no_episodes_in_the_reference_window_is_explained_not_forecast(director):
    services.budget_set(actor=director, year=2026, lines={"residential": ("100000", "1")})
    result = budget_outturn(year=2026, today=D(2025, 10, 1))
    assert "no child was looked after in the reference window" in result.forecast_note
    assert result.total.outturn == 0 and result.total.variance == pytest.approx(-100_000)


def _homes_with_turnover():
    """Thirty children in homes from October 2024, a third of them leaving after four months."""
    for n in range(30):
        start = D(2024, 10, 1) + dt.timedelta(days=12 * n)
        ended = start + dt.timedelta(days=120) if n % 3 == 0 else None
        episode(child(n), start, ended, place="K2", provider="PR4")


def test_the_forecast_part_of_the_outturn_carries_a_range_that_narrows_as_the_year_goes_by():
    _homes_with_turnover()
    october = budget_outturn(year=2026, today=D(2025, 10, 1))
    total, residential = october.total, october.categories["residential"]
    assert total.spent < total.outturn_low < total.outturn < total.outturn_high
    assert residential.outturn_low < residential.outturn < residential.outturn_high
    # The whole is no wider than its parts added up (the categories move together only partly).
    assert total.forecast_spread <= sum(f.forecast_spread for f in october.categories.values()) + 1e-6
    # Nobody is in foster care or came into it: nothing uncertain there.
    assert october.categories["fostering"].forecast_spread == 0
    february = budget_outturn(year=2026, today=D(2026, 2, 1))
    assert 0 < february.total.forecast_spread < total.forecast_spread
    last_day = budget_outturn(year=2026, today=D(2026, 3, 31))
    assert last_day.total.forecast_spread == 0
    assert last_day.total.outturn_low == last_day.total.outturn == last_day.total.outturn_high
