"""Navigation grouped by what each person does in a working day.

Rules:
- The pages are grouped into five sections: today's work, children, leadership, returns and administration.
  The service navigation (GOV.UK Frontend's service navigation component) shows one link per section in which
  the person may open at least one page, so a director sees five links rather than seventeen.
- A section with a single page for the person links straight to it; a section with more links to its landing
  page (`/sections/<slug>/`), which lists the section's pages with what each is for (the GOV.UK pattern of a
  section landing page), and every page of that section repeats the section's pages in a second row.
- Each page is offered only where its own permission check lets the person open it: the predicates here are
  the same functions the views use, so the navigation never offers a page that answers "refused".
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from opencsc.accounts.access import TEAM_ROLES, can_search_children
from opencsc.accounts.models import Role
from opencsc.allegations.access import can_record_allegation, can_view_allegation_figures
from opencsc.audit.selectors import can_search_audit_trail
from opencsc.casework.oversight_records import OVERSIGHT_ROLES
from opencsc.casework.services import ALLOCATING_ROLES
from opencsc.casework.work_views import SERVICE_ROLES
from opencsc.dataflow.selectors import can_view_dataflow
from opencsc.earlyhelp.figures import can_view_figures as can_view_early_help
from opencsc.exploitation.views import can_view_exploitation
from opencsc.finance.selectors import can_view_budget
from opencsc.frontdoor.demand import can_view_demand
from opencsc.frontdoor.selectors import can_work_front_door
from opencsc.insight.dashboard import can_view_dashboard
from opencsc.insight.views import FORECAST_ROLES, SUFFICIENCY_ROLES
from opencsc.legal.views import can_view_proceedings
from opencsc.looked_after.care_leaver_views import CARE_LEAVER_LIST_ROLES
from opencsc.oversight.board_pack import can_view_board_pack
from opencsc.oversight.improvement import can_read_plan
from opencsc.oversight.selectors import can_view_chain
from opencsc.privatefostering.figures import can_view_figures as can_view_private_fostering
from opencsc.quality.selectors import can_view_figures as can_view_audit_figures
from opencsc.returns.selectors import can_see_worklist
from opencsc.workforce.selectors import can_view_workforce


@dataclass(frozen=True)
class Page:
    text: str
    url_name: str
    purpose: str
    may_open: Callable[[object], bool]


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    pages: tuple[Page, ...]


def _role_in(*roles) -> Callable[[object], bool]:
    allowed = frozenset(role for group in roles for role in group)
    return lambda user: user.role in allowed


def _in_a_team(user) -> bool:
    return user.role in TEAM_ROLES and user.team_id is not None


def _allocates(user) -> bool:
    """A team manager allocates within their own team, so one without a team has no list."""
    return user.role in ALLOCATING_ROLES and (user.role != Role.TEAM_MANAGER or user.team_id is not None)


SECTIONS = (
    Section(
        "today",
        "Today's work",
        (
            Page("My work", "work:mine", "What is due and overdue on your own cases", _role_in(TEAM_ROLES)),
            Page(
                "My draft notes",
                "casework:my_notes",
                "Case notes you have started and not finalised",
                _role_in(TEAM_ROLES),
            ),
            Page("Team's work", "work:team", "Your team's due and overdue work, by worker", _in_a_team),
            Page(
                "Service's work",
                "work:service",
                "Due and overdue work across the service, by team",
                _role_in(SERVICE_ROLES),
            ),
            Page(
                "Front door",
                "frontdoor:queue",
                "Contacts waiting for checks and a decision",
                can_work_front_door,
            ),
            Page(
                "Unallocated",
                "casework:unallocated",
                "Children with statutory work and no social worker",
                _allocates,
            ),
            Page(
                "Oversight",
                "work:oversight",
                "Management oversight and supervision due",
                _role_in(OVERSIGHT_ROLES),
            ),
            Page(
                "My IRO caseload",
                "iro:caseload",
                "The children whose IRO you are and their recommendations",
                _role_in([Role.INDEPENDENT_REVIEWING_OFFICER]),
            ),
            Page(
                "Allegations",
                "allegations:list",
                "Allegations against people who work with children (the designated officer's team)",
                can_record_allegation,
            ),
            Page(
                "Escalations",
                "oversight:escalations",
                "Escalations you hold or raised, and the daily digest",
                lambda user: user.role in TEAM_ROLES or can_view_chain(user),
            ),
        ),
    ),
    Section(
        "children",
        "Children",
        (
            Page(
                "Find a child",
                "people:search",
                "Search the children whose records you may open",
                can_search_children,
            ),
            Page(
                "Care leavers",
                "care_leavers:care_leavers",
                "Care leavers, their pathway plans and contact",
                _role_in(CARE_LEAVER_LIST_ROLES),
            ),
            Page(
                "Where children live",
                "insight:sufficiency",
                "Looked-after children in and out of county, by placement type",
                _role_in(SUFFICIENCY_ROLES),
            ),
        ),
    ),
    Section(
        "leadership",
        "Leadership",
        (
            Page(
                "Dashboard",
                "numbers:dashboard",
                "Every measure with its trend, target and the children behind it",
                can_view_dashboard,
            ),
            Page(
                "KPIs",
                "numbers:kpis",
                "The key performance indicators for a reporting year",
                can_view_dashboard,
            ),
            Page(
                "Demand", "demand:page", "Contacts and referrals by source and the forecast", can_view_demand
            ),
            Page(
                "Early help",
                "earlyhelp:service",
                "Early help demand, step-ups, step-downs and re-referrals",
                can_view_early_help,
            ),
            Page(
                "Private fostering",
                "privatefostering:service",
                "Private fostering notifications, first visits in time and visits overdue",
                can_view_private_fostering,
            ),
            Page(
                "Care forecast",
                "insight:forecast",
                "Children looked after a year on, with the weekly cost",
                _role_in(FORECAST_ROLES),
            ),
            Page(
                "Care proceedings",
                "legal:proceedings",
                "Open care proceedings by week of the 26-week timetable, and how long they take",
                can_view_proceedings,
            ),
            Page(
                "Exploitation and missing",
                "exploitation:service",
                "Children at risk of exploitation, overdue screenings, NRM decisions, missing and shared places",
                can_view_exploitation,
            ),
            Page(
                "Allegations against staff",
                "allegations:service",
                "Allegations by sector and outcome, time taken against the targets, open cases by age",
                can_view_allegation_figures,
            ),
            Page(
                "Placements budget",
                "finance:budget",
                "Spend, commitments and the forecast outturn",
                can_view_budget,
            ),
            Page(
                "Workforce",
                "workforce:overview",
                "Staff, vacancies, agency, turnover and caseloads",
                can_view_workforce,
            ),
            Page(
                "Case file audits",
                "quality:figures",
                "Audit grades by team and month, moderation and programmes",
                can_view_audit_figures,
            ),
            Page(
                "Improvement plan",
                "oversight:plan",
                "The improvement plan's actions and their progress",
                can_read_plan,
            ),
            Page(
                "Board pack",
                "board:pack",
                "The improvement board's pack, printable and as a PDF",
                can_view_board_pack,
            ),
        ),
    ),
    Section(
        "returns",
        "Returns",
        (
            Page(
                "Returns",
                "returns:worklist",
                "Return checks, the data-quality worklist and downloads",
                can_see_worklist,
            ),
        ),
    ),
    Section(
        "administration",
        "Administration",
        (
            Page(
                "Audit trail",
                "audit:search",
                "Every look at a record and every change, searchable",
                can_search_audit_trail,
            ),
            Page(
                "Staff accounts",
                "accounts:staff_list",
                "Staff accounts, roles and teams",
                _role_in([Role.ADMINISTRATOR]),
            ),
            Page(
                "API clients",
                "api_clients:list",
                "Partner systems and reporting tools that read through the API: credentials, scopes, calls",
                _role_in([Role.ADMINISTRATOR]),
            ),
            Page(
                "DfE data flow",
                "dataflow:outbox",
                "Children's records sent to the DfE's API: what waits, what failed and why, recent runs",
                can_view_dataflow,
            ),
            Page(
                "Document templates",
                "doc_templates:versions",
                "Practice document templates and their versions",
                _role_in([Role.ADMINISTRATOR]),
            ),
            Page(
                "Role approvals",
                "accounts:role_approvals",
                "Senior role changes waiting for your approval",
                _role_in([Role.DIRECTOR]),
            ),
        ),
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    purpose: str


@dataclass(frozen=True)
class SectionLinks:
    section: Section
    links: tuple[Link, ...]

    @property
    def href(self) -> str:
        if len(self.links) == 1:
            return self.links[0].href
        return reverse("ui:section", args=[self.section.slug])


def sections_for(user) -> list[SectionLinks]:
    """The sections the person has at least one page in, each with only the pages they may open."""
    found = []
    for section in SECTIONS:
        links = tuple(
            Link(page.text, reverse(page.url_name), page.purpose)
            for page in section.pages
            if page.may_open(user)
        )
        if links:
            found.append(SectionLinks(section, links))
    return found


def _owning_section(sections: list[SectionLinks], path: str) -> SectionLinks | None:
    """The section whose page, or section landing page, the path is (or is under): the longest match wins."""
    best, best_length = None, 0
    for entry in sections:
        prefixes = [link.href for link in entry.links] + [reverse("ui:section", args=[entry.section.slug])]
        for prefix in prefixes:
            if path.startswith(prefix) and len(prefix) > best_length:
                best, best_length = entry, len(prefix)
    return best


def navigation_for(user, path: str) -> dict:
    """The service navigation's items and, on a page of a section with several pages, that section's row."""
    sections = sections_for(user)
    current = _owning_section(sections, path)
    items = [
        {
            "text": entry.section.title,
            "href": entry.href,
            "active": entry is current,
            "current": path == entry.href,
        }
        for entry in sections
    ]
    section_row = None
    if current is not None and len(current.links) > 1:
        section_row = {
            "title": current.section.title,
            "items": [
                {"text": link.text, "href": link.href, "current": path == link.href} for link in current.links
            ],
        }
    return {"navigation_items": items, "section_navigation": section_row}
