"""Case notes: autosave, finalising, amendments, notes about siblings, recording lag, visit rules, privacy."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.casework import services
from opencsc.casework.models import CaseNote, CaseNoteAmendment, ChronologyEntry, NoteStatus, NoteType
from opencsc.casework.selectors import chronology_for, drafts_for, notes_for_child
from opencsc.people import services as people_services
from opencsc.people.models import RelationshipType

TODAY = timezone.localdate()


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


def _child(actor, first_name, born=dt.date(2016, 4, 9)):
    return people_services.child_create(
        actor=actor, first_name=first_name, last_name="Okafor", date_of_birth=born, sex="F"
    )


@pytest.fixture
def child(worker):
    return _child(worker, "Amara")


def _form(child, **overrides):
    data = {
        "children": [str(child.pk)],
        "note_type": NoteType.VISIT,
        "event_on-day": str(TODAY.day),
        "event_on-month": str(TODAY.month),
        "event_on-year": str(TODAY.year),
        "title": "Home visit",
        "body": "Started typing",
    }
    data.update(overrides)
    return data


def test_autosave_creates_then_updates_a_draft_and_returns_its_version(worker, child, client_for):
    client = client_for(worker)
    first = client.post(reverse("casework:note_autosave_new", args=[child.pk]), _form(child))
    assert first.status_code == 200
    saved = first.json()
    assert saved["saved"] is True and saved["version"] == 1
    note = CaseNote.objects.get(pk=saved["note_id"])
    assert note.status == NoteStatus.DRAFT and note.body == "Started typing" and note.author == worker
    assert saved["autosave_url"] == reverse("casework:note_autosave", args=[note.pk])

    second = client.post(
        saved["autosave_url"], _form(child, body="More typing", version=str(saved["version"]))
    )
    assert second.status_code == 200 and second.json()["version"] == 2
    note.refresh_from_db()
    assert note.body == "More typing" and note.version == 2

    stale = client.post(saved["autosave_url"], _form(child, body="From an old tab", version="1"))
    assert stale.status_code == 409 and stale.json()["saved"] is False
    note.refresh_from_db()
    assert note.body == "More typing"


def test_autosave_without_a_date_keeps_the_draft(worker, child, client_for):
    response = client_for(worker).post(
        reverse("casework:note_autosave_new", args=[child.pk]),
        _form(child, **{"event_on-day": "", "event_on-month": "", "event_on-year": ""}),
    )
    assert response.status_code == 200
    assert CaseNote.objects.get(pk=response.json()["note_id"]).event_on == TODAY


def test_autosave_of_a_malformed_form_says_why(worker, child, client_for):
    response = client_for(worker).post(
        reverse("casework:note_autosave_new", args=[child.pk]), _form(child, event_time="quarter past")
    )
    assert response.status_code == 400
    assert response.json()["errors"]["event_time"] == ["Enter a time like 14:30"]
    assert not CaseNote.objects.exists()


def _final(worker, children, **fields):
    draft = services.note_save_draft(
        actor=worker,
        children=children,
        note_type=fields.pop("note_type", NoteType.PHONE_CALL),
        title="Call with school",
        body="Attendance is better",
        **fields,
    )
    return services.note_finalise(actor=worker, note=draft, children=children)


def test_finalised_note_is_read_only(worker, child, client_for):
    note = _final(worker, [child])
    assert note.is_final and note.finalised_at is not None
    client = client_for(worker)
    response = client.get(reverse("casework:note_edit", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "casework:note_detail", args=[note.pk]
    )
    response = client.post(reverse("casework:note_edit", args=[note.pk]), _form(child, body="Sneaky change"))
    assert response.status_code == 302
    autosave = client.post(reverse("casework:note_autosave", args=[note.pk]), _form(child, body="Sneaky"))
    assert autosave.status_code == 409
    with pytest.raises(ValidationError, match="final"):
        services.note_save_draft(actor=worker, children=[child], note=note, body="Sneaky change")
    with pytest.raises(ValidationError):
        services.note_finalise(actor=worker, note=note, children=[child])
    note.refresh_from_db()
    assert note.body == "Attendance is better"


def test_amendment_requires_a_reason_and_keeps_the_previous_text(worker, child, client_for):
    note = _final(worker, [child])
    with pytest.raises(ValidationError, match="reason"):
        services.note_amend(actor=worker, note=note, reason="  ", expected_version=note.version, body="New")
    response = client_for(worker).post(
        reverse("casework:note_amend", args=[note.pk]),
        {
            **_form(child, note_type=NoteType.PHONE_CALL, title="Call with school"),
            "body": "Attendance is much better",
            "version": str(note.version),
            "reason": "Misheard the head teacher",
        },
    )
    assert response.status_code == 302
    amendment = CaseNoteAmendment.objects.get(note=note)
    assert amendment.revision == 1 and amendment.reason == "Misheard the head teacher"
    assert amendment.previous["body"] == "Attendance is better"
    assert amendment.changed_fields == ["body"]
    assert amendment.amended_by == worker
    note.refresh_from_db()
    assert note.body == "Attendance is much better" and note.is_final
    page = client_for(worker).get(reverse("casework:note_detail", args=[note.pk])).content.decode()
    assert "Misheard the head teacher" in page

    second = services.note_amend(
        actor=worker,
        note=note,
        reason="Title clearer",
        expected_version=note.version,
        title="Call: head teacher",
    )
    assert second.revision == 2 and second.previous["title"] == "Call with school"
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.note_amend(actor=worker, note=note, reason="Stale", expected_version=1, body="Old tab")


def test_one_note_about_two_siblings_is_on_both_records_and_chronologies(worker, child, client_for):
    brother = _child(worker, "Chidi", born=dt.date(2013, 1, 5))
    people_services.relationship_add(
        actor=worker, child=child, kind=RelationshipType.SIBLING, related_child=brother
    )
    client = client_for(worker)
    response = client.post(
        reverse("casework:note_new", args=[child.pk]),
        _form(
            child,
            children=[str(child.pk), str(brother.pk)],
            child_seen="yes",
            child_seen_alone="yes",
            bedroom_seen="yes",
            action="finalise",
        ),
    )
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert set(note.children.all()) == {child, brother}
    for sibling in (child, brother):
        assert note in notes_for_child(sibling, user=worker)
        entry = ChronologyEntry.objects.get(child=sibling, source_key=f"note-{note.pk}")
        assert entry.summary == "Visit: Home visit (child seen, seen alone)"
        assert entry in chronology_for(sibling)
        assert "Home visit" in client.get(reverse("people:detail", args=[sibling.pk])).content.decode()


def test_recording_lag_is_finalised_date_minus_event_date(worker, child):
    event_on = TODAY - dt.timedelta(days=6)
    draft = services.note_save_draft(
        actor=worker,
        children=[child],
        note_type=NoteType.PHONE_CALL,
        title="Call",
        body="b",
        event_on=event_on,
    )
    assert draft.recording_lag_days is None
    note = services.note_finalise(actor=worker, note=draft, children=[child])
    assert note.recording_lag_days == 6


def test_visit_requires_child_seen(worker, child):
    draft = services.note_save_draft(
        actor=worker, children=[child], note_type=NoteType.VISIT, title="Visit", body="b"
    )
    with pytest.raises(ValidationError) as refused:
        services.note_finalise(actor=worker, note=draft, children=[child])
    assert refused.value.message_dict == {"child_seen": ["Say whether the child was seen"]}
    note = services.note_finalise(actor=worker, note=draft, children=[child], child_seen=False)
    assert note.is_final
    assert ChronologyEntry.objects.get(child=child, source_key=f"note-{note.pk}").summary.endswith(
        "(child not seen)"
    )


def test_seen_but_not_alone_requires_a_reason(worker, child):
    draft = services.note_save_draft(
        actor=worker,
        children=[child],
        note_type=NoteType.VISIT,
        title="Visit",
        body="b",
        child_seen=True,
        child_seen_alone=False,
    )
    with pytest.raises(ValidationError) as refused:
        services.note_finalise(actor=worker, note=draft, children=[child])
    assert "not_seen_alone_reason" in refused.value.message_dict
    note = services.note_finalise(
        actor=worker, note=draft, children=[child], not_seen_alone_reason="Mother would not leave the room"
    )
    assert note.not_seen_alone_reason == "Mother would not leave the room"


def test_not_seen_cannot_be_seen_alone(worker, child):
    with pytest.raises(ValidationError, match="cannot have been seen alone"):
        services.note_save_draft(
            actor=worker,
            children=[child],
            note_type=NoteType.VISIT,
            title="Visit",
            body="b",
            child_seen=False,
            child_seen_alone=True,
        )


def test_other_peoples_drafts_are_private(worker, child, make_user, teams, client_for):
    colleague = make_user(Role.SOCIAL_WORKER, teams["north"])
    draft = services.note_save_draft(
        actor=worker, children=[child], note_type=NoteType.PHONE_CALL, title="Private thoughts", body="b"
    )
    assert draft in drafts_for(user=worker)
    assert draft not in drafts_for(user=colleague)
    assert draft in notes_for_child(child, user=worker)
    assert draft not in notes_for_child(child, user=colleague)
    assert (
        "Private thoughts"
        not in client_for(colleague).get(reverse("people:detail", args=[child.pk])).content.decode()
    )
    assert "Private thoughts" not in client_for(colleague).get(reverse("casework:my_notes")).content.decode()
    assert "Private thoughts" in client_for(worker).get(reverse("casework:my_notes")).content.decode()
    assert client_for(colleague).get(reverse("casework:note_edit", args=[draft.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.note_save_draft(actor=colleague, children=[child], note=draft, body="Not mine")
    with pytest.raises(PermissionDenied):
        services.note_finalise(actor=colleague, note=draft, children=[child])


def test_a_note_cannot_name_a_child_the_author_cannot_change(worker, child, make_user, teams):
    stranger = _child(make_user(Role.TEAM_MANAGER, teams["south"]), "Stranger")
    with pytest.raises(PermissionDenied):
        services.note_save_draft(
            actor=worker, children=[child, stranger], note_type=NoteType.PHONE_CALL, title="t", body="b"
        )
    assert not CaseNote.objects.exists()
