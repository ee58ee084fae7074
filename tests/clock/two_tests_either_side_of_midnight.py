"""Run only by tests/clock/test_run_across_midnight.py, in a pytest of its own that starts a second before midnight."""

import datetime as dt
import time

days_seen: list[dt.date] = []


def test_first_sees_today():
    days_seen.append(dt.date.today())


def test_second_after_the_real_clock_has_passed_midnight():
    time.sleep(1.5)
    days_seen.append(dt.date.today())
    assert days_seen[0] == days_seen[1]
