"""The dashboard reads stored month-end figures (ADR 0018): the number of queries it makes does not grow with the
number of children, and what it shows is the live computation's."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencsc.accounts.models import Role
from opencsc.casework.models import Assessment
from opencsc.frontdoor.models import Referral
from opencsc.insight.dashboard import dashboard_for, trend_month_ends
from opencsc.insight.figures import compute_months
from opencsc.people.models import Child
from opencsc.synthetic.generator import clear_generated_data

NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


def _authority_of(children: int) -> None:
    """A generated authority with at least one child waiting for a worker (the unallocated panel then reads
    their teams: one query for any number of them on PostgreSQL, one per 999 on SQLite)."""
    call_command(
        "generate", children=children, seed=9, today=TODAY, start_year=2023, verbosity=0, replace=True
    )
    waiting = Child.objects.create(
        first_name="Waiting", last_name="Worker", date_of_birth=dt.date(2016, 1, 1), sex="F"
    )
    referral = Referral.objects.create(child=waiting, referral_date=dt.date(2025, 6, 2), source="2A")
    Assessment.objects.create(child=waiting, referral=referral, started_on=dt.date(2025, 6, 3))
    call_command("figures", "refresh", verbosity=0)


def _dashboard_queries(director) -> int:
    dashboard_for(on=TODAY, user=director)  # the first call of a process reads the postcode directory
    with CaptureQueriesContext(connection) as queries:
        board = dashboard_for(on=TODAY, user=director)
    live = compute_months(trend_month_ends(TODAY))
    for row in board.kpis:
        assert [point.value for point in row.trend] == [
            live[point.month_end][row.id].value for point in row.trend
        ]
        latest = live[row.trend[-1].month_end][row.id]
        assert row.result.missed_count == len(latest.missed_children), row.id
    return len(queries)


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_makes_as_many_queries_for_four_times_the_children(make_user):
    with time_machine.travel(NOW, tick=False):
        director = make_user(Role.DIRECTOR)
        _authority_of(250)
        small = Child.objects.count()
        few = _dashboard_queries(director)
        _authority_of(1000)
        assert Child.objects.count() > 3 * small
        many = _dashboard_queries(director)
        clear_generated_data()
    assert many == few, (few, many)
