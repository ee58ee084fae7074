"""The legal pages: the child's page shows the week of the timetable and each due date as steps are recorded; the
service page counts open proceedings by week of the timetable and names only the children the user may open.

Today is frozen at Monday 11 May 2026 (tests/legal/conftest.py).
"""

import datetime as dt

import pytest
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.legal import services
from opencsc.legal.models import LegalGatewayMeeting
from opencsc.people import services as people_services
from opencsc.people.models import Child

pytestmark = pytest.mark.django_db
D = dt.date


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def test_the_child_page_shows_each_due_date_as_the_steps_are_recorded(worker, child, client_for):
    client = client_for(worker)
    page = reverse("legal:child", args=[child.pk])
    assert "No open pre-proceedings" in client.get(page).content.decode()
    answer = client.post(
        reverse("legal:gateway_new", args=[child.pk]),
        {**_date("held_on", D(2026, 4, 30)), "decision": "pre_proceedings"},
    )
    assert answer.status_code == 302
    text = client.get(page).content.decode()
    assert "Send the letter before proceedings" in text and "8 May 2026" in text and "Overdue" in text
    services.pre_proceedings_letter_record(actor=worker, child=child, sent_on=D(2026, 5, 5))
    text = client.get(page).content.decode()
    assert "Hold the pre-proceedings meeting" in text and "19 May 2026" in text
    services.proceedings_issue(actor=worker, child=child, issued_on=D(2026, 5, 8))
    text = client.get(page).content.decode()
    assert "week 1</strong> of the timetable" in text
    record = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Hold the case management hearing" in record and "26 May 2026" in record  # day 18 from 8 May
    assert "Conclude the care proceedings" in text and "6 November 2026" in text


def test_a_refused_step_keeps_what_was_typed(worker, child, client_for):
    answer = client_for(worker).post(
        reverse("legal:gateway_new", args=[child.pk]),
        {**_date("held_on", D(2026, 6, 1)), "decision": "issue"},
    )
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "The date of the legal gateway meeting must be today or in the past" in text
    assert 'value="issue" checked' in text
    assert not LegalGatewayMeeting.objects.exists()


def test_the_service_page_names_only_children_the_user_may_open(worker, child, make_user, teams, client_for):
    services.proceedings_issue(actor=worker, child=child, issued_on=D(2025, 10, 6))  # week 32
    hidden = people_services.child_create(
        actor=worker,
        team=teams["north"],
        first_name="Secret",
        last_name="Child",
        date_of_birth=D(2014, 1, 1),
        sex="F",
    )
    services.proceedings_issue(actor=worker, child=hidden, issued_on=D(2025, 11, 3))  # week 28
    Child.objects.filter(pk=hidden.pk).update(is_restricted=True)
    director = make_user(Role.DIRECTOR)
    client = client_for(director)
    text = client.get(reverse("legal:proceedings")).content.decode()
    assert '<strong data-testid="past-26">2</strong> of 2' in text
    listing = client.get(reverse("legal:proceedings") + "?band=27-34").content.decode()
    assert "Lily Placed" in listing and "Secret" not in listing
    assert "And 1 restricted record you may not open" in listing
    logged = set(RecordAccess.objects.filter(user=director).values_list("child_id", "kind"))
    assert logged == {(child.pk, AccessKind.LISTED), (hidden.pk, AccessKind.REFUSED)}
