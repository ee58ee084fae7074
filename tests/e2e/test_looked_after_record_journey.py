"""Issue 13's looked-after journey: a child placed on Wednesday 11 November 2026 has the placement plan due in 5
working days (Wednesday 18 November) on the worker's work view and the care page. The team manager assigns the
IRO; the worker writes the care plan (the IRO's name carried in) and the manager authorises it; the placement plan
starts with the care plan's health, education and family time, and its authorisation agrees the plan, so the clock
leaves the care page and the work view. A review held today is chaired by the IRO, who adds a recommendation from
their caseload; the worker sees it on the work view and answers it.

Today is Monday 16 November 2026 (the clock ticks, for the sign-in codes)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework.services import allocation_create
from opencsc.documents.shipped_templates import load_shipped_templates
from opencsc.looked_after import services as care
from opencsc.looked_after.models import PlacementPlanAgreement, ReviewRecommendation
from opencsc.people import services as people_services
from tests.e2e.conftest import fill_date, screenshot, send

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/London"))
PLACED_ON = dt.date(2026, 11, 11)
HEALTH = "Initial health assessment booked for 24 November; registered with Dr Patel."


@pytest.fixture(autouse=True)
def monday_16_november():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def placed(live_user):
    load_shipped_templates()  # an earlier browser test's flush emptied every table, migrated data included
    team = Team.objects.create(name="Children in Care North", kind=TeamKind.LOOKED_AFTER)
    worker = live_user(Role.SOCIAL_WORKER, team, first_name="Cal", last_name="Worker")
    manager = live_user(Role.TEAM_MANAGER, team, first_name="Tia", last_name="Manager")
    officer = live_user(Role.INDEPENDENT_REVIEWING_OFFICER, None, first_name="Ines", last_name="Reviewer")
    child = people_services.child_create(
        actor=worker,
        team=team,
        first_name="Evie",
        last_name="Stone",
        date_of_birth=dt.date(2013, 5, 14),
        sex="F",
    )
    people_services.address_move_in(
        actor=worker,
        child=child,
        line_1="4 Test Street",
        town="Aylesbury",
        postcode="HP19 8FF",
        moved_in_on=dt.date(2019, 1, 1),
    )
    allocation_create(actor=manager, child=child, worker=worker, started_on=dt.date(2026, 11, 2))
    care.episode_start_care(
        actor=worker,
        child=child,
        started_on=PLACED_ON,
        legal_status="C1",
        category_of_need="N1",
        placement_type="U6",
        placement_provider="PR1",
        urn="SC123456",
        carer_name="Mr and Mrs Fell",
        placement_postcode="HP11 2JU",
    )
    return type("Placed", (), {"worker": worker, "manager": manager, "officer": officer, "child": child})


def _plan_row(page, child):
    return page.locator(f"[data-testid='due-row'][data-rule='placement_plan'][data-child='{child.pk}']")


def _start(page, child, document_type: str) -> None:
    page.goto(f"/children/{child.pk}/documents/new/")
    send(page, f"[data-testid^='start-{document_type}-']")


def _authorise(manager, document_path: str) -> None:
    manager.goto(document_path)
    send(manager, "[data-testid='review-link']")
    send(manager, "button:has-text('Authorise')")
    expect(manager.locator("[data-testid='document-status']")).to_contain_text(
        "Authorised on 16 November 2026"
    )


def test_care_plan_placement_plan_iro_and_review_recommendations(signed_in_page, placed):
    child = placed.child
    worker = signed_in_page(placed.worker)
    worker.goto("/work/mine/")
    row = _plan_row(worker, child)
    expect(row).to_contain_text("Agree the placement plan")
    expect(row).to_contain_text("18 November 2026")
    expect(row).not_to_have_attribute("data-overdue", "1")

    # The team manager assigns the IRO from the day the child was placed.
    manager = signed_in_page(placed.manager)
    manager.goto(f"/children/{child.pk}/care/")
    send(manager, "a:has-text('Assign the IRO')")
    manager.select_option("#id_iro", str(placed.officer.pk))
    fill_date(manager, "started_on", PLACED_ON)
    send(manager, "main button[type=submit]")
    expect(manager.locator("[data-testid='iro-history']")).to_contain_text(
        "Ines Reviewer from 11 November 2026 (now)"
    )

    # The care plan: the IRO's name is carried in; the manager authorises it.
    _start(worker, child, "care_plan")
    expect(worker.locator("h1")).to_have_text("Care plan")
    expect(worker.locator("#id_iro")).to_have_value("Ines Reviewer")
    worker.fill("#id_permanence_plan", "Evie returns home by May 2027 if her mother's recovery holds.")
    worker.fill("#id_health", HEALTH)
    worker.fill("#id_education", "Stays at Aylesbury Vale Academy; PEP meeting on 1 December.")
    worker.fill("#id_family_time", "Mother twice a week at the family centre, supervised.")
    worker.fill("#id_child_views", "Evie said: 'I want to see Mum more and keep my school.'")
    worker.fill("#id_parents_views", "Her mother wants Evie home and has started the recovery programme.")
    worker.fill("#actions-0-what", "Initial health assessment")
    worker.fill("#actions-0-who", "Looked-after children's nurse")
    worker.fill("#actions-0-by", "24/11/2026")
    worker.fill("#id_contingency", "If the recovery fails, a plan for long-term fostering with the Fells.")
    send(worker, "button:has-text('Submit for authorisation')")
    expect(worker.locator("[data-testid='document-status']")).to_contain_text("Submitted for authorisation")
    _authorise(manager, worker.url.split("?")[0])

    # The placement plan starts from the care plan; its authorisation agrees the plan and closes the clock.
    worker.goto(f"/children/{child.pk}/care/")
    expect(worker.locator("[data-testid='clock-placement_plan']")).to_have_attribute("data-due", "2026-11-18")
    _start(worker, child, "placement_plan")
    expect(worker.locator("h1")).to_have_text("Placement plan")
    expect(worker.locator("#id_health")).to_have_value(HEALTH)
    expect(worker.locator("#id_carer")).to_have_value(
        "Mr and Mrs Fell, Foster placement with another carer, other"
    )
    worker.fill("#id_placement_purpose", "A family near Evie's school, with carers used to teenagers.")
    worker.fill(
        "#id_delegated_authority", "The Fells decide haircuts, school trips and sleepovers with friends."
    )
    worker.fill("#id_visits", "Within a week, then every 6 weeks")
    worker.fill("#id_child_views", "Evie likes her room; she misses her cat.")
    send(worker, "button:has-text('Submit for authorisation')")
    _authorise(manager, worker.url.split("?")[0])
    assert PlacementPlanAgreement.objects.get(child=child).agreed_on == TODAY.date()
    worker.goto(f"/children/{child.pk}/care/")
    expect(worker.locator("[data-testid='clock-placement_plan']")).to_have_count(0)
    worker.goto("/work/mine/")
    expect(_plan_row(worker, child)).to_have_count(0)
    screenshot(worker, "looked-after-placement-plan-agreed")

    # A review held today is chaired by the IRO, who adds a recommendation from their caseload.
    worker.goto(f"/children/{child.pk}/care/")
    send(worker, "a:has-text('Record a review')")
    fill_date(worker, "held_on", TODAY.date())
    worker.check("input[name=participation][value=PN1]")
    send(worker, "main button[type=submit]")
    expect(worker.locator("[data-testid='reviews']")).to_contain_text("chaired by Ines Reviewer")

    officer = signed_in_page(placed.officer)
    officer.goto("/looked-after/iro/")
    send(officer, f"[data-testid='iro-caseload'] a:has-text('{child.full_name}')")
    send(officer, "a:has-text('Add a recommendation')")
    officer.fill("#id_text", "Arrange a life-story session with Evie before the next review.")
    fill_date(officer, "due_on", dt.date(2026, 12, 14))
    send(officer, "main button[type=submit]")
    expect(officer.locator("[data-testid='recommendations']")).to_contain_text("Arrange a life-story session")

    # The worker sees it on the work view and answers it.
    worker.goto("/work/mine/")
    expect(
        worker.locator(f"[data-testid='due-row'][data-rule='iro_recommendation'][data-child='{child.pk}']")
    ).to_have_count(1)
    worker.goto(f"/children/{child.pk}/care/")
    send(worker, "[data-testid='recommendations'] a:has-text('Answer')")
    worker.check("input[name=answer][value=done]")
    send(worker, "main button[type=submit]")
    recommendation = ReviewRecommendation.objects.get(review__child=child)
    assert (recommendation.answer, recommendation.answered_by) == ("done", placed.worker)
    worker.goto("/work/mine/")
    expect(worker.locator("[data-testid='due-row'][data-rule='iro_recommendation']")).to_have_count(0)
    screenshot(worker, "looked-after-recommendation-answered")
