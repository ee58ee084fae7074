from django.urls import reverse

from opencsc.accounts.access import TEAM_ROLES, can_create_child, can_search_children
from opencsc.accounts.models import Role
from opencsc.casework.services import ALLOCATING_ROLES
from opencsc.frontdoor.demand import can_view_demand
from opencsc.frontdoor.selectors import can_work_front_door


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        current = request.path
        links = [("Home", reverse("ui:home"), True)]
        links.append(("Find a child", reverse("people:search"), can_search_children(user)))
        links.append(("Add a child", reverse("people:create"), can_create_child(user)))
        links.append(("Front door", reverse("frontdoor:queue"), can_work_front_door(user)))
        links.append(("Demand", reverse("demand:page"), can_view_demand(user)))
        links.append(("Unallocated", reverse("casework:unallocated"), user.role in ALLOCATING_ROLES))
        links.append(("My notes", reverse("casework:my_notes"), user.role in TEAM_ROLES))
        links.append(("Staff accounts", reverse("accounts:staff_list"), user.role == Role.ADMINISTRATOR))
        for text, href, allowed in links:
            if allowed:
                items.append({"text": text, "href": href, "active": current == href})
    return {"navigation_items": items, "cspNonce": getattr(request, "csp_nonce", "")}
