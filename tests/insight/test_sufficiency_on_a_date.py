"""The sufficiency page (built in opencsc.insight, at /looked-after/sufficiency/) checked against issue 5 part 5
on hand-built episodes: the chosen date picks each child's open episode, short breaks are left out, unknown
locations are counted but left out of the rates, and the drill-down lists only children the user may open."""

import datetime as dt

import pytest
import time_machine

from opencsc.accounts.models import Role
from opencsc.insight.sufficiency import sufficiency_on
from tests.looked_after.builders import episode, make_child

pytestmark = pytest.mark.django_db
D = dt.date
PAGE = "/looked-after/sufficiency/"
HOME = "HP19 8FF"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 5, 11, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def placed(teams):
    north, south = teams["north"], teams["south"]
    kids = {}
    for n, team, postcode, place, provider, ls in [
        (1, north, "HP11 2JU", "U4", "PR1", "C2"),  # inside, 13.8 miles
        (2, north, "MK9 3EJ", "K2", "PR4", "C2"),  # outside, 15.5 miles
        (3, south, "CA1 1AA", "K2", "PR4", "C1"),  # outside, 229.4 miles
        (4, south, "HP19 9ZZ", "U6", "PR5", "V2"),  # postcode not in the directory: unknown
        (5, north, "HP11 2JU", "U6", "PR1", "V3"),  # short break: not counted
    ]:
        child = make_child(n, team, born=D(2012, 1, 1))
        episode(
            child,
            D(2025, 6, 1),
            ls=ls,
            placement_type=place,
            placement_provider=provider,
            home_postcode=HOME,
            placement_postcode=postcode,
        )
        kids[n] = child
    # Moved on 1 April 2026 from a children's home in Carlisle to foster care in High Wycombe.
    mover = make_child(6, north, born=D(2012, 1, 1))
    episode(
        mover,
        D(2025, 6, 1),
        ended_on=D(2026, 4, 1),
        rec="X1",
        placement_type="K2",
        placement_provider="PR4",
        home_postcode=HOME,
        placement_postcode="CA1 1AA",
    )
    episode(
        mover,
        D(2026, 4, 1),
        rne="P",
        placement_type="U4",
        placement_provider="PR1",
        home_postcode=HOME,
        placement_postcode="HP11 2JU",
    )
    kids[6] = mover
    return kids


def _counts(breakdown) -> dict:
    return {key: len(ids) for key, _, ids in breakdown.rows}


def test_each_childs_open_episode_on_the_chosen_date(placed):
    location, distance, placement, provider = sufficiency_on(D(2026, 3, 31))
    assert _counts(location) == {"inside": 1, "outside": 3, "unknown": 1}
    assert location.percent("outside") == 75.0 and location.percent("unknown") is None
    assert _counts(distance)["10 to 20 miles"] == 2 and _counts(distance)["50 miles or more"] == 2
    assert _counts(placement)["childrens_homes"] == 3 and _counts(placement)["foster"] == 2
    assert _counts(provider)["PR4"] == 3
    location, distance, placement, _ = sufficiency_on(D(2026, 5, 1))  # after the move
    assert _counts(location) == {"inside": 2, "outside": 2, "unknown": 1}
    assert location.percent("inside") == 50.0
    assert placed[5].pk not in {child for _, _, ids in location.rows for child in ids}  # the short break


def test_drill_down_by_role(placed, make_user, teams, client_for):
    query = {"on": "2026-03-31", "dimension": "distance", "value": "50 miles or more"}
    page = client_for(make_user(Role.PERFORMANCE_ANALYST)).get(PAGE, query).content.decode()
    assert placed[3].full_name in page and placed[6].full_name in page and placed[1].full_name not in page
    manager = make_user(Role.TEAM_MANAGER, teams["north"])
    page = client_for(manager).get(PAGE, query).content.decode()
    assert placed[6].full_name in page and placed[3].full_name not in page  # Kid3 is South's
    assert "1 more child you cannot open is counted but not listed" in page
    for role in (Role.IMPROVEMENT_BOARD, Role.ADMINISTRATOR):
        assert client_for(make_user(role)).get(PAGE).status_code == 403
