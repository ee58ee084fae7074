"""The dashboard reads stored month-end figures (ADR 0018) and the overdue work the day's sweep stored (ADR 0032):
the number of queries it makes does not grow with the number of children, before the sweep or after it, and what
it shows is the live computation's."""

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
from opencsc.oversight.findings import overdue_findings_refresh
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


def _queries(director):
    with CaptureQueriesContext(connection) as queries:
        board = dashboard_for(on=TODAY, user=director)
    return board, len(queries)


def _dashboard_queries(director) -> tuple[int, int]:
    """The queries of a dashboard before the day's sweep (the overdue work worked out from the records) and
    after it (read from what the sweep stored: ADR 0032), which show the same overdue work."""
    dashboard_for(on=TODAY, user=director)  # the first call of a process reads the postcode directory
    board, before_sweep = _queries(director)
    overdue_findings_refresh(on=TODAY)
    swept_board, after_sweep = _queries(director)
    overdue = board.panel("overdue")
    assert [(row.key, row.count, row.detail) for row in swept_board.panel("overdue").rows] == [
        (row.key, row.count, row.detail) for row in overdue.rows
    ]
    assert overdue.total > 0
    live = compute_months(trend_month_ends(TODAY))
    for row in board.kpis:
        assert [point.value for point in row.trend] == [
            live[point.month_end][row.id].value for point in row.trend
        ]
        latest = live[row.trend[-1].month_end][row.id]
        assert row.result.missed_count == len(latest.missed_children), row.id
    return before_sweep, after_sweep


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
    assert few[1] < few[0]  # the stored findings take the place of a query per clock
