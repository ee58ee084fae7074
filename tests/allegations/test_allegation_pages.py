"""The allegation pages: the path from referral to outcome through the forms, with the due dates appearing and
going as each step is recorded; bad input kept and named; a second submission creating nothing; and the child's
own pages telling nothing to the child's social worker. Today is frozen at Wednesday 10 June 2026."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from opencsc.allegations.models import Allegation
from opencsc.audit.models import RecordAccess
from tests.allegations.conftest import REFERRAL

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _referral(child, **changes) -> dict:
    return {
        **REFERRAL,
        **_date("received_on", dt.date(2026, 6, 5)),
        "children_named": "Jo Pupil",
        "child_ids": child.la_child_id,
        **changes,
    }


def _token(response) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def test_from_referral_to_outcome_the_due_dates_follow_each_step(officer, child, client_for):
    client = client_for(officer)
    response = client.post(reverse("allegations:new"), _referral(child))
    allegation = Allegation.objects.get()
    assert response["Location"] == reverse("allegations:detail", args=[allegation.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="clock-lado_initial_consideration"' in page
    assert "8 June 2026" in page and "Overdue" in page  # Friday 5 June: due Monday 8 June
    assert "A restricted record" in page and "Lily" not in page  # the officer may not open Lily's record
    listed = client.get(reverse("allegations:list")).content.decode()
    assert "Record the initial consideration of an allegation: 8 June 2026" in listed
    consider = reverse("allegations:consideration", args=[allegation.pk])
    assert (
        client.post(
            consider, {**_date("considered_on", dt.date(2026, 6, 8)), "decision": "employer"}
        ).status_code
        == 302
    )
    page = client.get(reverse("allegations:detail", args=[allegation.pk])).content.decode()
    assert "clock-lado_initial_consideration" not in page and "clock-lado_resolution_one_month" in page
    assert "5 July 2026" in page  # one month from receipt
    outcome = reverse("allegations:outcome", args=[allegation.pk])
    posted = {
        **_date("concluded_on", dt.date(2026, 6, 9)),
        "outcome": "unsubstantiated",
        "summary": "Not proved",
    }
    assert client.post(outcome, posted).status_code == 302
    page = client.get(reverse("allegations:detail", args=[allegation.pk])).content.decode()
    assert 'data-testid="allegation-clocks"' not in page
    assert "Unsubstantiated, concluded 9 June 2026 (4 days after receipt)" in page


def test_bad_input_is_named_and_kept(officer, child, client_for):
    client = client_for(officer)
    response = client.post(reverse("allegations:new"), _referral(child, subject_employer=""))
    assert response.status_code == 200 and "Enter their employer or organisation" in response.content.decode()
    assert 'value="Sam Teacher"' in response.content.decode()
    tomorrow = _date("received_on", dt.date(2026, 6, 11))
    response = client.post(reverse("allegations:new"), _referral(child, **tomorrow))
    assert "The date received must be today or in the past" in response.content.decode()
    assert 'value="Hill Street Primary School"' in response.content.decode()
    assert not Allegation.objects.exists()


def test_the_referral_sent_twice_makes_one_allegation(officer, child, client_for):
    client = client_for(officer)
    token = _token(client.get(reverse("allegations:new")))
    for _ in range(2):
        client.post(reverse("allegations:new"), {**_referral(child), "form_token": token})
    assert Allegation.objects.count() == 1


def test_the_childs_own_pages_tell_the_childs_social_worker_nothing(
    officer, outsider, child, client_for, record_allegation
):
    record_allegation(child_ids=child.la_child_id, subject_name="Zebedee Quarrington")
    client = client_for(outsider)
    for name in ("people:detail", "people:chronology", "people:access_log"):
        response = client.get(reverse(name, args=[child.pk]))
        page = response.content.decode()
        assert "Quarrington" not in page and "llegation" not in page, name
    assert client.get(reverse("allegations:list")).status_code == 403
    assert not RecordAccess.objects.filter(child=child).exclude(user=outsider).exists()
