"""The leaders' figure: the share of audited files graded good or better, by team and by month and quarter,
checked against a small set counted by hand (opencsc/quality/selectors.py states the rule)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.quality import selectors
from opencsc.quality.models import Grade
from tests.quality import builders

D = dt.date
OUT, G, RI, BAD = Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(
        dt.datetime(2026, 3, 20, 12, 0, tzinfo=timezone.get_current_timezone()), tick=False
    ):
        yield


@pytest.fixture
def audits(teams, make_user):
    """North: 31 Mar 2025 inadequate (before the 12 months); 1 Apr 2025 good; 10 Feb 2026 good; in March 2026
    outstanding, good, requires improvement moderated to good, inadequate.
    South: in January 2026 inadequate, good, good; in March 2026 good moderated to requires improvement, and
    requires improvement."""
    north, south = teams["north"], teams["south"]
    head = make_user(Role.HEAD_OF_SERVICE)
    auditor, moderator = make_user(Role.AUDITOR), make_user(Role.DIRECTOR)
    north_child = builders.child(head, north, "Northern")
    south_child = builders.child(head, south, "Southern")
    rows = [
        (north_child, D(2025, 3, 31), BAD, ""),
        (north_child, D(2025, 4, 1), G, ""),
        (north_child, D(2026, 2, 10), G, ""),
        (north_child, D(2026, 3, 2), OUT, ""),
        (north_child, D(2026, 3, 3), G, ""),
        (north_child, D(2026, 3, 4), RI, G),
        (north_child, D(2026, 3, 5), BAD, ""),
        (south_child, D(2026, 1, 15), BAD, ""),
        (south_child, D(2026, 1, 16), G, ""),
        (south_child, D(2026, 1, 31), G, ""),
        (south_child, D(2026, 3, 10), G, RI),
        (south_child, D(2026, 3, 11), RI, ""),
    ]
    for child, day, grade, moderated in rows:
        builders.audit_on(child, auditor, day, grade, moderated_grade=moderated, moderator=moderator)
    return {"north": north, "south": south}


def _shares(rows):
    return {
        row.period.label: (row.share.audited, row.share.good_or_better, row.share.percent) for row in rows
    }


def test_by_month_over_the_last_twelve_months(audits):
    periods = selectors.recent_periods("month", D(2026, 3, 20))
    assert periods[0].first == D(2025, 4, 1) and periods[-1].last == D(2026, 3, 31) and len(periods) == 12

    shares = _shares(selectors.share_over_time(periods))

    assert shares["March 2026"] == (6, 3, 50.0)
    assert shares["February 2026"] == (1, 1, 100.0)
    assert shares["January 2026"] == (3, 2, 66.7)
    assert shares["December 2025"] == (0, 0, None)  # no audits: no figure, never 0%
    assert shares["April 2025"] == (1, 1, 100.0)
    march = selectors.share_over_time(periods)[-1].share
    assert march.awaiting_moderation == 4


def test_by_quarter_for_all_teams_and_one_team(audits):
    periods = selectors.recent_periods("quarter", D(2026, 3, 20))
    assert len(periods) == 8 and periods[0].first == D(2024, 4, 1)

    shares = _shares(selectors.share_over_time(periods))
    assert shares["January to March 2026"] == (10, 6, 60.0)
    assert shares["April to June 2025"] == (1, 1, 100.0)
    assert shares["January to March 2025"] == (1, 0, 0.0)
    north = _shares(selectors.share_over_time(periods, team=audits["north"]))
    assert north["January to March 2026"] == (5, 4, 80.0)
    south = _shares(selectors.share_over_time(periods, team=audits["south"]))
    assert south["January to March 2026"] == (5, 2, 40.0)


def test_by_team_over_the_twelve_months(audits):
    rows = {row.team.name: row.share for row in selectors.share_by_team(D(2025, 4, 1), D(2026, 3, 31))}
    north, south = rows[audits["north"].name], rows[audits["south"].name]
    assert (north.audited, north.good_or_better, north.percent) == (6, 5, 83.3)
    assert (south.audited, south.good_or_better, south.percent) == (5, 2, 40.0)


def test_the_drill_lists_the_audits_behind_each_figure(audits):
    march = selectors.period_from_key("month", "2026-03")
    good = selectors.drill_audits(march.first, march.last, team=audits["north"], good_or_better=True)
    assert sorted(a.audited_on.day for a in good) == [2, 3, 4]  # the moderated grade counts
    below = selectors.drill_audits(march.first, march.last, team=audits["north"], good_or_better=False)
    assert [a.audited_on.day for a in below] == [5]
    assert selectors.drill_audits(march.first, march.last).count() == 6


def test_periods_from_links():
    assert selectors.period_from_key("quarter", "2026-01").last == D(2026, 3, 31)
    assert selectors.period_from_key("quarter", "2026-02") is None  # not the first month of a quarter
    assert selectors.period_from_key("month", "2026-13") is None
    assert selectors.period_from_key("year", "2026-01") is None
    assert selectors.period_containing("quarter", D(2025, 11, 30)).label == "October to December 2025"
    assert selectors.recent_periods("quarter", D(2026, 1, 1))[-1].first == D(2026, 1, 1)
