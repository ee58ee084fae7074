"""Navigation grouped by what each person does (opencsc/ui/navigation.py).

For every role (and the front-door team): every page the person may open is reachable by following links from
the navigation, and the navigation offers no page that refuses them.
"""

import re
from collections import deque

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.ui.navigation import SECTIONS

# Pages outside the working navigation: signing in and out, the public partner form, and downloads.
NOT_PAGES = {
    "accounts:login",
    "accounts:two_factor",
    "accounts:logout",
    "accounts:logout_confirm",
    "accounts:sso_start",
    "accounts:sso_callback",
    "partner:refer",
    "board:pack_pdf",
    "returns:annexa_download",
}
# Pages that open for these roles but can hold nothing of theirs: only social workers and managers write case
# notes, and only team members, leaders (who hold them) and IROs raise or hold escalations.
EMPTY_FOR = {
    "casework:my_notes": set(Role) - {Role.SOCIAL_WORKER, Role.TEAM_MANAGER},
    "oversight:escalations": {
        Role.PERFORMANCE_ANALYST,
        Role.ADMINISTRATOR,
        Role.AUDITOR,
        Role.INDEPENDENT_REVIEWING_OFFICER,
    },
}
# Pages linked, with a filter, from a page only once there is something to drill into (an audit, an inspection):
# reaching the page they are linked from is enough here.
LINKED_FROM = {"quality:drill": "quality:figures", "oversight:board_meeting": "oversight:plan"}
PEOPLE = [(role, None) for role in Role] + [
    (Role.SOCIAL_WORKER, TeamKind.ASSESSMENT),
    (Role.TEAM_MANAGER, TeamKind.ASSESSMENT),
    (Role.SOCIAL_WORKER, TeamKind.FRONT_DOOR),
    (Role.TEAM_MANAGER, TeamKind.FRONT_DOOR),
    (Role.SOCIAL_WORKER, TeamKind.DESIGNATED_OFFICER),
    (Role.TEAM_MANAGER, TeamKind.DESIGNATED_OFFICER),
]
HREF = re.compile(r'href="(/[^"#?]*)')
TOP_ROW = re.compile(r'<nav aria-label="Menu".*?</nav>', re.S)


def _pages(resolver=None, prefix="", namespace=None):
    """Every named route that takes no argument, as (name, path)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _pages(pattern, prefix + str(pattern.pattern), pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and "<" not in str(pattern.pattern):
            yield (
                f"{namespace}:{pattern.name}" if namespace else pattern.name,
                "/" + prefix + str(pattern.pattern),
            )


def _route_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _person(make_user, role, team_kind):
    team = Team.objects.create(name=f"Team {team_kind}", kind=team_kind) if team_kind else None
    return make_user(role, team=team)


def _crawl(client) -> tuple[set[str], dict[str, int]]:
    """Follow every link to a page without arguments from the home page; the names reached and each status."""
    pages = {path for _name, path in _pages()}
    statuses, seen, queue = {}, {"/"}, deque(["/"])
    while queue:
        path = queue.popleft()
        response = client.get(path)
        statuses[path] = response.status_code
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            if href not in seen and (href in pages or href.startswith("/sections/")):
                seen.add(href)
                queue.append(href)
    return {_route_name(path) for path, status in statuses.items() if status == 200}, statuses


@pytest.mark.parametrize(("role", "team_kind"), PEOPLE, ids=[f"{role}-{kind}" for role, kind in PEOPLE])
def test_every_page_a_person_may_open_is_reachable_from_the_navigation(
    role, team_kind, make_user, client_for
):
    client = client_for(_person(make_user, role, team_kind))
    reached, statuses = _crawl(client)
    unreached = []
    for name, path in _pages():
        if name in NOT_PAGES or name in reached or path in statuses or role in EMPTY_FOR.get(name, ()):
            continue
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue  # refused, or not a page (the API's description)
        if name in LINKED_FROM:
            assert LINKED_FROM[name] in reached
        else:
            unreached.append(name)
    assert unreached == [], f"pages {role} may open but cannot reach from the navigation: {unreached}"


@pytest.mark.parametrize(("role", "team_kind"), PEOPLE, ids=[f"{role}-{kind}" for role, kind in PEOPLE])
def test_the_navigation_offers_no_page_the_person_may_not_open(role, team_kind, make_user, client_for):
    client = client_for(_person(make_user, role, team_kind))
    home = client.get("/").content.decode()
    offered = HREF.findall(TOP_ROW.search(home).group(0))
    for section_href in [href for href in offered if href.startswith("/sections/")]:
        offered += HREF.findall(client.get(section_href).content.decode())
    refused = [href for href in offered if _route_name(href) and client.get(href).status_code != 200]
    assert refused == []
    listed = {page.url_name for section in SECTIONS for page in section.pages}
    for name in {_route_name(href) for href in offered} & listed:
        assert client.get(next(h for h in offered if _route_name(h) == name)).status_code == 200


def test_a_director_sees_five_sections_and_each_section_page_lists_its_pages(make_user, client_for):
    client = client_for(make_user(Role.DIRECTOR))
    top_row = TOP_ROW.search(client.get("/").content.decode()).group(0)
    sections = re.findall(r'govuk-service-navigation__link" href="([^"]+)"', top_row)
    assert sections[:5] == [f"/sections/{slug}/" for slug in ("today", "children", "leadership")] + [
        "/returns/",
        "/accounts/staff/role-approvals/",  # the director's only administration page
    ]
    assert len(sections) == 7  # the five sections, change password and sign out
    leadership = client.get("/sections/leadership/").content.decode()
    for text in ("Dashboard", "KPIs", "Placements budget", "Workforce", "Board pack", "Improvement plan"):
        assert f">{text}</a>" in leadership


def test_a_page_of_a_section_shows_the_section_row_with_the_page_marked_current(make_user, client_for):
    client = client_for(make_user(Role.DIRECTOR))
    page = client.get("/insight/kpis/").content.decode()
    assert 'data-testid="section-navigation"' in page
    assert re.search(r'href="/insight/kpis/"\s+aria-current="page"', page)
    assert re.search(r'href="/sections/leadership/"\s+aria-current="true"', page)


@pytest.mark.parametrize("slug", ["administration", "leadership"])
def test_a_section_the_person_has_no_page_in_is_refused(slug, make_user, client_for):
    client = client_for(make_user(Role.SOCIAL_WORKER))
    assert client.get(f"/sections/{slug}/").status_code == 403
    assert client.get("/sections/no-such-section/").status_code == 404
