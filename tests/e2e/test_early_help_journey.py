"""Issue 17's early help journey: a school asks for early help for Ella; her worker starts it with the school's
designated safeguarding lead as lead professional, and the due dates appear as each step is recorded (the
assessment within the authority's 30 working days, the team around the family every 6 weeks); a review is
missed, and the nightly sweep raises it to the team manager; then things get worse, Ella is stepped up, and the
front door opens the contact with her early help history on it.

Today is Tuesday 14 April 2026 (the clock ticks, for the sign-in codes). Early help started on Monday 30 March,
so the assessment is due on Thursday 14 May (30 working days: Good Friday, Easter Monday and the May bank
holiday skipped) and the first review on Monday 11 May (6 weeks). The review held on 14 April moves the next to
Tuesday 26 May; no one meets, and time moves to Wednesday 27 May for the sweep."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.core.clocks import due_date
from opencsc.core.dates import long_date
from opencsc.earlyhelp.models import EarlyHelpEpisode
from opencsc.frontdoor.models import Contact
from opencsc.oversight.models import Escalation, Level
from opencsc.people import services as people_services
from tests.e2e.conftest import fill_date, run_sweep, screenshot, send

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 4, 14, 10, 0, tzinfo=LONDON)
STARTED = dt.date(2026, 3, 30)
REVIEWED = dt.date(2026, 4, 14)
SWEEP_ON = dt.datetime(2026, 5, 27, 9, 0, tzinfo=LONDON)


@pytest.fixture
def family(traveller, live_user):
    team = Team.objects.create(name="Early Help East", kind=TeamKind.CHILD_IN_NEED)
    front_door = Team.objects.create(name="Front Door", kind=TeamKind.FRONT_DOOR)
    worker = live_user(Role.SOCIAL_WORKER, team, first_name="Kai", last_name="Family")
    manager = live_user(Role.TEAM_MANAGER, team, first_name="Tia", last_name="Manager")
    triage = live_user(Role.SOCIAL_WORKER, front_door, first_name="Fay", last_name="Door")
    child = people_services.child_create(
        actor=worker,
        team=team,
        first_name="Ella",
        last_name="Stone",
        date_of_birth=dt.date(2016, 5, 5),
        sex="F",
    )
    return type("Family", (), {"worker": worker, "manager": manager, "triage": triage, "child": child})


def _due(page, rule_id: str, start: dt.date) -> dt.date:
    """The child's early help page shows the clock engine's due date for `rule_id`, with its explanation."""
    due = due_date(rule_id, start)
    item = page.locator(f"[data-testid='early-help-due'] [data-rule='{rule_id}']")
    expect(item).to_contain_text(f"due {long_date(due.due)}")
    expect(item).to_contain_text(due.explanation)
    return due.due


def _step(page, child, link: str) -> None:
    page.goto(f"/children/{child.pk}/early-help/")
    send(page, f"a:has-text('{link}')")


def test_early_help_from_the_request_to_a_step_up_with_its_history(signed_in_page, family, traveller):
    worker = signed_in_page(family.worker)
    child = family.child

    # From the child's record to early help, started with the school's lead professional.
    worker.goto(f"/children/{child.pk}/")
    send(worker, "a:has-text('Early help')")
    expect(worker.locator("[data-testid='no-open-episode']")).to_be_visible()
    send(worker, "a:has-text('Start early help')")
    send(worker, "button:has-text('Save')")  # nothing typed: every field says what it needs, nothing made
    expect(worker.locator(".govuk-error-summary")).to_contain_text("Enter the lead professional's name")
    fill_date(worker, "started_on", STARTED)
    worker.check("input[name=started_by][value=request]")
    worker.fill("#id_lead_name", "Sam Teacher")
    worker.fill("#id_lead_role", "Designated safeguarding lead")
    worker.check("input[name=lead_organisation_kind][value=school]")
    worker.fill("#id_lead_organisation", "Hill Street Primary School")
    send(worker, "button:has-text('Save')")
    expect(worker.locator(".govuk-error-summary")).to_contain_text("email address or a phone number")
    worker.fill("#id_lead_phone", "01234 567890")
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='lead-professional']")).to_contain_text("Hill Street Primary School")
    assert _due(worker, "early_help_assessment", STARTED) == dt.date(2026, 5, 14)
    assert _due(worker, "early_help_review", STARTED) == dt.date(2026, 5, 11)

    # The assessment starts and is completed: its clock stops.
    _step(worker, child, "Record the start of the assessment")
    fill_date(worker, "started_on", dt.date(2026, 4, 1))
    worker.fill("#id_organisation", "Hill Street Primary School")
    send(worker, "button:has-text('Save')")
    _step(worker, child, "Record the assessment as completed")
    fill_date(worker, "completed_on", REVIEWED)
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-rule='early_help_assessment']")).to_have_count(0)

    # The team around the family meets: the next review is due 6 weeks on.
    _step(worker, child, "Record a team around the family review")
    fill_date(worker, "held_on", REVIEWED)
    worker.fill("#id_summary", "Attendance up; mum to attend the parenting group.")
    send(worker, "button:has-text('Save')")
    next_due = _due(worker, "early_help_review", REVIEWED)
    assert next_due == dt.date(2026, 5, 26)
    screenshot(worker, "early-help-due-dates")

    # No one meets: the sweep raises the missed review to the team manager, once.
    traveller.move_to(SWEEP_ON)
    report = run_sweep()
    assert "1 escalations raised" in report, report
    escalation = Escalation.objects.get()
    assert (escalation.rule_id, escalation.level, escalation.assigned_to, escalation.due_on) == (
        "early_help_review",
        Level.TEAM_MANAGER,
        family.manager,
        next_due,
    )
    assert "0 escalations raised" in run_sweep()
    manager = signed_in_page(family.manager)
    manager.goto("/oversight/escalations/")
    row = manager.locator("[data-testid='escalation-row']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Ella Stone")
    expect(row).to_contain_text("Team around the family review")
    expect(row).to_contain_text(long_date(next_due))
    worker = signed_in_page(family.worker)
    worker.goto(f"/children/{child.pk}/early-help/")
    expect(worker.locator("[data-rule='early_help_review']")).to_contain_text("Overdue by 1 day")

    # Things get worse: Ella is stepped up, and early help ends that day.
    _step(worker, child, "Step up to social care")
    fill_date(worker, "stepped_up_on", SWEEP_ON.date())
    worker.fill("#id_concerns", "Ella told her teacher she is scared to go home.")
    send(worker, "button:has-text('Save')")
    contact = Contact.objects.get()
    expect(worker.locator("[data-testid='early-help-history']")).to_contain_text(
        f"Stepped up: contact {contact.reference}"
    )
    expect(worker.locator("[data-testid='no-open-episode']")).to_be_visible()
    assert EarlyHelpEpisode.objects.get().end_reason == "stepped_up"

    # The front door opens the contact: from the school's lead professional, with the early help history.
    door = signed_in_page(family.triage)
    door.goto(f"/front-door/contacts/{contact.pk}/")
    expect(door.locator("body")).to_contain_text("Sam Teacher")
    history = door.locator("[data-testid='early-help-history']")
    expect(history).to_contain_text(
        f"{long_date(STARTED)} to {long_date(SWEEP_ON.date())} (stepped up to children's social care)"
    )
    expect(history).to_contain_text("Hill Street Primary School, 01234 567890")
    expect(history).to_contain_text("1 team around the family review, the last on 14 April 2026")
    screenshot(door, "early-help-step-up-at-the-front-door")
