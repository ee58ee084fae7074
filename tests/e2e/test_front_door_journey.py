"""Issue 3's journey: a police officer refers online, the front door decides within the clock and routes the
child to assessment, a team manager allocates with the worker's caseload in view, and the child leaves the
unallocated list."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.frontdoor import services as front_door
from opencsc.frontdoor.models import Channel, Contact, Decision
from opencsc.people import services as people_services
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def county(make_user):
    mash = Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR)
    assessment = Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT)
    mash_worker = make_user(Role.SOCIAL_WORKER, mash, first_name="Mo", last_name="Ash")
    manager = make_user(Role.TEAM_MANAGER, assessment, first_name="Tia", last_name="Manager")
    worker = make_user(Role.SOCIAL_WORKER, assessment, first_name="Ama", last_name="Osei")
    child = people_services.child_create(
        actor=mash_worker, first_name="Leo", last_name="Hart", date_of_birth=dt.date(2015, 6, 1), sex="M"
    )
    earlier = front_door.contact_record(
        actor=mash_worker,
        channel=Channel.PHONE,
        source="2A",
        concerns="School worried about bruising",
        children=[child],
        received_at=timezone.now() - dt.timedelta(days=150),
    )
    front_door.contact_decide(
        actor=mash_worker, contact=earlier, decision=Decision.ASSESSMENT, reason="Assess", team=assessment
    )
    child.assessments.update(closed_on=timezone.localdate() - dt.timedelta(days=100))
    return {
        "mash_worker": mash_worker,
        "manager": manager,
        "worker": worker,
        "child": child,
        "assessment_team": assessment,
    }


def _refer_online(page) -> str:
    page.goto("/refer/")
    page.fill("#id_referrer_name", "PC Sam Dale")
    page.fill("#id_referrer_role", "Police constable")
    page.fill("#id_referrer_organisation", "Shire Police")
    page.check("input[name=agency_type][value=police]")
    page.fill("#id_referrer_email", "sam.dale@police.example")
    page.fill("#id_child_1_first_name", "Leo")
    page.fill("#id_child_1_last_name", "Hart")
    page.fill("#id_child_1_date_of_birth-day", "1")
    page.fill("#id_child_1_date_of_birth-month", "6")
    page.fill("#id_child_1_date_of_birth-year", "2015")
    page.fill("#id_child_1_postcode", "HP19 8FF")
    page.check("input[name=immediate_danger][value=no]")
    page.fill("#id_concerns", "Officers attended a domestic incident; Leo was present and frightened.")
    page.check("input[name=parents_aware][value=yes]")
    page.check("input[name=consent][value=yes]")
    page.click("button:has-text('Send referral')")
    reference = page.locator("[data-testid='reference']").inner_text().strip()
    screenshot(page, "partner-referral-sent")
    return reference


def test_online_police_referral_to_allocation(page, signed_in_page, county):
    reference = _refer_online(page)
    contact = Contact.objects.get(reference=reference)
    assert contact.source == "6" and contact.decision_due_on >= timezone.localdate()

    mash = signed_in_page(county["mash_worker"])
    mash.goto("/front-door/")
    mash.click(f"text={reference}")
    expect(mash.locator("[data-testid='decision-clock']")).to_contain_text("Decision due by")
    expect(mash.locator("[data-testid='decision-clock']")).to_contain_text("1 working day from the contact")
    mash.click("button:has-text('Link to this record')")
    expect(mash.locator("[data-testid='earlier-referrals']")).to_contain_text("Schools")
    expect(mash.locator("body")).to_contain_text("This would be a re-referral")
    mash.check("input[name=rag][value=amber]")
    mash.click("button:has-text('Record priority')")
    mash.check("input[name=decision][value=assessment]")
    mash.fill("#id_decision_reason", "Second incident in six months: assess")
    mash.select_option("#id_team", label="Assessment North")
    mash.click("button:has-text('Record decision')")
    expect(mash.locator("[data-testid='decision-clock']")).to_contain_text("Within the clock")
    screenshot(mash, "front-door-decided")

    sign_in(page, county["manager"])
    page.goto("/allocation/unallocated/")
    expect(page.locator("[data-testid='unallocated']")).to_contain_text("Leo Hart")
    page.click("a:has-text('Allocate Leo Hart')")
    worker_choice = page.locator("label", has_text="Ama Osei")
    expect(worker_choice).to_contain_text("0 cases, weighted 0 of 18")
    screenshot(page, "allocate-with-caseload")
    worker_choice.click()
    page.click("button:has-text('Allocate')")
    expect(page.locator("[data-testid='allocated-worker']")).to_have_text("Ama Osei")
    page.goto("/allocation/unallocated/")
    expect(page.locator("[data-testid='unallocated']")).not_to_contain_text("Leo Hart")
