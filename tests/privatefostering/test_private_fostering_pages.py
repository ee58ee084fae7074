"""The private fostering pages: the child's page shows each due date as the steps are recorded through the forms,
a refused step keeps what was typed, and the leaders' page names only the children the user may open.

Today is frozen at Monday 11 May 2026.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.people import services as people_services
from opencsc.privatefostering import services
from opencsc.privatefostering.models import PrivateFosteringArrangement

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = dt.datetime(2026, 5, 11, 12, 0, tzinfo=ZoneInfo("Europe/London"))
NOTIFICATION = {
    "notified_by": "school",
    "notifier_name": "Ms Patel",
    "carer_name": "Grace Mensah",
    "carer_address": "4 Oak Road",
}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


@pytest.fixture
def w(teams, make_user):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    child = people_services.child_create(
        actor=worker,
        team=teams["north"],
        first_name="Kwame",
        last_name="Owusu",
        date_of_birth=D(2013, 2, 2),
        sex="M",
    )
    return type("World", (), {"worker": worker, "child": child, "teams": teams})


def test_the_child_page_shows_each_due_date_as_the_steps_are_recorded(w, client_for):
    client = client_for(w.worker)
    page = reverse("privatefostering:child", args=[w.child.pk])
    assert "has no open private fostering arrangement" in client.get(page).content.decode()
    answer = client.post(
        reverse("privatefostering:notify", args=[w.child.pk]),
        {
            **_date("notified_on", D(2026, 5, 1)),
            **_date("starts_on", D(2026, 4, 20)),
            **NOTIFICATION,
            "child_is_disabled": "no",
        },
    )
    assert answer.status_code == 302
    text = client.get(page).content.decode()
    assert "Notified late" in text
    assert "Visit the child and the private foster carer for the first time" in text and "13 May 2026" in text
    answer = client.post(
        reverse("privatefostering:visit", args=[w.child.pk]),
        {**_date("visited_on", D(2026, 5, 8)), "seen_alone": "yes", "on_request": "no"},
    )
    assert answer.status_code == 302
    text = client.get(page).content.decode()
    assert (
        "Visit the privately fostered child (first year: every six weeks)" in text and "19 June 2026" in text
    )
    assert "first visit (reg 4 or 7), the child seen alone" in text
    record = client.get(reverse("people:detail", args=[w.child.pk])).content.decode()
    assert "Private fostering" in record and "19 June 2026" in record


def test_a_refused_step_keeps_what_was_typed(w, client_for):
    answer = client_for(w.worker).post(
        reverse("privatefostering:notify", args=[w.child.pk]),
        {
            **_date("notified_on", D(2026, 6, 1)),
            **_date("starts_on", D(2026, 4, 20)),
            **NOTIFICATION,
            "child_is_disabled": "no",
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "The date the notification was received must be today or in the past" in text
    assert 'value="Grace Mensah"' in text
    assert not PrivateFosteringArrangement.objects.exists()


def test_the_service_page_names_only_the_children_the_user_may_open(w, client_for, make_user):
    hidden = people_services.child_create(
        actor=w.worker,
        team=w.teams["south"],
        first_name="Hidden",
        last_name="Else",
        date_of_birth=D(2014, 1, 1),
        sex="F",
    )
    head = make_user(Role.HEAD_OF_SERVICE, None)
    for child in (w.child, hidden):
        services.private_fostering_notify(
            actor=head, child=child, notified_on=D(2026, 4, 7), starts_on=D(2026, 4, 7), **NOTIFICATION
        )
    manager = make_user(Role.TEAM_MANAGER, w.teams["north"])
    text = client_for(manager).get(reverse("privatefostering:service") + "?figure=notified").content.decode()
    assert "Kwame Owusu" in text and "Hidden" not in text and "A restricted record" in text
    assert RecordAccess.objects.filter(user=manager, child=hidden, kind=AccessKind.REFUSED).exists()
    assert RecordAccess.objects.filter(user=manager, child=w.child).exclude(kind=AccessKind.REFUSED).exists()
