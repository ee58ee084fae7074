"""Auditors search the access log and the audit events across the service: by person, child, dates and action;
paginated, permission-checked, itself logged, and naming no child the auditor may not open (issue 12.11)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.audit.services import audit_event_record, record_access_log
from tests.returns.conftest import make_child

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=LONDON)


@pytest.fixture
def trail(make_user, teams):
    """Two workers' looks and changes on two children in March 2026, one child restricted."""
    ann = make_user(Role.SOCIAL_WORKER, teams["north"], username="ann", first_name="Ann", last_name="Hughes")
    bob = make_user(Role.SOCIAL_WORKER, teams["north"], username="bob", first_name="Bob", last_name="Marsh")
    open_child = make_child("C1", first_name="Ivy", last_name="Open")
    hidden = make_child("C2", first_name="Secret", last_name="Hidden", is_restricted=True)
    for day, user, child, kind in [
        (2, ann, open_child, AccessKind.VIEW),
        (5, ann, hidden, AccessKind.VIEW),
        (9, bob, open_child, AccessKind.REFUSED),
        (20, bob, open_child, AccessKind.EXPORT),
    ]:
        with time_machine.travel(_at(day), tick=False):
            record_access_log(user=user, child=child, kind=kind, path=f"/children/{child.pk}/")
    with time_machine.travel(_at(6), tick=False):
        audit_event_record(actor=ann, verb="case_note.finalise", target=open_child, child=open_child)
    with time_machine.travel(NOW, tick=False):
        yield {"ann": ann, "bob": bob, "open": open_child, "hidden": hidden}


NOW = dt.datetime(2026, 4, 1, 9, tzinfo=LONDON)


def _search(client, **filters):
    return client.get("/audit/", filters)


def _dates(html: str) -> list[str]:
    import re

    return re.findall(r"(\d{1,2} March 2026) at", html)


@pytest.fixture
def auditor(make_user, client_for):
    user = make_user(Role.AUDITOR, username="aud")
    return user, client_for(user)


@pytest.mark.parametrize(
    "role",
    [
        Role.HEAD_OF_SERVICE,
        Role.DIRECTOR,
        Role.TEAM_MANAGER,
        Role.SOCIAL_WORKER,
        Role.PERFORMANCE_ANALYST,
        Role.ADMINISTRATOR,
        Role.CHIEF_EXECUTIVE,
        Role.IMPROVEMENT_BOARD,
    ],
)
def test_only_auditors_search_the_trail(trail, make_user, client_for, role):
    before = AuditEvent.objects.count()
    client = client_for(make_user(role))
    assert _search(client, person="ann").status_code == 403
    assert "/audit/" not in client.get("/").content.decode()
    assert AuditEvent.objects.count() == before


def test_the_auditor_has_it_in_the_navigation(trail, auditor):
    assert 'href="/audit/"' in auditor[1].get("/").content.decode()


def test_by_person_shows_their_looks_and_changes_newest_first(trail, auditor):
    html = _search(auditor[1], person="ann").content.decode()
    assert "3 entries" in html
    assert _dates(html) == ["6 March 2026", "5 March 2026", "2 March 2026"]
    assert "Changed: case_note.finalise" in html and "Bob Marsh" not in html
    by_name = _search(auditor[1], person="marsh").content.decode()
    assert "2 entries" in by_name and "Ann Hughes" not in by_name


def test_by_child_dates_and_action(trail, auditor):
    client = auditor[1]
    child = _search(client, child="c1").content.decode()
    assert "4 entries" in child
    dated = _search(client, date_from="2026-03-05", date_to="2026-03-09").content.decode()
    assert _dates(dated) == ["9 March 2026", "6 March 2026", "5 March 2026"]
    # The auditor's own searches are on the log too (today, 1 April): the refusal of 5 March's restricted record.
    assert "1 entry" in _search(client, action="refused", date_from="2026-04-01").content.decode()
    refused = _search(client, action="refused", date_to="2026-03-31").content.decode()
    assert "1 entry" in refused and "Refused" in refused and _dates(refused) == ["9 March 2026"]
    changes = _search(client, action="change", child="C1").content.decode()
    assert "1 entry" in changes and "case_note.finalise" in changes


def test_a_restricted_child_is_not_named_and_the_refusal_is_logged(trail, auditor):
    user, client = auditor
    html = _search(client, person="ann").content.decode()
    assert "A restricted record" in html and "Secret" not in html and "Hidden" not in html
    assert f"/children/{trail['hidden'].pk}/access-log/" not in html
    assert f'href="/children/{trail["open"].pk}/access-log/"' in html and "Ivy Open" in html
    logged = {(row.child_id, row.kind) for row in RecordAccess.objects.filter(user=user).order_by("child_id")}
    assert logged == {(trail["open"].pk, AccessKind.LISTED), (trail["hidden"].pk, AccessKind.REFUSED)}


def test_each_search_is_itself_logged(trail, auditor):
    user, client = auditor
    _search(client, person="bob", date_from="2026-03-01", action="export")
    event = AuditEvent.objects.get(verb="audit.search", actor=user)
    assert event.payload == {"person": "bob", "date_from": "2026-03-01", "action": "export", "page": 1}


def _refused(client, filters: dict, field: str, message: str):
    """The search is refused on `field` with `message`, keeps what was typed, and logs nothing."""
    before = (AuditEvent.objects.count(), RecordAccess.objects.count())
    response = _search(client, **filters)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}-error"' in html and message in html, html
    for value in filters.values():
        assert f'value="{value}"' in html or f'value="{value}" selected' in html
    assert (AuditEvent.objects.count(), RecordAccess.objects.count()) == before


@pytest.mark.parametrize(
    "filters, field, message",
    [
        ({"date_from": "1 March 2026"}, "date_from", "Enter a real date in the form YYYY-MM-DD"),
        ({"date_from": "2026-03-09", "date_to": "2026-03-01"}, "date_to", "must be the same as or after"),
        ({"person": "nobody here"}, "person", "No member of staff has the username or name"),
        ({"child": "X999"}, "child", "No child has the LA child ID"),
    ],
)
def test_bad_search_input_is_explained(trail, auditor, filters, field, message):
    _refused(auditor[1], filters, field, message)


def test_results_are_paginated_keeping_the_search(trail, auditor):
    for _ in range(55):
        record_access_log(user=trail["bob"], child=trail["open"], kind=AccessKind.VIEW, path="/x/")
    client = auditor[1]
    first = _search(client, person="bob").content.decode()
    assert "57 entries" in first and "page 1 of 2" in first
    assert first.count('<tr class="govuk-table__row">') == 51  # the header and 50 rows
    assert 'href="?person=bob&amp;page=2"' in first
    second = _search(client, person="bob", page="2").content.decode()
    assert second.count('<tr class="govuk-table__row">') == 8 and "9 March 2026" in second


def test_days_are_the_authoritys_days(trail, auditor):
    """Half past midnight on 1 April in London is still 31 March in UTC: it belongs to 1 April."""
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=LONDON), tick=False):
        record_access_log(user=trail["bob"], child=trail["open"], kind=AccessKind.EXPORT, path="/late/")
    client = auditor[1]
    march = _search(client, person="bob", date_to="2026-03-31").content.decode()
    april = _search(client, person="bob", date_from="2026-04-01").content.decode()
    assert "/late/" not in march and "2 entries" in march
    assert "/late/" in april and "1 entry" in april
