"""Issue 17's allegations journey: the designated officer records an allegation about a teacher received on
Christmas Eve; the initial consideration is due the next working day, Tuesday 29 December 2026 (Christmas Day,
the weekend and the Boxing Day substitute holiday skipped), and the resolution targets appear; nothing is
recorded, so the sweep of Wednesday 30 December raises the late consideration to the designated officer's
manager, naming no child and no person; the consideration (a strategy discussion), the strategy discussion, the
outcome (substantiated, with the time taken) and the referral to the DBS follow, the due dates going as each
step is recorded; the director's page shows the counts and nothing else.

Today is Thursday 24 December 2026 (the clock ticks, for the sign-in codes)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.allegations.models import Allegation
from opencsc.core.clocks import due_date
from opencsc.oversight.models import Escalation, Level
from tests.e2e.conftest import fill_date, screenshot, send

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 12, 24, 10, 0, tzinfo=LONDON)
RECEIVED_ON = dt.date(2026, 12, 24)
SWEEP_ON = dt.datetime(2026, 12, 30, 9, 0, tzinfo=LONDON)
STRATEGY_ON = dt.date(2026, 12, 31)


def day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


@pytest.fixture
def traveller():
    with time_machine.travel(TODAY, tick=True) as travelling:
        yield travelling


@pytest.fixture
def team(traveller, live_user):
    lado = Team.objects.create(name="Designated Officer", kind=TeamKind.DESIGNATED_OFFICER)
    return type(
        "Lado",
        (),
        {
            "officer": live_user(Role.SOCIAL_WORKER, lado, first_name="Dee", last_name="Officer"),
            "manager": live_user(Role.TEAM_MANAGER, lado, first_name="Lou", last_name="Manager"),
            "director": live_user(Role.DIRECTOR, None, first_name="Dana", last_name="Director"),
        },
    )


def _due(page, rule_id: str, what: str, due: dt.date) -> None:
    row = page.locator(f"[data-testid='clock-{rule_id}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(what)
    expect(row).to_contain_text(day(due))


def _step(page, link: str) -> None:
    page.click(f"[data-testid='actions'] a:has-text('{link}')")


def _sweep() -> None:
    call_command("sweep", stdout=io.StringIO())


def test_from_referral_to_outcome_with_a_late_consideration_escalated(signed_in_page, team, traveller):
    officer = signed_in_page(team.officer)
    officer.goto("/sections/today/")  # the designated officer's list is among today's work
    officer.click("main a:has-text('Allegations')")
    officer.click("a:has-text('Record an allegation')")
    fill_date(officer, "received_on", RECEIVED_ON)
    officer.fill("#id_referrer_name", "Pat Head")
    officer.fill("#id_referrer_organisation", "Hill Street Primary School")
    officer.fill("#id_subject_name", "Sam Teacher")
    officer.fill("#id_subject_role", "Class teacher")
    officer.fill("#id_subject_employer", "Hill Street Primary School")
    officer.check("input[name=sector][value=education]")
    officer.check("input[name=harm_test][value=harmed]")
    officer.check("input[name=harm_category][value=physical]")
    officer.fill("#id_details", "Grabbed a pupil by the arm in the corridor, leaving a bruise.")
    officer.fill("#id_children_named", "Jo Pupil")
    send(officer, "button:has-text('Save')")

    # The consideration is due the next working day: Christmas, the weekend and Boxing Day's substitute skipped.
    considered_due = due_date("lado_initial_consideration", RECEIVED_ON).due_on
    assert considered_due == dt.date(2026, 12, 29)
    _due(officer, "lado_initial_consideration", "Record the initial consideration", considered_due)
    expect(officer.locator("[data-testid='clock-lado_initial_consideration']")).to_contain_text(
        "Christmas Day"
    )
    _due(officer, "lado_resolution_one_month", "one-month target", dt.date(2027, 1, 24))
    _due(officer, "lado_resolution_three_months", "three-month target", dt.date(2027, 3, 24))
    _due(officer, "lado_resolution", "twelve months", dt.date(2027, 12, 24))
    screenshot(officer, "allegation-recorded")

    # Nothing recorded by Wednesday 30 December: the sweep raises it to the designated officer's manager.
    traveller.move_to(SWEEP_ON)
    _sweep()
    escalation = Escalation.objects.get(rule_id="lado_initial_consideration")
    assert (escalation.level, escalation.assigned_to, escalation.child) == (
        Level.TEAM_MANAGER,
        team.manager,
        None,
    )
    manager = signed_in_page(team.manager)
    manager.goto("/oversight/escalations/")
    row = manager.locator("[data-testid='escalation-row']", has_text="initial consideration of an allegation")
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text("Sam Teacher")
    screenshot(manager, "allegation-consideration-escalated")

    # The consideration decides on a strategy discussion; the discussion and the outcome follow.
    allegation = Allegation.objects.get()
    officer = signed_in_page(team.officer)
    officer.goto(f"/allegations/{allegation.pk}/")
    expect(officer.locator("[data-testid='clock-lado_initial_consideration']")).to_contain_text("Overdue")
    _step(officer, "Record the initial consideration")
    fill_date(officer, "considered_on", SWEEP_ON.date())
    officer.check("input[name=decision][value=strategy]")
    send(officer, "button:has-text('Save')")
    expect(officer.locator("[data-testid='clock-lado_initial_consideration']")).to_have_count(0)
    expect(officer.locator("[data-testid='consideration']")).to_contain_text("strategy discussion")

    traveller.move_to(dt.datetime(2026, 12, 31, 11, 0, tzinfo=LONDON))
    officer = signed_in_page(team.officer)  # a new day: signed in again
    officer.goto(f"/allegations/{allegation.pk}/")
    _step(officer, "Record the strategy discussion")
    fill_date(officer, "held_on", STRATEGY_ON)
    send(officer, "button:has-text('Save')")
    expect(officer.locator("[data-testid='strategy']")).to_contain_text(day(STRATEGY_ON))

    _step(officer, "Record the outcome")
    fill_date(officer, "concluded_on", STRATEGY_ON)
    officer.check("input[name=outcome][value=substantiated]")
    officer.fill("#id_summary", "The employer's investigation found the allegation proved.")
    send(officer, "button:has-text('Save')")
    expect(officer.locator("[data-testid='outcome']")).to_contain_text(
        "Substantiated, concluded 31 December 2026 (7 days after receipt)"
    )
    expect(officer.locator("[data-testid='allegation-clocks']")).to_have_count(0)

    _step(officer, "Record a referral to the DBS or a regulator")
    officer.check("input[name=body][value=dbs]")
    fill_date(officer, "referred_on", STRATEGY_ON)
    send(officer, "button:has-text('Save')")
    expect(officer.locator("[data-testid='regulators']")).to_contain_text("Disclosure and Barring Service")
    screenshot(officer, "allegation-concluded")

    _sweep()
    assert Escalation.objects.get(rule_id="lado_initial_consideration").breach_resolved_on is not None

    # The director sees the counts, not the allegation.
    director = signed_in_page(team.director)
    director.goto("/allegations/figures/?year=2027")
    expect(director.locator("[data-testid='received']")).to_have_text("1")
    expect(director.locator("[data-testid='within-1m']")).to_have_text("100.0%")
    expect(director.locator("body")).not_to_contain_text("Sam Teacher")
    expect(director.locator("[data-testid='open-clocks']")).to_have_count(0)
    assert director.goto(f"/allegations/{allegation.pk}/").status == 403
