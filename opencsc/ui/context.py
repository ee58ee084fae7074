from django.urls import reverse

from opencsc.accounts.access import TEAM_ROLES, can_search_children
from opencsc.accounts.models import Role
from opencsc.audit.selectors import can_search_audit_trail
from opencsc.casework.oversight_records import OVERSIGHT_ROLES
from opencsc.casework.services import ALLOCATING_ROLES
from opencsc.casework.work_views import SERVICE_ROLES
from opencsc.finance.selectors import can_view_budget
from opencsc.frontdoor.demand import can_view_demand
from opencsc.frontdoor.selectors import can_work_front_door
from opencsc.insight.dashboard import can_view_dashboard
from opencsc.insight.views import FORECAST_ROLES, SUFFICIENCY_ROLES
from opencsc.looked_after.care_leaver_views import CARE_LEAVER_LIST_ROLES
from opencsc.oversight.board_pack import can_view_board_pack
from opencsc.oversight.improvement import can_read_plan
from opencsc.oversight.selectors import can_view_chain
from opencsc.quality.selectors import can_view_figures as can_view_audit_figures
from opencsc.returns.selectors import can_see_worklist
from opencsc.workforce.selectors import can_view_workforce


def _links_for(user) -> list[tuple[str, str, bool]]:
    """Each page a role works from, in the order a working day uses them."""
    return [
        ("Home", "ui:home", True),
        ("Dashboard", "numbers:dashboard", can_view_dashboard(user)),
        ("Find a child", "people:search", can_search_children(user)),
        ("My work", "work:mine", user.role in TEAM_ROLES),
        ("Team's work", "work:team", user.role == Role.TEAM_MANAGER),
        ("Service's work", "work:service", user.role in SERVICE_ROLES),
        ("Front door", "frontdoor:queue", can_work_front_door(user)),
        ("Demand", "demand:page", can_view_demand(user)),
        ("Unallocated", "casework:unallocated", user.role in ALLOCATING_ROLES),
        ("Oversight", "work:oversight", user.role in OVERSIGHT_ROLES),
        ("Where children live", "insight:sufficiency", user.role in SUFFICIENCY_ROLES),
        ("Care forecast", "insight:forecast", user.role in FORECAST_ROLES),
        ("Placements budget", "finance:budget", can_view_budget(user)),
        ("KPIs", "numbers:kpis", can_view_dashboard(user)),
        ("Care leavers", "care_leavers:care_leavers", user.role in CARE_LEAVER_LIST_ROLES),
        ("My IRO caseload", "iro:caseload", user.role == Role.INDEPENDENT_REVIEWING_OFFICER),
        ("Escalations", "oversight:escalations", user.role in TEAM_ROLES or can_view_chain(user)),
        ("Improvement plan", "oversight:plan", can_read_plan(user)),
        ("Board pack", "board:pack", can_view_board_pack(user)),
        ("Workforce", "workforce:overview", can_view_workforce(user)),
        ("Case file audits", "quality:figures", can_view_audit_figures(user)),
        ("Returns", "returns:worklist", can_see_worklist(user)),
        ("Audit trail", "audit:search", can_search_audit_trail(user)),
        ("Staff accounts", "accounts:staff_list", user.role == Role.ADMINISTRATOR),
        ("API clients", "api_clients:list", user.role == Role.ADMINISTRATOR),
        ("Document templates", "doc_templates:versions", user.role == Role.ADMINISTRATOR),
        ("Role approvals", "accounts:role_approvals", user.role == Role.DIRECTOR),
    ]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for text, name, allowed in _links_for(user):
            if allowed:
                href = reverse(name)
                items.append({"text": text, "href": href, "active": request.path == href})
    return {"navigation_items": items, "cspNonce": getattr(request, "csp_nonce", "")}
