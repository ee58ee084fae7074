"""One-time form tokens (issue 12.3): the same form sent twice creates one record, and the second answer shows the
first one's record; every view that creates records is wrapped; the token is claimed in the create's transaction.
"""

import datetime as dt
import inspect
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework.models import CaseNote, NoteStatus, NoteType
from opencsc.frontdoor.models import Contact
from opencsc.people import services as people_services
from opencsc.people.models import Child
from opencsc.ui.models import FormSubmission
from opencsc.workforce.models import StaffRecord

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(dt.datetime(2026, 3, 10, 11, 0), tick=False):
        yield


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _token(response) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert found, "the form page carries no form token"
    return found.group(1)


def _twice(client, url: str, data: dict):
    """Open the form, then send it twice with the token the page gave it, as Back and send again does."""
    token = _token(client.get(url))
    first = client.post(url, {**data, "form_token": token})
    second = client.post(url, {**data, "form_token": token})
    return first, second


def _shows_the_first(client, first, second) -> None:
    assert first.status_code == 302, re.findall(r'<a href="#[^"]*">([^<]*)</a>', first.content.decode())
    assert second.status_code == 302 and second["Location"] == first["Location"]
    page = client.get(second["Location"]).content.decode()
    assert "This form was sent before, so nothing new was recorded" in page


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


@pytest.fixture
def child(worker):
    return people_services.child_create(
        actor=worker, first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2016, 4, 9), sex="F"
    )


@pytest.fixture
def mash_worker(make_user):
    return make_user(Role.SOCIAL_WORKER, Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR))


def _note(child, action: str = "finalise") -> dict:
    return {
        "children": [str(child.pk)],
        "note_type": NoteType.VISIT,
        **_date("event_on", TODAY),
        "title": "Home visit",
        "body": "Amara showed me her room.",
        "child_seen": "yes",
        "child_seen_alone": "yes",
        "bedroom_seen": "yes",
        "action": action,
    }


def _contact() -> dict:
    return {
        "channel": "phone",
        **_date("received_on", TODAY),
        "received_time": "10:30",
        "source": "2A",
        "child_1_first_name": "Leo",
        "child_1_last_name": "Hart",
        "concerns": "School worried about bruising",
    }


@pytest.mark.parametrize("action", ["finalise", "draft"])
def test_a_case_note_sent_twice_is_one_note_and_the_second_answer_shows_it(action, worker, child, client_for):
    client = client_for(worker)
    first, second = _twice(client, reverse("casework:note_new", args=[child.pk]), _note(child, action))

    _shows_the_first(client, first, second)
    note = CaseNote.objects.get()
    assert note.status == (NoteStatus.FINAL if action == "finalise" else NoteStatus.DRAFT)


def test_a_contact_sent_twice_is_one_contact_and_the_second_answer_shows_it(mash_worker, client_for):
    client = client_for(mash_worker)
    first, second = _twice(client, reverse("frontdoor:contact_new"), _contact())

    _shows_the_first(client, first, second)
    contact = Contact.objects.get()
    assert first["Location"] == reverse("frontdoor:contact", args=[contact.pk])


def test_a_partner_referral_sent_twice_is_one_referral(db, client):
    data = {
        "referrer_name": "Sam Dale",
        "referrer_role": "Police constable",
        "referrer_organisation": "Shire Police",
        "agency_type": "police",
        "referrer_email": "sam.dale@police.example",
        "child_1_first_name": "Leo",
        "child_1_last_name": "Hart",
        **_date("child_1_date_of_birth", dt.date(2015, 6, 1)),
        "child_1_postcode": "HP19 8FF",
        "concerns": "Officers attended a domestic incident; Leo was present and frightened.",
        "immediate_danger": "no",
        "parents_aware": "yes",
        "consent": "yes",
    }
    first, second = _twice(client, reverse("partner:refer"), data)

    _shows_the_first(client, first, second)
    assert Contact.objects.count() == 1


