"""Shared set-up for the looked-after tests: today is frozen at Monday 11 May 2026, noon in London; a child
born 1 February 2016 lives at HP19 8FF (Aylesbury, inside the authority)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opencsc.accounts.models import Role
from opencsc.casework import services as casework_services
from opencsc.casework.models import NoteType
from opencsc.looked_after import services
from opencsc.people import services as people_services

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()
HOME = "HP19 8FF"
CARLISLE = "CA1 1AA"  # Cumberland: outside, 229.4 miles from HP19 8FF
WYCOMBE = "HP11 2JU"  # inside, 13.8 miles
UNKNOWN = "HP19 9ZZ"  # the shape of a postcode, not in the directory


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def worker(teams, make_user):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


@pytest.fixture
def child(worker, teams):
    child = people_services.child_create(
        actor=worker,
        team=teams["north"],
        first_name="Lily",
        last_name="Placed",
        date_of_birth=dt.date(2016, 2, 1),
        sex="F",
    )
    people_services.address_move_in(
        actor=worker,
        child=child,
        line_1="1 Home Street",
        town="Aylesbury",
        postcode="hp198ff",
        moved_in_on=dt.date(2016, 2, 1),
    )
    return child


def placement(**overrides) -> dict:
    fields = {
        "placement_type": "U6",
        "placement_provider": "PR1",
        "urn": "SC123456",
        "carer_name": "Mr and Mrs Carer",
        "placement_postcode": CARLISLE,
    }
    return {**fields, **overrides}


@pytest.fixture
def start_care(worker, child):
    def start(on=dt.date(2026, 3, 25), legal_status="C2", category_of_need="N1", **overrides):
        return services.episode_start_care(
            actor=worker,
            child=child,
            started_on=on,
            legal_status=legal_status,
            category_of_need=category_of_need,
            **placement(**overrides),
        )

    return start


@pytest.fixture
def move(worker, child):
    def do_move(on, same_carers=False, reason="CARPL", **overrides):
        return services.episode_move_placement(
            actor=worker,
            child=child,
            moved_on=on,
            same_carers=same_carers,
            reason_placement_changed=reason,
            **placement(**overrides),
        )

    return do_move


def record_visit(worker, child, on, seen=True):
    """A final statutory visit note, the child seen (and alone, bedroom seen) unless `seen` is False."""
    note = casework_services.note_save_draft(
        actor=worker,
        children=[child],
        note_type=NoteType.VISIT,
        title="Statutory visit",
        body="Saw the child at the placement.",
        event_on=on,
        child_seen=seen,
        child_seen_alone=True if seen else None,
        bedroom_seen=True if seen else None,
    )
    casework_services.note_finalise(actor=worker, note=note, children=[child])
