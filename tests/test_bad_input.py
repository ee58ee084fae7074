"""Bad input on every form: a GOV.UK error summary naming the field and the problem, linked to the field,
with what was typed kept, and nothing saved."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.models import LoginAttempt, Role
from opencsc.audit.models import AuditEvent
from opencsc.casework import services as casework_services
from opencsc.casework.models import CaseNote, CaseNoteAmendment, ChronologyEntry, NoteType
from opencsc.people import services as people_services
from opencsc.people.models import Alert, Child, ChildAddress, ChildAlias, Person, Relationship

TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


@pytest.fixture
def client(worker, client_for):
    return client_for(worker)


@pytest.fixture
def child(worker):
    child = people_services.child_create(
        actor=worker, first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2016, 4, 9), sex="F"
    )
    people_services.address_move_in(
        actor=worker,
        child=child,
        line_1="1 High Street",
        town="Aylesbury",
        postcode="HP19 8FF",
        moved_in_on=dt.date(2020, 5, 1),
    )
    return child


MODELS = (Child, ChildAlias, ChildAddress, Alert, Relationship, Person, ChronologyEntry, CaseNote)


def _counts():
    return {model.__name__: model.objects.count() for model in (*MODELS, CaseNoteAmendment, AuditEvent)}


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def assert_problem(response, *errors: tuple[str, str | None], typed: tuple[str, ...] = ()):
    """The page shows the GOV.UK error summary; each (message, field id) is listed and linked to the field;
    everything in `typed` is still on the page."""
    page = _page(response)
    assert "There is a problem" in page
    assert "govuk-error-summary" in page
    for message, field_id in errors:
        assert message in page, message
        if field_id:
            assert f'href="#{field_id}"' in page, field_id
            assert f'id="{field_id}"' in page, field_id
    for value in typed:
        assert value in page, value


def _child_post(**overrides):
    data = {
        "first_name": "Tobias",
        "middle_names": "Rhys",
        "last_name": "Wainwright",
        "date_of_birth-day": "3",
        "date_of_birth-month": "7",
        "date_of_birth-year": "2017",
        "sex": "M",
        "ethnicity": "WBRI",
        "first_language": "Welsh",
        "nhs_number": "",
        "upn": "",
        "upn_unknown_reason": "",
        "line_1": "",
        "line_2": "",
        "town": "",
        "postcode": "",
    }
    data.update(overrides)
    return data


# --- child create -------------------------------------------------------------------------------------


def test_child_create_missing_name_and_impossible_date(client, child):
    before = _counts()
    response = client.post(
        reverse("people:create"),
        _child_post(first_name="", **{"date_of_birth-day": "31", "date_of_birth-month": "2"}),
    )
    assert_problem(
        response,
        ("Enter the first name", "id_first_name"),
        ("Date of birth must be a real date", "id_date_of_birth-day"),
        typed=('value="Wainwright"', 'value="Rhys"', 'value="31"', 'value="Welsh"'),
    )
    assert _counts() == before


def test_child_create_date_of_birth_part_missing_or_letters(client, child):
    before = _counts()
    response = client.post(reverse("people:create"), _child_post(**{"date_of_birth-month": ""}))
    assert_problem(response, ("Date of birth must include a month", "id_date_of_birth-day"))
    response = client.post(reverse("people:create"), _child_post(**{"date_of_birth-month": "July"}))
    assert_problem(
        response, ("Date of birth must be a real date, in numbers", "id_date_of_birth-day"), typed=("July",)
    )
    assert _counts() == before


def test_child_create_future_date_of_birth(client, child):
    before = _counts()
    response = client.post(
        reverse("people:create"),
        _child_post(
            **{
                "date_of_birth-day": str(TOMORROW.day),
                "date_of_birth-month": str(TOMORROW.month),
                "date_of_birth-year": str(TOMORROW.year),
            }
        ),
    )
    assert_problem(
        response,
        ("Date of birth must be today or in the past", "id_date_of_birth-day"),
        typed=(f'value="{TOMORROW.year}"', 'value="Tobias"'),
    )
    assert _counts() == before


def test_child_create_invalid_upn_and_nhs_number(client, child):
    before = _counts()
    response = client.post(
        reverse("people:create"), _child_post(upn="Z801200001001", nhs_number="943 476 5918")
    )
    assert_problem(
        response,
        ("The UPN's check letter does not match its digits", "id_upn"),
        ("The NHS number's check digit is wrong", "id_nhs_number"),
        typed=('value="Z801200001001"', 'value="943 476 5918"', 'value="Tobias"'),
    )
    assert _counts() == before


def test_child_create_upn_of_the_wrong_shape(client, child):
    before = _counts()
    response = client.post(reverse("people:create"), _child_post(upn="H80120"))
    assert_problem(response, ("Enter a UPN of 13 characters", "id_upn"), typed=('value="H80120"',))
    assert _counts() == before


def test_child_create_invalid_postcode_saves_neither_child_nor_address(client, child):
    before = _counts()
    response = client.post(
        reverse("people:create"), _child_post(line_1="4 Mill Lane", town="Thame", postcode="OX9 3Z")
    )
    assert_problem(
        response,
        ("Enter a full UK postcode, like HP19 8FF", "id_postcode"),
        typed=('value="4 Mill Lane"', 'value="Thame"', 'value="OX9 3Z"', 'value="Tobias"'),
    )
    assert _counts() == before


def test_child_create_half_an_address(client, child):
    before = _counts()
    response = client.post(reverse("people:create"), _child_post(line_1="4 Mill Lane"))
    assert_problem(
        response,
        ("Enter the town or city", "id_town"),
        ("Enter the postcode", "id_postcode"),
        typed=('value="4 Mill Lane"',),
    )
    assert _counts() == before


def test_child_create_duplicate_needs_confirming(client, child):
    before = _counts()
    same_child = _child_post(
        first_name="Amara",
        last_name="Okafor",
        sex="F",
        **{"date_of_birth-day": "9", "date_of_birth-month": "4", "date_of_birth-year": "2016"},
    )
    response = client.post(reverse("people:create"), same_child)
    assert_problem(
        response,
        ("This child may already have a record", "id_confirm_not_duplicate"),
        typed=('value="Amara"', 'value="Okafor"', child.la_child_id),
    )
    assert 'data-testid="duplicates"' in response.content.decode()
    assert _counts() == before

    confirmed = client.post(reverse("people:create"), {**same_child, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Child.objects.filter(last_name="Okafor").count() == 2


def test_duplicate_the_user_cannot_open_is_counted_not_shown(client, make_user, teams, child):
    manager = make_user(Role.TEAM_MANAGER, teams["south"])
    hidden = people_services.child_create(
        actor=manager, first_name="Kit", last_name="Hidden", date_of_birth=dt.date(2014, 1, 2), sex="M"
    )
    response = client.post(
        reverse("people:create"),
        _child_post(
            first_name="Kit",
            last_name="Hidden",
            **{"date_of_birth-day": "2", "date_of_birth-month": "1", "date_of_birth-year": "2014"},
        ),
    )
    page = _page(response)
    assert "1 matching record you cannot open" in page
    assert hidden.la_child_id not in page


# --- child edit ---------------------------------------------------------------------------------------


def _edit_post(child, **overrides):
    data = {
        "first_name": child.first_name,
        "middle_names": "",
        "last_name": child.last_name,
        "date_of_birth-day": str(child.date_of_birth.day),
        "date_of_birth-month": str(child.date_of_birth.month),
        "date_of_birth-year": str(child.date_of_birth.year),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "first_language": "",
        "nhs_number": "",
        "upn": "",
        "upn_unknown_reason": "",
        "version": str(child.version),
    }
    data.update(overrides)
    return data


def test_child_edit_blank_name_and_bad_death_date(client, child):
    before = _counts()
    response = client.post(
        reverse("people:edit", args=[child.pk]),
        _edit_post(
            child,
            last_name="",
            first_language="Yoruba",
            **{"date_of_death-day": "30", "date_of_death-month": "2", "date_of_death-year": "2020"},
        ),
    )
    assert_problem(
        response,
        ("Enter the last name", "id_last_name"),
        ("Date of death must be a real date", "id_date_of_death-day"),
        typed=('value="Yoruba"', 'value="30"'),
    )
    assert _counts() == before
    child.refresh_from_db()
    assert child.last_name == "Okafor" and child.version == 1


def test_child_edit_with_a_stale_version_is_refused_and_keeps_the_typing(client, worker, child):
    opened_version = child.version
    people_services.child_update(
        actor=worker,
        child=child,
        expected_version=opened_version,
        first_name="Amara",
        last_name="Okafor",
        date_of_birth=child.date_of_birth,
        sex="F",
        first_language="Igbo",
    )
    before = _counts()
    response = client.post(
        reverse("people:edit", args=[child.pk]),
        _edit_post(child, first_language="English", middle_names="Grace", version=str(opened_version)),
    )
    assert_problem(
        response,
        ("was changed by someone else after you opened it", None),
        typed=('value="English"', 'value="Grace"'),
    )
    assert _counts() == before
    child.refresh_from_db()
    assert child.first_language == "Igbo" and child.middle_names == "" and child.version == 2


# --- alias, address, alert, relationship, chronology ---------------------------------------------------


def test_alias_needs_a_last_name(client, child):
    before = _counts()
    response = client.post(
        reverse("people:add_alias", args=[child.pk]),
        {"first_name": "Mara", "last_name": "", "kind": "Also known as"},
    )
    assert_problem(response, ("Enter the last name", "id_last_name"), typed=('value="Mara"',))
    assert _counts() == before


def test_address_with_a_bad_postcode(client, child):
    before = _counts()
    response = client.post(
        reverse("people:move_address", args=[child.pk]),
        {
            "line_1": "22 Oak Road",
            "town": "Wendover",
            "postcode": "HP22 6",
            "moved_in_on-day": "1",
            "moved_in_on-month": "2",
            "moved_in_on-year": "2024",
        },
    )
    assert_problem(
        response,
        ("Enter a full UK postcode, like HP19 8FF", "id_postcode"),
        typed=('value="22 Oak Road"', 'value="Wendover"', 'value="HP22 6"', 'value="2024"'),
    )
    assert _counts() == before


def test_address_moving_in_before_the_current_address(client, child):
    before = _counts()
    response = client.post(
        reverse("people:move_address", args=[child.pk]),
        {
            "line_1": "22 Oak Road",
            "town": "Wendover",
            "postcode": "HP22 6HX",
            "moved_in_on-day": "1",
            "moved_in_on-month": "5",
            "moved_in_on-year": "2019",
        },
    )
    assert_problem(
        response,
        ("The date they moved in must be after 1 May 2020", "id_moved_in_on-day"),
        typed=('value="22 Oak Road"', 'value="HP22 6HX"', 'value="2019"'),
    )
    assert _counts() == before
    assert child.addresses.get().moved_out_on is None


def test_address_impossible_and_future_dates(client, child):
    before = _counts()
    base = {"line_1": "22 Oak Road", "town": "Wendover", "postcode": "HP22 6HX"}
    response = client.post(
        reverse("people:move_address", args=[child.pk]),
        {**base, "moved_in_on-day": "31", "moved_in_on-month": "4", "moved_in_on-year": "2024"},
    )
    assert_problem(response, ("Date they moved in must be a real date", "id_moved_in_on-day"))
    response = client.post(
        reverse("people:move_address", args=[child.pk]),
        {
            **base,
            "moved_in_on-day": str(TOMORROW.day),
            "moved_in_on-month": str(TOMORROW.month),
            "moved_in_on-year": str(TOMORROW.year),
        },
    )
    assert_problem(response, ("The date they moved in must be today or in the past", "id_moved_in_on-day"))
    assert _counts() == before


def test_alert_needs_a_text_and_a_sensible_review_date(client, child):
    before = _counts()
    response = client.post(
        reverse("people:raise_alert", args=[child.pk]),
        {
            "category": "risk_to_staff",
            "text": "",
            "review_on-day": "32",
            "review_on-month": "1",
            "review_on-year": "2027",
        },
    )
    assert_problem(
        response,
        ("Enter what people need to know", "id_text"),
        ("Review date must be a real date", "id_review_on-day"),
        typed=('value="32"', 'value="2027"'),
    )
    yesterday = TODAY - dt.timedelta(days=1)
    response = client.post(
        reverse("people:raise_alert", args=[child.pk]),
        {
            "category": "risk_to_staff",
            "text": "Dog at the address",
            "review_on-day": str(yesterday.day),
            "review_on-month": str(yesterday.month),
            "review_on-year": str(yesterday.year),
        },
    )
    assert_problem(
        response,
        ("The review date must be on or after the date the alert is raised", "id_review_on-day"),
        typed=("Dog at the address",),
    )
    assert _counts() == before


def test_relationship_needs_a_person_or_a_child(client, child):
    before = _counts()
    response = client.post(
        reverse("people:add_relationship", args=[child.pk]),
        {"kind": "grandparent", "first_name": "Edna", "last_name": "", "phone": "01296 000000"},
    )
    assert_problem(
        response,
        ("Enter the person's last name, or the LA ID of a child with a record", "id_last_name"),
        typed=('value="Edna"', 'value="01296 000000"'),
    )
    response = client.post(
        reverse("people:add_relationship", args=[child.pk]), {"kind": "", "last_name": "Okafor"}
    )
    assert_problem(response, ("Select the relationship", "id_kind"), typed=('value="Okafor"',))
    assert _counts() == before


def test_relationship_to_an_unknown_child(client, child):
    before = _counts()
    response = client.post(
        reverse("people:add_relationship", args=[child.pk]),
        {"kind": "sibling", "related_child_la_id": "C999999"},
    )
    assert_problem(
        response,
        ("No child you can see has that LA ID", "id_related_child_la_id"),
        typed=('value="C999999"',),
    )
    assert _counts() == before


def test_chronology_entry_in_the_future_or_without_a_summary(client, child):
    before = _counts()
    response = client.post(
        reverse("people:chronology", args=[child.pk]),
        {
            "occurred_on-day": str(TOMORROW.day),
            "occurred_on-month": str(TOMORROW.month),
            "occurred_on-year": str(TOMORROW.year),
            "category": "health",
            "summary": "Admitted to hospital",
        },
    )
    assert_problem(
        response,
        ("The date of the event must be today or in the past", "id_occurred_on-day"),
        typed=("Admitted to hospital", f'value="{TOMORROW.year}"'),
    )
    response = client.post(
        reverse("people:chronology", args=[child.pk]),
        {
            "occurred_on-day": "31",
            "occurred_on-month": "2",
            "occurred_on-year": "2024",
            "category": "health",
            "summary": "",
        },
    )
    assert_problem(
        response,
        ("Date of the event must be a real date", "id_occurred_on-day"),
        ("Enter what happened", "id_summary"),
        typed=('value="31"',),
    )
    assert _counts() == before


# --- case notes ---------------------------------------------------------------------------------------


def _note_post(child, **overrides):
    data = {
        "children": [str(child.pk)],
        "note_type": NoteType.VISIT,
        "event_on-day": str(TODAY.day),
        "event_on-month": str(TODAY.month),
        "event_on-year": str(TODAY.year),
        "title": "Home visit",
        "body": "Amara showed me her drawings of the new flat.",
        "action": "finalise",
    }
    data.update(overrides)
    return data


def test_new_note_finalised_without_title_body_or_seen(client, child):
    before = _counts()
    response = client.post(
        reverse("casework:note_new", args=[child.pk]), _note_post(child, title="", body="", event_time="9.15")
    )
    assert_problem(
        response,
        ("Enter a title", "id_title"),
        ("Enter what happened", "id_body"),
        ("Say whether the child was seen", "id_child_seen"),
        typed=('value="9.15"',),
    )
    assert _counts() == before


def test_visit_seen_but_not_alone_needs_a_reason(client, child):
    before = _counts()
    response = client.post(
        reverse("casework:note_new", args=[child.pk]),
        _note_post(child, child_seen="yes", child_seen_alone="no", bedroom_seen="yes"),
    )
    assert_problem(
        response,
        ("Enter why the child was not seen alone", "id_not_seen_alone_reason"),
        typed=("Amara showed me her drawings of the new flat.", 'value="Home visit"'),
    )
    assert _counts() == before


def test_note_with_a_future_or_impossible_date(client, child):
    before = _counts()
    response = client.post(
        reverse("casework:note_new", args=[child.pk]),
        _note_post(
            child,
            child_seen="yes",
            child_seen_alone="yes",
            action="draft",
            **{
                "event_on-day": str(TOMORROW.day),
                "event_on-month": str(TOMORROW.month),
                "event_on-year": str(TOMORROW.year),
            },
        ),
    )
    assert_problem(
        response,
        ("The date of the event must be today or in the past", "id_event_on-day"),
        typed=("Amara showed me her drawings of the new flat.",),
    )
    response = client.post(
        reverse("casework:note_new", args=[child.pk]),
        _note_post(child, action="draft", **{"event_on-day": "31", "event_on-month": "2"}),
    )
    assert_problem(
        response, ("Date it happened must be a real date", "id_event_on-day"), typed=('value="31"',)
    )
    assert _counts() == before


def test_note_about_no_child(client, child):
    before = _counts()
    response = client.post(reverse("casework:note_new", args=[child.pk]), _note_post(child, children=[]))
    assert_problem(
        response,
        ("Choose at least one child the note is about", "id_children"),
        typed=("Amara showed me her drawings of the new flat.",),
    )
    assert _counts() == before


def test_draft_saved_with_a_stale_version_is_refused_and_keeps_the_typing(client, worker, child):
    draft = casework_services.note_save_draft(
        actor=worker, children=[child], note_type=NoteType.PHONE_CALL, title="Call", body="First words"
    )
    opened_version = draft.version
    # Another tab autosaves in between.
    casework_services.note_save_draft(
        actor=worker, children=[child], note=draft, expected_version=opened_version, body="Other tab's words"
    )
    before = _counts()
    response = client.post(
        reverse("casework:note_edit", args=[draft.pk]),
        _note_post(
            child,
            note_type=NoteType.PHONE_CALL,
            body="Words typed in this tab",
            version=str(opened_version),
            action="draft",
        ),
    )
    assert_problem(
        response,
        ("This note was changed by someone else after you opened it", None),
        typed=("Words typed in this tab",),
    )
    assert _counts() == before
    draft.refresh_from_db()
    assert draft.body == "Other tab's words" and draft.version == opened_version + 1


def test_amendment_needs_a_reason_and_a_change(client, worker, child):
    draft = casework_services.note_save_draft(
        actor=worker, children=[child], note_type=NoteType.PHONE_CALL, title="Call", body="Spoke to mum"
    )
    note = casework_services.note_finalise(actor=worker, note=draft, children=[child])
    before = _counts()
    amend = {**_note_post(child, note_type=NoteType.PHONE_CALL, title="Call"), "version": str(note.version)}
    response = client.post(
        reverse("casework:note_amend", args=[note.pk]), {**amend, "body": "Spoke to dad", "reason": ""}
    )
    assert_problem(response, ("Enter the reason", "id_reason"), typed=("Spoke to dad",))
    response = client.post(
        reverse("casework:note_amend", args=[note.pk]),
        {**amend, "body": "Spoke to mum", "reason": "Typo"},
    )
    assert_problem(response, ("Nothing has changed", None), typed=('value="Typo"',))
    assert _counts() == before
    note.refresh_from_db()
    assert note.body == "Spoke to mum"


# --- sign-in and two-factor ---------------------------------------------------------------------------


def test_sign_in_with_nothing_typed(db):
    from django.test import Client

    response = Client().post(reverse("accounts:login"), {"username": "", "password": ""})
    assert_problem(response, ("Enter your username", "id_username"), ("Enter your password", "id_password"))
    assert not LoginAttempt.objects.exists()


def test_sign_in_with_a_wrong_password_keeps_the_username_not_the_password(worker):
    from django.test import Client

    response = Client().post(
        reverse("accounts:login"), {"username": worker.username, "password": "not my password at all"}
    )
    assert_problem(
        response, ("The username or password is not right", None), typed=(f'value="{worker.username}"',)
    )
    assert "not my password at all" not in response.content.decode()
    assert LoginAttempt.objects.filter(succeeded=False).count() == 1


def test_two_factor_code_of_the_wrong_shape(worker):
    from django.test import Client

    client = Client()
    client.post(reverse("accounts:login"), {"username": worker.username, "password": "a long test password"})
    response = client.post(reverse("accounts:two_factor"), {"code": "12ab"})
    assert_problem(response, ("Enter the code as 6 digits, like 123456", "id_code"), typed=('value="12ab"',))
    response = client.post(reverse("accounts:two_factor"), {"code": ""})
    assert_problem(response, ("Enter the 6-digit code from your authenticator app", "id_code"))
    worker.refresh_from_db()
    assert worker.totp_confirmed_at is None
