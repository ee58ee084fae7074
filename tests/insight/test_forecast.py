"""The demand forecast (issue 14 items 4 and 5): made as of a date from what was known then, by placement
category, with an 80% interval; the command-line contract; bad input explained."""

import datetime as dt
import io
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opencsc.insight.forecast import (
    CATEGORIES,
    CATEGORY_OF_PLACEMENT,
    DEFAULT_WEEKLY_COST,
    ForecastError,
    NoEpisodes,
    Rates,
    forecast,
    project,
    state_count,
    state_index,
)
from opencsc.looked_after.codes import PlacementType
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child

D = dt.date
AS_OF = D(2025, 3, 31)
TO = D(2026, 3, 31)
pytestmark = pytest.mark.django_db


BORN = dt.date(2012, 6, 1)


def child(n: int, born: dt.date = BORN) -> Child:
    return Child.objects.create(
        la_child_id=f"F{n:05d}",
        first_name=f"Child{n}",
        last_name="Forecast",
        first_name_key=f"child{n}",
        last_name_key="forecast",
        date_of_birth=born,
        sex="M",
    )


def episode(kid, start, end=None, *, rne="S", ls="C2", rec="", place="U6") -> Episode:
    return Episode.objects.create(
        child=kid,
        started_on=start,
        ended_on=end,
        reason_new_episode=rne,
        legal_status=ls,
        category_of_need="N1",
        placement_type=place,
        placement_provider="PR1",
        reason_ceased=rec or ("E13" if end else ""),
    )


def small_authority() -> list[Child]:
    """A dozen children with a past of entries, moves (fostering to a children's home), ageing and exits."""
    kids = []
    for n in range(12):
        kid = child(n, born=D(2008 + n % 8, 1 + n % 12, 10))
        start = D(2023, 1 + n % 12, 5)
        if n % 3 == 0:
            episode(kid, start, D(2024, 6, 1), rec="X1")
            episode(kid, D(2024, 6, 1), rne="P", place="K2")
        elif n % 3 == 1:
            episode(kid, start, D(2024, 11, 20), rec="E4A")
        else:
            episode(kid, start)
        kids.append(kid)
    return kids


