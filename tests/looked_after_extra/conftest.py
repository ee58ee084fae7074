"""Shared set-up for adoption, care leavers and sufficiency: today is frozen at Monday 11 May 2026, noon in
London."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opencsc.accounts.models import Role

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def worker(teams, make_user):
    return make_user(Role.SOCIAL_WORKER, teams["north"])
