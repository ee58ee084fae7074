"""Management oversight: sign-offs and supervision linked to each child discussed, and the list of children with
open statutory work and no oversight in the last N working days."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.casework.models import (
    Allocation,
    Assessment,
    CaseNote,
    ChildInNeedPlan,
    NoteStatus,
    NoteType,
)
from opencsc.casework.oversight_records import (
    children_lacking_oversight,
    oversight_note_record,
)
from opencsc.casework.work import ClockContext
from opencsc.people.models import Child

NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=ZoneInfo("Europe/London"))  # Monday after May Day
D = dt.date
_numbers = iter(range(1, 100_000))

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW):
        yield


def make_child(team, first_name) -> Child:
    number = next(_numbers)
    return Child.objects.create(
        la_child_id=f"O{number:06d}",
        first_name=first_name,
        last_name="Tester",
        first_name_key=first_name.lower(),
        last_name_key="tester",
        date_of_birth=D(2014, 6, 1),
        sex="F",
        responsible_team=team,
    )


def note(author, children, on, note_type=NoteType.SUPERVISION, status=NoteStatus.FINAL) -> CaseNote:
    made = CaseNote.objects.create(
        note_type=note_type,
        title="Supervision",
        body="Discussed",
        event_on=on,
        status=status,
        author=author,
        finalised_at=timezone.now() if status == NoteStatus.FINAL else None,
    )
    made.children.set(children)
    return made


@pytest.fixture
def setting(make_user, teams):
    north, south = teams["north"], teams["south"]
    people = {
        "sw": make_user(Role.SOCIAL_WORKER, north, first_name="Sam", last_name="Worker"),
        "sw_south": make_user(Role.SOCIAL_WORKER, south),
        "tm": make_user(Role.TEAM_MANAGER, north, first_name="Tina", last_name="Manager"),
        "tm_south": make_user(Role.TEAM_MANAGER, south),
        "hos": make_user(Role.HEAD_OF_SERVICE, first_name="Hal", last_name="Head"),
    }
    kids = {name: make_child(north, name.title()) for name in ("stale", "fresh", "never", "cin_only")}
    kids["south"] = make_child(south, "Sol")
    for name in ("stale", "fresh", "never", "cin_only"):
        Allocation.objects.create(child=kids[name], worker=people["sw"], team=north, started_on=D(2026, 1, 5))
    Allocation.objects.create(
        child=kids["south"], worker=people["sw_south"], team=south, started_on=D(2026, 1, 5)
    )
    for name in ("stale", "fresh", "never", "south"):
        Assessment.objects.create(child=kids[name], started_on=D(2026, 4, 1))
    ChildInNeedPlan.objects.create(child=kids["cin_only"], started_on=D(2026, 1, 5))  # not statutory work
    # Working days after 1 April up to 11 May: 25 (Easter and May Day skipped); after 5 May: 4.
    note(people["tm"], [kids["stale"]], D(2026, 4, 1))
    note(people["tm"], [kids["fresh"]], D(2026, 5, 5), note_type=NoteType.MANAGEMENT_OVERSIGHT)
    note(people["sw"], [kids["stale"], kids["never"]], D(2026, 5, 8))  # a worker's note is not oversight
    note(people["tm"], [kids["never"]], D(2026, 5, 8), status=NoteStatus.DRAFT)  # nor is a draft
    return people, kids


def child_choices(response) -> set[int]:
    html = response.content.decode()
    return {int(pk) for pk in re.findall(r'name="children" type="checkbox" value="(\d+)"', html)}


def listed(response) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'data-testid="oversight-row" data-child="(\d+)"', response.content.decode())
    ]


def test_selector_lists_stale_and_never_overseen_children_with_open_statutory_work(setting):
    people, kids = setting
    ctx = ClockContext()
    found = list(children_lacking_oversight(people["tm"], ctx, days=20))
    assert [row.child_id for row in found] == [kids["never"].pk, kids["stale"].pk]
    assert found[0].last_on is None and found[1].last_on == D(2026, 4, 1)
    assert ctx.working_days_between(D(2026, 4, 1), ctx.today) == 25

    assert [c.child_id for c in children_lacking_oversight(people["tm"], ctx, days=25)] == [kids["never"].pk]
    assert {c.child_id for c in children_lacking_oversight(people["tm"], ctx, days=3)} == {
        kids["never"].pk,
        kids["stale"].pk,
        kids["fresh"].pk,
    }
    assert [c.child_id for c in children_lacking_oversight(people["tm"], ctx, days=4)] == [
        kids["never"].pk,
        kids["stale"].pk,
    ]


def test_page_shows_last_oversight_date_and_who_for_the_managers_team(setting, client_for):
    people, kids = setting
    response = client_for(people["tm"]).get(reverse("work:oversight"))
    assert response.status_code == 200
    assert listed(response) == [kids["never"].pk, kids["stale"].pk]
    html = response.content.decode()
    assert "1 April 2026: supervision by Tina Manager" in html
    assert "Never" in html and "Sam Worker" in html
    assert re.search(r'data-testid="oversight-total">2<', html)
    assert kids["south"].pk not in listed(response) and kids["cin_only"].pk not in listed(response)

    wider = client_for(people["tm"]).get(reverse("work:oversight"), {"days": "30"})
    assert listed(wider) == [kids["never"].pk]


def test_an_unusable_number_of_days_is_explained_and_the_default_used(setting, client_for):
    people, kids = setting
    response = client_for(people["tm"]).get(reverse("work:oversight"), {"days": "twenty"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a whole number of working days from 0 to 260" in html and 'value="twenty"' in html
    assert listed(response) == [kids["never"].pk, kids["stale"].pk]


def test_head_of_service_sees_every_team_and_filters_by_team(setting, client_for, teams):
    people, kids = setting
    client = client_for(people["hos"])
    assert set(listed(client.get(reverse("work:oversight")))) == {
        kids["never"].pk,
        kids["stale"].pk,
        kids["south"].pk,
    }
    assert listed(client.get(reverse("work:oversight"), {"team": teams["south"].pk})) == [kids["south"].pk]


def test_only_managers_open_the_oversight_pages(setting, client_for):
    people, _ = setting
    assert client_for(people["sw"]).get(reverse("work:oversight")).status_code == 403
    assert client_for(people["sw"]).get(reverse("work:record_supervision")).status_code == 403


def test_recording_supervision_for_several_children_drops_them_from_the_list(setting, client_for):
    people, kids = setting
    client = client_for(people["tm"])
    form = client.get(reverse("work:record_supervision"), {"worker": people["sw"].pk})
    assert form.status_code == 200
    assert child_choices(form) == {kids[name].pk for name in ("stale", "fresh", "never", "cin_only")}

    response = client.post(
        reverse("work:record_supervision") + f"?worker={people['sw'].pk}",
        {
            "worker": str(people["sw"].pk),
            "children": [str(kids["stale"].pk), str(kids["never"].pk)],
            "note_type": NoteType.SUPERVISION,
            "event_on-day": "11",
            "event_on-month": "5",
            "event_on-year": "2026",
            "title": "Supervision with Sam",
            "body": "Reviewed plans; actions agreed.",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("work:oversight")
    recorded = CaseNote.objects.get(title="Supervision with Sam")
    assert recorded.status == NoteStatus.FINAL and recorded.author == people["tm"]
    assert set(recorded.children.values_list("pk", flat=True)) == {kids["stale"].pk, kids["never"].pk}
    assert listed(client.get(reverse("work:oversight"))) == []


def test_a_supervision_form_with_errors_keeps_what_was_typed_and_saves_nothing(setting, client_for):
    people, kids = setting
    before = CaseNote.objects.count()
    response = client_for(people["tm"]).post(
        reverse("work:record_supervision"),
        {
            "worker": str(people["sw"].pk),
            "note_type": NoteType.SUPERVISION,
            "event_on-day": "11",
            "event_on-month": "5",
            "event_on-year": "2026",
            "title": "Kept title",
            "body": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose at least one child you discussed" in html and "Enter what was discussed" in html
    assert "Kept title" in html and "There is a problem" in html
    assert CaseNote.objects.count() == before


def test_a_team_manager_cannot_record_supervision_for_another_teams_worker(setting, client_for):
    people, kids = setting
    response = client_for(people["tm"]).get(
        reverse("work:record_supervision"), {"worker": people["sw_south"].pk}
    )
    assert response.status_code == 200 and child_choices(response) == set()
    with pytest.raises(PermissionDenied):
        oversight_note_record(
            actor=people["tm"], children=[kids["south"]], event_on=D(2026, 5, 11), title="x", body="y"
        )
    with pytest.raises(PermissionDenied):
        oversight_note_record(
            actor=people["sw"], children=[kids["stale"]], event_on=D(2026, 5, 11), title="x", body="y"
        )


def test_the_service_writes_one_final_note_or_nothing(setting):
    people, kids = setting
    before = CaseNote.objects.count()
    with pytest.raises(ValidationError):
        oversight_note_record(
            actor=people["tm"], children=[kids["stale"]], event_on=D(2026, 5, 11), title="", body="y"
        )
    assert CaseNote.objects.count() == before
    signed = oversight_note_record(
        actor=people["hos"],
        children=[kids["stale"], kids["south"]],
        event_on=D(2026, 5, 11),
        title="Sign-off",
        body="Plan agreed",
        note_type=NoteType.MANAGEMENT_OVERSIGHT,
    )
    assert signed.is_final and signed.note_type == NoteType.MANAGEMENT_OVERSIGHT
    ctx = ClockContext()
    assert {c.child_id for c in children_lacking_oversight(people["hos"], ctx, days=20)} == {kids["never"].pk}
