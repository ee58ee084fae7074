"""A child the user may not open is named nowhere: not in the front-door queue or a contact, a shared note, a
relationship or the unallocated list. It appears at most as "a restricted record", and the refusal is logged
against that child; every list that names children logs them as listed (issue 11 point 1)."""

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.casework import services as casework_services
from opencsc.casework.models import NoteType
from opencsc.frontdoor import services as frontdoor_services
from opencsc.frontdoor.models import Channel, Contact, Decision
from opencsc.people import services as people_services
from opencsc.people.models import Child, RelationshipType

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0))
SECRET_WORDS = "Bea said she is frightened of going home"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Authority:
    mash_worker: User
    other_head: User
    north_manager: User
    north_worker: User
    south_manager: User
    ava: Child  # north, unallocated, open assessment
    bea: Child  # Ava's sister, restricted: only the north worker and one head of service are named
    cal: Child  # south, unallocated, open assessment
    bea_contact: Contact


def _child(actor, team, first_name, born=dt.date(2016, 5, 1)):
    return people_services.child_create(
        actor=actor, team=team, first_name=first_name, last_name="Reed", date_of_birth=born, sex="F"
    )


def _referred(mash_worker, child, team, hour):
    contact = frontdoor_services.contact_record(
        actor=mash_worker,
        channel=Channel.PHONE,
        source="6",
        concerns="Police attended a domestic incident",
        children=[child],
        received_at=timezone.make_aware(dt.datetime(2026, 11, 20, hour, 0)),
    )
    frontdoor_services.contact_decide(
        actor=mash_worker, contact=contact, decision=Decision.ASSESSMENT, reason="Assess", team=team
    )


@pytest.fixture
def authority(make_user) -> Authority:
    mash = Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR)
    north = Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT)
    south = Team.objects.create(name="Assessment South", kind=TeamKind.ASSESSMENT)
    mash_worker = make_user(Role.SOCIAL_WORKER, mash)
    named_head = make_user(Role.HEAD_OF_SERVICE)
    north_worker = make_user(Role.SOCIAL_WORKER, north)
    ava = _child(north_worker, north, "Ava")
    bea = _child(north_worker, north, "Bea", born=dt.date(2018, 2, 3))
    cal = _child(mash_worker, south, "Cal")
    people_services.relationship_add(
        actor=north_worker, child=ava, kind=RelationshipType.SIBLING, related_child=bea
    )
    note = casework_services.note_save_draft(
        actor=north_worker,
        children=[ava, bea],
        note_type=NoteType.VISIT,
        title="Home visit with Bea and Ava",
        body=SECRET_WORDS,
        event_on=dt.date(2026, 11, 20),
    )
    casework_services.note_finalise(
        actor=north_worker, note=note, children=[ava, bea], child_seen=True, child_seen_alone=True
    )
    for hour, (child, team) in enumerate([(ava, north), (bea, north), (cal, south)], start=9):
        _referred(mash_worker, child, team, hour)
    bea_contact = frontdoor_services.contact_record(
        actor=mash_worker,
        channel=Channel.PHONE,
        source="6",
        concerns="School rang about Bea",
        children=[bea],
        received_at=timezone.make_aware(dt.datetime(2026, 11, 23, 9, 0)),
    )
    people_services.child_restrict(actor=named_head, child=bea, named_users=[north_worker])
    return Authority(
        mash_worker=mash_worker,
        other_head=make_user(Role.HEAD_OF_SERVICE),
        north_manager=make_user(Role.TEAM_MANAGER, north),
        north_worker=north_worker,
        south_manager=make_user(Role.TEAM_MANAGER, south),
        ava=ava,
        bea=bea,
        cal=cal,
        bea_contact=bea_contact,
    )


def _rows(user, child, kind) -> int:
    return RecordAccess.objects.filter(user=user, child=child, kind=kind).count()


def assert_not_named(html: str, child: Child) -> None:
    assert child.first_name not in html
    assert child.la_child_id not in html
    assert f"/children/{child.pk}/" not in html


# The front door ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mash_worker", "other_head"])
def test_the_front_door_queue_shows_a_restricted_child_as_a_restricted_record(authority, client_for, who):
    user = getattr(authority, who)
    response = client_for(user).get("/front-door/")
    html = response.content.decode()
    assert response.status_code == 200
    assert_not_named(html, authority.bea)
    assert "A restricted record" in html
    assert _rows(user, authority.bea, AccessKind.REFUSED) == 1


