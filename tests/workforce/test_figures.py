"""The workforce rates on hand-built cases, at the edges of the DfE's definitions."""

import pytest

from opencsc.accounts.models import Role
from opencsc.workforce.codes import ContractType
from opencsc.workforce.selectors import (
    figures_by_team,
    month_ends,
    workforce_figures,
    workforce_overview,
    workforce_trend,
)
from tests.workforce.builders import D, allocate, post, staff

CENSUS = D(2022, 9, 30)


@pytest.fixture
def team_a(teams, make_user):
    """Team north on 30 September 2022: 2.0 employed FTE, 1.0 agency, 10 funded, two leavers in the year."""
    team = teams["north"]
    post(team, "10")
    worker = make_user(Role.SOCIAL_WORKER, team)
    agency_worker = make_user(Role.SOCIAL_WORKER, team)
    staff(team, start=D(2019, 1, 1), user=worker)
    staff(team, start=D(2021, 10, 1), fte="0.5")  # a starter on the first day of the census year
    staff(team, start=D(2020, 1, 1), fte="0.5", contract=ContractType.INTERIM)
    staff(
        team, start=D(2018, 1, 1), leaving=D(2022, 9, 30)
    )  # leaves on the census day: a leaver, not in post
    staff(team, start=D(2018, 1, 1), leaving=D(2021, 10, 1))  # first day of the year: a leaver
    staff(team, start=D(2018, 1, 1), leaving=D(2021, 9, 30))  # last year's leaver
    staff(team, start=D(2022, 1, 1), contract=ContractType.AGENCY, user=agency_worker)
    staff(team, start=D(2022, 10, 1))  # starts the day after: not yet in post
    staff(team, start=D(2015, 1, 1), org_role="", job_title="Business support")  # not a social worker
    allocate(worker, team, 15)
    allocate(agency_worker, team, 5)
    allocate(worker, team, 3, ended=D(2022, 9, 30))  # ended on the day: no longer held
    return team


@pytest.mark.django_db
def test_the_rates_follow_the_dfe_definitions(team_a):
    figures = workforce_figures(CENSUS, team=team_a)
    assert (figures.employed_fte, figures.employed_headcount) == (2.0, 3)
    assert (figures.agency_fte, figures.agency_headcount) == (1.0, 1)
    assert (figures.leavers_fte, figures.leavers_headcount, figures.starters_fte) == (2.0, 2, 0.5)
    assert figures.turnover_rate == 100.0  # 2.0 leavers / 2.0 in post
    assert figures.agency_rate == 33.3  # 1 / (1 + 2)
    assert (figures.funded_fte, figures.vacancy_fte) == (10.0, 8.0)
    assert figures.vacancy_rate == 80.0  # 8 / (8 + 2): the agency-covered post is still vacant
    assert figures.agency_cover_rate == 12.5
    assert (figures.cases, figures.case_holder_fte, figures.caseload_per_fte) == (20, 2.0, 10.0)


@pytest.mark.django_db
def test_the_authority_adds_up_its_teams_and_an_over_established_team_fills_no_other_teams_vacancy(
    team_a, teams
):
    south = teams["south"]
    post(south, "1")
    staff(south, start=D(2020, 1, 1), leaving=D(2022, 3, 1))  # a leaver only the second team has
    staff(south, start=D(2020, 1, 1))
    staff(south, start=D(2020, 1, 1))
    whole = workforce_figures(CENSUS)
    assert whole.team_id is None and whole.team_name == "All teams"
    assert whole.employed_fte == 4.0 and whole.funded_fte == 11.0
    assert whole.vacancy_fte == 8.0  # south's extra worker does not fill north's posts
    assert whole.leavers_fte == 3.0 and whole.turnover_rate == 75.0
    assert [row.team_name for row in figures_by_team(CENSUS)] == ["Assessment North", "Assessment South"]


@pytest.mark.django_db
def test_empty_denominators_give_none_not_zero(teams):
    figures = workforce_figures(CENSUS, team=teams["north"])
    assert figures.turnover_rate is None and figures.agency_rate is None
    assert figures.vacancy_rate is None and figures.caseload_per_fte is None


@pytest.mark.django_db
def test_the_trend_gives_one_row_per_day_in_order(team_a):
    days = month_ends(D(2022, 10, 15), 3)
    assert days == [D(2022, 8, 31), D(2022, 9, 30), D(2022, 10, 15)]
    trend = workforce_trend(days, team=team_a.pk)
    assert [row.on for row in trend] == days
    assert trend[1] == workforce_figures(CENSUS, team=team_a)
    assert trend[0].employed_fte == 3.0  # the census-day leaver was still in post in August
    assert trend[2].employed_fte == 3.0  # the October starter
    assert workforce_trend([]) == []


@pytest.mark.django_db
def test_the_overview_from_one_load_equals_the_figures_trend_and_teams_taken_apart(team_a, teams, make_user):
    south = teams["south"]
    post(south, "2", start=D(2022, 10, 10))  # funded after the census day: not one of its teams yet
    worker = make_user(Role.SOCIAL_WORKER, south)
    staff(south, start=D(2021, 3, 1), user=worker)
    allocate(worker, south, 4, started=D(2022, 8, 15))
    allocate(worker, south, 2, started=D(2022, 8, 15), ended=D(2022, 9, 1))
    days = month_ends(CENSUS, 4)
    overview = workforce_overview(CENSUS, days)
    assert overview.figures == workforce_figures(CENSUS)
    assert overview.trend == workforce_trend(days)
    assert overview.by_team == figures_by_team(CENSUS)
    assert [row.team_name for row in overview.by_team] == ["Assessment North", "Assessment South"]
    assert [row.cases for row in overview.trend] == [23, 23, 29, 24]  # ended on the day: not held that day
    later = workforce_overview(CENSUS, [*days, D(2022, 10, 31)])  # a day after `on` adds no team to it
    assert later.by_team == overview.by_team


def test_month_ends_handle_short_months_and_year_ends():
    assert month_ends(D(2024, 3, 31), 2) == [D(2024, 2, 29), D(2024, 3, 31)]
    assert month_ends(D(2025, 1, 31), 2) == [D(2024, 12, 31), D(2025, 1, 31)]
