"""Signed in as every role outside the designated officer's team (a social worker and a manager in the team that
holds the named child, and every other role), walk the site from the home page, the child's own pages, the
lists, the escalations and the audit trail, following every link, and check that no page shows the allegation:
not its reference, the person it is about, the referrer or what is alleged; and that the allegation's own pages
refuse them. The allegation names the child by record, has a strategy discussion, and is late, so the sweep has
escalated it. A structural check adds what a crawl cannot reach: no export, return, API or child-record module
reads the allegations app.
"""

import datetime as dt
import pathlib
import re
from collections import deque

import pytest
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.allegations import services
from opencsc.casework.models import Allocation
from opencsc.oversight.services import escalations_sweep
from tests.allegations.conftest import REFERRAL
from tests.test_restricted_crawl import links_on

pytestmark = pytest.mark.django_db
PAGES_PER_PERSON = 60
SECRETS = re.compile(r"LADO-\d|Zebedee|Quarrington|Perpetua|Ogunbanjo|bruised-wrist-marker")
READERS_ONLY_MODULES = (
    "api",
    "returns",
    "people",
    "casework",
    "frontdoor",
    "insight",
    "looked_after",
    "dataflow",
)


@pytest.fixture
def allegation(officer, lado_manager, child, teams):
    allegation = services.allegation_record(
        actor=officer,
        received_on=dt.date(2026, 6, 1),
        **{
            **REFERRAL,
            "subject_name": "Zebedee Quarrington",
            "referrer_name": "Perpetua Ogunbanjo",
            "details": "bruised-wrist-marker",
        },
        child_ids=child.la_child_id,
    )
    escalations_sweep(today=dt.date(2026, 6, 10))  # the initial consideration was due on 2 June
    return allegation


def _people(make_user, teams, outsider):
    north = teams["north"]
    others = [
        make_user(role, north if role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER) else None) for role in Role
    ]
    return [outsider, make_user(Role.TEAM_MANAGER, north), *others]


def _walk(client, starts: list[str]) -> tuple[list[str], list[str]]:
    queue, seen, visited, leaks = deque(starts), set(starts), [], []
    while queue and len(visited) < PAGES_PER_PERSON:
        url = queue.popleft()
        response = client.get(url)
        visited.append(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if found := SECRETS.findall(html):
            leaks.append(f"{url}: {sorted(set(found))}")
        for link in links_on(html):
            if link not in seen and not link.startswith("/allegations/"):
                seen.add(link)
                queue.append(link)
    return visited, leaks


def test_no_page_outside_the_team_shows_the_allegation(
    allegation, make_user, teams, outsider, child, client_for
):
    Allocation.objects.create(
        child=child, worker=outsider, team=teams["north"], started_on=dt.date(2026, 1, 5)
    )
    starts = [
        "/",
        reverse("people:detail", args=[child.pk]),
        reverse("people:chronology", args=[child.pk]),
        reverse("people:access_log", args=[child.pk]),
        f"/children/?q={child.last_name}",
        "/work/mine/",
        "/work/team/",
        "/work/service/",
        "/oversight/escalations/",
        "/oversight/escalations/all/",
        f"/audit/?child={child.la_child_id}",
        "/audit/?action=change",
        reverse("allegations:service"),
    ]
    for person in _people(make_user, teams, outsider):
        client = client_for(person)
        visited, leaks = _walk(client, starts)
        assert leaks == [], f"{person.role}: {leaks}"
        assert len(visited) > len(starts) or person.role not in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
        for name in ("allegations:detail", "allegations:outcome"):
            assert client.get(reverse(name, args=[allegation.pk])).status_code == 403, (person.role, name)
        assert client.get(reverse("allegations:list")).status_code == 403, person.role


def test_the_designated_officer_reaches_it_from_the_navigation(allegation, officer, client_for):
    client = client_for(officer)
    assert reverse("allegations:list") in client.get("/").content.decode()
    listed = client.get(reverse("allegations:list")).content.decode()
    assert allegation.reference in listed and "Zebedee Quarrington" in listed


def test_no_module_that_reads_or_exports_a_childs_record_reads_the_allegations_app():
    root = pathlib.Path(__file__).resolve().parents[2] / "opencsc"
    readers = [
        path
        for module in READERS_ONLY_MODULES
        for path in (root / module).rglob("*.py")
        if "opencsc.allegations" in path.read_text() or "allegations_naming" in path.read_text()
    ]
    assert readers == []