def test_a_child_record_created_twice_is_one_record(make_user, teams, client_for):
    client = client_for(make_user(Role.SOCIAL_WORKER, teams["north"]))
    data = {
        "first_name": "Zara",
        "last_name": "Quinn",
        "sex": "F",
        "ethnicity": "WBRI",
        **_date("date_of_birth", dt.date(2019, 2, 3)),
    }
    first, second = _twice(client, reverse("people:create"), data)

    _shows_the_first(client, first, second)
    assert Child.objects.filter(first_name="Zara").count() == 1


def test_a_staff_record_added_twice_is_one_record(make_user, teams, client_for):
    client = client_for(make_user(Role.DIRECTOR))
    data = {
        "first_name": "Asha",
        "last_name": "Patel",
        "team": str(teams["north"].pk),
        "job_title": "Social worker",
        "org_role": "5",
        "contract": "permanent",
        "fte": "0.8",
        "swe_number": "sw 123456",
        **_date("start_date", dt.date(2024, 2, 5)),
    }
    first, second = _twice(client, reverse("workforce:staff_new"), data)

    _shows_the_first(client, first, second)
    assert StaffRecord.objects.count() == 1


def test_a_form_with_errors_keeps_its_token_and_the_corrected_form_creates_once(mash_worker, client_for):
    client = client_for(mash_worker)
    url = reverse("frontdoor:contact_new")
    token = _token(client.get(url))
    wrong = client.post(url, {**_contact(), "concerns": "", "form_token": token})
    assert wrong.status_code == 200 and _token(wrong) == token and not FormSubmission.objects.exists()

    corrected = client.post(url, {**_contact(), "form_token": token})
    again = client.post(url, {**_contact(), "form_token": token})
    _shows_the_first(client, corrected, again)
    assert Contact.objects.count() == 1


def test_each_person_has_their_own_tokens(mash_worker, make_user, client_for):
    """A token someone else used (a link passed on with ?form=...) does not stop this person's form."""
    other = make_user(Role.SOCIAL_WORKER, mash_worker.team)
    url = reverse("frontdoor:contact_new")
    token = _token(client_for(mash_worker).get(url))
    client_for(mash_worker).post(url, {**_contact(), "form_token": token})

    theirs = client_for(other).post(url, {**_contact(), "form_token": token})

    assert theirs.status_code == 302 and Contact.objects.count() == 2


def test_the_page_fetched_again_after_back_keeps_its_token_and_says_the_form_was_sent(
    worker, child, client_for
):
    client = client_for(worker)
    url = reverse("casework:note_new", args=[child.pk])
    token = _token(client.get(url))
    first = client.post(f"{url}?form={token}", {**_note(child), "form_token": token})

    again = client.get(f"{url}?form={token}")  # what the browser fetches on Back: form-token.js put it there

    assert _token(again) == token
    banner = again.content.decode()
    assert 'data-testid="form-already-sent"' in banner and f'href="{first["Location"]}"' in banner
    assert client.get(url).content.decode().count("form-already-sent") == 0  # a new form is a new form


def test_an_autosave_after_the_note_was_sent_makes_no_second_note(worker, child, client_for):
    client = client_for(worker)
    token = _token(client.get(reverse("casework:note_new", args=[child.pk])))
    client.post(reverse("casework:note_new", args=[child.pk]), {**_note(child), "form_token": token})

    autosave = client.post(
        reverse("casework:note_autosave_new", args=[child.pk]),
        {**_note(child), "body": "typed after Back", "form_token": token},
    )

    assert autosave.status_code == 409 and autosave.json()["saved"] is False
    assert CaseNote.objects.count() == 1


def test_a_note_autosaved_then_sent_from_the_new_note_form_is_not_made_twice(worker, child, client_for):
    client = client_for(worker)
    url = reverse("casework:note_new", args=[child.pk])
    token = _token(client.get(url))
    saved = client.post(
        reverse("casework:note_autosave_new", args=[child.pk]), {**_note(child), "form_token": token}
    )
    assert saved.json()["saved"] is True

    sent = client.post(url, {**_note(child), "form_token": token})

    assert sent.status_code == 302 and sent["Location"] == saved.json()["edit_url"]
    assert CaseNote.objects.count() == 1


