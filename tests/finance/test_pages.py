"""The finance pages: who may open each, the budget and its drill-down (a restricted child never named, every child
named logged), a scenario saved from the page, and in-house capacity with the children placed out of the
authority while a local place was free (s22G)."""

import datetime as dt

import pytest
import time_machine
from django.urls import get_resolver, reverse

from opencsc.accounts.models import Role
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.finance import services
from opencsc.finance.models import Scenario
from tests.finance.builders import child, episode, home, household

D = dt.date
R = Role
pytestmark = pytest.mark.django_db

# Columns: budget, category drill, budget_new, scenario_new, providers, provider_new, approval_new, capacity,
# placement_cost.
ROUTES = (
    "finance:budget",
    "finance:budget_category",
    "finance:budget_new",
    "finance:scenario_new",
    "finance:providers",
    "finance:provider_new",
    "finance:approval_new",
    "finance:capacity",
    "finance:placement_cost",
)
READ = (True, True, False, True, True, False, False, True, False)
CHANGE = (True,) * 9
NONE = (False,) * 9
MATRIX = {
    R.SOCIAL_WORKER: NONE,
    R.TEAM_MANAGER: NONE,
    R.HEAD_OF_SERVICE: CHANGE,
    R.DIRECTOR: CHANGE,
    R.PERFORMANCE_ANALYST: READ,
    R.AUDITOR: NONE,
    R.ADMINISTRATOR: NONE,
    R.CHIEF_EXECUTIVE: NONE,
    R.IMPROVEMENT_BOARD: NONE,
    R.INDEPENDENT_REVIEWING_OFFICER: NONE,
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2025, 10, 1, 12, 0), tick=False):
        yield


@pytest.fixture
def director(make_user):
    return make_user(Role.DIRECTOR, None)


def test_the_matrix_covers_every_finance_route():
    resolver = get_resolver().namespace_dict["finance"][1]
    assert {f"finance:{p.name}" for p in resolver.url_patterns} == set(ROUTES)
    assert set(MATRIX) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_finance_pages_follow_the_matrix(role, director, make_user, client_for):
    provider = household(director)
    placement = episode(child(1), D(2025, 5, 1))
    args = {
        "finance:budget_category": ["residential"],
        "finance:approval_new": [provider.pk],
        "finance:placement_cost": [placement.pk],
    }
    client = client_for(make_user(role, None))
    for name, allowed in zip(ROUTES, MATRIX[role], strict=True):
        url = reverse(name, args=args.get(name, []))
        assert client.get(url).status_code == (200 if allowed else 403), (role, name)
        if not allowed and name.endswith(("_new", "_cost")):
            assert client.post(url, {}).status_code == 403, (role, name)


def _residential_year(director):
    """Children in homes over the past eighteen months, one of them restricted; a budget that overspends."""
    kids = []
    for n in range(12):
        kid = child(n, restricted=n == 1)
        start = D(2024, 4, 1) + dt.timedelta(days=40 * n)
        first = episode(
            kid, start, None if n % 3 else start + dt.timedelta(days=150), place="K2", provider="PR4"
        )
        services.placement_cost_agree(
            actor=director, episode=first, provider=home(director, f"Home {n}"), weekly_cost="5000"
        )
        kids.append(kid)
    services.budget_set(actor=director, year=2026, lines={"residential": ("1000000", "4")})
    return kids


def test_the_director_sees_the_outturn_and_drills_to_the_residential_placements_without_naming_a_restricted_child(
    director, client_for
):
    kids = _residential_year(director)
    client = client_for(director)
    page = client.get(reverse("finance:budget")).content.decode()
    assert "Placements budget 2025-26" in page and "overspend of" in page
    assert "From the number of children" in page
    drill_url = reverse("finance:budget_category", args=["residential"])
    drill = client.get(drill_url).content.decode()
    restricted, others = kids[1], kids[2:]
    assert restricted.first_name + " " not in drill and "a restricted record" in drill
    assert all(
        kid.first_name + " " in drill
        for kid in others
        if kid.care_episodes.get().ended_on is None or kid.care_episodes.get().ended_on > D(2025, 4, 1)
    )
    assert RecordAccess.objects.filter(user=director, child=restricted, kind=AccessKind.REFUSED).exists()
    listed = set(
        RecordAccess.objects.filter(user=director, kind=AccessKind.LISTED).values_list("child_id", flat=True)
    )
    assert restricted.pk not in listed and listed


def test_a_scenario_saved_from_the_page_is_shown_with_its_cost_change(director, client_for):
    _residential_year(director)
    client = client_for(director)
    response = client.post(
        reverse("finance:scenario_new"),
        {
            "name": "Ten fewer residential entries",
            "kind": "fewer_entries",
            "category": "residential",
            "number": "10",
        },
    )
    scenario = Scenario.objects.get()
    assert scenario.author == director
    assert response.status_code == 302 and response["Location"].endswith(f"?scenario={scenario.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "Ten fewer residential entries" in page and "a change of" in page and "-£" in page


def test_capacity_lists_a_child_placed_out_of_the_authority_while_one_of_our_places_was_free(
    director, client_for
):
    carers = household(director)
    services.carer_approval_record(
        actor=director, provider=carers, places=2, youngest=5, oldest=15, approved_on=D(2024, 1, 1)
    )
    local = episode(child(1, born=D(2015, 1, 1)), D(2025, 3, 1))
    services.placement_cost_agree(actor=director, episode=local, provider=carers, weekly_cost="646")
    away = child(2, born=D(2014, 2, 2))
    far = episode(away, D(2025, 6, 1), place="U6", provider="PR4")
    far.placement_inside_authority = False
    far.save()
    too_young = episode(child(3, born=D(2024, 1, 1)), D(2025, 6, 1), place="U6", provider="PR4")
    too_young.placement_inside_authority = False
    too_young.save()
    page = client_for(director).get(reverse("finance:capacity")).content.decode()
    assert "1 approved households, 2 places, 1 children placed, 1 places free" in page
    assert away.first_name + " " in page and "Penny3 " not in page
