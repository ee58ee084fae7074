"""Issue 13's second journey: an initial conference is recorded and its document written (the decision, the
outcomes for the child and the actions, who does what by when); the first core group, within 10 working days,
reviews each action; each due date appears on the casework page as the step is recorded; then the next core group
is missed, and the nightly sweep raises it to the team manager and climbs it to the head of service like any other
clock.

Today is Monday 16 November 2026 (the clock ticks, for the sign-in codes). The strategy discussion was on Monday
19 October, the initial conference on Monday 2 November (so the first core group is due on Monday 16 November, 10
working days on) and the first core group met on Friday 13 November (so the next is due on Friday 11 December, the
authority's 20 working days on). Time then moves to Monday 14 December for the sweep. No bank holiday falls in
between; each due date is computed with the clock engine and the first two are also written out."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework import protection
from opencsc.casework import services as casework_services
from opencsc.casework.models import ChildProtectionConference, CoreGroupMeeting, NoteType
from opencsc.core.clocks import due_date
from opencsc.core.dates import long_date
from opencsc.core.working_days import ENGLAND
from opencsc.documents.models import PracticeDocument
from opencsc.documents.shipped_templates import load_shipped_templates
from opencsc.frontdoor.models import Referral
from opencsc.oversight.models import Escalation, Level
from opencsc.oversight.services import level_working_days
from opencsc.people import services as people_services
from tests.e2e.conftest import fill_date, run_sweep, screenshot, send

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)
STRATEGY_ON = dt.date(2026, 10, 19)
CONFERENCE_ON = dt.date(2026, 11, 2)
CORE_GROUP_ON = dt.date(2026, 11, 13)
SWEEP_ON = dt.datetime(2026, 12, 14, 9, 0, tzinfo=LONDON)
SEEN_ON = dt.date(2026, 12, 11)

ACTIONS = [
    ("Register Maya and her brother with a GP", "Her mother, Lena Hart", dt.date(2026, 11, 20)),
    ("Visit weekly and see Maya alone", "Ama Osei, social worker", dt.date(2026, 11, 27)),
]
MEMBERS = [
    ("social_care", "Ama Osei", "Lead social worker"),
    ("education", "Jo King", "Designated safeguarding lead"),
    ("family", "Lena Hart", "Mother"),
]


@pytest.fixture
def family(traveller, live_user, make_user):
    load_shipped_templates()  # an earlier browser test's flush emptied every table, migrated data included
    team = Team.objects.create(name="Safeguarding South", kind=TeamKind.CHILD_IN_NEED)
    worker = live_user(Role.SOCIAL_WORKER, team, first_name="Ama", last_name="Osei")
    manager = live_user(Role.TEAM_MANAGER, team, first_name="Tia", last_name="Manager")
    head = make_user(Role.HEAD_OF_SERVICE, first_name="Hal", last_name="Head")
    child = people_services.child_create(
        actor=worker,
        team=team,
        first_name="Maya",
        last_name="Hart",
        date_of_birth=dt.date(2017, 6, 1),
        sex="F",
    )
    Referral.objects.create(
        child=child, referral_date=STRATEGY_ON, source="3A", route="strategy_discussion", team=team
    )
    protection.strategy_discussion_record(
        actor=worker,
        child=child,
        held_on=STRATEGY_ON,
        section_47_agreed=True,
        attendees="Social care, police, health, school",
    )
    return type("Family", (), {"worker": worker, "manager": manager, "head": head, "child": child})


def _expect_clock(page, what: str, rule_id: str, start: dt.date) -> dt.date:
    """The casework page's clocks say `what` is due on the clock engine's date, with its explanation."""
    due = due_date(rule_id, start)
    clocks = page.locator("[data-testid='clocks']")
    expect(clocks).to_contain_text(f"{what}: due {long_date(due.due)}")
    expect(clocks).to_contain_text(due.explanation)
    return due.due


def _write(page, child, document_type: str, record_id: int) -> None:
    """From the casework page, start the record's document."""
    page.goto(f"/children/{child.pk}/casework/")
    send(page, "[data-testid='write-document']")
    send(page, f"[data-testid='start-{document_type}-{record_id}']")


def _fill_rows(page, key: str, rows, columns) -> None:
    for number, row in enumerate(rows):
        for column, value in zip(columns, row, strict=True):
            cell = f"#{key}-{number}-{column}"
            if page.locator(cell).evaluate("element => element.tagName") == "SELECT":
                page.select_option(cell, value)
            else:
                page.fill(
                    cell, f"{value.day}/{value.month}/{value.year}" if isinstance(value, dt.date) else value
                )


