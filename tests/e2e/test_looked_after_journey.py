"""Issue 5's journey: a child becomes looked after and is placed out of county; the distance and 'outside' are
shown; the first visit is due within a week; a placement move restarts the visit clock; a missing episode makes
a return home interview due within 72 hours.

Real postcodes from the geography package: home HP19 8FF (Aylesbury); CA1 1AA (Carlisle) is outside
Buckinghamshire, 229.4 miles away; HP11 2JU (High Wycombe) is inside, 13.8 miles away. The steps are recorded on
fixed past dates and every due date is computed here with the clock engine's `due_date`."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework import services as casework_services
from opencsc.casework.models import NoteType
from opencsc.core.clocks import due_date
from opencsc.core.dates import long_date
from opencsc.people import services as people_services
from tests.e2e.conftest import fill_date, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CARE_STARTS_ON = dt.date(2026, 11, 2)
VISITED_ON = dt.date(2026, 11, 5)
MOVED_ON = dt.date(2026, 11, 16)
WENT_MISSING = (dt.date(2026, 11, 20), dt.time(21, 30))
RETURNED = (dt.date(2026, 11, 21), dt.time(9, 15))


def _expect_clock(page, rule_id: str, due: dt.date, *texts: str) -> None:
    clock = page.locator(f"[data-testid='clock-{rule_id}']")
    expect(clock).to_have_count(1)
    expect(clock).to_have_attribute("data-due", due.isoformat())
    for text in texts:
        expect(clock).to_contain_text(text)


@pytest.fixture
def worker(make_user):
    team = Team.objects.create(name="Children in Care", kind=TeamKind.LOOKED_AFTER)
    return make_user(Role.SOCIAL_WORKER, team, first_name="Cal", last_name="Worker")


@pytest.fixture
def child(worker):
    child = people_services.child_create(
        actor=worker, first_name="Evie", last_name="Stone", date_of_birth=dt.date(2013, 5, 14), sex="F"
    )
    people_services.address_move_in(
        actor=worker,
        child=child,
        line_1="4 Test Street",
        town="Aylesbury",
        postcode="HP19 8FF",
        moved_in_on=dt.date(2019, 1, 1),
    )
    return child


def _record_visit(worker, child, on: dt.date) -> None:
    note = casework_services.note_save_draft(
        actor=worker,
        children=[child],
        note_type=NoteType.VISIT,
        title="Visit in the placement",
        body="Evie showed me her room and talked about school.",
        event_on=on,
        child_seen=True,
        child_seen_alone=True,
    )
    casework_services.note_finalise(actor=worker, note=note, children=[child])


def test_out_of_county_placement_move_and_missing_episode(page, worker, child):
    sign_in(page, worker)
    page.goto(f"/children/{child.pk}/")
    expect(page.locator("[data-testid='looked-after']")).to_contain_text("Not looked after.")

    # Care starts in a placement in Carlisle: 229.4 miles from home, outside the authority.
    page.click("a:has-text('Start care')")
    fill_date(page, "started_on", CARE_STARTS_ON)
    page.select_option("#id_legal_status", "C1")
    page.select_option("#id_category_of_need", "N1")
    page.select_option("#id_placement_type", "U6")
    page.select_option("#id_placement_provider", "PR2")
    page.fill("#id_urn", "SC123456")
    page.fill("#id_carer_name", "Mr and Mrs Fell")
    page.fill("#id_placement_postcode", "CA1 1AA")
    page.fill("#id_home_postcode", "HP19 8FF")
    page.click("button:has-text('Start care')")
    expect(page.locator("h1")).to_have_text("Care history")
    expect(page.locator("[data-testid='current-placement'] [data-testid='placement-distance']")).to_have_text(
        "229.4 miles"
    )
    expect(page.locator("[data-testid='current-placement'] [data-testid='placement-location']")).to_have_text(
        "Outside"
    )
    expect(page.locator("[data-testid='placement-postcode']")).to_contain_text("CA1 1AA")
    expect(page.locator("[data-testid='location-warning']")).to_have_count(0)  # both postcodes are known
    expect(page.locator("[data-testid='placements-this-year']")).to_have_text("1")

    # The first visit in the placement is due within a week of its start.
    first_visit = due_date("cla_visit_first", CARE_STARTS_ON)
    assert first_visit.due == dt.date(2026, 11, 9)
    _expect_clock(
        page,
        "cla_visit_first",
        first_visit.due,
        f"Visit the child in the new placement: due {long_date(first_visit.due)}",
        "7 days from the placement on 2 November 2026",
    )
    screenshot(page, "care-started-out-of-county")

    page.goto(f"/children/{child.pk}/")
    looked_after = page.locator("[data-testid='looked-after']")
    expect(looked_after.locator("[data-testid='placement-distance']")).to_have_text("229.4 miles")
    expect(looked_after.locator("[data-testid='placement-location']")).to_have_text("Outside")
    expect(looked_after.locator("[data-testid='placements-this-year']")).to_have_text("1")
    visit_due = page.locator("[data-testid='due'] li", has_text="Visit the child in the new placement")
    expect(visit_due).to_contain_text(long_date(first_visit.due))
    expect(visit_due).to_contain_text(first_visit.explanation)

    # A visit three days in: the next is due six weeks after it, while the placement is in its first year.
    _record_visit(worker, child, VISITED_ON)
    page.goto(f"/children/{child.pk}/care/")
    next_visit = due_date("cla_visit", VISITED_ON)
    expect(page.locator("[data-testid='clock-cla_visit_first']")).to_have_count(0)
    _expect_clock(
        page,
        "cla_visit",
        next_visit.due,
        f"Visit the child: due {long_date(next_visit.due)}",
        "6 weeks from the last visit on 5 November 2026 (placement from 2 November 2026 is in its first year)",
    )

    # The child moves to High Wycombe: inside the authority, 13.8 miles; the visit clock restarts from the move.
    page.click("a:has-text('Record a placement move')")
    expect(page.locator("[data-testid='intro']")).to_contain_text("Placement since 2 November 2026")
    fill_date(page, "moved_on", MOVED_ON)
    page.check("input[name=same_carers][value=no]")
    page.select_option("#id_reason_placement_changed", "CARPL")
    page.select_option("#id_placement_type", "U6")
    page.select_option("#id_placement_provider", "PR1")
    page.fill("#id_urn", "SC654321")
    page.fill("#id_carer_name", "Ms Hope")
    page.fill("#id_placement_postcode", "HP11 2JU")
    page.click("button:has-text('Record the move')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "the visit clock restarts from the move"
    )
    expect(page.locator("[data-testid='current-placement'] [data-testid='placement-distance']")).to_have_text(
        "13.8 miles"
    )
    expect(page.locator("[data-testid='current-placement'] [data-testid='placement-location']")).to_have_text(
        "Inside"
    )
    expect(page.locator("[data-testid='placements-this-year']")).to_have_text("2")
    placements = page.locator("[data-testid='placements'] tbody tr")
    expect(placements).to_have_count(2)
    carlisle = placements.filter(has_text="CA1 1AA")  # newest first
    expect(carlisle).to_contain_text("229.4 miles")
    expect(carlisle).to_contain_text("Outside")
    expect(carlisle).to_contain_text("16 November 2026")
    expect(carlisle).to_contain_text("Change to or implementation of the care plan")
    wycombe = placements.filter(has_text="HP11 2JU")
    expect(wycombe).to_contain_text("13.8 miles")
    expect(wycombe).to_contain_text("Now")
    restarted = due_date("cla_visit_first", MOVED_ON)
    assert restarted.due == dt.date(2026, 11, 23)
    expect(page.locator("[data-testid='clock-cla_visit']")).to_have_count(0)
    _expect_clock(
        page,
        "cla_visit_first",
        restarted.due,
        f"Visit the child in the new placement: due {long_date(restarted.due)}",
        "7 days from the placement on 16 November 2026",
    )
    screenshot(page, "care-moved-inside")

    # A missing episode, back the next morning: a return home interview is due within 72 hours of the return.
    page.click("a:has-text('Record a missing or away episode')")
    page.check("input[name=kind][value=M]")
    fill_date(page, "started_on", WENT_MISSING[0])
    page.fill("#id_started_time", WENT_MISSING[1].strftime("%H:%M"))
    fill_date(page, "returned_on", RETURNED[0])
    page.fill("#id_returned_time", RETURNED[1].strftime("%H:%M"))
    page.click("button:has-text('Save')")
    expect(page.locator("[data-testid='missing-episodes']")).to_contain_text(
        "Missing from 20 November 2026 at 21:30, returned 21 November 2026 at 09:15"
    )
    returned_at = timezone.make_aware(dt.datetime.combine(*RETURNED))
    interview = due_date("return_home_interview", returned_at)
    assert timezone.localtime(interview.due) == timezone.make_aware(dt.datetime(2026, 11, 24, 9, 15))
    explanation = f"Due by 09:15 on 24 November 2026: {interview.explanation}; not yet offered"
    _expect_clock(
        page,
        "return_home_interview",
        timezone.localtime(interview.due).date(),
        "Return home interview (missing): due 24 November 2026 at 09:15",
        explanation,
        "72 hours from the return from missing at 09:15 on 21 November 2026",
    )
    screenshot(page, "care-missing-return-interview")

    page.goto(f"/children/{child.pk}/")
    rhi = page.locator("[data-testid='due'] li", has_text="Return home interview (missing)")
    expect(rhi).to_contain_text("24 November 2026")
    expect(rhi).to_contain_text(explanation)
    expect(page.locator("[data-testid='looked-after'] [data-testid='missing-episodes']")).to_contain_text(
        "Missing from 20 November 2026 at 21:30, returned 21 November 2026 at 09:15"
    )
    expect(page.locator("[data-testid='looked-after'] [data-testid='placement-location']")).to_have_text(
        "Inside"
    )
    screenshot(page, "child-looked-after-summary")
