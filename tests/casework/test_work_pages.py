"""My caseload, my team's and the service's work pages: the right children with the right flags, the filters,
pagination, and never a child the user cannot see."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.casework.models import (
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
    StrategyDiscussion,
)
from opencsc.frontdoor.models import Referral
from opencsc.people.models import Child, ChildAccessGrant

NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=ZoneInfo("Europe/London"))  # Monday after May Day
D = dt.date
_numbers = iter(range(1, 100_000))

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW):
        yield


def make_child(team, first_name, **fields) -> Child:
    number = next(_numbers)
    return Child.objects.create(
        la_child_id=f"P{number:06d}",
        first_name=first_name,
        last_name="Tester",
        first_name_key=first_name.lower(),
        last_name_key="tester",
        date_of_birth=D(2015, 1, 1),
        sex="M",
        responsible_team=team,
        **fields,
    )


def allocate(child, worker):
    Allocation.objects.create(child=child, worker=worker, team=worker.team, started_on=D(2026, 1, 5))


def assessment(child, referred_on):
    referral = Referral.objects.create(
        child=child, referral_date=referred_on, source="1A", route="assessment"
    )
    Assessment.objects.create(child=child, referral=referral, started_on=referred_on)


def s47(child, strategy_on):
    strategy = StrategyDiscussion.objects.create(child=child, held_on=strategy_on, section_47_agreed=True)
    Section47Enquiry.objects.create(child=child, strategy_discussion=strategy, started_on=strategy_on)


@pytest.fixture
def authority(make_user, teams):
    """North: sw1 (Ava: assessment overdue; Ben: assessment due soon), sw2 (Cal: S47 overdue), Fay unallocated
    with an assessment; Eve restricted with an assessment, allocated to sw2 but named on no one's list.
    South: sw3 (Dan: CIN plan, visit overdue by more than 20 working days)."""
    north, south = teams["north"], teams["south"]
    people = {
        "sw1": make_user(Role.SOCIAL_WORKER, north),
        "sw2": make_user(Role.SOCIAL_WORKER, north),
        "sw3": make_user(Role.SOCIAL_WORKER, south),
        "tm_north": make_user(Role.TEAM_MANAGER, north),
        "tm_south": make_user(Role.TEAM_MANAGER, south),
        "hos": make_user(Role.HEAD_OF_SERVICE),
        "analyst": make_user(Role.PERFORMANCE_ANALYST),
        "board": make_user(Role.IMPROVEMENT_BOARD),
    }
    kids = {
        "ava": make_child(north, "Ava"),
        "ben": make_child(north, "Ben"),
        "cal": make_child(north, "Cal"),
        "dan": make_child(south, "Dan"),
        "eve": make_child(north, "Eve", is_restricted=True),
        "fay": make_child(north, "Fay"),
    }
    allocate(kids["ava"], people["sw1"])
    allocate(kids["ben"], people["sw1"])
    allocate(kids["cal"], people["sw2"])
    allocate(kids["dan"], people["sw3"])
    allocate(kids["eve"], people["sw2"])
    assessment(kids["ava"], D(2026, 3, 2))  # due 7 May: overdue by 2 working days
    assessment(kids["ben"], D(2026, 3, 16))  # due 21 May: 9 working days away
    s47(kids["cal"], D(2026, 3, 26))  # ICPC due 20 April: overdue by 14
    ChildInNeedPlan.objects.create(child=kids["dan"], started_on=D(2026, 3, 2))  # visit due 30 March: 27 late
    assessment(kids["eve"], D(2026, 3, 2))
    assessment(kids["fay"], D(2026, 4, 20))
    return people, kids


def rows(response) -> list[tuple[int, str, bool]]:
    html = response.content.decode()
    return [
        (int(child), rule, bool(overdue))
        for child, rule, overdue in re.findall(
            r'data-testid="due-row" data-child="(\d+)" data-rule="(\w+)"( data-overdue="1")?', html
        )
    ]


def children_in(response) -> set[int]:
    return {child for child, _, _ in rows(response)}


def test_my_caseload_lists_my_children_overdue_first_with_a_red_tag(authority, client_for):
    people, kids = authority
    response = client_for(people["sw1"]).get(reverse("work:mine"))
    assert response.status_code == 200
    found = rows(response)
    assert found[0] == (kids["ava"].pk, "assessment", True)
    assert found[1] == (kids["ben"].pk, "assessment", False)
    assert len(found) == 2
    html = response.content.decode()
    assert "govuk-tag--red" in html and "2 working days late" in html
    assert f'href="/children/{kids["ava"].pk}/"' in html
    assert re.search(r'data-testid="count-overdue">1<', html)
    assert re.search(r'data-testid="count-items">2<', html)


def test_my_caseload_never_shows_a_restricted_child_i_am_not_named_on(authority, client_for):
    people, kids = authority
    response = client_for(people["sw2"]).get(reverse("work:mine"))
    assert children_in(response) == {kids["cal"].pk}

    ChildAccessGrant.objects.create(child=kids["eve"], user=people["sw2"])
    response = client_for(people["sw2"]).get(reverse("work:mine"))
    assert children_in(response) == {kids["cal"].pk, kids["eve"].pk}


def test_my_caseload_filters_by_how_late(authority, client_for):
    people, kids = authority
    response = client_for(people["sw1"]).get(reverse("work:mine"), {"late": "overdue_1_5"})
    assert children_in(response) == {kids["ava"].pk}


def test_team_page_shows_the_managers_team_and_filters_by_worker(authority, client_for):
    people, kids = authority
    client = client_for(people["tm_north"])
    response = client.get(reverse("work:team"))
    assert response.status_code == 200
    assert children_in(response) == {kids["ava"].pk, kids["ben"].pk, kids["cal"].pk, kids["fay"].pk}

    by_worker = client.get(reverse("work:team"), {"worker": people["sw2"].pk})
    assert children_in(by_worker) == {kids["cal"].pk}
    unallocated = client.get(reverse("work:team"), {"worker": "unallocated"})
    assert children_in(unallocated) == {kids["fay"].pk}
    assert "Not allocated" in unallocated.content.decode()

    south = client_for(people["tm_south"]).get(reverse("work:team"))
    assert children_in(south) == {kids["dan"].pk}
    assert rows(south)[0][2] is True


def test_team_page_ignores_a_worker_from_another_team(authority, client_for):
    people, kids = authority
    response = client_for(people["tm_north"]).get(reverse("work:team"), {"worker": people["sw3"].pk})
    assert kids["dan"].pk not in children_in(response)


def test_service_page_shows_every_visible_child_and_filters(authority, client_for, teams):
    people, kids = authority
    client = client_for(people["hos"])
    everything = client.get(reverse("work:service"))
    assert everything.status_code == 200
    visible = {kids[name].pk for name in ("ava", "ben", "cal", "dan", "fay")}
    assert children_in(everything) == visible
    assert kids["eve"].pk not in children_in(everything)
    assert re.search(r'data-testid="count-overdue">3<', everything.content.decode())

    south = client.get(reverse("work:service"), {"team": teams["south"].pk})
    assert children_in(south) == {kids["dan"].pk}
    icpc = client.get(reverse("work:service"), {"clock": "icpc"})
    assert rows(icpc) == [(kids["cal"].pk, "icpc", True)]
    very_late = client.get(reverse("work:service"), {"late": "overdue_21_plus"})
    assert children_in(very_late) == {kids["dan"].pk}
    middling = client.get(reverse("work:service"), {"late": "overdue_6_20"})
    assert children_in(middling) == {kids["cal"].pk}
    soon = client.get(reverse("work:service"), {"late": "due_soon"})
    assert kids["ava"].pk not in children_in(soon)

    analyst = client_for(people["analyst"]).get(reverse("work:service"), {"team": teams["north"].pk})
    assert children_in(analyst) == visible - {kids["dan"].pk}


def test_service_page_with_an_unknown_clock_or_lateness_shows_everything(authority, client_for):
    people, kids = authority
    response = client_for(people["hos"]).get(reverse("work:service"), {"clock": "nonsense", "late": "x"})
    assert response.status_code == 200 and len(children_in(response)) == 5


def test_who_may_open_which_page(authority, client_for):
    people, _ = authority
    assert client_for(people["sw1"]).get(reverse("work:service")).status_code == 403
    assert client_for(people["tm_north"]).get(reverse("work:service")).status_code == 403
    assert client_for(people["board"]).get(reverse("work:service")).status_code == 403
    assert client_for(people["board"]).get(reverse("work:mine")).status_code == 403
    assert client_for(people["board"]).get(reverse("work:team")).status_code == 403
    assert client_for(people["sw1"]).get(reverse("work:team")).status_code == 200
    head = client_for(people["hos"]).get(reverse("work:team"))
    assert head.status_code == 302 and head["Location"] == reverse("work:service")


def test_head_of_service_may_open_one_teams_page(authority, client_for, teams):
    people, kids = authority
    response = client_for(people["hos"]).get(reverse("work:team"), {"team": teams["south"].pk})
    assert response.status_code == 200 and children_in(response) == {kids["dan"].pk}


def test_long_lists_are_paginated(make_user, teams, client_for):
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    for number in range(55):
        child = make_child(teams["north"], f"Kid{number}")
        allocate(child, worker)
        assessment(child, D(2026, 3, 2) + dt.timedelta(days=number % 30))
    client = client_for(worker)
    first = client.get(reverse("work:mine"))
    html = first.content.decode()
    assert len(rows(first)) == 50
    assert "govuk-pagination" in html and "page=2" in html
    second = client.get(reverse("work:mine"), {"page": 2})
    assert len(rows(second)) == 5
    assert not set(rows(first)) & set(rows(second))
    assert len(rows(client.get(reverse("work:mine"), {"page": "99"}))) == 5  # past the end: last page


def test_protection_plan_rows_on_the_service_page(make_user, teams, client_for):
    head = make_user(Role.HEAD_OF_SERVICE)
    child = make_child(teams["north"], "Gus")
    conference = ChildProtectionConference.objects.create(
        child=child, kind=ConferenceKind.INITIAL, held_on=D(2026, 4, 1), plan_decided=True, category="NEG"
    )
    ChildProtectionPlan.objects.create(
        child=child,
        initial_conference=conference,
        started_on=D(2026, 4, 1),
        initial_category="NEG",
        latest_category="NEG",
    )
    found = rows(client_for(head).get(reverse("work:service")))
    assert sorted(rule for _, rule, _ in found) == ["core_group_first", "cp_review_first", "cp_visit"]
    assert {rule: overdue for _, rule, overdue in found} == {
        "core_group_first": True,
        "cp_review_first": False,
        "cp_visit": True,
    }
