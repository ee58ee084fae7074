"""Issue 7's dashboard journey: a director opens the dashboard, drills from 'assessments within 45 working days'
to the late children and opens one; an improvement board member sees the same numbers with no way to a child."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework.models import Assessment
from opencsc.frontdoor.models import Referral
from opencsc.insight.dashboard import last_month_end
from opencsc.people.models import Child
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _child(n: int, first: str, last: str, team: Team) -> Child:
    return Child.objects.create(
        la_child_id=f"D{n:05d}",
        first_name=first,
        last_name=last,
        first_name_key=first.lower(),
        last_name_key=last.lower(),
        date_of_birth=dt.date(2015, 3, n),
        sex="M" if n % 2 else "F",
        responsible_team=team,
    )


def _world():
    """Assessments authorised in the month before the dashboard's latest month end: three late, five on time."""
    team = Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT)
    month_end = last_month_end(timezone.localdate())
    authorised = month_end - dt.timedelta(days=10)
    late, on_time = [], []
    names = [
        "Ava Morgan",
        "Ben Carter",
        "Cara Singh",
        "Dev Patel",
        "Eli Brooks",
        "Fay Wood",
        "Gus Hall",
        "Ida Khan",
    ]
    for n, name in enumerate(names, start=1):
        first, last = name.split()
        kid = _child(n, first, last, team)
        is_late = n <= 3
        started = authorised - dt.timedelta(days=90 if is_late else 30)
        Referral.objects.create(child=kid, referral_date=started, source="6", route="assessment")
        Assessment.objects.create(child=kid, started_on=started, authorised_on=authorised)
        (late if is_late else on_time).append(kid)
    return late, on_time


def test_director_drills_from_assessment_timeliness_to_a_late_child(live_user, page):
    late, on_time = _world()
    director = live_user(Role.DIRECTOR, first_name="Dana", last_name="Director")
    sign_in(page, director)
    page.click(".govuk-service-navigation >> text=Leadership")
    page.click("a.govuk-service-navigation__link:has-text('Dashboard')")
    page.wait_for_url("**/insight/dashboard/")
    card = page.locator("[data-testid='kpi-assessments_within_45wd_rate']")
    expect(card).to_contain_text("62.5%")
    expect(card).to_contain_text("5 of 8")
    expect(card.locator("[data-rag]")).to_have_text("Red")
    expect(card).to_contain_text("85.7%")
    expect(page.locator("[data-testid='kpi-summary']")).to_be_visible()
    screenshot(page, "dashboard-director")

    card.locator("[data-testid='missed-assessments_within_45wd_rate']").click()
    page.wait_for_url("**/insight/kpis/assessments_within_45wd_rate/**part=missed**")
    expect(page.locator("h1")).to_contain_text("Late: assessed after 45 working days")
    rows = page.locator("[data-testid='children'] tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-testid='children'] thead")).to_contain_text("Working days late (limit 45)")
    for kid in late:
        expect(page.locator("[data-testid='children']")).to_contain_text(kid.full_name)
    for kid in on_time:
        expect(page.locator("[data-testid='children']")).not_to_contain_text(kid.full_name)
    screenshot(page, "dashboard-late-assessments")

    page.click(f"a:has-text('{late[0].full_name}')")
    page.wait_for_url(f"**/children/{late[0].pk}/")
    expect(page.locator("h1")).to_contain_text(late[0].first_name)
    screenshot(page, "dashboard-late-child-record")


def test_improvement_board_member_sees_numbers_but_cannot_reach_a_child(live_user, page):
    late, _ = _world()
    member = live_user(Role.IMPROVEMENT_BOARD, first_name="Bo", last_name="Board")
    sign_in(page, member)
    page.goto("/insight/dashboard/")
    card = page.locator("[data-testid='kpi-assessments_within_45wd_rate']")
    expect(card).to_contain_text("62.5%")
    expect(card.locator("a[href*='/insight/kpis/']")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(late[0].last_name)
    screenshot(page, "dashboard-improvement-board")
    for path in (
        "/insight/kpis/assessments_within_45wd_rate/?part=missed",
        f"/children/{late[0].pk}/",
    ):
        response = page.goto(path)
        assert response.status == 403, path