@pytest.mark.parametrize("who", ["mash_worker", "other_head"])
def test_a_contact_about_a_restricted_child_shows_no_name_birth_date_or_history(authority, client_for, who):
    user = getattr(authority, who)
    response = client_for(user).get(f"/front-door/contacts/{authority.bea_contact.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert_not_named(html, authority.bea)
    assert "3 February 2018" not in html and "Earlier referrals" not in html
    assert "School rang about" not in html
    assert _rows(user, authority.bea, AccessKind.REFUSED) == 1
    assert _rows(user, authority.bea, AccessKind.VIEW) == 0


def test_a_contact_about_a_restricted_child_cannot_be_decided_by_someone_not_named(authority, client_for):
    response = client_for(authority.mash_worker).post(
        f"/front-door/contacts/{authority.bea_contact.pk}/decision/",
        {"decision": Decision.ADVICE, "decision_reason": "Advice given"},
    )
    assert response.status_code == 403
    authority.bea_contact.refresh_from_db()
    assert authority.bea_contact.decision == ""
    assert _rows(authority.mash_worker, authority.bea, AccessKind.REFUSED) == 1


def test_the_front_door_queue_lists_the_children_it_names(authority, client_for):
    Contact.objects.exclude(pk=authority.bea_contact.pk).update(status="awaiting_triage")
    client_for(authority.mash_worker).get("/front-door/")
    for child in (authority.ava, authority.cal):
        assert _rows(authority.mash_worker, child, AccessKind.LISTED) == 1


# A note shared by siblings -------------------------------------------------------------------------------


def test_a_note_shared_with_a_restricted_sibling_is_refused_and_logged_against_that_sibling(
    authority, client_for
):
    note = authority.ava.case_notes.get()
    response = client_for(authority.north_manager).get(f"/notes/{note.pk}/")
    html = response.content.decode()
    assert response.status_code == 403
    assert SECRET_WORDS not in html and "Bea" not in html
    assert _rows(authority.north_manager, authority.bea, AccessKind.REFUSED) == 1


def test_the_record_lists_a_shared_note_without_its_title(authority, client_for):
    html = client_for(authority.north_manager).get(f"/children/{authority.ava.pk}/").content.decode()
    assert "A note also about a restricted record" in html
    assert "Home visit with Bea" not in html


def test_the_named_worker_still_reads_the_shared_note(authority, client_for):
    note = authority.ava.case_notes.get()
    html = client_for(authority.north_worker).get(f"/notes/{note.pk}/").content.decode()
    assert SECRET_WORDS in html
    assert _rows(authority.north_worker, authority.bea, AccessKind.VIEW) == 1


def test_the_chronology_line_of_a_shared_note_does_not_carry_its_title(authority, client_for):
    response = client_for(authority.north_manager).get(f"/children/{authority.ava.pk}/chronology/?show=all")
    html = response.content.decode()
    assert response.status_code == 200
    assert "A case note also about a restricted record" in html
    assert "Bea" not in html
    assert _rows(authority.north_manager, authority.bea, AccessKind.REFUSED) == 1


# Relationships on the record and the printed summary -----------------------------------------------------


@pytest.mark.parametrize("page", ["", "print/"])
def test_the_record_shows_a_restricted_sibling_as_a_restricted_record(authority, client_for, page):
    response = client_for(authority.north_manager).get(f"/children/{authority.ava.pk}/{page}")
    html = response.content.decode()
    assert response.status_code == 200
    assert_not_named(html, authority.bea)
    assert "restricted record" in html
    assert _rows(authority.north_manager, authority.bea, AccessKind.REFUSED) >= 1


# The unallocated list (and issue 12 point 6: only what a manager can act on) -----------------------------


def test_a_team_manager_sees_only_their_own_teams_unallocated_children(authority, client_for):
    html = client_for(authority.north_manager).get("/allocation/unallocated/").content.decode()
    assert "Ava Reed" in html
    assert_not_named(html, authority.cal)
    assert_not_named(html, authority.bea)
    assert _rows(authority.north_manager, authority.ava, AccessKind.LISTED) == 1
    assert not RecordAccess.objects.filter(user=authority.north_manager, kind=AccessKind.REFUSED).exists()


def test_a_head_of_service_sees_every_team_but_not_a_restricted_child(authority, client_for):
    html = client_for(authority.other_head).get("/allocation/unallocated/").content.decode()
    assert "Ava Reed" in html and "Cal Reed" in html
    assert_not_named(html, authority.bea)
    assert _rows(authority.other_head, authority.cal, AccessKind.LISTED) == 1


# Lists that name children log them ---------------------------------------------------------------------


def test_search_logs_each_child_it_lists(authority, client_for):
    client_for(authority.other_head).get("/children/?q=Reed")
    assert _rows(authority.other_head, authority.ava, AccessKind.LISTED) == 1
    assert _rows(authority.other_head, authority.cal, AccessKind.LISTED) == 1
    assert _rows(authority.other_head, authority.bea, AccessKind.LISTED) == 0


def test_the_team_work_view_logs_each_child_it_lists(authority, client_for):
    html = client_for(authority.north_manager).get("/work/team/").content.decode()
    assert "Ava Reed" in html
    assert _rows(authority.north_manager, authority.ava, AccessKind.LISTED) == 1
    assert_not_named(html, authority.bea)
