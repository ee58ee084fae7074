"""Signed in as every role, walk the pages of a generated authority and check that no page names a child the
user may not open (issue 11 point 1).

The authority is small and generated (opencsc/synthetic), with restricted children who have brothers and
sisters, final case notes shared with them and contacts about them (opencsc/synthetic/restricted.py). Each
role starts from the home page and the navigation and follows every link on the site, breadth first, pages
near a restricted child (a sibling's record, a shared note, a contact about the child) first. The walk is
bounded per role, and per kind of page, so it stays a few minutes on both databases while reaching every
kind of page a role can reach.
"""

import datetime as dt
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.urls import Resolver404, resolve
from django.utils import timezone

from opencsc.accounts.access import can_view_child, child_visibility_filter
from opencsc.accounts.models import Role, TeamKind, User
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.casework.models import CaseNote, NoteStatus
from opencsc.frontdoor.models import ContactChild
from opencsc.people.models import SIBLING_TYPES, Child, Person, Relationship

TODAY = dt.date(2025, 11, 20)
CHILDREN = 150
PAGES_PER_ROLE = 70
PAGES_PER_KIND = 4
CHILD_LINK = re.compile(r'href="/children/(\d+)/')
# Pages that change something or send a file, never followed.
NOT_FOLLOWED = ("/accounts/sign-out", "/static/", ".pdf", "/download")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_on(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    local = []
    for href in parser.hrefs:
        url = urldefrag(href).url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            continue
        if any(marker in url for marker in NOT_FOLLOWED):
            continue
        local.append(url)
    return local


def kind_of_page(url: str) -> str:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return url
    return (
        f"{match.view_name}?{'&'.join(sorted(k.split('=')[0] for k in urlsplit(url).query.split('&') if k))}"
    )


@dataclass
class Secrets:
    """What would name a child the user may not open: the LA ID, and the full name where no other child, member
    of staff or adult in a child's network (a step-parent may share a child's name) has it. One pattern, so each
    page is searched once."""

    pattern: re.Pattern | None

    @classmethod
    def about(cls, hidden: list[Child]) -> "Secrets":
        full_names = Counter(
            f"{first} {last}" for first, last in Child.objects.values_list("first_name", "last_name")
        )
        staff_names = {
            f"{first} {last}" for first, last in User.objects.values_list("first_name", "last_name")
        } | {f"{first} {last}" for first, last in Person.objects.values_list("first_name", "last_name")}
        words = []
        for child in hidden:
            words.append(re.escape(child.la_child_id))
            name = f"{child.first_name} {child.last_name}"
            if full_names[name] == 1 and name not in staff_names:
                words.append(re.escape(name))
        return cls(re.compile(rf"\b(?:{'|'.join(words)})\b") if words else None)

    def shown_in(self, html: str) -> list[str]:
        return sorted(set(self.pattern.findall(html))) if self.pattern else []


def near_restricted_urls(restricted: list[Child]) -> set[str]:
    ids = [child.pk for child in restricted]
    siblings = Relationship.objects.filter(related_child_id__in=ids, kind__in=SIBLING_TYPES)
    notes = CaseNote.objects.filter(children__in=ids, status=NoteStatus.FINAL).distinct()
    contacts = ContactChild.objects.filter(child_id__in=ids)
    urls = {f"/children/{r.child_id}/" for r in siblings}
    urls |= {f"/children/{r.child_id}/print/" for r in siblings}
    urls |= {f"/notes/{note.pk}/" for note in notes}
    urls |= {f"/front-door/contacts/{c.contact_id}/" for c in contacts}
    return urls


@dataclass
class Walk:
    visited: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    unlogged: list[str] = field(default_factory=list)
    navigation: list[str] = field(default_factory=list)
    opened: set[str] = field(default_factory=set)


def children_linked(html: str) -> set[int]:
    return {int(child_id) for child_id in CHILD_LINK.findall(html)}


def logged_on(user, url: str) -> set[int]:
    """The children whose name this page's visit logged (as viewed, listed or exported)."""
    path = urlsplit(url).path
    rows = RecordAccess.objects.filter(user=user).exclude(kind=AccessKind.REFUSED)
    return {
        child_id for child_id, logged in rows.values_list("child_id", "path") if logged.split("?")[0] == path
    }


def lists_to_start_from(restricted: list[Child]) -> list[str]:
    """Every list that names children, and a search for a restricted child's surname."""
    return [
        f"/children/?q={restricted[0].last_name}",
        "/work/mine/",
        "/work/team/",
        "/work/service/",
        "/work/oversight/",
        "/allocation/unallocated/",
        "/front-door/",
        "/looked-after/care-leavers/",
        "/oversight/escalations/",
        "/oversight/escalations/all/",
        "/insight/dashboard/",
        "/insight/kpis/",
        "/returns/",
        "/notes/mine/",
        "/quality/audits/",
        "/quality/moderation/",
    ]


def walk(client, user, secrets: Secrets, priority: set[str], lists: list[str]) -> Walk:
    """Breadth first from the home page and the lists; links near a restricted child go to the front of the
    queue."""
    result = Walk()
    queue: deque[str] = deque(["/", *lists])
    seen = set(queue)
    per_kind: Counter = Counter()
    while queue and len(result.visited) < PAGES_PER_ROLE:
        url = queue.popleft()
        kind = kind_of_page(url)
        if per_kind[kind] >= PAGES_PER_KIND:
            continue
        per_kind[kind] += 1
        RecordAccess.objects.filter(user=user).delete()  # what this page logs, alone
        response = client.get(url)
        result.visited.append(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        result.opened.add(url)
        html = response.content.decode()
        shown = secrets.shown_in(html)
        if shown:
            result.leaks.append(f"{url} shows {', '.join(shown)}")
        unlogged = children_linked(html) - logged_on(user, url)
        if unlogged:
            result.unlogged.append(f"{url} names children {sorted(unlogged)[:5]} without logging them")
        links = links_on(html)
        if url == "/":
            result.navigation = [link for link in links if not re.search(r"\d", link)]
        for link in links:
            if link not in seen:
                seen.add(link)
                (queue.appendleft if link in priority else queue.append)(link)
    return result


def people_to_sign_in_as(restricted: list[Child]) -> list[User]:
    """One person of each role; for team roles, the front door and the team that holds a restricted child."""
    active = User.objects.filter(is_active=True).select_related("team").order_by("pk")
    people = [active.filter(role=role).first() for role in Role.values if role not in TEAM_ROLE_VALUES]
    teams = {child.responsible_team_id for child in restricted} - {None}
    for role in TEAM_ROLE_VALUES:
        people.append(active.filter(role=role, team__kind=TeamKind.FRONT_DOOR).first())
        people.append(active.filter(role=role, team_id__in=teams).first())
    return [person for person in dict.fromkeys(people) if person is not None]


TEAM_ROLE_VALUES = (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)


@pytest.fixture
def generated(db):
    with time_machine.travel(timezone.make_aware(dt.datetime(2025, 11, 20, 10, 0)), tick=False):
        call_command("generate", children=CHILDREN, seed=7, today=TODAY, verbosity=0)
        yield


def test_the_generated_authority_has_restricted_children_with_siblings_shared_notes_and_contacts(generated):
    restricted = list(Child.objects.filter(is_restricted=True))
    assert len(restricted) >= 3
    for child in restricted:
        assert child.access_grants.exists()
        assert Relationship.objects.filter(related_child=child, kind__in=SIBLING_TYPES).exists()
        shared = CaseNote.objects.filter(children=child, status=NoteStatus.FINAL).filter(
            children__in=Child.objects.exclude(pk=child.pk)
        )
        assert shared.exists()
        assert ContactChild.objects.filter(child=child).exists()


def test_no_page_names_a_child_the_user_may_not_open(generated, client_for):
    restricted = list(Child.objects.filter(is_restricted=True).select_related("responsible_team"))
    priority = near_restricted_urls(restricted)
    reached_near, opened = 0, set()
    lists = lists_to_start_from(restricted)
    people = people_to_sign_in_as(restricted)
    assert {person.role for person in people} == set(Role.values)
    for person in people:
        hidden = list(Child.objects.exclude(child_visibility_filter(person)))
        assert all(not can_view_child(person, child) for child in hidden)
        result = walk(client_for(person), person, Secrets.about(hidden), priority, lists)
        assert not result.leaks, f"{person.role} ({person.username}): {result.leaks[:5]}"
        assert not result.unlogged, f"{person.role} ({person.username}): {result.unlogged[:5]}"
        assert set(result.navigation) <= set(result.visited), "the walk stopped before the navigation's pages"
        reached_near += len(priority & result.opened)
        opened |= result.opened
    assert reached_near > 0, "the walk never reached a page near a restricted child"
    assert set(lists) <= opened, f"no role could open {sorted(set(lists) - opened)}"
