"""Shared set-up for the pre-proceedings and care proceedings tests: today is frozen at Monday 11 May 2026, noon
in London (Early May bank holiday Monday 4 May; spring bank holiday Monday 25 May); Lily (born 1 February 2016)
lives at HP19 8FF. The looked-after fixtures (worker, child, start_care) are shared."""

import pytest

from tests.looked_after.conftest import child, frozen_today, start_care, worker  # noqa: F401


@pytest.fixture
def manager(teams, make_user):
    from opencsc.accounts.models import Role

    return make_user(Role.TEAM_MANAGER, teams["north"])
