"""The pages, through the client: the journey the browser test follows (placed out of county, distance and
'Outside' shown, first visit due within a week, a move restarting it, a return home interview due within 72
hours) and bad input shown as errors with nothing saved."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.looked_after.models import CareReview, Episode, MissingEpisode, PreviousPermanenceRecord
from tests.looked_after.conftest import CARLISLE, UNKNOWN

D = dt.date


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


START = D(2026, 5, 8)


def _start_body(day=START, postcode=CARLISLE, **overrides):
    return {
        **_date("started_on", day),
        "legal_status": "C2",
        "category_of_need": "N1",
        "placement_type": "U6",
        "placement_provider": "PR1",
        "urn": "SC123456",
        "carer_name": "Mr and Mrs Far",
        "placement_postcode": postcode,
        "home_postcode": "",
        **overrides,
    }


@pytest.fixture
def client(worker, client_for):
    return client_for(worker)


def _page(response) -> str:
    """The page's HTML with every run of white space made one space, so text can be found across lines."""
    return re.sub(r"\s+", " ", response.content.decode()).replace("> ", ">").replace(" <", "<")


def _url(name, child):
    return reverse(f"looked_after:{name}", args=[child.pk])


def test_the_journey_the_browser_test_follows(client, child):
    response = client.post(_url("start", child), _start_body())
    assert response.status_code == 302 and response["Location"] == _url("history", child)

    history = _page(client.get(_url("history", child)))
    assert '<span data-testid="placement-distance">229.4 miles</span>' in history
    assert 'data-testid="placement-location">Outside</strong>' in history
    assert "CA1 1AA (E06000063)" in history

    detail = _page(client.get(reverse("people:detail", args=[child.pk])))
    assert '<span data-testid="placement-distance">229.4 miles</span>' in detail
    assert 'data-testid="placement-location">Outside</strong>' in detail
    assert "Visit the child in the new placement: " in detail
    assert "15 May 2026" in detail  # a week after 8 May
    assert "7 days from the placement on 8 May 2026" in detail

    move = {
        **_date("moved_on", D(2026, 5, 10)),
        "same_carers": "no",
        "reason_placement_changed": "CREQB",
        "placement_type": "U6",
        "placement_provider": "PR1",
        "urn": "SC123456",
        "carer_name": "Ms Near",
        "placement_postcode": "HP11 2JU",
    }
    assert client.post(_url("move", child), move).status_code == 302
    history = _page(client.get(_url("history", child)))
    assert "7 days from the placement on 10 May 2026" in history
    assert "13.8 miles" in history and ">Inside<" in history
    assert Episode.objects.filter(child=child).values_list("reason_new_episode", flat=True).count() == 2

    missing = {
        "kind": "M",
        **_date("started_on", D(2026, 5, 10)),
        "started_time": "21:00",
        **_date("returned_on", D(2026, 5, 11)),
        "returned_time": "08:15",
    }
    assert client.post(_url("missing_new", child), missing).status_code == 302
    detail = _page(client.get(reverse("people:detail", args=[child.pk])))
    assert "Return home interview (missing): " in detail
    assert (
        "Due by 08:15 on 14 May 2026: 72 hours from the return from missing at 08:15 on 11 May 2026" in detail
    )


