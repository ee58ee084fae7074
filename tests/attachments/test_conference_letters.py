"""Conference invitation letters made from the record: one to each parent and carer chosen, in plain English,
kept on the record as a file with its audit event and chronology line; refusals name the field and make nothing.

Today is frozen at Monday 11 May 2026. The strategy discussion that started the section 47 enquiry was on
Friday 1 May, so the initial conference is due by Tuesday 26 May (15 working days, May Day on 4 May and the
spring bank holiday on 25 May skipped)."""

import datetime as dt
import html
import io
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from opencsc.attachments import letters
from opencsc.attachments.models import Attachment
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.casework.models import ChronologyEntry, ConferenceKind, Section47Enquiry, StrategyDiscussion
from opencsc.people import services as people_services
from tests.attachments.conftest import counts, stored_files

TODAY = dt.datetime(2026, 5, 11, 12, 0, tzinfo=ZoneInfo("Europe/London"))
STRATEGY_ON = dt.date(2026, 5, 1)
MEETING_ON = dt.date(2026, 5, 21)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def family(world):
    child = world.child
    people_services.address_move_in(
        actor=world.worker,
        child=child,
        line_1="4 Mill Lane",
        town="Aylesbury",
        postcode="HP20 1AA",
        moved_in_on=dt.date(2020, 1, 1),
    )
    strategy = StrategyDiscussion.objects.create(child=child, held_on=STRATEGY_ON, section_47_agreed=True)
    Section47Enquiry.objects.create(child=child, strategy_discussion=strategy, started_on=STRATEGY_ON)

    def relative(kind, first, last, **flags):
        person = people_services.person_create(
            actor=world.worker, kind="family", first_name=first, last_name=last
        )
        return people_services.relationship_add(
            actor=world.worker, child=child, kind=kind, person=person, **flags
        )

    return {
        "mother": relative(
            "mother", "Sarah", "Filed", has_parental_responsibility=True, lives_with_child=True
        ),
        "father": relative("father", "Dan", "Moss", has_parental_responsibility=True),
        "gran": relative("grandparent", "Ivy", "Filed"),  # neither responsibility nor living with Ella
        "gp": relative("gp", "Anna", "Shah"),
    }


def _send(world, family, **overrides):
    call = {
        "actor": world.worker,
        "child": world.child,
        "kind": ConferenceKind.INITIAL,
        "meeting_on": MEETING_ON,
        "meeting_at": dt.time(14, 30),
        "place": "Room 2, County Hall, Walton Street, Aylesbury",
        "chair": "Priya Nair",
        "recipient_ids": [family["mother"].pk, family["father"].pk],
    }
    return letters.conference_invitation_send(**{**call, **overrides})


def _text(attachment: Attachment) -> str:
    with attachment.file.open("rb") as stored:
        reader = pypdf.PdfReader(io.BytesIO(stored.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_record_says_which_conference_is_next_and_who_is_invited(world, family):
    conference = letters.conference_to_arrange(world.child)
    assert conference.kind == ConferenceKind.INITIAL
    assert conference.due_on == dt.date(2026, 5, 26)
    assert "May Day and Spring Bank Holiday skipped" in conference.explanation
    assert [r.pk for r in letters.invitees(world.child)] == [family["mother"].pk, family["father"].pk]


def test_a_letter_for_each_parent_in_plain_english_kept_on_the_record(world, family):
    made = _send(world, family)

    assert len(made) == 2
    mother, father = made
    text = _text(mother)
    assert "Sarah Filed 4 Mill Lane Aylesbury HP20 1AA" in text
    assert "Dear Sarah Filed," in text
    assert "You are invited to a meeting about Ella" in text
    assert "Thursday 21 May 2026 at 2:30pm Room 2, County Hall" in text
    assert "led by Priya Nair" in text
    assert "Ama Osei, the social worker, will share their report with you before the meeting" in text
    assert "interpreter" in text and "advocate" in text
    assert (
        world.child.la_child_id not in text and "Ella Filed" not in text
    )  # no internal number, first name only
    assert "4 Mill Lane" not in _text(father)  # the record has no address for him
    assert mother.category == "letter_sent" and mother.content_type == "application/pdf"
    assert mother.description == (
        "Invitation to the initial child protection conference on 21 May 2026, to Sarah Filed (mother)"
    )
    events = AuditEvent.objects.filter(verb="letter.conference_invitation", child=world.child)
    assert sorted(e.payload["relationship"] for e in events) == sorted(
        [family["mother"].pk, family["father"].pk]
    )
    assert ChronologyEntry.objects.filter(
        child=world.child,
        summary="Invitation to the initial child protection conference on 21 May 2026 sent to Dan Moss (father)",
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"meeting_on": dt.date(2026, 5, 8)}, "meeting_on", "must be today or later"),
        ({"meeting_on": dt.date(2027, 6, 1)}, "meeting_on", "within a year"),
        ({"meeting_on": None}, "meeting_on", "Enter the date of the conference"),
        ({"meeting_at": None}, "meeting_at", "Enter the time"),
        ({"place": "  "}, "place", "Enter where the conference is held"),
        ({"chair": ""}, "chair", "Enter the name of the conference chair"),
        ({"kind": "panel"}, "kind", "Choose which conference"),
        ({"recipient_ids": []}, "recipients", "Choose at least one parent or carer"),
        ({"recipient_ids": "gp"}, "recipients", "Choose at least one parent or carer"),
    ],
)
def test_each_problem_is_named_and_nothing_is_made(world, family, file_store, overrides, field, words):
    if overrides.get("recipient_ids") == "gp":
        overrides = {"recipient_ids": [family["mother"].pk, family["gp"].pk]}  # a professional is not invited
    before = counts()
    with pytest.raises(ValidationError) as refused:
        _send(world, family, **overrides)
    assert any(words in message for message in refused.value.message_dict[field]), refused.value.message_dict
    assert counts() == before and stored_files(file_store) == []


def test_the_page_offers_the_record_and_makes_the_letters(world, family, client_for):
    worker = client_for(world.worker)
    url = reverse("attachments:conference_invitation", args=[world.child.pk])
    page = html.unescape(worker.get(url).content.decode())
    assert "initial child protection conference, due by 26 May 2026" in page
    assert 'value="26"' in page and "Sarah Filed (mother)" in page and "Anna Shah" not in page
    answer = worker.post(
        url,
        {
            "kind": "initial",
            "meeting_on-day": "21",
            "meeting_on-month": "5",
            "meeting_on-year": "2026",
            "meeting_at": "2.30pm",
            "place": "County Hall",
            "chair": "Priya Nair",
            "recipients": [str(family["mother"].pk)],
        },
    )
    assert answer.status_code == 302
    [letter] = Attachment.objects.filter(child=world.child, category="letter_sent")
    assert "at 2:30pm" in _text(letter)
    files = worker.get(answer["Location"]).content.decode()
    download = reverse("attachments:download", args=[letter.pk])
    assert download in files
    worker.get(download)
    assert RecordAccess.objects.filter(child=world.child, kind=AccessKind.EXPORT, path=download).count() == 1


def test_a_bad_time_on_the_page_is_named_and_the_typing_kept(world, family, client_for):
    answer = client_for(world.worker).post(
        reverse("attachments:conference_invitation", args=[world.child.pk]),
        {"kind": "initial", "meeting_at": "half two", "place": "County Hall", "chair": "Priya Nair"},
    )
    page = html.unescape(answer.content.decode())
    assert "Enter the time of the conference, like 10:00 or 14:30" in page
    assert 'value="half two"' in page and 'value="County Hall"' in page
    assert not Attachment.objects.exists()
