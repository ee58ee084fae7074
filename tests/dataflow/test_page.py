"""The data flow page: the administrator sees what failed and why, the children held back by LA child ID only,
and can post what waits now."""

import datetime as dt

import pytest

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.dataflow.models import DataflowSend
from opencsc.dataflow.services import dataflow_deliver, dataflow_queue
from tests.dataflow.ssd_rows import SsdTables

pytestmark = pytest.mark.django_db
D = dt.date


def _queue_two_children() -> tuple[str, str]:
    ssd = SsdTables()
    kept = ssd.person(dob=D(2015, 1, 1), forename="Kept")
    ssd.referral(kept, on=D(2026, 1, 5))
    held = ssd.person(dob=D(2015, 1, 1), forename="Heldback")
    ssd.referral(held, on=D(2026, 1, 5))
    ssd.address(held, postcode="NOT A REAL POSTCODE", start=D(2020, 1, 1))
    dataflow_queue(actor=None, mode="changes", tables=ssd.tables, today=D(2026, 6, 15))
    return kept, held


def test_the_page_shows_a_failed_send_its_error_and_who_was_held_back(receiver, clock, make_user, client_for):
    kept, held = _queue_two_children()
    receiver.fail_posts, receiver.fail_status = 1, 400
    dataflow_deliver(actor=None)
    client = client_for(make_user(Role.ADMINISTRATOR))

    page = client.get("/data-flow/").content.decode()

    assert "Failed, to be retried" in page
    assert "HTTP 400 (the payload was refused as malformed): the service is unavailable, try later" in page
    assert f"{held}: child_details/postcode: longer than 8 characters" in page
    assert "Heldback" not in page and "NOT A REAL POSTCODE" not in page and "Kept" not in page
    assert f"{receiver.url}/children_social_care_data/825/children" in page


def test_send_what_waits_now_posts_it_and_the_attempt_is_the_administrators(
    receiver, clock, make_user, client_for
):
    kept, _ = _queue_two_children()
    receiver.fail_posts = 1
    dataflow_deliver(actor=None)
    administrator = make_user(Role.ADMINISTRATOR)
    client = client_for(administrator)

    response = client.post("/data-flow/retry/", follow=True)

    assert "Sending what waits now" in response.content.decode()
    assert DataflowSend.objects.get().status == DataflowSend.Status.SENT
    assert [record["la_child_id"] for record in receiver.records] == [kept]
    assert AuditEvent.objects.get(verb="dataflow.sent").actor == administrator
    again = client.post("/data-flow/retry/", follow=True)
    assert "Nothing is waiting to be sent" in again.content.decode()
    assert len(receiver.posts) == 1


def test_the_page_says_what_is_not_configured_and_retry_sends_nothing(settings, make_user, client_for):
    settings.DATAFLOW = {
        **settings.DATAFLOW,
        "ENDPOINT": "",
        "TOKEN_URL": "",
        "CLIENT_ID": "",
        "CLIENT_SECRET": "",
    }
    _queue_two_children()
    client = client_for(make_user(Role.ADMINISTRATOR))
    assert (
        "The data flow is not configured: set OPENCSC_DATAFLOW_ENDPOINT"
        in client.get("/data-flow/").content.decode()
    )
    response = client.post("/data-flow/retry/", follow=True)
    assert "Nothing was sent" in response.content.decode()
    assert DataflowSend.objects.get().attempts == 0


def test_the_administration_section_offers_the_page_to_the_administrator(make_user, client_for):
    client = client_for(make_user(Role.ADMINISTRATOR))
    assert 'href="/data-flow/"' in client.get("/sections/administration/").content.decode()