def as_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("forecast", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_every_903_placement_type_has_a_category():
    assert set(CATEGORY_OF_PLACEMENT) == set(PlacementType.values)
    assert set(CATEGORY_OF_PLACEMENT.values()) == set(CATEGORIES)


def test_json_has_the_contract_shape():
    small_authority()
    payload = as_json("--as-of", "2025-03-31", "--to", "2026-03-31")
    assert list(payload) == ["as_of", "to", "looked_after", "by_category", "weekly_cost"]
    assert payload["as_of"] == "2025-03-31" and payload["to"] == "2026-03-31"
    assert list(payload["by_category"]) == list(CATEGORIES)
    for interval in [payload["looked_after"], payload["weekly_cost"], *payload["by_category"].values()]:
        assert list(interval) == ["expected", "low", "high"]
        assert all(isinstance(value, float) for value in interval.values())
        assert 0 <= interval["low"] <= interval["expected"] <= interval["high"]
    by_category = sum(value["expected"] for value in payload["by_category"].values())
    assert by_category == pytest.approx(payload["looked_after"]["expected"], abs=0.05)
    assert payload["looked_after"]["high"] > payload["looked_after"]["low"]


def test_on_the_day_itself_the_forecast_is_the_stock():
    small_authority()
    payload = as_json("--as-of", "2025-03-31", "--to", "2025-03-31")
    # Open on 31 March 2025: four in a children's home (n = 0, 3, 6, 9), four in foster care (n = 2, 5, 8, 11).
    assert payload["looked_after"] == {"expected": 8.0, "low": 8.0, "high": 8.0}
    assert payload["by_category"]["residential"]["expected"] == 4.0
    assert payload["by_category"]["fostering"]["expected"] == 4.0


def test_short_breaks_are_not_looked_after():
    care, short_break, short_breaks = child(1), child(2), child(3)
    episode(care, D(2024, 5, 1))
    episode(short_break, D(2024, 5, 1), ls="V3")
    episode(short_breaks, D(2024, 5, 1), ls="V4")
    result = forecast(as_of=AS_OF, to=AS_OF)
    assert result.looked_after.expected == 1.0


def test_children_who_leave_are_never_added_back():
    # No entries in the window, only leavers: the total can only fall, day by day, across the horizon.
    for n in range(10):
        kid = child(n)
        episode(kid, D(2020, 1, 1))
        if n < 4:
            episode(child(100 + n), D(2020, 1, 1), D(2024, 9, 1 + n))
    result = forecast(as_of=AS_OF, to=TO)
    totals = [interval.expected for interval in result.daily_total]
    assert len(totals) == (TO - AS_OF).days + 1
    assert totals[0] == 10.0
    assert all(later <= earlier + 1e-9 for earlier, later in zip(totals, totals[1:], strict=False))
    assert totals[-1] < 10.0
    # The band is carried through the horizon: it widens from nothing on the day to something a year on.
    assert result.daily_total[0].high - result.daily_total[0].low == 0.0
    assert result.looked_after.high - result.looked_after.low > 1.0


def test_children_in_a_state_with_no_day_in_the_window_still_leave_care():
    size = state_count()
    fostering, residential = state_index(3, "fostering"), state_index(3, "residential")
    rates = Rates(
        window_days=365,
        stock=np.zeros(size),
        exposure=np.zeros(size),
        moves=np.zeros((size, size)),
        exits=np.zeros(size),
        entries=np.zeros(size),
    )
    rates.stock[residential] = 5  # arrived on as_of: no day in the window in that state
    rates.exposure[fostering], rates.exits[fostering] = 3650, 5  # one exit every two years per child
    projected = project(rates, horizon_days=365, weekly_cost=DEFAULT_WEEKLY_COST)
    assert 2.0 < projected["residential"][-1].expected < 4.0
    assert projected["total"][-1].expected == pytest.approx(projected["residential"][-1].expected)


def test_same_records_give_the_same_forecast():
    small_authority()
    assert forecast(as_of=AS_OF, to=TO).as_dict() == forecast(as_of=AS_OF, to=TO).as_dict()


def test_the_forecast_as_of_a_date_ignores_what_was_recorded_after_it():
    kids = small_authority()
    before = forecast(as_of=AS_OF, to=TO).as_dict()
    # What happened next: an open placement ends (the child goes home), another child moves to a children's
    # home, and new children come into care; none of it was known on 31 March 2025.
    going_home = Episode.objects.get(child=kids[2], ended_on=None)
    going_home.ended_on, going_home.reason_ceased = D(2025, 5, 1), "E4A"
    going_home.save()
    moving = Episode.objects.get(child=kids[5], ended_on=None)
    moving.ended_on, moving.reason_ceased = D(2025, 4, 1), "X1"
    moving.save()
    episode(kids[5], D(2025, 4, 1), rne="P", place="K2")
    for n in range(50, 60):
        episode(child(n), D(2025, 4, 2) + dt.timedelta(days=n))
    assert forecast(as_of=AS_OF, to=TO).as_dict() == before
    # ...and they do change a forecast made later, so the check above could fail.
    assert forecast(as_of=D(2025, 6, 30), to=TO).as_dict() != forecast(as_of=AS_OF, to=TO).as_dict()


def test_an_episode_open_then_counts_as_open_whatever_happened_next():
    kid = child(1)
    episode(kid, D(2024, 1, 1), D(2025, 6, 1), rec="E4A")
    assert forecast(as_of=AS_OF, to=AS_OF).looked_after.expected == 1.0
    assert forecast(as_of=D(2025, 6, 1), to=D(2025, 6, 1)).looked_after.expected == 0.0


def _refused(*args: str) -> str:
    with pytest.raises(CommandError) as refusal:
        call_command("forecast", *args, stdout=io.StringIO())
    return str(refusal.value)


def test_a_reference_window_with_no_episodes_is_explained():
    kid = child(1)
    episode(kid, D(2019, 1, 1), D(2020, 1, 1))  # long before the window
    message = _refused("--as-of", "2025-03-31", "--to", "2026-03-31")
    assert "No child was looked after in the reference window 2024-03-31 to 2025-03-31" in message
    assert "--window-months" in message
    with pytest.raises(NoEpisodes):
        forecast(as_of=AS_OF, to=TO)
    # Children who came into care on the day itself teach no rates either.
    episode(child(2), AS_OF)
    assert "No child was looked after in the reference window" in _refused(
        "--as-of", "2025-03-31", "--to", "2026-03-31"
    )
    # A long enough window finds the child, so the explanation is about the window, not the data.
    assert forecast(as_of=AS_OF, to=TO, window_months=72).rates.stock.sum() == 1.0


def test_to_before_as_of_is_refused():
    small_authority()
    message = _refused("--as-of", "2025-03-31", "--to", "2025-03-30")
    assert message == "--to (2025-03-30) is before --as-of (2025-03-31): a forecast looks forward"


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["--as-of", "31/03/2025", "--to", "2026-03-31"],
            "--as-of must be a date written YYYY-MM-DD, not '31/03/2025'",
        ),
        (
            ["--as-of", "2025-03-31", "--to", "2026-02-30"],
            "--to must be a date written YYYY-MM-DD, not '2026-02-30'",
        ),
        (["--as-of", "2025-03-31", "--to", "2026-03-31", "--window-months", "0"], "--window-months must be"),
    ],
)
def test_malformed_input_is_refused_naming_the_field(args, expected):
    small_authority()
    assert _refused(*args).startswith(expected)


def test_window_months_out_of_range_raises_a_forecast_error():
    with pytest.raises(ForecastError, match="--window-months must be between 1 and 240, not 500"):
        forecast(as_of=AS_OF, to=TO, window_months=500)


def test_inflation_raises_the_weekly_cost_and_leaves_the_children_alone():
    for n in range(30):
        episode(child(n), D(2024, 1, 1) + dt.timedelta(days=7 * n), place="U4" if n % 2 else "K2")
    flat = forecast(as_of=AS_OF, to=TO)
    inflated = forecast(as_of=AS_OF, to=TO, inflation_percent=4.0)
    factor = 1.04 ** ((TO - AS_OF).days / 365.25)
    assert inflated.looked_after == flat.looked_after
    assert inflated.weekly_cost.expected == pytest.approx(flat.weekly_cost.expected * factor)
    assert inflated.weekly_cost.high == pytest.approx(flat.weekly_cost.high * factor)
    payload = json.loads(_json("--as-of", "2025-03-31", "--to", "2026-03-31", "--inflation", "4"))
    assert payload["weekly_cost"]["expected"] == pytest.approx(inflated.weekly_cost.expected)


@pytest.mark.parametrize("rate", ["-11", "26", "35"])
def test_an_absurd_inflation_rate_is_refused_naming_the_option(rate):
    episode(child(1), D(2024, 6, 1))
    message = _refused("--as-of", "2025-03-31", "--to", "2026-03-31", "--inflation", rate)
    assert message.startswith("--inflation must be an annual percentage from -10 to 25")


def _json(*args: str) -> str:
    out = io.StringIO()
    call_command("forecast", *args, "--json", stdout=out)
    return out.getvalue()
