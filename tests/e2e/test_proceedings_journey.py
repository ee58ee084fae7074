"""Issue 17's proceedings journey: a legal gateway meeting starts pre-proceedings; the letter before proceedings
and the pre-proceedings meeting are recorded, each due date appearing as the step before it is recorded; care
proceedings are issued (week 1 of the 26-week timetable, the case management hearing due by day 18); an interim
care order turns the looked-after child's legal status from V2 to C1; a case management hearing is listed and
its outcome is not recorded, so the nightly sweep raises the missed hearing to the team manager; then the
outcome, an 8-week extension (the due date moves), the care order (C2) and the end of the proceedings.

Today is Monday 2 November 2026 (the clock ticks, for the sign-in codes). The gateway meeting was on Monday
12 October (letter due 19 October, 5 working days), the letter went on Thursday 15 October (meeting due
29 October, 10 working days), the meeting was on Tuesday 20 October, and proceedings were issued on Friday
30 October (case management hearing due Tuesday 17 November, day 18; the 26 weeks run to Friday 30 April 2027).
The hearing is listed for Monday 16 November; time moves to Wednesday 18 November for the sweep. No bank holiday
falls in between; every due date is computed with the clock engine and the first ones are also written out."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.core.clocks import due_date
from opencsc.core.dates import long_date
from opencsc.looked_after import services as care_services
from opencsc.looked_after.models import Episode
from opencsc.oversight.models import Escalation, Level
from opencsc.people import services as people_services
from tests.e2e.conftest import fill_date, run_sweep, screenshot, send

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)
CARE_STARTED = dt.date(2026, 10, 1)
GATEWAY_ON = dt.date(2026, 10, 12)
LETTER_ON = dt.date(2026, 10, 15)
MEETING_ON = dt.date(2026, 10, 20)
ISSUED_ON = dt.date(2026, 10, 30)
HEARING_ON = dt.date(2026, 11, 16)
SWEEP_ON = dt.datetime(2026, 11, 18, 9, 0, tzinfo=LONDON)


@pytest.fixture
def family(traveller, live_user):
    team = Team.objects.create(name="Children in Care", kind=TeamKind.LOOKED_AFTER)
    worker = live_user(Role.SOCIAL_WORKER, team, first_name="Cal", last_name="Worker")
    manager = live_user(Role.TEAM_MANAGER, team, first_name="Tia", last_name="Manager")
    child = people_services.child_create(
        actor=worker,
        team=team,
        first_name="Rosa",
        last_name="Lane",
        date_of_birth=dt.date(2019, 3, 8),
        sex="F",
    )
    care_services.episode_start_care(
        actor=worker,
        child=child,
        started_on=CARE_STARTED,
        legal_status="V2",
        category_of_need="N1",
        placement_type="U6",
        placement_provider="PR1",
        urn="SC123456",
        carer_name="Mr and Mrs Fell",
        placement_postcode="HP11 2JU",
        home_postcode="HP19 8FF",
    )
    return type("Family", (), {"worker": worker, "manager": manager, "child": child})


def _due(page, rule_id: str, what: str, due: dt.date) -> None:
    row = page.locator(f"[data-testid='clock-{rule_id}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(what)
    expect(row).to_contain_text(long_date(due))


def _step(page, link: str) -> None:
    page.click(f"[data-testid='legal-actions'] a:has-text('{link}')")


def test_from_the_gateway_to_a_care_order_with_a_missed_hearing_escalated(signed_in_page, family, traveller):
    child = family.child
    worker = signed_in_page(family.worker)
    worker.goto(f"/children/{child.pk}/")
    worker.click("a:has-text('Pre-proceedings, care proceedings and court orders')")
    expect(worker.locator("[data-testid='no-proceedings']")).to_be_visible()

    # The legal gateway meeting decides on pre-proceedings: the letter is due 5 working days on.
    _step(worker, "Record a legal gateway meeting")
    fill_date(worker, "held_on", GATEWAY_ON)
    worker.check("input[name=decision][value=pre_proceedings]")
    send(worker, "button:has-text('Save')")
    letter_due = due_date("plo_letter", GATEWAY_ON).due_on
    assert letter_due == dt.date(2026, 10, 19)
    _due(worker, "plo_letter", "Send the letter before proceedings", letter_due)
    _due(
        worker,
        "plo_decision",
        "Decide the outcome of pre-proceedings",
        due_date("plo_decision", GATEWAY_ON).due_on,
    )

    # The letter: the pre-proceedings meeting is due 10 working days on.
    _step(worker, "Record the letter before proceedings")
    fill_date(worker, "sent_on", LETTER_ON)
    send(worker, "button:has-text('Save')")
    meeting_due = due_date("plo_meeting", LETTER_ON).due_on
    assert meeting_due == dt.date(2026, 10, 29)
    expect(worker.locator("[data-testid='clock-plo_letter']")).to_have_count(0)
    _due(worker, "plo_meeting", "Hold the pre-proceedings meeting", meeting_due)

    _step(worker, "Record the pre-proceedings meeting")
    fill_date(worker, "held_on", MEETING_ON)
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='clock-plo_meeting']")).to_have_count(0)

    # Proceedings are issued: week 1 of the timetable, the hearing by day 18, the end by week 26.
    _step(worker, "Record the issue of care proceedings")
    fill_date(worker, "issued_on", ISSUED_ON)
    worker.fill("#id_case_number", "ZW26C00456")
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='timetable-week']")).to_contain_text("week 1 of the timetable")
    cmh_due = due_date("case_management_hearing", ISSUED_ON).due_on
    final_due = due_date("care_proceedings", ISSUED_ON).due_on
    assert (cmh_due, final_due) == (dt.date(2026, 11, 17), dt.date(2027, 4, 30))
    _due(worker, "case_management_hearing", "Hold the case management hearing", cmh_due)
    _due(worker, "care_proceedings", "Conclude the care proceedings", final_due)
    expect(worker.locator("[data-testid='clock-plo_decision']")).to_have_count(0)

    # The interim care order: Rosa's legal status becomes C1 from the day it was made.
    _step(worker, "Record an order")
    worker.select_option("#id_kind", "interim_care")
    fill_date(worker, "made_on", ISSUED_ON)
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='orders']")).to_contain_text("Interim care order")
    assert list(Episode.objects.filter(child=child).values_list("reason_new_episode", "legal_status")) == [
        ("S", "V2"),
        ("L", "C1"),
    ]

    # The case management hearing is listed ahead; its outcome is due the next working day.
    _step(worker, "List a hearing")
    worker.select_option("#id_kind", "cmh")
    fill_date(worker, "listed_for", HEARING_ON)
    send(worker, "button:has-text('Save')")
    outcome_due = due_date("hearing_outcome", HEARING_ON).due_on
    _due(worker, "hearing_outcome", "Record the outcome of the case management hearing", outcome_due)
    screenshot(worker, "proceedings-issued")

    # Two days after the hearing nothing is recorded: the sweep raises the hearing to the team manager.
    traveller.move_to(SWEEP_ON)
    run_sweep()
    raised = Escalation.objects.filter(
        child=child, rule_id__in=["case_management_hearing", "hearing_outcome"]
    )
    assert set(raised.values_list("rule_id", "level", "assigned_to", "due_on")) == {
        ("case_management_hearing", Level.TEAM_MANAGER, family.manager.pk, cmh_due),
        ("hearing_outcome", Level.TEAM_MANAGER, family.manager.pk, outcome_due),
    }
    manager = signed_in_page(family.manager)
    manager.goto("/oversight/escalations/")
    row = manager.locator("[data-testid='escalation-row']", has_text="Case management hearing")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rosa Lane")
    expect(row).to_contain_text("Team manager: Tia Manager")
    screenshot(manager, "proceedings-hearing-escalated")

    # The outcome is recorded; the court extends the timetable by 8 weeks, then makes a care order.
    worker = signed_in_page(family.worker)
    worker.goto(f"/children/{child.pk}/legal/")
    _due(worker, "hearing_outcome", "Record the outcome", outcome_due)
    _step(worker, "Record the outcome of a hearing")
    worker.select_option("#id_hearing", index=1)
    worker.fill("#id_outcome", "Directions for a parenting assessment; ICO renewed")
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='clock-case_management_hearing']")).to_have_count(0)
    expect(worker.locator("[data-testid='clock-hearing_outcome']")).to_have_count(0)

    _step(worker, "Record an extension of the timetable")
    fill_date(worker, "granted_on", SWEEP_ON.date())
    worker.select_option("#id_weeks", "8")
    worker.fill("#id_reason", "The parenting assessment needs eight more weeks")
    send(worker, "button:has-text('Save')")
    _due(
        worker,
        "care_proceedings",
        "34 weeks from the issue of proceedings",
        final_due + dt.timedelta(weeks=8),
    )

    _step(worker, "Record an order")
    worker.select_option("#id_kind", "care")
    fill_date(worker, "made_on", SWEEP_ON.date())
    send(worker, "button:has-text('Save')")
    _step(worker, "Record the end of the proceedings")
    fill_date(worker, "concluded_on", SWEEP_ON.date())
    send(worker, "button:has-text('Save')")
    expect(worker.locator("[data-testid='no-proceedings']")).to_be_visible()
    expect(worker.locator("[data-testid='legal-clocks']")).to_have_count(0)
    assert Episode.objects.get(child=child, ended_on__isnull=True).legal_status == "C2"
    run_sweep()
    still_late = Escalation.objects.filter(
        child=child,
        rule_id__in=["case_management_hearing", "hearing_outcome"],
        breach_resolved_on__isnull=True,
    )
    assert not still_late.exists()  # the hearing's outcome resolved both breaches
