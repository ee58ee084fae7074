"""Error pages for people (issue 12.4): too-long text comes back to its form with the limit and the text, a form
too large to read gets a plain page, and no error shows a traceback or the list of addresses, with DEBUG on or off.
"""

import datetime as dt
import importlib
import logging
import pkgutil

import pytest
import time_machine
from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.test import Client
from django.urls import include, path, reverse

import opencsc
from config import urls as config_urls
from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import CaseNote, NoteType
from opencsc.casework.services import note_save_draft
from opencsc.frontdoor.models import Contact
from opencsc.people import services as people_services

TODAY = dt.date(2026, 3, 10)
FIVE_MEGABYTES = 5 * 1024 * 1024
PASTE = "The visit went on. " * (FIVE_MEGABYTES // 19 + 1)
TECHNICAL = ("Traceback", "DEBUG = True", "Using the URLconf", "Request Method", "settings.py")

debug_on_and_off = pytest.mark.parametrize("debug", [True, False], ids=["debug-on", "debug-off"])


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(dt.datetime(2026, 3, 10, 11, 0), tick=False):
        yield


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


@pytest.fixture
def child(worker):
    return people_services.child_create(
        actor=worker, first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2016, 4, 9), sex="F"
    )


def _note(child, body: str) -> dict:
    return {
        "children": [str(child.pk)],
        "note_type": NoteType.VISIT,
        "event_on-day": str(TODAY.day),
        "event_on-month": str(TODAY.month),
        "event_on-year": str(TODAY.year),
        "title": "Home visit",
        "body": body,
        "action": "finalise",
    }


def _plain(response) -> str:
    text = response.content.decode()
    assert not [marker for marker in TECHNICAL if marker in text], "a technical error page was shown"
    return text


@debug_on_and_off
def test_a_5mb_paste_into_a_note_comes_back_with_the_limit_and_the_text(
    debug, settings, worker, child, client_for
):
    settings.DEBUG = debug
    response = client_for(worker).post(reverse("casework:note_new", args=[child.pk]), _note(child, PASTE))

    assert response.status_code == 200
    page = _plain(response)
    assert (
        f"Too long: the most a note can hold is 100,000 characters (this has {len(PASTE.strip()):,})" in page
    )
    assert PASTE.strip() in page  # what was typed is still in the box, to be shortened
    assert not CaseNote.objects.exists()


@debug_on_and_off
def test_too_long_concerns_on_a_contact_come_back_with_the_limit(debug, settings, make_user, client_for):
    settings.DEBUG = debug
    mash_worker = make_user(Role.SOCIAL_WORKER, Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR))
    concerns = "Neighbour heard shouting. " * 1000
    response = client_for(mash_worker).post(
        reverse("frontdoor:contact_new"),
        {
            "channel": "phone",
            "received_on-day": "10",
            "received_on-month": "3",
            "received_on-year": "2026",
            "received_time": "10:30",
            "source": "2A",
            "child_1_first_name": "Leo",
            "child_1_last_name": "Hart",
            "concerns": concerns,
        },
    )

    assert response.status_code == 200
    page = _plain(response)
    assert "Too long: the most the concerns can hold is 20,000 characters (this has 25,999)" in page
    assert concerns.strip() in page
    assert not Contact.objects.exists()


@debug_on_and_off
def test_more_than_a_form_can_send_gets_a_plain_page_saying_so(debug, settings, worker, child, client_for):
    settings.DEBUG = debug
    too_much = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client_for(worker).post(reverse("casework:note_new", args=[child.pk]), _note(child, too_much))

    assert response.status_code == 400
    page = _plain(response)
    assert "What you sent is too large" in page
    assert "The most a form can send is 20 MB" in page
    assert not CaseNote.objects.exists()


@debug_on_and_off
def test_an_unknown_address_says_page_not_found_and_lists_no_addresses(debug, settings, worker, client_for):
    settings.DEBUG = debug
    for client in (Client(), client_for(worker)):
        response = client.get("/no-such-page/")

        assert response.status_code == 404
        page = _plain(response)
        assert "Page not found" in page
        assert "children/" not in page.replace('href="/children/"', "")  # no list of the service's addresses


@debug_on_and_off
def test_a_record_that_does_not_exist_says_page_not_found(debug, settings, worker, client_for):
    settings.DEBUG = debug
    response = client_for(worker).get(reverse("people:detail", args=[987654]))

    assert response.status_code == 404
    assert "Page not found" in _plain(response)


def _fails(request):
    raise RuntimeError("the database fell over")


def _unreadable(request):
    raise BadRequest("that could not be read")


urlpatterns = [
    path("test-only/fails/", _fails),
    path("test-only/unreadable/", _unreadable),
    path("", include("config.urls")),
]
handler400, handler404, handler500 = config_urls.handler400, config_urls.handler404, config_urls.handler500


@debug_on_and_off
def test_a_server_error_is_a_plain_page_and_the_traceback_goes_to_the_log(
    debug, settings, worker, client_for, caplog
):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = __name__
    client = client_for(worker)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test-only/fails/")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in _plain(response)
    logged = [record for record in caplog.records if record.exc_info]
    assert logged and "the database fell over" in str(logged[0].exc_info[1])


@debug_on_and_off
def test_a_request_that_cannot_be_read_is_a_plain_page(debug, settings, worker, client_for):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = __name__
    response = client_for(worker).get("/test-only/unreadable/")

    assert response.status_code == 400
    assert "The service could not read what you sent" in _plain(response)


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(opencsc.__path__, "opencsc."):
        if ".migrations" not in module.name and ".management" not in module.name:
            importlib.import_module(module.name)
    found, waiting = [], [forms.BaseForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.startswith("opencsc."):
                found.append(subclass)
    return found


def test_every_text_box_of_every_form_has_a_limit():
    """A box without a limit accepts whatever is pasted until the request itself is too large to read."""
    unlimited = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert unlimited == []


def test_an_error_before_the_middleware_has_run_still_gets_the_plain_page(settings, db):
    """A host the service does not answer to is refused before the session and the user are read: the page must
    not need them (with DEBUG off, as the demo serves)."""
    settings.DEBUG = False
    response = Client().get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "The service could not read what you sent" in _plain(response)


def test_the_note_service_refuses_a_note_too_long_and_writes_nothing(worker, child):
    """The same limit holds below the forms, for every way a note is written (drafts, finalising, oversight notes,
    amendments)."""
    before = (CaseNote.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        note_save_draft(
            actor=worker,
            children=[child],
            note_type=NoteType.VISIT,
            title="Visit",
            body="x" * 100_001,
            event_on=TODAY,
        )

    assert refused.value.message_dict["body"] == [
        "Too long: the most a note can hold is 100,000 characters (this has 100,001)"
    ]
    assert (CaseNote.objects.count(), AuditEvent.objects.count()) == before
