"""The foundation's journeys in a real browser: two-factor sign-in, finding a child by part of a postcode, a
visit note autosaved, finalised and amended, a refused look that lands in the access log, and GOV.UK error
handling with its JavaScript."""

import datetime as dt
import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

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


def _answer(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def _expect_govuk_page(page: Page, authority: str = "Shire County Council") -> None:
    """GOV.UK Frontend's stylesheet is applied and the header is the generic one: the authority, no crown."""
    header = page.locator(".govuk-generic-header")
    expect(header).to_contain_text(authority)
    expect(header.locator("svg, img")).to_have_count(0)  # no crown or crest
    expect(page.locator(".govuk-header, .govuk-logo")).to_have_count(0)  # not the GOV.UK header
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.govuk-generic-header')).backgroundColor"
    ) not in {"rgba(0, 0, 0, 0)", "transparent"}, "GOV.UK Frontend's stylesheet did not load"
    font = page.evaluate("getComputedStyle(document.querySelector('.govuk-heading-l, h1')).fontWeight")
    assert font in {"700", "bold"}, "GOV.UK Frontend's stylesheet did not load"
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')"), "GOV.UK JS not run"


def test_two_factor_sign_in_enrols_then_asks_only_for_the_code(page, live_user, teams):
    worker = live_user(Role.SOCIAL_WORKER, teams["north"], first_name="Tess", last_name="Otp")
    enter_password(page, worker.username)
    expect(page.locator("h1")).to_have_text("Set up your authenticator app")
    secret = page.locator("[data-testid='totp-secret']").inner_text().strip()
    expect(page.locator("svg").first).to_be_visible()  # the QR code to scan
    _expect_govuk_page(page)
    screenshot(page, "two-factor-enrol")

    totp = pyotp.TOTP(secret)
    right_now = {totp.at(time.time() + totp.interval * drift) for drift in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in right_now)
    page.fill("#id_code", wrong)
    page.click("button:has-text('Sign in')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The code is not right")
    expect(page.locator("#id_code-error, .govuk-error-message")).to_contain_text("The code is not right")
    expect(page.locator("#id_code")).to_have_class(re.compile(r"govuk-input--error"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    screenshot(page, "two-factor-wrong-code")

    page.fill("#id_code", totp.now())
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Hello, Tess Otp")

    page.goto("/accounts/sign-out/")
    page.click("button:has-text('Sign out')")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/$"))
    worker.refresh_from_db()
    worker.totp_last_used_step = None  # as if the next 30-second step had come round, to save waiting for it
    worker.save(update_fields=["totp_last_used_step"])

    enter_password(page, worker.username)
    expect(page.locator("h1")).to_have_text("Enter your code")
    expect(page.locator("[data-testid='totp-secret']")).to_have_count(0)
    expect(page.locator("main svg")).to_have_count(0)  # no QR code once enrolled
    page.fill("#id_code", totp.now())
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text("Hello, Tess Otp")


def test_find_a_child_by_part_of_a_postcode(page, live_user, teams):
    worker = live_user(Role.SOCIAL_WORKER, teams["north"])
    _child(worker, "Hana", "Vale", "HP19 8FF")
    _child(worker, "Ivo", "Vale", "HP20 1AA")
    _child(worker, "Jun", "Vale", "SL7 1AB")
    sign_in(page, worker)

    for query in ("HP19", "hp19 8"):
        page.goto("/children/")
        page.fill("#id_q", query)
        page.click("button:has-text('Search')")
        expect(page).to_have_url(re.compile(r"/children/\?q="))
        results = page.locator("table tbody")
        expect(results.locator("tr")).to_have_count(1)
        expect(results).to_contain_text("Hana Vale")
        expect(results).to_contain_text("HP19 8FF")
        expect(results).not_to_contain_text("Ivo Vale")
        expect(results).not_to_contain_text("Jun Vale")
        expect(page.locator("[data-testid='result-count']")).to_have_text("1 child found")
        if query == "HP19":
            _expect_govuk_page(page)
            screenshot(page, "search-partial-postcode")


def test_a_visit_seen_alone_is_autosaved_finalised_amended_and_reaches_the_chronology(page, live_user, teams):
    worker = live_user(Role.SOCIAL_WORKER, teams["north"])
    child = _child(worker, "Kit", "Moss", "HP19 8FF")
    sign_in(page, worker)

    # Autosave: typing is saved as a draft without pressing a button, and is there after a reload.
    page.goto(f"/children/{child.pk}/notes/new/")
    expect(page.locator("[data-testid='autosave-status']")).to_have_text("")
    page.select_option("#id_note_type", "visit")
    page.fill("#id_title", "Home visit")
    page.locator("#id_body").press_sequentially("Kit showed me their room.")
    expect(page.locator("[data-testid='autosave-status']")).to_contain_text("Draft saved", timeout=20_000)
    draft = CaseNote.objects.get()
    assert draft.body == "Kit showed me their room."
    expect(page).to_have_url(re.compile(rf"/notes/{draft.pk}/edit/$"))  # the address is now the draft's
    page.reload()
    expect(page.locator("h1")).to_have_text("Draft note")
    expect(page.locator("#id_body")).to_have_value("Kit showed me their room.")
    expect(page.locator("#id_title")).to_have_value("Home visit")

    # Seen alone, then finalised.
    _answer(page, "Was the child seen?", "Yes")
    _answer(page, "Was the child seen alone?", "Yes")
    _answer(page, "Was the child's bedroom seen?", "Yes")
    page.click("button:has-text('Finalise note')")
    expect(page).to_have_url(re.compile(rf"/notes/{draft.pk}/$"))
    summary = page.locator("[data-testid='note-summary']")
    for question in ("Child seen", "Seen alone", "Bedroom seen"):
        expect(summary.locator(".govuk-summary-list__row", has_text=question)).to_contain_text("Yes")
    _expect_govuk_page(page)
    screenshot(page, "visit-finalised")

    # Amended with a reason: the page shows the history and the words before the amendment.
    page.click("text=Amend this note")
    page.fill("#id_reason", "Added what Kit said about school")
    page.fill("#id_body", "Kit showed me their room. Kit said school is going well.")
    page.click("button:has-text('Save amendment')")
    expect(page.locator("[data-testid='note-body']")).to_have_text(
        "Kit showed me their room. Kit said school is going well."
    )
    history = page.locator("[data-testid='amendments']")
    expect(history).to_contain_text("Amendment 1")
    expect(history).to_contain_text("Reason: Added what Kit said about school")
    history.locator("summary", has_text="Text before this amendment").click()
    earlier = history.locator(".govuk-details__text")
    expect(earlier).to_be_visible()
    expect(earlier).to_contain_text("Kit showed me their room.")
    expect(earlier).not_to_contain_text("school is going well")
    screenshot(page, "visit-amended")
    assert CaseNoteAmendment.objects.get().previous["body"] == "Kit showed me their room."

    page.goto(f"/children/{child.pk}/chronology/?show=all")
    chronology = page.locator("[data-testid='chronology']")
    expect(chronology).to_contain_text("Visit: Home visit (child seen, seen alone)")
    screenshot(page, "visit-in-chronology")


def test_a_worker_without_access_is_refused_and_the_attempt_is_logged(page, signed_in_page, live_user, teams):
    owner = live_user(Role.SOCIAL_WORKER, teams["north"])
    outsider = live_user(Role.SOCIAL_WORKER, teams["south"], first_name="Olly", last_name="Outsider")
    manager = live_user(Role.TEAM_MANAGER, teams["north"])
    child = _child(owner, "Lia", "Stone", "HP19 8FF", team=teams["north"])

    sign_in(page, outsider)
    response = page.goto(f"/children/{child.pk}/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    expect(page.locator("main")).not_to_contain_text("Lia Stone")
    expect(page.locator("main")).not_to_contain_text("HP19")
    screenshot(page, "refused")
    assert RecordAccess.objects.filter(user=outsider, child=child, kind=AccessKind.REFUSED).exists()

    manager_page = signed_in_page(manager)
    manager_page.goto(f"/children/{child.pk}/access-log/")
    expect(manager_page.locator("h1")).to_have_text("Who has looked at this record")
    refused = manager_page.locator("[data-testid='access-log'] tbody tr", has_text="Olly Outsider")
    expect(refused).to_have_count(1)
    expect(refused.locator(".govuk-tag")).to_have_text("Refused")
    expect(refused).to_contain_text(f"/children/{child.pk}/")
    _expect_govuk_page(manager_page)
    screenshot(manager_page, "access-log")


def test_an_empty_form_shows_the_error_summary_focused_and_links_to_the_field(page, live_user, teams):
    sign_in(page, live_user(Role.SOCIAL_WORKER, teams["north"]))
    page.goto("/children/new/")
    page.click("button:has-text('Create record')")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter the first name")
    expect(page).to_have_title(re.compile(r"^Error: "))
    # GOV.UK Frontend's JavaScript moves focus to the summary so that screen readers announce it.
    # (A locator assertion, not wait_for_function: the service's CSP forbids the eval a string predicate needs.)
    expect(summary).to_be_focused()
    _expect_govuk_page(page)
    screenshot(page, "error-summary")
    summary.locator("a[href='#id_first_name']").click()
    expect(page.locator("#id_first_name")).to_be_focused()
