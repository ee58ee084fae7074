"""The public partner referral form, through the pages a police officer, teacher or nurse uses."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.audit.models import AuditEvent
from opencsc.frontdoor import services
from opencsc.frontdoor.models import (
    Channel,
    Contact,
    ContactChild,
    Decision,
    PartnerSubmission,
    SpamTrapDay,
)
from opencsc.frontdoor.partner import partner_referral_submit
from tests.frontdoor.builders import partner_referral_form

URL = "/refer/"


def _client(address: str = "203.0.113.7") -> Client:
    return Client(REMOTE_ADDR=address)


def _summary_links(response) -> dict[str, str]:
    """The error summary's messages, keyed by the field they link to."""
    text = response.content.decode()
    summary = text[text.index("govuk-error-summary") :]
    summary = summary[: summary.index("</ul>")]
    return {
        href: html.unescape(message.strip())
        for href, message in re.findall(r'<a href="(#[^"]+)">\s*(.*?)\s*</a>', summary, re.S)
    }


def _input_value(response, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', response.content.decode())
    if match is None:
        match = re.search(rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', response.content.decode())
    return html.unescape(match.group(1)) if match else None


def _submit(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, data)


@pytest.mark.django_db
def test_the_form_is_open_to_anyone_and_shows_no_staff_navigation():
    response = _client().get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Refer a child to children" in page
    assert "Sign out" not in page and "Find a child" not in page
    assert "If a child is in immediate danger, call 999 now" in page
    assert 'data-testid="danger-warning"' not in page
    # The spam trap is hidden from people, screen readers and the keyboard.
    trap = re.search(r'<div class="govuk-visually-hidden" aria-hidden="true">.*?</div>', page, re.S).group(0)
    assert 'name="website"' in trap and 'tabindex="-1"' in trap and 'autocomplete="off"' in trap


@pytest.mark.django_db
def test_a_referral_lands_in_the_front_door_queue_and_the_referrer_gets_a_reference(
    django_capture_on_commit_callbacks,
):
    client = _client()
    data = partner_referral_form(
        agency_type="school",
        child_2_first_name="Mia",
        child_2_last_name="Hart",
        child_2_age_note="about 3",
        consent="no",
        no_consent_reason="Telling the father could put the children at risk",
    )
    response = _submit(client, data, django_capture_on_commit_callbacks)
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/refer/done/{contact.reference}/"

    assert contact.channel == Channel.PARTNER_FORM and contact.recorded_by is None
    assert contact.source == "2A"
    assert (contact.referrer_name, contact.referrer_role, contact.referrer_organisation) == (
        "Sam Dale",
        "Police constable",
        "Shire Police",
    )
    assert contact.referrer_email == "sam.dale@police.example"
    assert contact.referrer_phone == "01632 960 001"
    assert contact.parents_aware == "Yes"
    assert contact.concerns.startswith("Officers attended a domestic incident")
    assert "agreed to this referral? No: Telling the father" in contact.concerns
    assert "Approximate age of Mia Hart: about 3" in contact.concerns
    children = list(ContactChild.objects.filter(contact=contact).order_by("pk"))
    assert [(c.given_first_name, c.given_last_name, c.given_date_of_birth) for c in children] == [
        ("Leo", "Hart", dt.date(2015, 6, 1)),
        ("Mia", "Hart", None),
    ]
    assert children[0].given_address == "3 Mill Lane, Aylesbury"
    assert children[0].given_postcode == "HP19 8FF"
    assert all(c.child is None for c in children)

    submission = PartnerSubmission.objects.get()
    assert submission.accepted and submission.contact == contact and submission.ip_address == "203.0.113.7"
    assert AuditEvent.objects.filter(verb="contact.recorded").count() == 1

    assert len(mail.outbox) == 1
    assert contact.reference in mail.outbox[0].subject and contact.reference in mail.outbox[0].body
    assert mail.outbox[0].to == ["sam.dale@police.example"]
    contact.refresh_from_db()
    assert contact.referrer_acknowledged_at is not None

    done = client.get(response["Location"])
    assert done.status_code == 200
    page = done.content.decode()
    assert "govuk-panel--confirmation" in page and contact.reference in page
    assert f"{contact.decision_due_on.day} {contact.decision_due_on:%B %Y}" in page
    assert 'data-testid="danger-warning"' not in page


@pytest.mark.parametrize(
    ("agency", "code"),
    [
        ("police", "6"),
        ("school", "2A"),
        ("gp", "3A"),
        ("health_visitor", "3B"),
        ("school_nurse", "3C"),
        ("a_and_e", "3E"),
        ("other_health", "3F"),
        ("housing", "4"),
        ("early_help", "5D"),
        ("other_la", "5B"),
        ("legal", "7"),
        ("voluntary", "8"),
    ],
)
@pytest.mark.django_db
def test_each_agency_type_becomes_its_dfe_referral_source(agency, code, django_capture_on_commit_callbacks):
    _submit(_client(), partner_referral_form(agency_type=agency), django_capture_on_commit_callbacks)
    assert Contact.objects.get().source == code


@pytest.mark.django_db
def test_a_child_in_immediate_danger_is_told_to_call_999_and_the_referral_is_still_accepted(
    django_capture_on_commit_callbacks,
):
    client = _client()
    # With an error, the form comes back with the warning in view.
    again = client.post(URL, partner_referral_form(immediate_danger="yes", concerns=""))
    assert again.status_code == 200 and 'data-testid="danger-warning"' in again.content.decode()
    assert "Call 999 now" in again.content.decode()

    response = _submit(
        client, partner_referral_form(immediate_danger="yes"), django_capture_on_commit_callbacks
    )
    contact = Contact.objects.get()
    assert contact.concerns.startswith("The referrer said a child is in immediate danger")
    assert contact.rag == "red"  # straight to the top of the front-door queue
    done = client.get(response["Location"]).content.decode()
    assert 'data-testid="danger-warning"' in done and "Call 999 now" in done


@pytest.mark.django_db
def test_parents_not_knowing_is_recorded_with_the_reason(django_capture_on_commit_callbacks):
    _submit(
        _client(),
        partner_referral_form(
            parents_aware="no", parents_not_aware_reason="Mother's partner would harm her if he knew"
        ),
        django_capture_on_commit_callbacks,
    )
    assert Contact.objects.get().parents_aware == "No: Mother's partner would harm her if he knew"


BAD_INPUT = [
    ({"referrer_email": ""}, "referrer_email", "Enter your work email address"),
    (
        {"referrer_email": "sam.dale-at-police"},
        "referrer_email",
        "Enter an email address in the correct format, like name@example.com",
    ),
    ({"referrer_name": ""}, "referrer_name", "Enter your full name"),
    ({"referrer_role": ""}, "referrer_role", "Enter your job title or role"),
    ({"referrer_organisation": ""}, "referrer_organisation", "Enter the name of your organisation"),
    ({"agency_type": None}, "agency_type", "Select the type of organisation you work for"),
    ({"agency_type": "aliens"}, "agency_type", "Select the type of organisation you work for"),
    ({"referrer_phone": "call me"}, "referrer_phone", "Enter a telephone number"),
    ({"concerns": ""}, "concerns", "Enter the concerns about the child"),
    ({"concerns": "He seems sad."}, "concerns", "Concerns must be 20 characters or more"),
    ({"immediate_danger": None}, "immediate_danger", "Select yes if a child is in immediate danger"),
    (
        {"parents_aware": None},
        "parents_aware",
        "Select yes if the parents or carers know about this referral",
    ),
    (
        {"parents_aware": "no"},
        "parents_not_aware_reason",
        "Enter why the parents or carers do not know about this referral",
    ),
    ({"consent": None}, "consent", "Select yes if the parents or carers have agreed to this referral"),
    ({"consent": "no"}, "no_consent_reason", "Enter why you have not got the parents"),
    (
        {
            "child_1_first_name": "",
            "child_1_last_name": "",
            "child_1_date_of_birth-day": "",
            "child_1_date_of_birth-month": "",
            "child_1_date_of_birth-year": "",
            "child_1_address": "",
            "child_1_postcode": "",
        },
        "child_1_first_name",
        "Enter the name of at least one child",
    ),
    (
        {"child_1_first_name": "", "child_1_last_name": ""},
        "child_1_first_name",
        "Enter the first name or last name of child 1",
    ),
    (
        {"child_1_date_of_birth-day": "31", "child_1_date_of_birth-month": "2"},
        "child_1_date_of_birth",
        "Date of birth of child 1 must be a real date",
    ),
    (
        {"child_1_date_of_birth-month": ""},
        "child_1_date_of_birth",
        "Date of birth of child 1 must include a month",
    ),
    (
        {"child_1_date_of_birth-year": "3000"},
        "child_1_date_of_birth",
        "Date of birth of child 1 must be in the past",
    ),
    ({"child_1_postcode": "HP19"}, "child_1_postcode", "Enter a full UK postcode for child 1, like HP19 8FF"),
    (
        {"child_3_first_name": "", "child_3_postcode": "HP19 8FF"},
        "child_3_first_name",
        "Enter the first name or last name of child 3",
    ),
    (
        {"child_2_first_name": "Mia", "child_2_postcode": "nonsense"},
        "child_2_postcode",
        "Enter a full UK postcode for child 2",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
@pytest.mark.django_db
def test_each_problem_is_named_in_the_error_summary_linked_to_its_field_and_nothing_is_lost(
    changes, field, message
):
    data = partner_referral_form(**{"referrer_organisation": "O'Dale & Co <Police>", **changes})
    response = _client().post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    links = _summary_links(response)
    target = f"#id_{field}-day" if field.endswith("date_of_birth") else f"#id_{field}"
    assert target in links, links
    assert links[target].startswith(message), links
    assert f'id="{target[1:]}"' in page  # the link lands on the field
    # Everything typed comes back, including the other fields.
    for name, value in data.items():
        if name in ("website", "immediate_danger", "parents_aware", "consent", "agency_type"):
            continue
        if name == "concerns":
            assert html.escape(value, quote=False) in page
        else:
            assert _input_value(response, name) == value, name
    for radio in ("immediate_danger", "parents_aware", "consent", "agency_type"):
        if data.get(radio) in ("yes", "no", "police"):
            assert re.search(rf'name="{radio}"[^>]*value="{data[radio]}"[^>]*checked', page), radio
    assert not Contact.objects.exists() and not ContactChild.objects.exists()
    assert not PartnerSubmission.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_a_second_child_typed_in_is_shown_open_when_the_form_comes_back():
    response = _client().post(URL, partner_referral_form(child_2_first_name="Mia", concerns=""))
    page = response.content.decode()
    assert re.search(r'<details class="govuk-details" open>\s*<summary[^>]*>\s*<span[^>]*>Add child 2', page)
    assert re.search(r'<details class="govuk-details" >\s*<summary[^>]*>\s*<span[^>]*>Add child 3', page)


@pytest.mark.django_db
def test_a_filled_spam_trap_looks_accepted_but_reaches_nobody_and_is_counted_not_stored(
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False) as clock:
        for number in range(3):
            response = _submit(
                _client(f"198.51.100.{number}"),
                partner_referral_form(website="http://cheap-pills.example"),
                django_capture_on_commit_callbacks,
            )
            assert response.status_code == 200
            assert "govuk-panel--confirmation" in response.content.decode()
            assert 'data-testid="reference"' not in response.content.decode()
        clock.shift(dt.timedelta(hours=1))  # past midnight in London: a new day's count
        _submit(_client(), partner_referral_form(website="x"), django_capture_on_commit_callbacks)
    assert not Contact.objects.exists() and mail.outbox == []
    assert not PartnerSubmission.objects.exists()
    assert list(SpamTrapDay.objects.order_by("day").values_list("day", "hits")) == [
        (dt.date(2026, 3, 10), 3),
        (dt.date(2026, 3, 11), 1),
    ]


@override_settings(PARTNER_FORM_LIMIT_PER_HOUR=2)
@pytest.mark.django_db
def test_a_flood_from_one_address_is_refused_while_other_addresses_get_through(
    django_capture_on_commit_callbacks,
):
    flooder = _client("198.51.100.9")
    for _ in range(2):
        assert (
            _submit(flooder, partner_referral_form(), django_capture_on_commit_callbacks).status_code == 302
        )
    refused = _submit(
        flooder,
        partner_referral_form(concerns="A third referral, typed carefully and not to be lost"),
        django_capture_on_commit_callbacks,
    )
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Phone the children" in page and "front door" in page
    assert "A third referral, typed carefully and not to be lost" in page  # what was typed can be copied
    assert Contact.objects.count() == 2 and len(mail.outbox) == 2

    # Spam caught by the trap does not count towards an honest address's limit, but a flood is refused first.
    assert (
        _submit(flooder, partner_referral_form(website="x"), django_capture_on_commit_callbacks).status_code
        == 429
    )

    other = _client("198.51.100.10")
    assert _submit(other, partner_referral_form(), django_capture_on_commit_callbacks).status_code == 302
    assert Contact.objects.count() == 3


@pytest.mark.django_db
def test_colleagues_behind_one_address_are_not_refused_at_the_sixth_referral_of_the_hour(
    django_capture_on_commit_callbacks,
):
    """A hospital's safeguarding team all send from the hospital's one internet address."""
    hospital = _client("198.51.100.20")
    for number in range(12):
        response = _submit(
            hospital,
            partner_referral_form(
                agency_type="a_and_e", referrer_email=f"nurse{number % 4}@hospital.example"
            ),
            django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302, number
    assert Contact.objects.count() == 12


@override_settings(PARTNER_FORM_LIMIT_PER_EMAIL_PER_HOUR=2)
@pytest.mark.django_db
def test_one_referrer_is_limited_wherever_they_send_from_and_told_the_number_to_phone(
    django_capture_on_commit_callbacks,
):
    for address in ("198.51.100.30", "198.51.100.31"):
        assert (
            _submit(_client(address), partner_referral_form(), django_capture_on_commit_callbacks).status_code
            == 302
        )
    refused = _submit(
        _client("198.51.100.32"),
        partner_referral_form(
            referrer_email="SAM.DALE@police.example", concerns="A third referral, typed and not to be lost"
        ),
        django_capture_on_commit_callbacks,
    )
    assert refused.status_code == 429
    page = html.unescape(refused.content.decode())
    assert "Too many referrals sent from your email address" in page
    assert "Colleagues can still send referrals" in page
    assert "Phone the children's services front door team on <strong>01632 960 000</strong>" in page
    assert "A third referral, typed and not to be lost" in page
    assert Contact.objects.count() == 2 and PartnerSubmission.objects.count() == 2

    colleague = partner_referral_form(referrer_email="kim.dale@police.example")
    assert _submit(_client("198.51.100.32"), colleague, django_capture_on_commit_callbacks).status_code == 302


@pytest.mark.django_db
def test_a_flood_from_one_address_is_refused_with_the_number_to_phone(django_capture_on_commit_callbacks):
    flooder = _client("198.51.100.40")
    for _ in range(60):
        PartnerSubmission.objects.create(ip_address="198.51.100.40", accepted=True)
    refused = _submit(flooder, partner_referral_form(), django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    page = html.unescape(refused.content.decode())
    assert "Too many referrals sent from this connection" in page
    assert "front door team on <strong>01632 960 000</strong>" in page
    assert not Contact.objects.exists()


@override_settings(FRONT_DOOR_PHONE="0300 123 4567")
@pytest.mark.django_db
def test_the_confirmation_and_the_decision_email_give_the_front_door_number(
    make_user, django_capture_on_commit_callbacks
):
    client = _client()
    response = _submit(client, partner_referral_form(), django_capture_on_commit_callbacks)
    assert (
        "front door team on <strong>0300 123 4567</strong>"
        in client.get(response["Location"]).content.decode()
    )
    contact = Contact.objects.get()
    manager = make_user(Role.TEAM_MANAGER, Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR))
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_decide(
            actor=manager, contact=contact, decision=Decision.ADVICE, reason="Advice given to the school"
        )
    assert [("0300 123 4567" in email.body) for email in mail.outbox] == [True, True]


@override_settings(PARTNER_FORM_LIMIT_PER_HOUR=1)
@pytest.mark.django_db
def test_only_the_last_hour_counts_towards_the_limit(django_capture_on_commit_callbacks):
    client = _client()
    assert _submit(client, partner_referral_form(), django_capture_on_commit_callbacks).status_code == 302
    PartnerSubmission.objects.update(at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert _submit(client, partner_referral_form(), django_capture_on_commit_callbacks).status_code == 302


@pytest.mark.django_db
def test_the_confirmation_is_shown_only_to_the_browser_that_sent_the_referral(
    django_capture_on_commit_callbacks,
):
    sender = _client()
    response = _submit(sender, partner_referral_form(), django_capture_on_commit_callbacks)
    reference = Contact.objects.get().reference
    assert sender.get(response["Location"]).status_code == 200

    stranger = _client("203.0.113.7")  # even from the same address
    assert stranger.get(response["Location"]).status_code == 404
    assert reference not in stranger.get(response["Location"]).content.decode()
    assert sender.get("/refer/done/FD26-999999/").status_code == 404


@pytest.mark.django_db
def test_a_failure_part_way_leaves_nothing_saved(django_capture_on_commit_callbacks):
    form_data = {
        "agency_type": "police",
        "concerns": "Officers attended a domestic incident at the home.",
        "immediate_danger": "no",
        "parents_aware": "yes",
        "consent": "yes",
        "referrer_name": "Sam Dale",
        "referrer_role": "Police constable",
        "referrer_organisation": "Shire Police",
        "referrer_email": "sam.dale@police.example",
        "referrer_phone": "",
        "children": [
            {
                "first_name": "Leo",
                "last_name": "Hart",
                "date_of_birth": None,
                "age_note": "",
                "address": "",
                "postcode": "",
            },
            # The second child cannot be saved, after the contact and the first child have been written.
            {
                "first_name": "Mia",
                "last_name": "Hart",
                "date_of_birth": "not a date",
                "age_note": "",
                "address": "",
                "postcode": "",
            },
        ],
    }
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        partner_referral_submit(ip_address="203.0.113.7", data=form_data)
    assert not Contact.objects.exists() and not ContactChild.objects.exists()
    assert not PartnerSubmission.objects.exists() and not AuditEvent.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_referrer_is_told_the_decision(make_user, django_capture_on_commit_callbacks):
    _submit(_client(), partner_referral_form(), django_capture_on_commit_callbacks)
    contact = Contact.objects.get()
    manager = make_user(Role.TEAM_MANAGER, Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR))
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_decide(
            actor=manager,
            contact=contact,
            decision=Decision.NO_FURTHER_ACTION,
            reason="Police have dealt with the incident; the family is known to the school and supported",
        )
    assert len(mail.outbox) == 2
    decision_email = mail.outbox[1]
    assert decision_email.to == ["sam.dale@police.example"]
    assert contact.reference in decision_email.subject
    assert "no further action" in decision_email.body
    contact.refresh_from_db()
    assert contact.referrer_told_decision_at is not None


@pytest.mark.django_db
def test_the_error_summary_lists_problems_in_the_order_of_the_page():
    response = _client().post(
        URL, partner_referral_form(referrer_name="", child_1_postcode="HP", concerns="", consent=None)
    )
    assert list(_summary_links(response)) == [
        "#id_referrer_name",
        "#id_child_1_postcode",
        "#id_concerns",
        "#id_consent",
    ]


def test_production_without_the_front_door_number_is_warned_at_start_up():
    from opencsc.frontdoor.checks import front_door_phone_set

    with override_settings(PRODUCTION=True, FRONT_DOOR_PHONE=""):
        assert [warning.id for warning in front_door_phone_set(None)] == ["frontdoor.W001"]
    with override_settings(PRODUCTION=True, FRONT_DOOR_PHONE="0300 123 4567"):
        assert front_door_phone_set(None) == []
