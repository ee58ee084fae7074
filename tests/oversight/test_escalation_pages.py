"""The escalation pages: who sees what, the improvement board's view without names, and the forms."""

import datetime as dt

import pytest
from django.urls import reverse

from opencsc.casework.models import CoreGroupMeeting
from opencsc.oversight.models import Escalation, Level
from opencsc.oversight.services import escalations_sweep

D = dt.date
CHAIN = reverse("oversight:chain")
MINE = reverse("oversight:escalations")


@pytest.fixture
def escalation(cases, staff):
    child = cases.child(first_name="Mia", last_name="Missed")
    cases.allocate(child, staff["worker"])
    plan = cases.cp_plan(child, D(2026, 3, 23))
    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 3, 30))
    escalations_sweep(today=D(2026, 4, 9))
    return Escalation.objects.get()


def urls(escalation):
    return {
        "detail": reverse("oversight:escalation", args=[escalation.pk]),
        "acknowledge": reverse("oversight:acknowledge", args=[escalation.pk]),
        "close": reverse("oversight:close", args=[escalation.pk]),
    }


@pytest.mark.parametrize("who", ["head", "director", "chief", "board"])
def test_the_chain_is_for_head_of_service_director_chief_executive_and_board(
    escalation, staff, client_for, who
):
    page = client_for(staff[who]).get(CHAIN)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-escalation="{escalation.pk}"' in html
    assert "Tina Manager" in html and "Child protection visit" in html


@pytest.mark.parametrize("who", ["worker", "manager", "south_manager", "analyst"])
def test_the_chain_is_refused_to_others(escalation, staff, client_for, who):
    assert client_for(staff[who]).get(CHAIN).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(escalation, client):
    for url in [CHAIN, MINE, *urls(escalation).values()]:
        response = client.get(url) if not url.endswith(("acknowledge/", "close/")) else client.post(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_the_head_of_service_sees_the_childs_name_linking_to_the_record(escalation, staff, client_for):
    html = client_for(staff["head"]).get(CHAIN).content.decode()
    assert "Mia Missed" in html
    assert reverse("people:detail", args=[escalation.child_id]) in html


def test_the_improvement_board_sees_the_chain_without_names_or_links_and_cannot_open_the_record(
    escalation, staff, client_for
):
    board = client_for(staff["board"])
    for url in (CHAIN, urls(escalation)["detail"]):
        page = board.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Mia" not in html and "Missed" not in html and escalation.child.la_child_id not in html
        assert reverse("people:detail", args=[escalation.child_id]) not in html
        assert "A child in Assessment North" in html
    assert board.get(reverse("people:detail", args=[escalation.child_id])).status_code == 403
    assert board.post(urls(escalation)["acknowledge"]).status_code == 403
    assert board.post(urls(escalation)["close"], {"response": "x"}).status_code == 403


def test_the_chief_executive_sees_no_name_because_they_cannot_open_records(escalation, staff, client_for):
    html = client_for(staff["chief"]).get(CHAIN).content.decode()
    assert "Mia Missed" not in html and "A child in Assessment North" in html


def test_a_restricted_child_is_not_named_to_those_not_named_on_the_record(escalation, staff, client_for):
    escalation.child.is_restricted = True
    escalation.child.save()
    html = client_for(staff["director"]).get(CHAIN).content.decode()
    assert "Mia Missed" not in html and "A child in Assessment North" in html


def test_the_chain_filters_by_level_rule_team_and_status(escalation, staff, client_for):
    director = client_for(staff["director"])
    marker = f'data-escalation="{escalation.pk}"'
    assert marker in director.get(CHAIN, {"level": "team_manager"}).content.decode()
    assert marker not in director.get(CHAIN, {"level": "director"}).content.decode()
    assert marker in director.get(CHAIN, {"rule": "cp_visit"}).content.decode()
    assert marker in director.get(CHAIN, {"team": escalation.team_id}).content.decode()
    assert marker not in director.get(CHAIN, {"status": "closed"}).content.decode()


def test_my_escalations(escalation, staff, client_for):
    marker = f'data-escalation="{escalation.pk}"'
    assert marker in client_for(staff["manager"]).get(MINE).content.decode()
    assert marker in client_for(staff["worker"]).get(MINE).content.decode()  # about their allocated child
    for who in ("other_worker", "south_manager", "head", "board"):
        page = client_for(staff[who]).get(MINE)
        assert page.status_code == 200 and marker not in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("worker", 200),
        ("manager", 200),
        ("head", 200),
        ("director", 200),
        ("chief", 200),
        ("board", 200),
        ("other_worker", 403),
        ("south_worker", 403),
        ("south_manager", 403),
        ("analyst", 403),
    ],
)
def test_who_may_open_an_escalation(escalation, staff, client_for, who, status):
    assert client_for(staff[who]).get(urls(escalation)["detail"]).status_code == status


