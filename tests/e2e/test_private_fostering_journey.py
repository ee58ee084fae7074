"""Issue 17's private fostering journey: Kwame's school tells the council he has been living with a family
friend since March; his worker records the notification (late: the arrangement began before it), and the due
dates appear as each step is recorded (the first visit within 7 working days, the decision on the arrangement,
then a visit every six weeks in the first year); a visit is missed, and the nightly sweep raises it to the team
manager; the visit is made, and when Kwame goes home to his mother the arrangement ends.

Today is Tuesday 14 April 2026 (the clock ticks, for the sign-in codes). The school's notification arrived on
Thursday 2 April, so the first visit is due on Wednesday 15 April (7 working days: Good Friday and Easter Monday
skipped) and the decision on Friday 5 June (42 working days: Easter, 4 May and 25 May skipped). The first visit
today moves the visit clock to Tuesday 26 May (6 weeks); no one visits, and time moves to Wednesday 27 May for
the sweep."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.core.clocks import due_date
from opencsc.oversight.models import Escalation, Level
from opencsc.people import services as people_services
from opencsc.privatefostering.models import PrivateFosteringArrangement
from tests.e2e.conftest import fill_date, screenshot, send

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 4, 14, 10, 0, tzinfo=LONDON)
NOTIFIED = dt.date(2026, 4, 2)
BEGAN = dt.date(2026, 3, 16)
SWEEP_ON = dt.datetime(2026, 5, 27, 9, 0, tzinfo=LONDON)


def day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


@pytest.fixture
def traveller():
    with time_machine.travel(TODAY, tick=True) as travelling:
        yield travelling


@pytest.fixture
def family(traveller, live_user):
    team = Team.objects.create(name="Children in Need West", kind=TeamKind.CHILD_IN_NEED)
    worker = live_user(Role.SOCIAL_WORKER, team, first_name="Kai", last_name="Visits")
    manager = live_user(Role.TEAM_MANAGER, team, first_name="Tia", last_name="Manager")
    child = people_services.child_create(
        actor=worker,
        team=team,
        first_name="Kwame",
        last_name="Owusu",
        date_of_birth=dt.date(2012, 9, 9),
        sex="M",
    )
    return type("Family", (), {"worker": worker, "manager": manager, "child": child})


def _due(page, rule_id: str, start: dt.date) -> dt.date:
    """The child's private fostering page shows the clock engine's due date for `rule_id`, with its explanation."""
    due = due_date(rule_id, start)
    item = page.locator(f"[data-testid='private-fostering-due'] [data-rule='{rule_id}']")
    expect(item).to_contain_text(f"due {day(due.due)}")
    expect(item).to_contain_text(due.explanation)
    return due.due


def _step(page, child, link: str) -> None:
    page.goto(f"/children/{child.pk}/private-fostering/")
    send(page, f"a:has-text('{link}')")


def _visit(page, child, on: dt.date) -> None:
    _step(page, child, "Record a visit")
    fill_date(page, "visited_on", on)
    page.check("input[name=seen_alone][value=yes]")
    page.check("input[name=on_request][value=no]")
    send(page, "button:has-text('Save')")


def _sweep() -> str:
    out = io.StringIO()
    call_command("sweep", stdout=out)
    return out.getvalue()


def test_private_fostering_from_the_notification_to_the_end(signed_in_page, family, traveller):
    worker = signed_in_page(family.worker)
    child = family.child

    # From the child's record to private fostering: the school's notification, which came after the start.
    worker.goto(f"/children/{child.pk}/")
    send(worker, "a:has-text('Private fostering')")
    expect(worker.locator("[data-testid='no-open-arrangement']")).to_be_visible()
    send(worker, "a:has-text('Record a notification')")
    send(worker, "button:has-text('Save')")  # nothing typed: every field says what it needs, nothing made
    expect(worker.locator(".govuk-error-summary")).to_contain_text("Enter the private foster carer's name")
    fill_date(worker, "notified_on", NOTIFIED)
    worker.check("input[name=notified_by][value=school]")
    worker.fill("#id_notifier_name", "Ms Patel, Hill Street Academy")
    worker.fill("#id_carer_name", "Grace Mensah")
    worker.fill("#id_carer_address", "4 Oak Road, Aylesbury HP19 8FF")
    fill_date(worker, "starts_on", BEGAN)
    worker.check("input[name=child_is_disabled][value=no]")
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='arrangement-start']")).to_contain_text("Notified late")
    assert _due(worker, "private_fostering_first_visit", NOTIFIED) == dt.date(2026, 4, 15)
    assert _due(worker, "private_fostering_decision", NOTIFIED) == dt.date(2026, 6, 5)

    # The first visit today: its clock stops and the six-weekly visits begin.
    _visit(worker, child, TODAY.date())
    expect(worker.locator("[data-rule='private_fostering_first_visit']")).to_have_count(0)
    next_due = _due(worker, "private_fostering_visit_first_year", TODAY.date())
    assert next_due == dt.date(2026, 5, 26)

    # The arrangement is suitable: the decision's clock stops.
    _step(worker, child, "Record the decision")
    fill_date(worker, "decided_on", TODAY.date())
    worker.check("input[name=decision][value=suitable]")
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='decision']")).to_contain_text("Suitable")
    expect(worker.locator("[data-rule='private_fostering_decision']")).to_have_count(0)
    screenshot(worker, "private-fostering-due-dates")

    # No one visits: the sweep raises the missed visit to the team manager, once.
    traveller.move_to(SWEEP_ON)
    report = _sweep()
    assert "1 escalations raised" in report, report
    escalation = Escalation.objects.get()
    assert (escalation.rule_id, escalation.level, escalation.assigned_to, escalation.due_on) == (
        "private_fostering_visit_first_year",
        Level.TEAM_MANAGER,
        family.manager,
        next_due,
    )
    assert "0 escalations raised" in _sweep()
    manager = signed_in_page(family.manager)
    manager.goto("/oversight/escalations/")
    row = manager.locator("[data-testid='escalation-row']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Kwame Owusu")
    expect(row).to_contain_text(day(next_due))
    worker = signed_in_page(family.worker)
    worker.goto(f"/children/{child.pk}/private-fostering/")
    expect(worker.locator("[data-rule='private_fostering_visit_first_year']")).to_contain_text(
        "Overdue by 1 day"
    )

    # The visit is made, and six weeks run again; then Kwame goes home and the arrangement ends.
    _visit(worker, child, SWEEP_ON.date())
    assert _due(worker, "private_fostering_visit_first_year", SWEEP_ON.date()) == dt.date(2026, 7, 8)
    _step(worker, child, "End the arrangement")
    fill_date(worker, "ended_on", SWEEP_ON.date())
    worker.check("input[name=end_reason][value=returned_home]")
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='no-open-arrangement']")).to_be_visible()
    expect(worker.locator("[data-testid='private-fostering-history']")).to_contain_text(
        f"Notified {day(NOTIFIED)} (late: it began {day(BEGAN)}); carer Grace Mensah; 2 visits"
    )
    assert PrivateFosteringArrangement.objects.get().end_reason == "returned_home"
