"""The workforce pages: what leaders see, adding and changing staff records, bad input and concurrent edits."""

import pytest
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.workforce.models import Post, StaffRecord
from tests.workforce.builders import D, allocate, post, staff


def _date(prefix: str, day) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _record_form(team, **overrides) -> dict:
    data = {
        "first_name": "Asha",
        "last_name": "Patel",
        "team": str(team.pk),
        "job_title": "Social worker",
        "org_role": "5",
        "contract": "permanent",
        "fte": "0.8",
        "swe_number": "sw 123456",
        **_date("start_date", D(2024, 2, 5)),
    }
    data.update(overrides)
    return data


@pytest.fixture
def director(make_user, client_for):
    return client_for(make_user(Role.DIRECTOR))


@pytest.mark.django_db
def test_the_overview_shows_rates_by_team_over_time_with_the_national_figures(teams, make_user, director):
    team = teams["north"]
    post(team, "4")
    worker = make_user(Role.SOCIAL_WORKER, team)
    staff(team, start=D(2020, 1, 1), user=worker)
    staff(team, start=D(2020, 1, 1), leaving=D(2024, 3, 1))
    staff(team, start=D(2024, 1, 1), contract="agency")
    allocate(worker, team, 12)
    page = director.get(reverse("workforce:overview"), {"on": "2024-09-30"}).content.decode()
    assert "Assessment North" in page and "15.9%" in page  # a team and England's 2023 turnover
    assert "100.0%" in page  # turnover: one leaver over one employed FTE
    assert "75.0%" in page  # vacancy: 3 of 4 funded posts
    assert "12.0" in page  # caseload per FTE
    assert page.count('<tr class="govuk-table__row">') > 36  # the trend table's months
    assert "<svg" in page and "<polyline" in page
    team_page = director.get(reverse("workforce:overview"), {"team": team.pk}).content.decode()
    assert '<h2 class="govuk-heading-m">Assessment North</h2>' in team_page


@pytest.mark.django_db
def test_a_date_that_cannot_be_read_is_said_and_today_shown(director):
    page = director.get(reverse("workforce:overview"), {"on": "30/09/2024"}).content.decode()
    assert "is not a date like 2024-09-30" in page


@pytest.mark.django_db
def test_adding_a_staff_record_is_audited(teams, director):
    response = director.post(reverse("workforce:staff_new"), _record_form(teams["north"]))
    assert response.status_code == 302
    record = StaffRecord.objects.get()
    assert (record.swe_number, str(record.fte), record.start_date) == ("SW123456", "0.80", D(2024, 2, 5))
    assert AuditEvent.objects.filter(verb="workforce.staff_added", object_id=str(record.pk)).exists()
    listed = director.get(reverse("workforce:staff_list")).content.decode()
    assert "Asha Patel" in listed and "Record leaving" in listed


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"fte": "1.5"}, "Full-time equivalent must be no more than 1"),
        ({"fte": "none"}, "Full-time equivalent must be a number, like 1 or 0.6"),
        ({"swe_number": ""}, "a social work post needs one"),
        ({"swe_number": "123456"}, "as SW and digits, like SW123456"),
        ({"contract": "agency"}, "Enter the agency that supplies this worker"),
        ({"start_date-month": "13"}, "Start date must be a real date"),
        ({"first_name": ""}, "Enter the first name"),
    ],
)
@pytest.mark.django_db
def test_bad_input_names_the_field_and_saves_nothing(teams, director, overrides, message):
    response = director.post(reverse("workforce:staff_new"), _record_form(teams["north"], **overrides))
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert message in page.replace("&#39;", "'")
    assert not StaffRecord.objects.exists()


@pytest.mark.django_db
def test_a_stale_edit_is_refused_and_the_typed_values_are_kept(teams, director):
    record = staff(teams["north"], start=D(2020, 1, 1), first_name="Ben")
    stale = _record_form(teams["north"], first_name="Benjamin", version=str(record.version))
    director.post(
        reverse("workforce:staff_edit", args=[record.pk]), _record_form(teams["north"], version="1")
    )
    response = director.post(reverse("workforce:staff_edit", args=[record.pk]), stale)
    page = response.content.decode()
    assert "changed by someone else" in page and 'value="Benjamin"' in page
    record.refresh_from_db()
    assert record.first_name == "Asha" and record.version == 2


@pytest.mark.django_db
def test_recording_a_leaver(teams, director):
    record = staff(teams["north"], start=D(2020, 1, 1))
    url = reverse("workforce:staff_leave", args=[record.pk])
    early = director.post(
        url, {**_date("leaving_date", D(2019, 12, 31)), "leaving_reason": "1", "version": "1"}
    )
    assert "Leaving date must be on or after the start date" in early.content.decode()
    missing = director.post(url, {**_date("leaving_date", D(2024, 9, 30)), "version": "1"})
    assert "Select the reason for leaving" in missing.content.decode()
    saved = director.post(
        url,
        {
            **_date("leaving_date", D(2024, 9, 30)),
            "leaving_reason": "5",
            "leaver_destination": "",
            "version": "1",
        },
    )
    assert saved.status_code == 302
    record.refresh_from_db()
    assert (record.leaving_date, record.leaving_reason) == (D(2024, 9, 30), "5")
    assert AuditEvent.objects.filter(verb="workforce.staff_left").count() == 1


@pytest.mark.django_db
def test_adding_funded_posts(teams, director):
    data = {"team": str(teams["south"].pk), "title": "Social worker", "org_role": "5", "funded_fte": "6.5"}
    refused = director.post(
        reverse("workforce:post_new"), {**data, "funded_fte": "0", **_date("funded_from", D(2024, 4, 1))}
    )
    assert "Funded full-time equivalent must be more than 0" in refused.content.decode()
    director.post(reverse("workforce:post_new"), {**data, **_date("funded_from", D(2024, 4, 1))})
    assert str(Post.objects.get().funded_fte) == "6.50"
    assert "Social worker" in director.get(reverse("workforce:posts")).content.decode()


@pytest.mark.django_db
def test_an_account_holds_one_post_at_a_time(teams, make_user, director):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    staff(teams["north"], start=D(2020, 1, 1), user=worker, contract="agency", leaving=D(2024, 2, 5))
    overlapping = _record_form(teams["north"], user=str(worker.pk), **_date("start_date", D(2024, 2, 4)))
    page = director.post(reverse("workforce:staff_new"), overlapping).content.decode()
    assert "This account already has a record in post from 1 January 2020" in page
    # Taking a permanent post on the day the agency record ends is a change of contract, not an overlap.
    director.post(reverse("workforce:staff_new"), _record_form(teams["north"], user=str(worker.pk)))
    assert StaffRecord.objects.filter(user=worker).count() == 2


@pytest.mark.django_db
def test_recording_an_absence(teams, director):
    record = staff(teams["north"], start=D(2020, 1, 1))
    url = reverse("workforce:staff_absences", args=[record.pk])
    early = director.post(url, {"reason": "SIC", **_date("starts_on", D(2019, 6, 1))})
    assert "The absence must start on or after the start date, 1 January 2020" in early.content.decode()
    backwards = director.post(
        url, {"reason": "SIC", **_date("starts_on", D(2024, 6, 3)), **_date("ends_on", D(2024, 6, 1))}
    )
    assert "The last day of absence must be on or after the first" in backwards.content.decode()
    assert director.post(url, {"reason": "SIC", **_date("starts_on", D(2024, 6, 3))}).status_code == 302
    assert "Still away" in director.get(url).content.decode()
    assert AuditEvent.objects.filter(verb="workforce.absence_recorded").count() == 1
