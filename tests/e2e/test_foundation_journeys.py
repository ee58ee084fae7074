"""Issue 2's journeys: two-factor sign-in, finding a child by part of a postcode, a visit note finalised and
amended, a refused look that lands in the access log, and GOV.UK error handling in the browser."""

import datetime as dt

import pyotp
import pytest
from playwright.sync_api import expect

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.casework.models import CaseNote, CaseNoteAmendment
from opencsc.people import services as people_services
from tests.e2e.conftest import enter_password, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _child(actor, first, last, postcode, team=None):
    child = people_services.child_create(
        actor=actor, team=team, first_name=first, last_name=last, date_of_birth=dt.date(2016, 4, 2), sex="F"
    )
    people_services.address_move_in(
        actor=actor,
        child=child,
        line_1="1 Test Street",
        town="Aylesbury",
        postcode=postcode,
        moved_in_on=dt.date(2020, 1, 1),
    )
    return child


def test_two_factor_sign_in_enrols_then_asks_only_for_the_code(page, make_user, teams):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"], first_name="Tess", last_name="Otp")
    enter_password(page, worker.username)
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    secret = page.locator("[data-testid='totp-secret']").inner_text().strip()
    screenshot(page, "two-factor-enrol")
    page.fill("#id_code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("button:has-text('Sign in')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Hello, Tess Otp")

    page.goto("/accounts/sign-out/")
    page.click("button:has-text('Sign out')")
    worker.refresh_from_db()
    worker.totp_last_used_step = None  # as if the next 30-second step had come round
    worker.save(update_fields=["totp_last_used_step"])
    enter_password(page, worker.username)
    expect(page.locator("h1")).to_have_text("Enter your code")
    expect(page.locator("[data-testid='totp-secret']")).to_have_count(0)
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Hello, Tess Otp")


def test_find_a_child_by_part_of_a_postcode(page, make_user, teams):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    _child(worker, "Hana", "Vale", "HP19 8FF")
    _child(worker, "Ivo", "Vale", "HP20 1AA")
    _child(worker, "Jun", "Vale", "SL7 1AB")
    sign_in(page, worker)
    page.goto("/children/")
    page.fill("#id_q", "HP19")
    page.click("button:has-text('Search')")
    results = page.locator("table tbody")
    expect(results).to_contain_text("Hana Vale")
    expect(results).not_to_contain_text("Ivo Vale")
    expect(results).not_to_contain_text("Jun Vale")
    screenshot(page, "search-partial-postcode")
    page.fill("#id_q", "hp19 8")
    page.click("button:has-text('Search')")
    expect(page.locator("[data-testid='result-count']")).to_have_text("1 child found")


def test_a_visit_seen_alone_is_finalised_then_amended_and_reaches_the_chronology(page, make_user, teams):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    child = _child(worker, "Kit", "Moss", "HP19 8FF")
    sign_in(page, worker)

    page.goto(f"/children/{child.pk}/notes/new/")
    page.fill("#id_title", "Home visit")
    page.fill("#id_body", "Kit showed me their room.")
    expect(page.locator("[data-testid='autosave-status']")).to_contain_text("Draft saved", timeout=20_000)
    draft = CaseNote.objects.get()
    page.goto(f"/notes/{draft.pk}/edit/")
    expect(page.locator("#id_body")).to_have_value("Kit showed me their room.")

    page.check("#id_child_seen")  # the first radio of each yes/no question is Yes
    page.check("#id_child_seen_alone")
    page.check("#id_bedroom_seen")
    page.click("button:has-text('Finalise note')")
    expect(page.locator("[data-testid='note-summary']")).to_contain_text("Seen alone")
    expect(page.locator("[data-testid='note-summary']")).to_contain_text("Yes")
    screenshot(page, "visit-finalised")

    page.click("text=Amend this note")
    page.fill("#id_reason", "Added what Kit said about school")
    page.fill("#id_body", "Kit showed me their room. Kit said school is going well.")
    page.click("button:has-text('Save amendment')")
    expect(page.locator("[data-testid='note-body']")).to_contain_text("school is going well")
    expect(page.locator("[data-testid='amendments']")).to_contain_text("Added what Kit said about school")
    expect(page.locator("[data-testid='amendments']")).to_contain_text("Kit showed me their room.")
    assert CaseNoteAmendment.objects.get().previous["body"] == "Kit showed me their room."

    page.goto(f"/children/{child.pk}/chronology/?show=all")
    expect(page.locator("[data-testid='chronology']")).to_contain_text(
        "Visit: Home visit (child seen, seen alone)"
    )


def test_a_worker_without_access_is_refused_and_the_attempt_is_logged(
    page, browser, live_server, make_user, teams
):
    owner = make_user(Role.SOCIAL_WORKER, teams["north"])
    outsider = make_user(Role.SOCIAL_WORKER, teams["south"], first_name="Olly", last_name="Outsider")
    manager = make_user(Role.TEAM_MANAGER, teams["north"])
    child = _child(owner, "Lia", "Stone", "HP19 8FF")

    sign_in(page, outsider)
    response = page.goto(f"/children/{child.pk}/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    assert RecordAccess.objects.filter(user=outsider, child=child, kind=AccessKind.REFUSED).exists()

    manager_context = browser.new_context(base_url=live_server.url)
    manager_page = manager_context.new_page()
    sign_in(manager_page, manager)
    manager_page.goto(f"/children/{child.pk}/access-log/")
    log = manager_page.locator("[data-testid='access-log']")
    expect(log).to_contain_text("Olly Outsider")
    expect(log).to_contain_text("Refused")
    screenshot(manager_page, "access-log")
    manager_context.close()


def test_an_empty_form_shows_the_error_summary_focused_and_links_to_the_field(page, make_user, teams):
    sign_in(page, make_user(Role.SOCIAL_WORKER, teams["north"]))
    page.goto("/children/new/")
    page.click("button:has-text('Create record')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the first name")
    page.wait_for_function("document.activeElement && document.activeElement.closest('.govuk-error-summary')")
    screenshot(page, "error-summary")
    summary.locator("a[href='#id_first_name']").click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_first_name'")
