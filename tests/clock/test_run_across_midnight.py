"""A test run that crosses midnight sees one "today" from its first test to its last (tests/conftest.py)."""

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
INNER_TESTS = "tests/clock/two_tests_either_side_of_midnight.py"

RUN_STARTING_A_SECOND_BEFORE_MIDNIGHT = f"""
import datetime as dt, sys, time_machine, pytest
from zoneinfo import ZoneInfo
start = dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=ZoneInfo("Europe/London"))
with time_machine.travel(start, tick=True):
    sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "{INNER_TESTS}"]))
"""


def test_a_run_that_crosses_midnight_keeps_the_day_it_started_on():
    run = subprocess.run(
        [sys.executable, "-c", RUN_STARTING_A_SECOND_BEFORE_MIDNIGHT],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