def test_an_overlapping_start_is_shown_as_an_error_and_nothing_is_saved(client, child, start_care, worker):
    from opencsc.looked_after import services

    start_care(on=D(2025, 6, 2))
    services.episode_end_care(actor=worker, child=child, ended_on=D(2025, 12, 1), reason_ceased="E4A")
    response = client.post(_url("start", child), _start_body(day=D(2025, 11, 1)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "overlaps an earlier episode of care (2 June 2025 to 1 December 2025)" in page
    assert 'value="Mr and Mrs Far"' in page  # what was typed is kept
    assert Episode.objects.filter(child=child).count() == 1


def test_a_move_with_no_open_episode_explains_itself(client, child):
    page = client.get(_url("move", child)).content.decode()
    assert "Lily Placed is not looked after. Start care first." in page
    response = client.post(_url("move", child), {**_date("moved_on", D(2026, 5, 1))})
    assert response.status_code == 200 and not Episode.objects.filter(child=child).exists()


def test_an_unknown_postcode_is_flagged_on_the_pages(client, child):
    assert client.post(_url("start", child), _start_body(postcode=UNKNOWN)).status_code == 302
    history = _page(client.get(_url("history", child)))
    assert "Postcode not found: distance and location unknown" in history
    assert ">Unknown<" in history
    detail = _page(client.get(reverse("people:detail", args=[child.pk])))
    assert "Postcode not found: distance and location unknown" in detail


def test_form_errors_name_the_field(client, child):
    response = client.post(
        _url("start", child), _start_body(placement_type="K2", urn="", placement_postcode="xx")
    )
    page = response.content.decode()
    assert "Enter the provider&#39;s Ofsted URN" in page or "Enter the provider's Ofsted URN" in page
    assert "Enter a full UK postcode, like HP19 8FF" in page
    assert not Episode.objects.filter(child=child).exists()


def test_legal_status_change_and_end_of_care_pages(client, child, start_care):
    start_care(on=D(2026, 3, 25))
    body = {**_date("changed_on", D(2026, 4, 2)), "legal_status": "C1", "category_of_need": ""}
    assert client.post(_url("legal_status", child), body).status_code == 302
    body = {**_date("ended_on", D(2026, 5, 1)), "reason_ceased": "E4A"}
    assert client.post(_url("end", child), body).status_code == 302
    codes = list(Episode.objects.filter(child=child).values_list("reason_new_episode", "reason_ceased"))
    assert codes == [("S", "X1"), ("L", "E4A")]
    assert "Not looked after now." in _page(client.get(_url("history", child)))


def test_review_page_with_officer_from_users(client, child, start_care, make_user, teams):
    officer = make_user(Role.TEAM_MANAGER, teams["south"], first_name="Ivy", last_name="Officer")
    start_care(on=D(2026, 3, 25))
    page = client.get(_url("review_new", child)).content.decode()
    assert "Ivy Officer" in page and "Hold the first looked-after review" in page
    body = {**_date("held_on", D(2026, 4, 20)), "participation": "PN1", "reviewing_officer": officer.pk}
    assert client.post(_url("review_new", child), body).status_code == 302
    assert CareReview.objects.get(child=child).reviewing_officer == officer


def test_missing_return_and_interview_pages(client, child):
    body = {"kind": "A", **_date("started_on", D(2026, 5, 11)), "started_time": "07:00"}
    assert client.post(_url("missing_new", child), body).status_code == 302
    episode = MissingEpisode.objects.get(child=child)
    body = {"missing_episode": episode.pk, **_date("returned_on", D(2026, 5, 11)), "returned_time": ""}
    page = client.post(_url("missing_update", child), body).content.decode()
    assert "Enter the time the child returned" in page
    body["returned_time"] = "10:00"
    assert client.post(_url("missing_update", child), body).status_code == 302
    episode.refresh_from_db()
    assert episode.returned_at is not None
    body = {"missing_episode": episode.pk, "interview_declined": "on"}
    assert client.post(_url("missing_update", child), body).status_code == 302
    assert "no missing episode waiting" in client.get(_url("missing_update", child)).content.decode()


def test_check_uasc_and_previous_permanence_pages(client, child, start_care):
    start_care(on=D(2026, 3, 25))
    body = {"kind": "sdq", **_date("done_on", D(2026, 5, 1)), "sdq_score": "12", "sdq_reason": ""}
    assert client.post(_url("check_new", child), body).status_code == 302
    assert client.post(_url("uasc", child), {}).status_code == 302
    page = client.post(_url("previous_permanence", child), {"kind": "P2", "order_date": "31/02/2019"})
    assert "The date of the order must be a real date" in page.content.decode()
    assert not PreviousPermanenceRecord.objects.filter(child=child).exists()
    body = {"kind": "P2", "order_date": "00/05/2019", "la_code": ""}
    assert client.post(_url("previous_permanence", child), body).status_code == 302
    history = _page(client.get(_url("history", child)))
    assert "(score 12)" in history
    assert 'data-testid="uasc">Yes' in history
    assert "P2: Special guardianship order, 00/05/2019" in history


def test_every_form_page_renders_for_a_looked_after_child(client, child, start_care, worker):
    from opencsc.looked_after import services

    start_care(on=D(2026, 3, 25))
    services.missing_episode_record(
        actor=worker, child=child, kind="M", started_at=dt.datetime(2026, 5, 11, 7, 0, tzinfo=dt.UTC)
    )
    for name in (
        "legal_status",
        "move",
        "end",
        "review_new",
        "missing_new",
        "missing_update",
        "check_new",
        "uasc",
        "previous_permanence",
    ):
        response = client.get(_url(name, child))
        page = _page(response)
        assert response.status_code == 200, name
        assert '<form method="post" novalidate>' in page, name
    assert "Looked after since 25 March 2026" in _page(client.get(_url("move", child)))
    assert "already looked after (since 25 March 2026)" in _page(client.get(_url("start", child)))
