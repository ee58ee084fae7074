"""Front-door demand ahead: the seasonal level forecast recovers the pattern, its 80% interval holds what came in
a backtest from three past dates, too short a history is refused or left flat, and the page (heads of service,
the director, analysts) shows the forecast with the watch's surges against it."""

import datetime as dt
import math
import random

import pytest
import time_machine

from opencsc.accounts.models import Role
from opencsc.frontdoor import demand
from opencsc.frontdoor.demand_forecast import NotEnoughHistory, forecast_series, seasonal_indices
from opencsc.frontdoor.models import DemandAlert
from tests.frontdoor.test_demand_watch import SEASON, History, months

FIRST = dt.date(2019, 1, 1)


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method in pieces (means up to a few hundred stay exact enough with a normal step for the rest)."""
    if mean > 60:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def generated(years: int = 7, level: float = 300.0, seed: int = 14) -> list[tuple[dt.date, int]]:
    """Monthly contacts with the autumn rise and August dip, a level drifting a few per cent a year, and chance."""
    rng = random.Random(seed)
    series, drift = [], 1.0
    for month in months(FIRST, demand.add_months(FIRST, 12 * years - 1)):
        drift *= 1 + rng.gauss(0.0, 0.01)
        series.append((month, poisson(rng, level * drift * SEASON[month.month])))
    return series


def test_the_seasonal_indices_recover_the_autumn_rise_and_the_august_dip():
    indices, seasonal = seasonal_indices(generated())
    assert seasonal and sum(indices) == pytest.approx(12)
    mean_season = sum(SEASON.values()) / 12
    for month in range(1, 13):
        assert indices[month - 1] == pytest.approx(SEASON[month] / mean_season, abs=0.08)


def test_a_backtest_from_three_past_dates_mostly_holds_what_came_and_beats_a_flat_forecast():
    series = generated()
    inside, flat_error, seasonal_error, rows = 0, 0.0, 0.0, []
    for origin in (36, 48, 60):  # forecasts made at the end of 2021, 2022 and 2023, a year ahead each
        result = forecast_series(series[:origin])
        flat_level = sum(count for _m, count in series[origin - 12 : origin]) / 12
        for predicted, (month, actual) in zip(result.months, series[origin : origin + 12], strict=True):
            assert predicted.month == month
            inside += predicted.low <= actual <= predicted.high
            seasonal_error += abs(actual - predicted.expected) / actual
            flat_error += abs(actual - flat_level) / actual
            rows.append((month, predicted.expected, predicted.low, predicted.high, actual))
    assert inside >= 0.7 * len(rows), f"{inside} of {len(rows)} inside the 80% interval"
    assert inside < len(rows) or all(r[3] - r[2] < r[1] for r in rows)  # not merely wide
    assert seasonal_error < 0.6 * flat_error


def test_fewer_than_twelve_months_are_refused_and_fewer_than_twenty_four_have_no_season():
    series = generated(years=2)
    with pytest.raises(
        NotEnoughHistory, match="At least 12 complete months are needed to forecast; there are 11"
    ):
        forecast_series(series[:11])
    short = forecast_series(series[:13])
    assert not short.seasonal and set(short.indices) == {1.0}
    assert not short.error_measured  # one backtest forecast only: the error is assumed, and said so
    assert forecast_series(series[:18]).error_measured  # 21 backtest forecasts from six month-ends
    assert forecast_series(series).seasonal


# ---------------------------------------------------------------------------------------------------------------
# The page


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, 0), tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, allowed",
    [
        (Role.HEAD_OF_SERVICE, True),
        (Role.DIRECTOR, True),
        (Role.PERFORMANCE_ANALYST, True),
        (Role.TEAM_MANAGER, False),
        (Role.SOCIAL_WORKER, False),
        (Role.CHIEF_EXECUTIVE, False),
        (Role.AUDITOR, False),
    ],
)
def test_the_demand_forecast_is_for_heads_of_service_the_director_and_analysts(
    role, allowed, make_user, client_for, frozen
):
    response = client_for(make_user(role, None)).get("/front-door/demand/forecast/")
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.django_db
def test_the_page_shows_the_year_ahead_and_the_police_surge_above_what_was_expected(
    make_user, client_for, frozen
):
    from opencsc.core.codes import SourceGroup

    make_user(Role.HEAD_OF_SERVICE, None)
    History().seasonal(surges={SourceGroup.POLICE: 2.43})
    demand.demand_alerts_raise(as_of=dt.date(2026, 12, 1))
    assert DemandAlert.objects.filter(source_group=SourceGroup.POLICE).exists()
    page = client_for(make_user(Role.DIRECTOR, None)).get("/front-door/demand/forecast/").content.decode()
    assert "The next twelve months: <strong>" in page
    forecast_table = page[page.index('data-testid="demand-forecast"') :]
    assert "December 2026" in forecast_table and "November 2027" in forecast_table
    surges = page[page.index('data-testid="surges"') :]
    assert "Police contacts 1 Sep–30 Nov 2026" in surges
    assert "above the forecast" in surges, surges[:3000]
    assert 'data-group="police"' in page


@pytest.mark.django_db
def test_a_bad_choice_is_named_and_too_short_a_history_explained(make_user, client_for, frozen):
    page = client_for(make_user(Role.DIRECTOR, None)).get("/front-door/demand/forecast/?kind=cases")
    text = page.content.decode()
    assert page.status_code == 200
    assert "What to forecast: choose contacts or referrals (showing contacts)" in text
    assert "There are 0 complete months of contacts recorded; at least 12 are needed" in text
