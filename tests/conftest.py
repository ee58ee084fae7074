import os

os.environ.setdefault("OPENCSC_ENV", "test")

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY
from opencsc.accounts.models import Role, Team, TeamKind, User

LONDON = ZoneInfo("Europe/London")


def noon_of_the_day_the_run_started() -> dt.datetime:
    today_in_london = dt.datetime.now(LONDON).date()
    return dt.datetime.combine(today_in_london, dt.time(12), tzinfo=LONDON)


@pytest.fixture(scope="session", autouse=True)
def today_stays_today_for_the_whole_run():
    """Every test sees the same "today": the clock is moved to noon of the day the run started and then ticks.

    A run that starts before midnight and ends after it would otherwise compute a date before midnight and check it
    after. Tests that need a particular day still travel there themselves; time-machine nests the two.
    """
    with time_machine.travel(noon_of_the_day_the_run_started(), tick=True):
        yield


@pytest.fixture
def teams(db):
    return {
        "north": Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT),
        "south": Team.objects.create(name="Assessment South", kind=TeamKind.ASSESSMENT),
    }


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(role: str = Role.SOCIAL_WORKER, team: Team | None = None, **fields) -> User:
        number = next(counter)
        fields.setdefault("username", f"{role}{number}")
        fields.setdefault("first_name", role.replace("_", " ").title())
        fields.setdefault("last_name", f"Person{number}")
        return User.objects.create_user(password="a long test password", role=role, team=team, **fields)

    return make


def signed_in_client(user: User) -> Client:
    """A client past both sign-in steps (the two-factor journey itself is tested separately)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in_client
