"""Where looked-after children live: breakdowns, drill-down and who may see them."""

import datetime as dt
import html
import re

import pytest

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.insight.sufficiency import DISTANCE_BANDS, PLACEMENT_GROUPS, sufficiency_on
from opencsc.looked_after.codes import PlacementProvider, PlacementType
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 31)


def _looked_after(n, team, placed, *, place="U6", provider="PR1", ls="C2", home="HP19 8FF"):
    child = Child.objects.create(
        la_child_id=f"S{n:05d}",
        first_name=f"Kid{n}",
        last_name="Placed",
        first_name_key=f"kid{n}",
        last_name_key="placed",
        date_of_birth=dt.date(2012, 1, 1),
        sex="M",
        responsible_team=team,
    )
    Episode.objects.create(
        child=child,
        started_on=dt.date(2025, 6, 1),
        reason_new_episode="S",
        legal_status=ls,
        category_of_need="N1",
        placement_type=place,
        placement_provider=provider,
        home_postcode=home,
        placement_postcode=placed,
    )
    return child


def _rows(breakdown):
    return {key: len(ids) for key, _, ids in breakdown.rows}


def test_breakdowns_by_location_distance_type_and_provider(teams):
    north = teams["north"]
    _looked_after(1, north, "HP11 2JU")  # inside, 13.8 miles
    _looked_after(2, north, "MK9 3EJ", place="K2", provider="PR4")  # outside, 15.5 miles
    _looked_after(3, north, "CA1 1AA", place="K2", provider="PR4")  # outside, 229.4 miles
    _looked_after(4, north, "ZZ1 1ZZ", place="U4", provider="PR5")  # unknown
    _looked_after(5, north, "HP11 2JU", ls="V3")  # short break: not counted
    location, distance, placement, provider = sufficiency_on(ON)
    assert _rows(location) == {"inside": 1, "outside": 2, "unknown": 1}
    assert location.percent("outside") == 66.7 and location.percent("unknown") is None
    assert _rows(distance)["10 to 20 miles"] == 2 and _rows(distance)["50 miles or more"] == 1
    assert _rows(distance)["unknown"] == 1
    assert _rows(placement)["foster"] == 2 and _rows(placement)["childrens_homes"] == 2
    assert _rows(provider)["PR4"] == 2


def test_drill_down_lists_only_children_the_user_may_open(teams, make_user, client_for):
    inside = _looked_after(1, teams["north"], "HP11 2JU")
    _looked_after(2, teams["south"], "HP11 2JU")
    manager = make_user(Role.TEAM_MANAGER, teams["north"])
    page = (
        client_for(manager)
        .get("/looked-after/sufficiency/", {"on": ON.isoformat(), "dimension": "location", "value": "inside"})
        .content.decode()
    )
    assert inside.full_name in page and "Kid2" not in page
    assert "1 more child you cannot open is counted but not listed" in page
    head = make_user(Role.HEAD_OF_SERVICE)
    page = (
        client_for(head)
        .get("/looked-after/sufficiency/", {"on": ON.isoformat(), "dimension": "location", "value": "inside"})
        .content.decode()
    )
    assert "Kid1" in page and "Kid2" in page


def test_sufficiency_is_refused_to_roles_without_a_management_view(make_user, teams, client_for):
    for role in (Role.IMPROVEMENT_BOARD, Role.ADMINISTRATOR, Role.SOCIAL_WORKER):
        assert (
            client_for(make_user(role, teams["north"])).get("/looked-after/sufficiency/").status_code == 403
        )
    assert (
        client_for(make_user(Role.PERFORMANCE_ANALYST)).get("/looked-after/sufficiency/").status_code == 200
    )


def _page(client, **params):
    return client.get("/looked-after/sufficiency/", {"on": ON.isoformat(), **params}).content.decode()


