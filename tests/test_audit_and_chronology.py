"""Audit events for every service, the access-log page, the chronology, and the child summary page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.casework import services as casework_services
from opencsc.casework.chronology import chronology_add_manual, chronology_record_event
from opencsc.casework.models import ChronologyCategory, ChronologyEntry, NoteType
from opencsc.people import services as people_services
from opencsc.people.models import PersonKind, RelationshipType

TODAY = timezone.localdate()


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"], first_name="Sam", last_name="Worker")


@pytest.fixture
def manager(make_user, teams):
    return make_user(Role.TEAM_MANAGER, teams["north"], first_name="Mo", last_name="Manager")


@pytest.fixture
def child(worker):
    return people_services.child_create(
        actor=worker, first_name="Amara", last_name="Okafor", date_of_birth=dt.date(2016, 4, 9), sex="F"
    )


def _event(verb, actor, child=None):
    events = AuditEvent.objects.filter(verb=verb, actor=actor)
    if child is not None:
        events = events.filter(child=child)
    assert events.count() >= 1, verb
    return events.latest("id")


def test_every_service_writes_an_audit_event_with_actor_and_verb(worker, manager, child):
    assert _event("child.created", worker, child).object_id == str(child.pk)

    people_services.child_update(
        actor=worker,
        child=child,
        expected_version=child.version,
        first_name="Amara",
        last_name="Okafor-Smith",
        date_of_birth=child.date_of_birth,
        sex="F",
    )
    assert _event("child.updated", worker, child).payload["changed"]["last_name"] == [
        "Okafor",
        "Okafor-Smith",
    ]

    people_services.child_set_disabilities(actor=worker, child=child, codes=["HEAR"])
    assert _event("child.disabilities_set", worker, child).payload == {"codes": ["HEAR"]}

    alias = people_services.alias_add(actor=worker, child=child, first_name="Mara", last_name="O", kind="")
    assert _event("alias.added", worker, child).object_id == str(alias.pk)

    address = people_services.address_move_in(
        actor=worker, child=child, line_1="1 High St", town="Aylesbury", postcode="hp198ff", moved_in_on=TODAY
    )
    assert address.postcode == "HP19 8FF"
    assert _event("address.moved_in", worker, child).payload == {"postcode": "HP19 8FF"}

    person = people_services.person_create(
        actor=worker, kind=PersonKind.FAMILY, first_name="Ada", last_name="O"
    )
    assert _event("person.created", worker).object_id == str(person.pk)
    people_services.relationship_add(
        actor=worker, child=child, kind=RelationshipType.GRANDPARENT, person=person
    )
    assert _event("relationship.added", worker, child).payload["kind"] == RelationshipType.GRANDPARENT

    alert = people_services.alert_raise(
        actor=worker, child=child, category="health", text="Asthma", review_on=TODAY + dt.timedelta(days=30)
    )
    assert _event("alert.raised", worker, child).object_id == str(alert.pk)
    people_services.alert_end(actor=worker, alert=alert)
    assert _event("alert.ended", worker, child)

    chronology_add_manual(actor=worker, child=child, occurred_on=TODAY, category="health", summary="GP visit")
    assert _event("chronology.added", worker, child)

    casework_services.allocation_create(actor=manager, child=child, worker=worker, started_on=TODAY)
    assert _event("allocation.created", manager, child).payload == {"worker": worker.username}

    draft = casework_services.note_save_draft(
        actor=worker, children=[child], note_type=NoteType.PHONE_CALL, title="Call", body="b"
    )
    assert _event("note.drafted", worker, child).object_id == str(draft.pk)
    note = casework_services.note_finalise(actor=worker, note=draft, children=[child])
    assert _event("note.finalised", worker, child)
    casework_services.note_amend(
        actor=worker, note=note, reason="typo", expected_version=note.version, body="better"
    )
    assert _event("note.amended", worker, child).payload == {"fields": ["body"], "reason": "typo"}

    people_services.child_restrict(actor=manager, child=child, named_users=[worker])
    assert set(_event("child.restricted", manager, child).payload["named"]) == {
        worker.username,
        manager.username,
    }


def test_audit_events_carry_the_requesters_address(worker, child, client_for):
    client = client_for(worker)
    client.post(
        reverse("people:add_alias", args=[child.pk]),
        {"first_name": "", "last_name": "Okafor", "kind": "Birth name"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert _event("alias.added", worker, child).ip_address == "10.1.2.3"


def test_access_log_page_lists_views_and_refusals_with_who_and_when(
    worker, manager, child, make_user, teams, client_for
):
    outsider = make_user(Role.SOCIAL_WORKER, teams["south"], first_name="Olly", last_name="Outsider")
    client_for(worker).get(reverse("people:detail", args=[child.pk]))
    assert client_for(outsider).get(reverse("people:detail", args=[child.pk])).status_code == 403
    client_for(worker).get(reverse("people:print", args=[child.pk]))

    response = client_for(manager).get(reverse("people:access_log", args=[child.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sam Worker (Social worker)" in page
    assert "Olly Outsider (Social worker)" in page
    assert "Refused" in page and "Viewed" in page and "Exported" in page
    assert reverse("people:detail", args=[child.pk]) in page
    refused = RecordAccess.objects.get(user=outsider, child=child)
    assert refused.kind == AccessKind.REFUSED
    assert refused.at is not None and abs(timezone.now() - refused.at) < dt.timedelta(minutes=1)
    assert timezone.localtime(refused.at).strftime("%Y") in page
    # the manager's own look at the log is itself logged
    assert RecordAccess.objects.filter(user=manager, child=child, kind=AccessKind.VIEW).exists()


def test_manual_chronology_entries(worker, child, client_for):
    response = client_for(worker).post(
        reverse("people:chronology", args=[child.pk]),
        {
            "occurred_on-day": "14",
            "occurred_on-month": "3",
            "occurred_on-year": "2025",
            "category": "education",
            "summary": "Excluded from school for two days",
        },
    )
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get(child=child, is_manual=True)
    assert entry.occurred_on == dt.date(2025, 3, 14) and entry.recorded_by == worker and entry.is_significant
    assert entry.source_key == ""
    page = client_for(worker).get(reverse("people:chronology", args=[child.pk])).content.decode()
    assert "Excluded from school for two days" in page and "Sam Worker (manual)" in page
    # Two manual entries with no source key may sit side by side.
    chronology_add_manual(
        actor=worker, child=child, occurred_on=TODAY, category="education", summary="Back at school"
    )
    assert ChronologyEntry.objects.filter(child=child, is_manual=True).count() == 2


def test_manual_entries_cannot_pose_as_system_categories(worker, child, client_for):
    response = client_for(worker).post(
        reverse("people:chronology", args=[child.pk]),
        {
            "occurred_on-day": "1",
            "occurred_on-month": "1",
            "occurred_on-year": "2025",
            "category": ChronologyCategory.CASE_NOTE,
            "summary": "Pretend note",
        },
    )
    assert response.status_code == 200
    assert not ChronologyEntry.objects.filter(summary="Pretend note").exists()


def test_system_entries_are_idempotent_per_source_key(child):
    first = chronology_record_event(
        child=child,
        occurred_on=TODAY,
        category="contact",
        summary="Referral received",
        source_key="referral-7",
    )
    again = chronology_record_event(
        child=child,
        occurred_on=TODAY,
        category="contact",
        summary="Referral received (again)",
        source_key="referral-7",
    )
    assert first.pk == again.pk
    assert ChronologyEntry.objects.filter(child=child, source_key="referral-7").count() == 1
    assert ChronologyEntry.objects.get(pk=first.pk).summary == "Referral received"
    other = chronology_record_event(
        child=child, occurred_on=TODAY, category="contact", summary="Another", source_key="referral-8"
    )
    assert other.pk != first.pk


def test_child_creation_writes_one_record_entry(worker, child):
    assert ChronologyEntry.objects.filter(child=child, source_key=f"child-created-{child.pk}").count() == 1


def test_child_summary_page(worker, manager, child, client_for):
    people_services.address_move_in(
        actor=worker,
        child=child,
        line_1="1 High Street",
        town="Aylesbury",
        postcode="HP19 8FF",
        moved_in_on=TODAY,
    )
    casework_services.allocation_create(actor=manager, child=child, worker=worker, started_on=TODAY)
    review_on = TODAY + dt.timedelta(days=14)
    people_services.alert_raise(
        actor=worker,
        child=child,
        category="risk_to_staff",
        text="Large dog at the address",
        review_on=review_on,
    )
    response = client_for(manager).get(reverse("people:detail", args=[child.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Amara Okafor" in page and child.la_child_id in page
    assert "1 High Street, Aylesbury, HP19 8FF" in page
    assert '<span data-testid="allocated-worker">Sam Worker</span>' in page
    assert 'data-testid="alerts"' in page and "Large dog at the address" in page
    assert 'data-testid="due"' in page and "Review alert: Risk to staff" in page
    assert f"{review_on.day} {review_on:%B %Y}" in page


def test_child_summary_without_allocation_or_address(worker, child, client_for):
    page = client_for(worker).get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Not allocated" in page and "Not known" in page and "Nothing due" in page


def test_allocated_worker_name_is_escaped(make_user, manager, child, teams, client_for):
    odd = make_user(Role.SOCIAL_WORKER, teams["north"], first_name="<b>Bo</b>", last_name="O'Neil")
    casework_services.allocation_create(actor=manager, child=child, worker=odd, started_on=TODAY)
    page = client_for(manager).get(reverse("people:detail", args=[child.pk])).content.decode()
    assert '<span data-testid="allocated-worker">&lt;b&gt;Bo&lt;/b&gt; O&#39;Neil</span>' in page
    assert "<b>Bo</b>" not in page