# Two sends at the same moment: the claim and the create share one transaction -----------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_sends_at_the_same_moment_make_one_contact(mash_worker):
    from tests.conftest import signed_in_client

    url = reverse("frontdoor:contact_new")
    token = _token(signed_in_client(mash_worker).get(url))
    start = threading.Barrier(4)
    answers = []

    def send():
        client = signed_in_client(mash_worker)
        start.wait()
        answers.append(client.post(url, {**_contact(), "form_token": token}))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    contact = Contact.objects.get()
    assert {answer["Location"] for answer in answers} == {reverse("frontdoor:contact", args=[contact.pk])}


# Every view that creates records carries the token ----------------------------------------------------------------

# Routes whose view answers a POST by creating one or more records: each must be wrapped in creates_record.
CREATES = {
    "accounts:staff_new",
    "people:create",
    "people:add_alias",
    "people:move_address",
    "people:add_relationship",
    "people:raise_alert",
    "people:chronology",
    "casework:note_new",
    "casework:note_autosave_new",
    "casework:note_amend",
    "casework:allocate",
    "work:record_supervision",
    "protection:assessment_start",
    "protection:strategy_discussion_new",
    "protection:initial_conference_new",
    "protection:core_group_new",
    "protection:review_conference_new",
    "protection:cin_plan_new",
    "protection:cin_review_new",
    "documents:start",
    "documents:write",
    "documents:edit",  # each save keeps a version
    "documents:review",  # a return or an authorisation
    "attachments:child_upload",
    "attachments:document_upload",
    "attachments:conference_invitation",  # a letter kept for each parent or carer
    "doc_templates:new_version",
    "doc_templates:section_new",
    "doc_templates:question_new",
    "looked_after:start",
    "looked_after:legal_status",
    "looked_after:move",
    "looked_after:review_new",
    "looked_after:missing_new",
    "looked_after:check_new",
    "adoption:adoption_record",
    "care_leavers:leaving_care_contact",
    "care_leavers:pathway_plan_review",
    "earlyhelp:open",
    "earlyhelp:assessment_start",
    "earlyhelp:assessment_complete",
    "earlyhelp:review",
    "earlyhelp:close",
    "earlyhelp:step_up",
    "earlyhelp:step_down",
    "privatefostering:notify",
    "privatefostering:visit",
    "privatefostering:decide",
    "privatefostering:end",
    "looked_after:iro_assign",
    "looked_after:placement_plan",
    "legal:gateway_new",
    "legal:issue",
    "legal:extend",
    "legal:hearing_new",
    "legal:order_new",
    "exploitation:screening_new",
    "exploitation:panel_consider",
    "exploitation:panel_action_new",
    "exploitation:link_new",
    "exploitation:nrm_new",
    "exploitation:panel_new",
    "iro:recommendation_add",
    "oversight:action_new",
    "quality:audit_new",
    "quality:action_new",
    "quality:programme_new",
    "oversight:evidence_new",
    "frontdoor:contact_new",
    "frontdoor:check",
    "returns:import",  # one import of the files uploaded
    "frontdoor:decide",
    "frontdoor:match",
    "partner:refer",
    "workforce:staff_new",
    "workforce:post_new",
    "workforce:staff_absences",
    "finance:budget_new",
    "finance:scenario_new",
    "finance:provider_new",
    "finance:approval_new",
    "finance:placement_cost",  # an agreement, or a dated change: each a new row
    "numbers:comparators",  # a load of published files
    "api_clients:new",
    "allegations:new",
    "allegations:regulator",  # one referral per body: a second is refused by the service
    "allegations:access",
}
# Routes that take a POST but only change or end what exists (or sign in and out): sending one twice changes
# nothing more, or is refused by the service's own rule (version, state).
CHANGES_ONLY = {
    "accounts:login",
    "accounts:two_factor",
    "accounts:logout_confirm",
    "accounts:staff_edit",
    "accounts:staff_reset_two_factor",
    "accounts:staff_unlink_sso",
    "accounts:password_change",
    "accounts:role_approvals",
    "people:edit",
    "people:restrict",
    "casework:note_edit",
    "casework:note_autosave",
    "documents:autosave",  # refused from a stale version
    "doc_templates:publish",  # each change to a template carries the draft's revision
    "doc_templates:section_edit",
    "doc_templates:section_move",
    "doc_templates:section_remove",
    "doc_templates:question_edit",
    "doc_templates:question_move",
    "doc_templates:question_remove",
    "protection:assessment_child_seen",
    "protection:assessment_factors",
    "protection:assessment_outcome",
    "protection:assessment_submit",
    "protection:assessment_authorise",
    "protection:case_close",
    "protection:section_47_outcome",
    "protection:protection_plan_end",
    "protection:cin_plan_end",
    "looked_after:end",
    "looked_after:missing_update",
    "looked_after:uasc",
    "looked_after:previous_permanence",
    "adoption:adoption_cease",
    "legal:letter",  # each step once: a second is refused by the service
    "legal:pre_meeting",
    "legal:pre_end",
    "legal:hearing_outcome",
    "legal:conclude",
    "exploitation:panel_action_complete",  # each once: a second is refused by the service
    "exploitation:nrm_reasonable",
    "exploitation:nrm_conclusive",
    "iro:recommendation_answer",
    "oversight:acknowledge",
    "oversight:close",
    "oversight:digest_answer",
    "oversight:action_edit",
    "quality:moderate",  # once only, from the version the page showed
    "quality:action_answer",  # answered once
    "demand:acknowledge",
    "frontdoor:triage",
    "frontdoor:check_response",
    "returns:check",
    "attachments:remove",  # a file removed once; a second removal is refused
    "numbers:targets",
    "workforce:staff_edit",
    "workforce:staff_leave",
    "api_clients:revoke",  # revoked once; a second revocation is refused
    "dataflow:retry",  # posts what waits; a second finds it sent (the outbox never posts a batch twice)
    "allegations:consideration",  # each step once: a second is refused by the service
    "allegations:strategy",
    "allegations:outcome",
}
POST_SIGNS = ("POST", "form_step(", "_step(")