def _authorise(manager, document_path: str) -> None:
    manager.goto(document_path)
    send(manager, "[data-testid='review-link']")
    send(manager, "button:has-text('Authorise')")
    expect(manager.locator("[data-testid='document-status']")).to_contain_text(
        f"Authorised on {long_date(TODAY.date())}"
    )


def _conference_recorded(page, child) -> ChildProtectionConference:
    page.goto(f"/children/{child.pk}/casework/")
    send(page, "a:has-text('Record the initial conference')")
    fill_date(page, "held_on", CONFERENCE_ON)
    page.fill("#id_chair", "Priya Shah")
    page.check("input[name=plan_decided][value=yes]")
    page.select_option("#id_category", "NEG")
    send(page, "button:has-text('Save')")
    return ChildProtectionConference.objects.get(child=child)


def _conference_written(page, child, conference) -> str:
    _write(page, child, "initial_conference", conference.pk)
    expect(page.locator("h1")).to_have_text("Initial child protection conference")
    expect(page.locator("#id_chair")).to_have_value("Priya Shah")  # what the record knows, carried
    expect(page.locator("input[name=plan_decided][value=yes]")).to_be_checked()
    _fill_rows(
        page,
        "attendance",
        [(*member, "attended") for member in MEMBERS],
        ("agency", "name", "role", "attendance"),
    )
    page.fill("#id_parents_attendance", "Maya's mother attended with an advocate.")
    page.fill("#id_parents_views", "Her mother agrees the children need a doctor and a warm home.")
    page.fill("#id_child_views", "Maya said: 'I want my tooth to stop hurting.'")
    page.fill("#id_decision_reasons", "Neglect of the children's health over a year; untreated tooth decay.")
    page.fill("#id_outline_outcomes", "Maya and her brother are registered with a GP and a dentist and seen.")
    _fill_rows(page, "outline_actions", ACTIONS, ("what", "who", "by"))
    _fill_rows(page, "core_group_members", MEMBERS, ("agency", "name", "role"))
    page.fill("#id_lead_social_worker", "Ama Osei")
    send(page, "button:has-text('Submit for authorisation')")
    expect(page.locator("[data-testid='document-status']")).to_contain_text("Submitted for authorisation")
    actions = page.locator("[data-testid='answer-outline_actions']")
    for what, who, by in ACTIONS:
        expect(actions).to_contain_text(f"{what}: {who}, by {long_date(by)}")
    return page.url.split("?")[0]


def _core_group_recorded(page, child) -> CoreGroupMeeting:
    page.goto(f"/children/{child.pk}/casework/")
    send(page, "a:has-text('Record a core group')")
    fill_date(page, "held_on", CORE_GROUP_ON)
    send(page, "button:has-text('Save')")
    return CoreGroupMeeting.objects.get(plan__child=child)


def _core_group_written(page, child, meeting) -> str:
    _write(page, child, "core_group_meeting", meeting.pk)
    expect(page.locator("h1")).to_have_text("Core group meeting")
    # The conference's members and actions arrive carried forward, each action with its date to review.
    for number, (what, who, by) in enumerate(ACTIONS):
        expect(page.locator(f"#progress-{number}-what")).to_have_value(what)
        expect(page.locator(f"#progress-{number}-who")).to_have_value(who)
        expect(page.locator(f"#progress-{number}-by")).to_have_value(f"{by.day}/{by.month}/{by.year}")
    for number, (_, name, _) in enumerate(MEMBERS):
        expect(page.locator(f"#attendance-{number}-name")).to_have_value(name)
        page.select_option(f"#attendance-{number}-attendance", "attended" if number < 2 else "apologies")
    page.select_option("#progress-0-progress", "done")
    page.fill("#progress-0-notes", "Both registered on 10 November; Maya saw the dentist on 12 November.")
    page.select_option("#progress-1-progress", "on_track")
    page.fill("#progress-1-notes", "Two visits; Maya seen alone each time.")
    page.fill("#id_child_views", "Maya said her tooth does not hurt now.")
    page.fill("#id_parents_views", "Her mother says the appointments were easier with help.")
    page.fill("#id_analysis", "Safer: the children's health needs are being met.")
    send(page, "button:has-text('Submit for authorisation')")
    progress = page.locator("[data-testid='answer-progress']")
    expect(progress).to_contain_text(
        f"{ACTIONS[0][0]}: {ACTIONS[0][1]}, by {long_date(ACTIONS[0][2])}. Progress: done"
    )
    expect(progress).to_contain_text("Progress: on track. Two visits; Maya seen alone each time.")
    return page.url.split("?")[0]


