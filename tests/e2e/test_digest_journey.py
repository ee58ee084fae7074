"""Issue 12.5's journey: the director signs in, finds at the top of the home page the escalations waiting for them,
opens the daily digest (one line per timescale and team, the children behind each line, a restricted child counted
but never named), is told what is missing when they answer a line with nothing, then answers it once; every
escalation on the line is closed with that answer and the other line still waits.

The late work is swept on real dates around today (no frozen clock: the browser's cookies run on the real one):
raised on a working day chosen so that today's sweep climbs it past the team manager and the head of service to
the director.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.casework.models import CoreGroupMeeting
from opencsc.core.working_days import authority_calendar
from opencsc.oversight.models import Escalation, Level
from opencsc.oversight.services import escalations_sweep
from tests.e2e.conftest import screenshot, sign_in
from tests.oversight.conftest import Cases

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = "The team manager will go through each plan with the worker this week; every visit booked by Friday."


def _raise_day(today: dt.date) -> dt.date:
    """A day whose escalations sit with the director on today's sweep: more than four working days before today
    (team manager's and head of service's two each, missed) and no more than six (the director's two)."""
    calendar = authority_calendar()
    for back in range(1, 30):
        day = today - dt.timedelta(days=back)
        if calendar.add_working_days(day, 4) < today <= calendar.add_working_days(day, 6):
            return day
    raise AssertionError("no day found")


def _late_visits(live_user) -> dict:
    north = Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT)
    south = Team.objects.create(name="Assessment South", kind=TeamKind.ASSESSMENT)
    for team in (north, south):
        live_user(Role.TEAM_MANAGER, team)
    live_user(Role.HEAD_OF_SERVICE)
    director = live_user(Role.DIRECTOR, first_name="Dev", last_name="Director")
    cases = Cases()
    today = timezone.localdate()
    raised_on = _raise_day(today)
    plan_start = raised_on - dt.timedelta(days=30)
    children = {}
    for name, team, restricted in (("Ava", north, False), ("Rita", north, True), ("Sol", south, False)):
        worker = live_user(Role.SOCIAL_WORKER, team)
        child = cases.child(first_name=name, last_name="Latecomer", is_restricted=restricted)
        cases.allocate(child, worker, on=plan_start)
        plan = cases.cp_plan(child, plan_start)
        CoreGroupMeeting.objects.create(plan=plan, held_on=plan_start + dt.timedelta(days=7))
        CoreGroupMeeting.objects.create(plan=plan, held_on=raised_on)  # core groups on time: only visits late
        children[name] = child
    escalations_sweep(today=raised_on)
    escalations_sweep(today=today)
    assert set(Escalation.objects.values_list("level", flat=True)) == {Level.DIRECTOR}
    return {"director": director, "north": north, "children": children}


def test_a_director_answers_a_line_of_the_digest_once(page, live_user):
    world = _late_visits(live_user)
    director, north = world["director"], world["north"]
    sign_in(page, director)

    waiting = page.locator("[data-testid='waiting-for-you']")
    expect(waiting).to_contain_text("3 escalations waiting for your answer, in 2 lines by timescale and team")
    page.locator("[data-testid='waiting-escalation-digest'] a").click()
    expect(page.locator("h1")).to_contain_text("Escalations waiting for the director")
    lines = page.locator("[data-testid='digest-line']")
    expect(lines).to_have_count(2)
    line = page.locator(f"[data-testid='digest-line'][data-line='cp_visit:{north.pk}']")
    expect(line.locator("h2")).to_contain_text("Child protection visit, Assessment North: 2")
    line.locator("summary").click()
    children = line.locator("[data-testid='line-children']")
    expect(children).to_contain_text("Ava Latecomer")
    expect(children).to_contain_text("1 child not named here")
    assert "Rita" not in page.locator("main").inner_text()

    line.get_by_role("button", name="Answer these 2 escalations").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what will be done about these")
    line = page.locator(f"[data-testid='digest-line'][data-line='cp_visit:{north.pk}']")
    line.get_by_label("What will be done, and by whom").fill(ANSWER)
    screenshot(page, "digest-answering-a-line")
    line.get_by_role("button", name="Answer these 2 escalations").click()

    expect(page.locator(".govuk-notification-banner, [role='alert']").first).to_contain_text(
        "Answered 2 escalations"
    )
    expect(page.locator("[data-testid='digest-line']")).to_have_count(1)
    expect(page.locator("[data-testid='digest-line']")).to_contain_text("Assessment South: 1")
    screenshot(page, "digest-after-answering")

    answered = Escalation.objects.filter(team=north)
    assert answered.count() == 2
    assert all(e.closed_by == director and e.response == ANSWER for e in answered)
    assert Escalation.objects.filter(closed_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(verb="escalation.closed", actor=director).count() == 2
    assert AuditEvent.objects.filter(verb="escalation_digest_line.answered", actor=director).count() == 1
    ava = world["children"]["Ava"]
    assert RecordAccess.objects.filter(user=director, child=ava, kind=AccessKind.LISTED).exists()
    rita = world["children"]["Rita"]
    assert not RecordAccess.objects.filter(user=director, child=rita, kind=AccessKind.LISTED).exists()
