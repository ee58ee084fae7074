"""Issue 4's journeys: a child goes from referral to assessment, strategy discussion, section 47 enquiry, initial
conference and child protection plan, with the right due dates appearing as each step is recorded; and a missed
visit raises an escalation that climbs to the director when no one acknowledges it, and closes when a response is
recorded.

The steps are recorded on fixed past dates, so every due date is known: each is computed here with the clock
engine's `due_date` (England's calendar, no closure days recorded) and one is also written out as a check."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework import protection
from opencsc.casework import services as casework_services
from opencsc.casework.models import CategoryOfAbuse, NoteType
from opencsc.core.clocks import due_date
from opencsc.core.dates import long_date
from opencsc.core.working_days import ENGLAND
from opencsc.frontdoor import services as front_door
from opencsc.frontdoor.models import Channel, Decision
from opencsc.oversight.models import Escalation, Level, StepKind
from opencsc.oversight.services import level_working_days
from opencsc.people import services as people_services
from tests.e2e.conftest import fill_date, run_sweep, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

REFERRAL_ON = dt.date(2026, 10, 1)  # a Thursday
STRATEGY_ON = dt.date(2026, 10, 5)
SECTION_47_DONE_ON = dt.date(2026, 10, 19)
CONFERENCE_ON = dt.date(2026, 10, 22)


def _expect_due(page, what: str, rule_id: str, start: dt.date) -> dt.date:
    """The child page's 'What is due' lists `what` with the clock engine's due date and explanation."""
    due = due_date(rule_id, start)
    item = page.locator("[data-testid='due'] li", has_text=what)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(long_date(due.due))
    expect(item).to_contain_text(due.explanation)
    return due.due


def _refer(mash_worker, child, team, decision: str, received_on: dt.date) -> None:
    contact = front_door.contact_record(
        actor=mash_worker,
        channel=Channel.PHONE,
        source="2A",
        concerns="School saw bruising on the child's arms",
        children=[child],
        received_at=timezone.make_aware(dt.datetime.combine(received_on, dt.time(10, 0))),
    )
    front_door.contact_decide(
        actor=mash_worker, contact=contact, decision=decision, reason="Refer", team=team
    )
    child.refresh_from_db()  # the front door made the team responsible for the child


@pytest.fixture
def county(make_user):
    mash = Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR)
    team = Team.objects.create(name="Safeguarding East", kind=TeamKind.CHILD_IN_NEED)
    return {
        "mash_worker": make_user(Role.SOCIAL_WORKER, mash, first_name="Mo", last_name="Ash"),
        "team": team,
        "worker": make_user(Role.SOCIAL_WORKER, team, first_name="Ama", last_name="Osei"),
        "manager": make_user(Role.TEAM_MANAGER, team, first_name="Tia", last_name="Manager"),
    }


def test_referral_to_child_protection_plan_shows_each_due_date(page, signed_in_page, county):
    worker, manager = county["worker"], county["manager"]
    child = people_services.child_create(
        actor=county["mash_worker"],
        first_name="Ruby",
        last_name="Lane",
        date_of_birth=dt.date(2017, 3, 9),
        sex="F",
    )
    _refer(county["mash_worker"], child, county["team"], Decision.ASSESSMENT, REFERRAL_ON)

    # The referral: the assessment is due 45 working days from the referral's date.
    sign_in(page, worker)
    page.goto(f"/children/{child.pk}/")
    assessment_due = _expect_due(page, "Complete the assessment", "assessment", REFERRAL_ON)
    assert assessment_due == dt.date(2026, 12, 3)  # written out: 45 working days from Thursday 1 October 2026
    expect(page.locator("[data-testid='due'] li", has_text="Complete the assessment")).to_contain_text(
        "3 December 2026"
    )
    expect(page.locator("[data-testid='due']")).to_contain_text(
        "45 working days from the referral on 1 October 2026"
    )

    # The strategy discussion agrees a section 47 enquiry: the initial conference is due 15 working days on.
    page.click("a:has-text('Record a strategy discussion')")
    fill_date(page, "held_on", STRATEGY_ON)
    page.fill("#id_attendees", "Ama Osei (children's social care), DC Reid (police), Dr Shah (health)")
    page.check("input[name=section_47_agreed][value=yes]")
    page.click("button:has-text('Save')")
    expect(page.locator("h1")).to_have_text("Casework")
    icpc = due_date("icpc", STRATEGY_ON)
    clocks = page.locator("[data-testid='clocks']")
    expect(clocks).to_contain_text(f"Hold the initial child protection conference: due {long_date(icpc.due)}")
    expect(clocks).to_contain_text("15 working days from the strategy discussion on 5 October 2026")
    expect(page.locator("[data-testid='enquiry']")).to_contain_text(
        "Section 47 enquiry started 5 October 2026"
    )
    page.goto(f"/children/{child.pk}/")
    _expect_due(page, "Hold the initial child protection conference", "icpc", STRATEGY_ON)
    _expect_due(page, "Complete the assessment", "assessment", REFERRAL_ON)

    # The section 47 enquiry concludes that a conference is needed: its clock keeps running.
    page.goto(f"/children/{child.pk}/casework/")
    page.click("a:has-text('Record the outcome of the section 47 enquiry')")
    expect(page.locator("[data-testid='clocks']")).to_contain_text(long_date(icpc.due))
    page.check("input[name=outcome][value=icpc]")
    fill_date(page, "completed_on", SECTION_47_DONE_ON)
    page.click("button:has-text('Save')")
    enquiry = page.locator("[data-testid='enquiry']")
    expect(enquiry).to_contain_text("Concerns substantiated: initial conference needed, 19 October 2026")
    expect(enquiry).to_contain_text("Not yet held")
    expect(page.locator("[data-testid='clocks']")).to_contain_text(
        f"Hold the initial child protection conference: due {long_date(icpc.due)}"
    )

    # The initial conference makes a plan: the conference clock stops on time; the plan's clocks start.
    page.click("a:has-text('Record the initial conference')")
    fill_date(page, "held_on", CONFERENCE_ON)
    page.fill("#id_chair", "Jo Chair")
    page.check("input[name=plan_decided][value=yes]")
    page.select_option("#id_category", CategoryOfAbuse.NEGLECT.value)
    page.click("button:has-text('Save')")
    held_on_day = ENGLAND.working_days_between(STRATEGY_ON, CONFERENCE_ON)
    expect(enquiry).to_contain_text(f"Done on working day {held_on_day} of 15: on time")
    expect(page.locator("[data-testid='plan']")).to_contain_text("Child protection plan from 22 October 2026")
    expect(page.locator("[data-testid='plan']")).to_contain_text("Neglect")
    clocks = page.locator("[data-testid='clocks']")
    expect(clocks).not_to_contain_text("Hold the initial child protection conference")
    for what, rule_id in (
        ("Hold the first core group", "core_group_first"),
        ("Hold the first review conference", "cp_review_first"),
        ("Visit and see the child (child protection)", "cp_visit"),
    ):
        due = due_date(rule_id, CONFERENCE_ON)
        expect(clocks).to_contain_text(f"{what}: due {long_date(due.due)}")
        expect(clocks).to_contain_text(due.explanation)
    screenshot(page, "casework-plan-clocks")

    page.goto(f"/children/{child.pk}/")
    expect(page.locator("[data-testid='due']")).not_to_contain_text(
        "Hold the initial child protection conference"
    )
    _expect_due(page, "Hold the first core group", "core_group_first", CONFERENCE_ON)
    review_due = _expect_due(page, "Hold the first review conference", "cp_review_first", CONFERENCE_ON)
    assert review_due == dt.date(2027, 1, 22)
    _expect_due(page, "Visit and see the child (child protection)", "cp_visit", CONFERENCE_ON)
    _expect_due(page, "Complete the assessment", "assessment", REFERRAL_ON)
    expect(page.locator("[data-testid='casework']")).to_contain_text(
        "Child protection plan from 22 October 2026"
    )
    screenshot(page, "child-what-is-due")

    # The assessment (started when the front door decided, today) is finished and sent for authorisation.
    today = timezone.localdate()
    page.goto(f"/children/{child.pk}/casework/")
    page.click("a:has-text('Record when the child was seen')")
    fill_date(page, "seen_on", today)
    page.click("button:has-text('Save')")
    page.click("a:has-text('Record the factors')")
    page.check("input[name=factors][value='2B']")
    page.click("button:has-text('Save')")
    page.click("a:has-text('Record the outcome')")
    page.check("input[name=outcome][value=support]")
    page.click("button:has-text('Save')")
    page.click("a:has-text('Submit for authorisation')")
    fill_date(page, "completed_on", today)
    page.click("button:has-text('Submit for authorisation')")
    completed = page.locator("[data-testid='assessment'] .govuk-summary-list__row", has_text="Completed")
    expect(completed).to_contain_text(long_date(today))

    # The team manager authorises it: the assessment clock stops and leaves the list of what is due.
    manager_page = signed_in_page(manager)
    manager_page.goto(f"/children/{child.pk}/casework/")
    manager_page.click("a:has-text('Authorise the assessment')")
    fill_date(manager_page, "authorised_on", today)
    manager_page.click("button:has-text('Authorise')")
    assessment = manager_page.locator("[data-testid='assessment']")
    expect(assessment).to_contain_text(f"{long_date(today)} by Tia Manager")
    worked = ENGLAND.working_days_between(REFERRAL_ON, today)
    verdict = "on time" if today <= assessment_due else f"late by {worked - 45} working days"
    expect(assessment).to_contain_text(f"Done on working day {worked} of 45: {verdict}")
    manager_page.goto(f"/children/{child.pk}/")
    due = manager_page.locator("[data-testid='due']")
    expect(due).not_to_contain_text("Complete the assessment")
    expect(due).to_contain_text("Hold the first review conference")


# The escalation -------------------------------------------------------------------------------------------

PLAN_REFERRAL_ON = dt.date(2026, 8, 3)
PLAN_STRATEGY_ON = dt.date(2026, 8, 4)
PLAN_CONFERENCE_ON = dt.date(2026, 8, 18)
# The core group meets every four weeks, within the authority's 20 working days: only the visit is late.
PLAN_CORE_GROUPS_ON = (dt.date(2026, 8, 25), dt.date(2026, 9, 22))
LAST_VISIT_ON = dt.date(2026, 9, 1)


def _child_on_a_plan_last_seen_long_ago(county):
    worker = county["worker"]
    child = people_services.child_create(
        actor=county["mash_worker"],
        first_name="Noah",
        last_name="Reed",
        date_of_birth=dt.date(2014, 2, 2),
        sex="M",
    )
    _refer(county["mash_worker"], child, county["team"], Decision.STRATEGY_DISCUSSION, PLAN_REFERRAL_ON)
    protection.strategy_discussion_record(
        actor=worker,
        child=child,
        held_on=PLAN_STRATEGY_ON,
        section_47_agreed=True,
        attendees="Social care, police, health",
    )
    protection.initial_conference_record(
        actor=worker,
        enquiry=child.section_47s.get(),
        held_on=PLAN_CONFERENCE_ON,
        plan_decided=True,
        category=CategoryOfAbuse.EMOTIONAL,
    )
    for held_on in PLAN_CORE_GROUPS_ON:
        protection.core_group_record(actor=worker, plan=child.protection_plans.get(), held_on=held_on)
    visit = casework_services.note_save_draft(
        actor=worker,
        children=[child],
        note_type=NoteType.VISIT,
        title="Home visit",
        body="Noah showed me his room.",
        event_on=LAST_VISIT_ON,
        child_seen=True,
        child_seen_alone=True,
    )
    casework_services.note_finalise(actor=worker, note=visit, children=[child])
    return child


def test_a_missed_visit_climbs_to_the_director_and_closes_with_a_response(
    page, signed_in_page, make_user, county
):
    head = make_user(Role.HEAD_OF_SERVICE, first_name="Hal", last_name="Head")
    director = make_user(Role.DIRECTOR, first_name="Dee", last_name="Director")
    board_member = make_user(Role.IMPROVEMENT_BOARD, first_name="Bo", last_name="Board")
    child = _child_on_a_plan_last_seen_long_ago(county)
    visit_due = due_date("cp_visit", LAST_VISIT_ON)
    assert visit_due.due == dt.date(2026, 9, 15)  # 10 working days from Tuesday 1 September 2026
    days = level_working_days()

    # The first sweep after the visit was due raises it to the team manager.
    raised_on = dt.date(2026, 9, 21)
    report = run_sweep(raised_on)
    assert "1 escalations raised" in report
    escalation = Escalation.objects.get()
    assert (escalation.child, escalation.rule_id, escalation.level, escalation.assigned_to) == (
        child,
        "cp_visit",
        Level.TEAM_MANAGER,
        county["manager"],
    )
    manager_deadline = ENGLAND.add_working_days(raised_on, days[Level.TEAM_MANAGER])
    assert escalation.level_deadline == manager_deadline

    sign_in(page, county["manager"])
    page.goto("/oversight/escalations/")
    row = page.locator("[data-testid='escalation-row']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Noah Reed")
    expect(row).to_contain_text("Child protection visit")
    expect(row).to_contain_text(long_date(visit_due.due))
    expect(row).to_contain_text("Team manager: Tia Manager")
    expect(row).to_contain_text(long_date(manager_deadline))
    expect(row).to_contain_text("Awaiting acknowledgement")
    screenshot(page, "escalation-team-manager")

    # No one acknowledges: the day after the team manager's deadline it climbs to the head of service.
    report = run_sweep(ENGLAND.add_working_days(manager_deadline, 1))
    assert "1 climbs" in report
    head_deadline = ENGLAND.add_working_days(manager_deadline, days[Level.HEAD_OF_SERVICE])
    head_page = signed_in_page(head)
    head_page.goto("/oversight/escalations/")
    row = head_page.locator("[data-testid='escalation-row']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Noah Reed")
    expect(row).to_contain_text("Head of service: Hal Head")
    expect(row).to_contain_text(long_date(head_deadline))
    page.reload()
    expect(page.locator("[data-testid='my-escalations']")).to_contain_text("Nothing is escalated to you.")

    # Still no one: it climbs to the director, and the whole chain shows the history with no acknowledgement.
    report = run_sweep(ENGLAND.add_working_days(head_deadline, 1))
    assert "1 climbs" in report
    director_page = signed_in_page(director)
    director_page.goto("/oversight/escalations/all/")
    expect(director_page.locator("[data-testid='count-director']")).to_have_text("1")
    row = director_page.locator("[data-testid='escalation-row']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Noah Reed")
    expect(row).to_contain_text("Director of children's services: Dee Director")
    history = row.locator("ul")
    expect(history).to_contain_text(f"{long_date(raised_on)}: raised to team manager (Tia Manager)")
    expect(history).to_contain_text("climbed to head of service (Hal Head)")
    expect(history).to_contain_text("climbed to director of children's services (Dee Director)")
    expect(history).not_to_contain_text("acknowledged")
    expect(row).to_contain_text("Awaiting acknowledgement")
    screenshot(director_page, "escalation-chain-director")

    # The improvement board watches the chain without seeing who the child is.
    board_page = signed_in_page(board_member)
    board_page.goto("/oversight/escalations/all/")
    expect(board_page.locator("body")).to_contain_text("Children are not named here")
    board_row = board_page.locator("[data-testid='escalation-row']")
    expect(board_row).to_have_count(1)
    expect(board_row).to_contain_text("A child in Safeguarding East")
    expect(board_row).to_contain_text("Director of children's services: Dee Director")
    expect(board_page.locator("body")).not_to_contain_text("Noah")
    expect(board_page.locator("body")).not_to_contain_text("Reed")
    screenshot(board_page, "escalation-chain-improvement-board")
    board_page.click("[data-testid='escalation-row'] a:has-text('Child protection visit')")
    expect(board_page.locator("h1")).to_have_text("Child protection visit late")
    expect(board_page.locator("body")).not_to_contain_text("Noah")
    expect(board_page.locator("button:has-text('Record the response and close')")).to_have_count(0)

    # The director records what was done: it closes, naming who closed it and the response.
    director_page.click("[data-testid='escalation-row'] a:has-text('Child protection visit')")
    summary = director_page.locator("[data-testid='escalation-summary']")
    expect(summary).to_contain_text(f"due {long_date(visit_due.due)} ({visit_due.explanation})")
    expect(director_page.locator("[data-testid='held-by']")).to_have_text(
        "Director of children's services: Dee Director"
    )
    response = "Ama Osei (social worker) visited and saw Noah alone on 29 September; visits now weekly."
    director_page.fill("#id_response", response)
    director_page.click("button:has-text('Record the response and close')")
    expect(director_page.locator(".govuk-notification-banner")).to_contain_text("Response recorded")
    expect(director_page.locator("[data-testid='response']")).to_contain_text(response)
    expect(director_page.locator("[data-testid='response']")).to_contain_text("Recorded by Dee Director")
    expect(director_page.locator("body")).to_contain_text("Closed")
    expect(director_page.locator("[data-testid='history']")).to_contain_text(
        "closed with a response by Dee Director"
    )
    screenshot(director_page, "escalation-closed")

    escalation.refresh_from_db()
    assert escalation.closed_by == director and escalation.response == response
    kinds = list(escalation.steps.values_list("kind", flat=True))
    assert kinds == [StepKind.RAISED, StepKind.CLIMBED, StepKind.CLIMBED, StepKind.CLOSED]

    board_page.goto("/oversight/escalations/all/?status=closed")
    expect(board_page.locator("[data-testid='escalation-row']")).to_contain_text(
        "A child in Safeguarding East"
    )
    expect(board_page.locator("body")).not_to_contain_text("Noah")
