"""Issue 12.3's journey: Back and send again on a case note and on a contact creates nothing new.

Chromium fetches the form page again on Back and puts back what was typed (not hidden fields): the page's address
carries the form's one-time token, so the page fetched again has the same token, says the form was sent, and sending
it again shows the first record.
"""

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework.models import CaseNote, NoteStatus
from opencsc.frontdoor.models import Contact
from opencsc.people import services as people_services
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SENT_BEFORE = "This form was sent before, so nothing new was recorded"


def test_back_and_send_again_on_a_contact_records_one_contact(page, live_user):
    worker = live_user(Role.SOCIAL_WORKER, Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR))
    sign_in(page, worker)
    page.goto("/front-door/contacts/new/")
    page.check("input[name=channel][value=phone]")
    page.select_option("#id_source", "2A")
    page.fill("#id_child_1_first_name", "Leo")
    page.fill("#id_child_1_last_name", "Hart")
    page.fill("#id_concerns", "School worried about bruising on Leo's arm")
    page.click("button:has-text('Record contact')")
    page.wait_for_url(lambda url: re.fullmatch(r"/front-door/contacts/\d+/", urlparse(url).path))
    first_contact_page = urlparse(page.url).path  # its own forms add ?form=... to its address

    page.go_back()
    expect(page.locator("[data-testid='form-already-sent']")).to_be_visible()
    expect(page.locator("#id_concerns")).to_have_value("School worried about bruising on Leo's arm")
    screenshot(page, "back-to-a-sent-contact-form")
    page.click("button:has-text('Record contact')")
    page.wait_for_url(lambda url: urlparse(url).path == first_contact_page)

    expect(page.get_by_text(SENT_BEFORE)).to_be_visible()
    assert Contact.objects.count() == 1


def test_back_and_send_again_on_a_case_note_records_one_note(page, live_user):
    worker = live_user(
        Role.SOCIAL_WORKER, Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT)
    )
    child = people_services.child_create(
        actor=worker, first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2016, 4, 9), sex="F"
    )
    sign_in(page, worker)
    page.goto(f"/children/{child.pk}/notes/new/")
    page.fill("#id_title", "Home visit")
    page.check("input[name=child_seen][value=yes]")
    page.check("input[name=child_seen_alone][value=yes]")
    page.check("input[name=bedroom_seen][value=yes]")
    page.fill("#id_body", "Amara showed me her room and her drawings.")
    page.click("button:has-text('Finalise note')")
    page.wait_for_url(lambda url: re.fullmatch(r"/notes/\d+/", urlparse(url).path))
    first_note_page = urlparse(page.url).path

    page.go_back()
    expect(page.locator("[data-testid='form-already-sent']")).to_be_visible()
    page.click("button:has-text('Finalise note')")
    page.wait_for_url(lambda url: urlparse(url).path == first_note_page)

    expect(page.get_by_text(SENT_BEFORE)).to_be_visible()
    note = CaseNote.objects.get()
    assert note.status == NoteStatus.FINAL and note.body == "Amara showed me her room and her drawings."