def _drill_down_rows(page: str) -> list[list[str]]:
    table = page.split('data-testid="drill-down"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in table.split("<tbody", 1)[1].split("</tr>")[:-1]:
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", cell.split(">", 1)[1])).strip()
            for cell in row.split("<td")[1:]
        ]
        rows.append(cells)
    return rows


def test_drill_down_shows_each_childs_placement_distance_and_location(teams, make_user, client_for):
    near = _looked_after(1, teams["north"], "HP11 2JU")  # inside, 13.8 miles
    far = _looked_after(2, teams["north"], "MK9 3EJ", place="K2", provider="PR4")  # outside, 15.5 miles
    lost = _looked_after(3, teams["north"], "ZZ1 1ZZ", place="U4", provider="PR5")  # unknown postcode
    client = client_for(make_user(Role.HEAD_OF_SERVICE))

    rows = _drill_down_rows(_page(client, dimension="distance", value="10 to 20 miles"))

    assert rows == [
        [near.full_name, "S00001", "U6: Foster placement with another carer, other", "PR1: Own local authority",
         "HP11 2JU", "13.8", "Inside"],
        [far.full_name, "S00002", f"K2: {PlacementType.K2.label}", f"PR4: {PlacementProvider.PR4.label}",
         "MK9 3EJ", "15.5", "Outside"],
    ]  # fmt: skip
    rows = _drill_down_rows(_page(client, dimension="location", value="unknown"))
    assert rows == [
        [lost.full_name, "S00003", f"U4: {PlacementType.U4.label}", f"PR5: {PlacementProvider.PR5.label}",
         "ZZ1 1ZZ", "Not known", "Not known"],
    ]  # fmt: skip
    rows = _drill_down_rows(_page(client, dimension="provider", value="PR4"))
    assert [row[0] for row in rows] == [far.full_name]
    rows = _drill_down_rows(_page(client, dimension="placement", value="foster"))
    assert [row[0] for row in rows] == sorted([near.full_name, lost.full_name])


def test_the_listed_children_are_logged_as_listed(teams, make_user, client_for):
    shown = _looked_after(1, teams["north"], "HP11 2JU")
    _looked_after(2, teams["south"], "HP11 2JU")
    manager = make_user(Role.TEAM_MANAGER, teams["north"])

    _page(client_for(manager), dimension="location", value="inside")

    listed = RecordAccess.objects.filter(user=manager, kind=AccessKind.LISTED)
    assert list(listed.values_list("child_id", flat=True)) == [shown.pk]


def test_every_breakdown_is_on_the_page_with_its_bands_and_groups(teams, make_user, client_for):
    _looked_after(1, teams["north"], "CA1 1AA", place="K2", provider="PR4")  # Carlisle, 229 miles
    page = _page(client_for(make_user(Role.PERFORMANCE_ANALYST)))
    for key in ("location", "distance", "placement", "provider"):
        assert f'data-testid="breakdown-{key}"' in page
    for label in [label for _, _, label in DISTANCE_BANDS] + [label for _, label, _ in PLACEMENT_GROUPS]:
        assert label in html.unescape(page), label
    assert PlacementProvider.PR4.label in page
    assert "dimension=distance&value=50%20miles%20or%20more" in html.unescape(page)


def test_an_empty_denominator_shows_no_children_rather_than_a_rate(teams, make_user, client_for):
    client = client_for(make_user(Role.HEAD_OF_SERVICE))
    page = _page(client)
    location = page.split('data-testid="breakdown-location"', 1)[1].split("</table>", 1)[0]
    assert "no children" in location and "0%" not in location and "0.0%" not in location

    _looked_after(1, teams["north"], "ZZ1 1ZZ")  # looked after, but where is not known
    page = _page(client)
    for key in ("location", "distance"):
        table = page.split(f'data-testid="breakdown-{key}"', 1)[1].split("</table>", 1)[0]
        body = table.split("<tbody", 1)[1]
        assert "no children" in body and "%" not in body, key