def test_a_missing_escalation_is_not_found(escalation, staff, client_for):
    assert (
        client_for(staff["director"]).get(reverse("oversight:escalation", args=[999999])).status_code == 404
    )


def test_the_allocated_worker_sees_it_but_cannot_acknowledge_or_close(escalation, staff, client_for):
    worker = client_for(staff["worker"])
    html = worker.get(urls(escalation)["detail"]).content.decode()
    assert "Mia Missed" in html and "Record the response" not in html
    assert worker.post(urls(escalation)["acknowledge"]).status_code == 403
    assert worker.post(urls(escalation)["close"], {"response": "Done"}).status_code == 403


def test_the_acknowledge_and_close_forms(escalation, staff, client_for):
    manager = client_for(staff["manager"])
    assert "Record the response and close" in manager.get(urls(escalation)["detail"]).content.decode()
    response = manager.post(urls(escalation)["acknowledge"])
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == staff["manager"] and escalation.is_open

    empty = manager.post(urls(escalation)["close"], {"response": "  "})
    assert empty.status_code == 200
    assert "Enter what was done about it and by whom" in empty.content.decode()
    escalation.refresh_from_db()
    assert escalation.is_open

    done = manager.post(urls(escalation)["close"], {"response": "Sam Worker saw Mia at home on 9 April."})
    assert done.status_code == 302
    escalation.refresh_from_db()
    assert not escalation.is_open and escalation.closed_by == staff["manager"]
    html = manager.get(urls(escalation)["detail"]).content.decode()
    assert "Sam Worker saw Mia at home on 9 April." in html and "Tina Manager" in html
    assert "Record the response and close" not in html


def test_history_shows_each_level_on_the_chain(escalation, staff, client_for):
    escalations_sweep(today=D(2026, 4, 14))
    escalation.refresh_from_db()
    assert escalation.level == Level.HEAD_OF_SERVICE
    html = client_for(staff["director"]).get(CHAIN).content.decode()
    assert "climbed to head of service (Hana Head)" in html
    assert "raised to team manager (Tina Manager)" in html
    # The team manager it climbed past may still open it (they held it) but no longer act on it.
    manager = client_for(staff["manager"])
    assert manager.get(urls(escalation)["detail"]).status_code == 200
    assert manager.post(urls(escalation)["acknowledge"]).status_code == 403


@pytest.mark.parametrize(("who", "page"), [("head", CHAIN), ("manager", MINE), ("manager", "detail")])
def test_the_escalation_pages_log_the_child_they_name_as_listed(escalation, staff, client_for, who, page):
    from opencsc.audit.models import AccessKind, RecordAccess

    url = urls(escalation)["detail"] if page == "detail" else page
    assert "Mia Missed" in client_for(staff[who]).get(url).content.decode()
    assert RecordAccess.objects.filter(
        user=staff[who], child_id=escalation.child_id, kind=AccessKind.LISTED
    ).exists()
