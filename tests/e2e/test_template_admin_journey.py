"""Issue 13's template journey and the documents' autosave, in the browser.

The administrator adds a question to the child and family assessment's template and publishes version 2: an
assessment begun before keeps version 1, one begun after is written in version 2 and asks the new question, and the
removal of a statutory question is refused. A document saves itself while the worker types and is there after a
reload; with the network cut, the page says so, keeps the text and saves it when the network is back; and a tab
closed while offline offers its unsaved text to the next page opened.

Dates are relative to the run's anchored today (tests/conftest.py): the referrals came a week before."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework import protection
from opencsc.documents import services
from opencsc.documents.models import DocumentTemplate, DocumentVersion, PracticeDocument
from opencsc.documents.shipped_templates import load_shipped_templates
from opencsc.frontdoor.models import Referral
from opencsc.people import services as people_services
from tests.e2e.conftest import screenshot, send

pytestmark = pytest.mark.django_db(transaction=True)

NEW_QUESTION = "Three houses: worries, good things and dreams"
SAVED_WITHIN_MS = 30_000  # a save two seconds after typing stops, or on the next try once back online


@pytest.fixture
def office(live_user):
    load_shipped_templates()  # an earlier browser test's flush emptied every table, migrated data included
    team = Team.objects.create(name="Assessment East", kind=TeamKind.ASSESSMENT)
    worker = live_user(Role.SOCIAL_WORKER, team, first_name="Ama", last_name="Osei")
    admin = live_user(Role.ADMINISTRATOR, None, first_name="Ada", last_name="Admin")
    return type("Office", (), {"team": team, "worker": worker, "admin": admin})


def _assessment_in_progress(office, first_name: str):
    """A child referred a week ago whose assessment started the next day."""
    child = people_services.child_create(
        actor=office.worker,
        team=office.team,
        first_name=first_name,
        last_name="Field",
        date_of_birth=dt.date(2017, 3, 4),
        sex="F",
    )
    referred = timezone.localdate() - dt.timedelta(days=7)
    referral = Referral.objects.create(
        child=child, referral_date=referred, source="3A", route="assessment", team=office.team
    )
    return protection.assessment_start(
        actor=office.worker, child=child, referral=referral, started_on=referred + dt.timedelta(days=1)
    )


def test_an_administrator_publishes_version_2_and_documents_keep_the_version_they_were_begun_in(
    signed_in_page, office
):
    earlier = services.document_start(actor=office.worker, assessment=_assessment_in_progress(office, "Nia"))
    later_assessment = _assessment_in_progress(office, "Ola")

    admin = signed_in_page(office.admin)
    admin.goto("/document-templates/")
    assessment_type = admin.locator("[data-testid='type-child_and_family_assessment']")
    expect(assessment_type).to_contain_text("In use for new documents")
    with admin.expect_navigation():
        assessment_type.locator("button", has_text="Make a new draft version from version 1").click()
    expect(admin.locator("h1")).to_have_text("Child and family assessment, version 2")
    expect(admin.locator("[data-testid='template-status']")).to_contain_text("Draft")

    send(admin, 'a:has-text("Add a question to The child\'s wishes and feelings")')
    admin.fill("#id_label", NEW_QUESTION)
    admin.fill("#id_help_text", "Draw the three houses with the child; write what they said in their words.")
    send(admin, "button:has-text('Save question')")
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Question added")
    expect(admin.locator("[data-testid='section-child-voice']")).to_contain_text(NEW_QUESTION)

    # A statutory question: its page says why it stays, and offers no button to remove it.
    send(admin, "[data-testid='question-factors'] a:has-text('Remove')")
    expect(admin.locator("[data-testid='cannot-remove']")).to_contain_text(
        "'Factors identified' fills the statutory record (Assessment: factors identified): it cannot be removed"
    )
    expect(admin.locator("button:has-text('Remove')")).to_have_count(0)
    screenshot(admin, "template-statutory-question-kept")
    send(admin, "a.govuk-button:has-text('Back to version 2')")

    send(admin, "[data-testid='publish-link']")
    expect(admin.locator("[data-testid='added']")).to_have_text(NEW_QUESTION)
    send(admin, "button:has-text('Publish version 2')")
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Version 2 published")
    expect(admin.locator("[data-testid='template-status']")).to_contain_text("Published")
    expect(admin.locator("a:has-text('Remove')")).to_have_count(0)  # a published version offers no change
    screenshot(admin, "template-version-2-published")

    worker = signed_in_page(office.worker)
    worker.goto(f"/documents/{earlier.pk}/edit/")
    expect(worker.locator("[data-testid='document-status']")).to_contain_text("Template version 1")
    expect(worker.locator("main")).not_to_contain_text(NEW_QUESTION)

    worker.goto(f"/children/{later_assessment.child_id}/assessment/document/")
    send(worker, "button:has-text('Start writing')")
    expect(worker.locator("[data-testid='document-status']")).to_contain_text("Template version 2")
    expect(worker.locator("main")).to_contain_text(NEW_QUESTION)
    later = PracticeDocument.objects.get(assessment=later_assessment)
    assert (PracticeDocument.objects.get(pk=earlier.pk).template.version, later.template.version) == (1, 2)
    assert DocumentTemplate.objects.get(document_type="child_and_family_assessment", version=1).questions()
    assert "factors" in [q.key for q in later.template.questions()]


def _writing(signed_in_page, office, first_name: str):
    document = services.document_start(
        actor=office.worker, assessment=_assessment_in_progress(office, first_name)
    )
    page = signed_in_page(office.worker)
    page.goto(f"/documents/{document.pk}/edit/")
    expect(page.locator("[data-testid='autosave-status']")).to_have_text("")
    return document, page


def _saved_analysis(document) -> str | None:
    return PracticeDocument.objects.get(pk=document.pk).answers.get("analysis")


def test_a_document_saves_itself_while_the_worker_types_and_survives_a_reload(signed_in_page, office):
    document, page = _writing(signed_in_page, office, "Pia")
    analysis = "Pia is safe at home; her mother asks for help with the rent."
    page.locator("#id_analysis").press_sequentially(analysis)
    expect(page.locator("[data-testid='autosave-status']")).to_contain_text(
        "Draft saved at", timeout=SAVED_WITHIN_MS
    )
    assert _saved_analysis(document) == analysis

    page.reload()
    expect(page.locator("#id_analysis")).to_have_value(analysis)
    expect(page.locator("[data-testid='unsaved-copy']")).to_have_count(0)  # nothing was left unsaved
    page.locator("#id_parents_views").press_sequentially("Her mother wants the rent arrears sorted.")
    expect(page.locator("[data-testid='autosave-status']")).to_contain_text(
        "Draft saved at", timeout=SAVED_WITHIN_MS
    )
    kept = DocumentVersion.objects.filter(document=document).order_by("number")
    assert [v.event for v in kept] == ["Started", "Autosaved while writing"]  # one sitting, one version
    assert kept.last().answers["analysis"] == analysis


def test_with_the_network_cut_nothing_typed_is_lost(signed_in_page, office):
    document, page = _writing(signed_in_page, office, "Rae")
    status = page.locator("[data-testid='autosave-status']")

    page.context.set_offline(True)
    page.locator("#id_analysis").press_sequentially("Typed on the train.")
    expect(status).to_contain_text("Not saved: no connection", timeout=SAVED_WITHIN_MS)
    assert _saved_analysis(document) is None
    page.context.set_offline(False)
    expect(status).to_contain_text("Draft saved at", timeout=SAVED_WITHIN_MS)
    assert _saved_analysis(document) == "Typed on the train."

    # Offline again, and the tab closed before the network came back: the next page offers the text.
    page.context.set_offline(True)
    page.locator("#id_analysis").press_sequentially(" Then the tunnel.")
    expect(status).to_contain_text("Not saved: no connection", timeout=SAVED_WITHIN_MS)
    context = page.context
    page.close()
    context.set_offline(False)
    assert _saved_analysis(document) == "Typed on the train."
    again = context.new_page()
    again.goto(f"/documents/{document.pk}/edit/")
    expect(again.locator("#id_analysis")).to_have_value("Typed on the train.")
    expect(again.locator("[data-testid='unsaved-copy']")).to_contain_text("Text from an unsaved session")
    screenshot(again, "document-unsaved-copy-offered")
    again.click("button:has-text('Restore unsaved text')")
    expect(again.locator("#id_analysis")).to_have_value("Typed on the train. Then the tunnel.")
    expect(again.locator("[data-testid='autosave-status']")).to_contain_text(
        "Draft saved at", timeout=SAVED_WITHIN_MS
    )
    assert _saved_analysis(document) == "Typed on the train. Then the tunnel."