def test_a_conference_sets_the_plan_the_core_group_reviews_it_and_a_missed_meeting_escalates(
    signed_in_page, family, traveller
):
    worker = signed_in_page(family.worker)
    child = family.child

    # The initial conference decides on a plan: the first core group is due 10 working days on.
    conference = _conference_recorded(worker, child)
    first_due = _expect_clock(worker, "Hold the first core group", "core_group_first", CONFERENCE_ON)
    assert first_due == dt.date(2026, 11, 16)
    _expect_clock(worker, "Hold the first review conference", "cp_review_first", CONFERENCE_ON)

    # Its record: the decision, the outcomes and the actions (who, what, by when), authorised by the manager.
    conference_path = _conference_written(worker, child, conference)
    manager = signed_in_page(family.manager)
    _authorise(manager, conference_path)
    worker.goto(f"/children/{child.pk}/casework/")
    expect(worker.locator(f"#document-conference-{conference.pk}")).to_have_text(
        f"Authorised {long_date(TODAY.date())}"
    )

    # The first core group meets on working day 9: on time, and the next is due 20 working days on.
    meeting = _core_group_recorded(worker, child)
    plan = worker.locator("[data-testid='plan']")
    expect(plan).to_contain_text("Done on working day 9 of 10: on time")
    next_due = _expect_clock(worker, "Hold the next core group", "core_group", CORE_GROUP_ON)
    assert next_due == dt.date(2026, 12, 11)
    expect(worker.locator("[data-testid='clocks']")).not_to_contain_text("Hold the first core group")

    # Its record reviews each action of the plan, carried from the conference.
    meeting_path = _core_group_written(worker, child, meeting)
    _authorise(manager, meeting_path)
    screenshot(manager, "core-group-progress-authorised")
    worker.goto(f"/children/{child.pk}/casework/")
    expect(worker.locator(f"#document-core_group-{meeting.pk}")).to_have_text(
        f"Authorised {long_date(TODAY.date())}"
    )
    assert PracticeDocument.objects.filter(child=child, status="authorised").count() == 2

    # Four weeks on, no core group has met; Maya was seen on Friday, so only the core group is late.
    traveller.move_to(SWEEP_ON)
    visit = casework_services.note_save_draft(
        actor=family.worker,
        children=[child],
        note_type=NoteType.VISIT,
        title="Home visit",
        body="Maya showed me her new toothbrush.",
        event_on=SEEN_ON,
        child_seen=True,
        child_seen_alone=True,
    )
    casework_services.note_finalise(actor=family.worker, note=visit, children=[child])
    report = run_sweep()
    assert "1 escalations raised" in report, report
    escalation = Escalation.objects.get()
    assert (escalation.rule_id, escalation.level, escalation.assigned_to, escalation.due_on) == (
        "core_group",
        Level.TEAM_MANAGER,
        family.manager,
        next_due,
    )
    assert run_sweep().count("0 escalations raised") == 1  # the same missed meeting is not raised twice

    manager = signed_in_page(family.manager)  # four weeks on: the sessions of 16 November have ended
    manager.goto("/oversight/escalations/")
    row = manager.locator("[data-testid='escalation-row']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Maya Hart")
    expect(row).to_contain_text("Core group meeting")
    expect(row).to_contain_text(long_date(next_due))
    expect(row).to_contain_text("Team manager: Tia Manager")
    worker = signed_in_page(family.worker)
    worker.goto(f"/children/{child.pk}/casework/")
    expect(worker.locator("[data-testid='clocks']")).to_contain_text(
        f"Hold the next core group: due {long_date(next_due)}"
    )
    expect(worker.locator("[data-testid='clocks']")).to_contain_text("Overdue")
    screenshot(manager, "core-group-missed-escalated")

    # No one acknowledges it: the day after the team manager's deadline it climbs to the head of service.
    manager_deadline = ENGLAND.add_working_days(SWEEP_ON.date(), level_working_days()[Level.TEAM_MANAGER])
    assert escalation.level_deadline == manager_deadline
    traveller.move_to(dt.datetime.combine(ENGLAND.add_working_days(manager_deadline, 1), dt.time(9), LONDON))
    assert "1 climbs" in run_sweep()
    head = signed_in_page(family.head)
    head.goto("/oversight/escalations/")
    row = head.locator("[data-testid='escalation-row']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Core group meeting")
    expect(row).to_contain_text("Head of service: Hal Head")
