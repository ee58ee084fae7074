"""Backtest: on a generated authority, forecasts made as of three past dates one year ahead, against what the
records show on the target date (counted as the KPI `cla_at_year_end` counts)."""

import datetime as dt

import pytest
from django.core.management import call_command

from opencsc.insight.forecast import forecast
from opencsc.insight.kpis import Period, Snapshots
from opencsc.synthetic.generator import clear_generated_data

TODAY = dt.date(2026, 4, 20)
# The generated history starts about six years before TODAY with nobody in care, so its first years are a
# warm-up (the stock grows from a handful); the forecasts are made in its last two years.
AS_OF_DATES = (dt.date(2024, 9, 30), dt.date(2024, 12, 31), dt.date(2025, 3, 31))


@pytest.fixture(scope="module")
def authority(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("generate", children=3000, seed=14, today=TODAY, verbosity=0, replace=True)
        yield
        clear_generated_data()


def looked_after_on(day: dt.date) -> int:
    return len(Snapshots(Period(day, day)).looked_after.children_on(day))


@pytest.mark.django_db
def test_one_year_forecasts_from_three_past_dates_mostly_contain_what_happened(authority):
    rows = []
    for as_of in AS_OF_DATES:
        target = as_of.replace(year=as_of.year + 1)
        result = forecast(as_of=as_of, to=target)
        actual = looked_after_on(target)
        rows.append((as_of, target, looked_after_on(as_of), result.looked_after, actual))
    print("\nas of       target      stock  expected  80% interval     actual  inside")
    for as_of, target, stock, interval, actual in rows:
        inside = interval.low <= actual <= interval.high
        print(
            f"{as_of}  {target}  {stock:5}  {interval.expected:8.1f}  {interval.low:6.1f} to {interval.high:6.1f}"
            f"  {actual:6}  {'yes' if inside else 'no'}"
        )
    assert all(stock > 20 for _as_of, _target, stock, _interval, _actual in rows), "too small to test"
    inside = sum(interval.low <= actual <= interval.high for *_rest, interval, actual in rows)
    assert inside >= 2, f"the 80% interval held the actual figure {inside} times in 3"
