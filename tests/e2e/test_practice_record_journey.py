"""Issue 13's first journey: a social worker writes a child and family assessment over two sittings (the page
reloaded between them loses nothing) and submits it; the team manager returns it with a comment; the worker
revises it; the manager authorises it; the assessment's 45-working-day clock stops on that day; the chronology
shows each step; and the family's PDF downloads and reads back with the analysis in it.

Today is Monday 16 November 2026 (the clock ticks, for the sign-in codes). The referral came on Monday 2 November,
so the assessment authorised today is done on working day 10 of 45 (no bank holiday between)."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework import protection
from opencsc.casework.models import Assessment
from opencsc.documents.shipped_templates import load_shipped_templates
from opencsc.frontdoor.models import Referral
from opencsc.people import services as people_services
from tests.e2e.conftest import fill_date, screenshot, send

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/London"))
REFERRAL_ON = dt.date(2026, 11, 2)
SEEN_ON = dt.date(2026, 11, 5)
FIRST_ANALYSIS = "Sam is loved; the worry is the damp flat and how tired his mother is."
REVISED_ANALYSIS = "Sam is loved and safe. The damp flat is harming his asthma: rehousing is the priority."


@pytest.fixture(autouse=True)
def monday_16_november():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def family(live_user):
    load_shipped_templates()  # an earlier browser test's flush emptied every table, migrated data included
    team = Team.objects.create(name="Assessment West", kind=TeamKind.ASSESSMENT)
    worker = live_user(Role.SOCIAL_WORKER, team, first_name="Ama", last_name="Osei")
    manager = live_user(Role.TEAM_MANAGER, team, first_name="Tia", last_name="Manager")
    child = people_services.child_create(
        actor=worker,
        team=team,
        first_name="Sam",
        last_name="Brook",
        date_of_birth=dt.date(2018, 4, 9),
        sex="M",
    )
    referral = Referral.objects.create(
        child=child, referral_date=REFERRAL_ON, source="3A", route="assessment", team=team
    )
    assessment = protection.assessment_start(
        actor=worker, child=child, referral=referral, started_on=REFERRAL_ON + dt.timedelta(days=1)
    )
    return type(
        "Family", (), {"worker": worker, "manager": manager, "child": child, "assessment": assessment}
    )


def _first_sitting(page) -> None:
    page.fill("#id_who_was_seen", "Sam at home with his mother; his teacher by phone.")
    fill_date(page, "child_seen_on", SEEN_ON)
    page.check("input[name=child_seen_alone][value=yes]")
    page.fill("#id_developmental_needs", "Sam has asthma that is getting worse; he is doing well at school.")
    page.fill("#id_analysis", FIRST_ANALYSIS)
    send(page, "button:has-text('Save draft')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")


def _what_the_first_sitting_left(page) -> None:
    expect(page.locator("#id_who_was_seen")).to_have_value(
        "Sam at home with his mother; his teacher by phone."
    )
    expect(page.locator("#id_child_seen_on-day")).to_have_value(str(SEEN_ON.day))
    expect(page.locator("input[name=child_seen_alone][value=yes]")).to_be_checked()
    expect(page.locator("#id_analysis")).to_have_value(FIRST_ANALYSIS)


def _second_sitting(page) -> None:
    page.fill("#id_parenting_capacity", "His mother gives warm care and keeps his inhalers to hand.")
    page.fill("#id_family_environment", "A one-bedroom flat with black mould; little money.")
    page.fill("#id_wishes_and_feelings", "Sam said: 'I want a room where I can breathe.'")
    page.fill("#id_parents_views", "His mother wants to move and asks for help with the council.")
    page.fill("#id_agency_information", "School: attendance 95%. GP: three asthma visits this autumn.")
    page.check("input[name=factors][value='6A']")
    page.check("input[name=outcome][value=support]")
    page.fill("#id_next_steps", "Housing referral by Ama Osei by 20 November; a child in need plan.")
    send(page, "button:has-text('Submit for authorisation')")
    expect(page.locator("[data-testid='document-status']")).to_contain_text("Submitted for authorisation")


def _manager_decides(page, document_path: str, action: str, comment: str = "") -> None:
    page.goto(document_path)
    send(page, "[data-testid='review-link']")
    if comment:
        page.fill("#id_comment", comment)
    send(page, f"button:has-text('{action}')")


def test_an_assessment_written_returned_revised_authorised_and_read_by_the_family(signed_in_page, family):
    worker = signed_in_page(family.worker)
    worker.goto(f"/children/{family.child.pk}/casework/")
    send(worker, "[data-testid='write-assessment']")
    send(worker, "button:has-text('Start writing')")
    expect(worker.locator("h1")).to_have_text("Child and family assessment")

    _first_sitting(worker)
    worker.reload()
    _what_the_first_sitting_left(worker)
    _second_sitting(worker)
    document_path = worker.url.split("?")[0]

    manager = signed_in_page(family.manager)
    _manager_decides(
        manager, document_path, "Return to the worker", "Say how the mould affects Sam's asthma."
    )
    expect(manager.locator("[data-testid='document-status']")).to_contain_text("Returned to the worker")

    worker.goto(document_path)
    expect(worker.locator("[data-testid='review-comment']")).to_contain_text("Say how the mould affects")
    send(worker, "a:has-text('Continue writing')")
    worker.fill("#id_analysis", REVISED_ANALYSIS)
    send(worker, "button:has-text('Submit for authorisation')")
    expect(worker.locator("[data-testid='document-status']")).to_contain_text("Submitted for authorisation")

    _manager_decides(manager, document_path, "Authorise")
    expect(manager.locator("[data-testid='document-status']")).to_contain_text(
        "Authorised on 16 November 2026"
    )
    expect(manager.locator("[data-testid='answer-analysis']")).to_have_text(REVISED_ANALYSIS)
    screenshot(manager, "practice-record-authorised")

    assessment = Assessment.objects.get(pk=family.assessment.pk)
    assert assessment.authorised_on == TODAY.date() and assessment.factors == ["6A"]
    worker.goto(f"/children/{family.child.pk}/casework/")
    card = worker.locator(f"#assessment-{assessment.pk}")
    expect(card).to_contain_text("Authorised16 November 2026 by Tia Manager")
    expect(card).to_contain_text("Done on working day 10 of 45: on time")
    expect(card.locator("[data-testid='assessment-document']")).to_have_text("Authorised 16 November 2026")

    worker.goto(f"/children/{family.child.pk}/chronology/")
    chronology = worker.locator("main")
    expect(chronology).to_contain_text("Assessment completed and sent for authorisation")
    expect(chronology).to_contain_text(
        "Management oversight: Tia Manager returned the child and family assessment"
    )
    expect(chronology).to_contain_text("Child and family assessment revised by Ama Osei")
    expect(chronology).to_contain_text("Assessment authorised by Tia Manager")
    worker.goto(f"/children/{family.child.pk}/chronology/?show=all")
    expect(worker.locator("main")).to_contain_text("Writing of the child and family assessment begun")

    worker.goto(document_path)
    with worker.expect_download() as download:
        worker.click("[data-testid='pdf-link']")
    pdf = pypdf.PdfReader(Path(download.value.path()))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Child and family assessment for Sam Brook" in text
    assert REVISED_ANALYSIS in text
    assert "Agreed by Tia Manager, manager, on 16 November 2026" in text