def _routes(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}", pattern.callback


def _innermost(view):
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def _takes_post(view) -> bool:
    """The view, or a helper of its module it calls, reads a POST (decorators included, as getsource shows them)."""
    function = _innermost(view)
    source = inspect.getsource(function)
    if any(sign in source for sign in POST_SIGNS):
        return True
    module = inspect.getmodule(function)
    called = set(re.findall(r"\b(_\w+)\(", source))
    return any(
        sign in inspect.getsource(getattr(module, name))
        for name in called
        if inspect.isfunction(getattr(module, name, None))
        for sign in POST_SIGNS
    )


def test_every_route_that_takes_a_post_is_classified():
    takes_post = {name for name, view in _routes() if _takes_post(view)}
    unclassified = takes_post - CREATES - CHANGES_ONLY
    assert not unclassified, (
        f"{sorted(unclassified)} take a POST: if they create records, wrap the view in "
        "opencsc.ui.form_tokens.creates_record and add them to CREATES; otherwise add them to CHANGES_ONLY"
    )
    assert not (CREATES | CHANGES_ONLY) - takes_post, "a listed route no longer takes a POST"


def test_every_view_that_creates_records_is_wrapped_in_creates_record():
    views = dict(_routes())
    unwrapped = sorted(name for name in CREATES if not getattr(views[name], "creates_record", False))
    assert unwrapped == []
    wrapped_but_unlisted = sorted(
        name for name, view in views.items() if getattr(view, "creates_record", False) and name not in CREATES
    )
    assert wrapped_but_unlisted == []


def test_every_post_form_carries_the_token_and_the_script_that_keeps_it(mash_worker, client_for):
    page = client_for(mash_worker).get(reverse("frontdoor:contact_new")).content.decode()

    assert page.count('name="form_token"') == page.count('name="csrfmiddlewaretoken"') == 1
    assert "opencsc/form-token.js" in page
    public = Client().get(reverse("partner:refer")).content.decode()
    assert public.count('name="form_token"') == 1 and "opencsc/form-token.js" in public
    sign_in = Client().get(reverse("accounts:login")).content.decode()
    assert "opencsc/form-token.js" not in sign_in  # the sign-in pages' addresses stay as they are
