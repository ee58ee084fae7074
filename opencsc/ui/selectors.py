from dataclasses import dataclass, field

from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.casework.caseload import unallocated_children, unallocated_count
from opencsc.casework.selectors import drafts_for, my_allocated_children
from opencsc.casework.services import ALLOCATING_ROLES
from opencsc.frontdoor.selectors import can_work_front_door, front_door_counts
from opencsc.oversight.digest import WaitingItem, waiting_for
from opencsc.people.models import Alert
from opencsc.people.selectors import children_visible_to


@dataclass(frozen=True)
class HomeSummary:
    allocated_children: list
    draft_notes: list
    alerts_due_review: list
    front_door: dict | None = None
    unallocated: dict | None = None
    waiting: list[WaitingItem] = field(
        default_factory=list
    )  # what waits for a leader: the page starts with it


def _front_door_summary(user) -> dict | None:
    if not can_work_front_door(user):
        return None
    open_contacts, overdue = front_door_counts()
    return {"open": open_contacts, "overdue": overdue}


def _unallocated_summary(user) -> dict | None:
    if user.role not in ALLOCATING_ROLES:
        return None
    team = user.team if user.role == Role.TEAM_MANAGER else None
    return {
        "service": unallocated_count(),
        "team": len(unallocated_children(team=team)) if team else None,
        "team_obj": team,
    }


def home_summary(*, user) -> HomeSummary:
    today = timezone.localdate()
    visible = children_visible_to(user)
    alerts = (
        Alert.objects.filter(
            child__in=visible.filter(allocations__worker=user, allocations__ended_on__isnull=True)
        )
        .filter(ended_on__isnull=True, review_on__lte=today)
        .select_related("child")[:20]
    )
    return HomeSummary(
        allocated_children=list(
            visible.filter(pk__in=[child.pk for child in my_allocated_children(user=user)]).order_by(
                "last_name_key", "first_name_key"
            )
        ),
        draft_notes=list(drafts_for(user=user)[:20]),
        alerts_due_review=list(alerts),
        front_door=_front_door_summary(user),
        unallocated=_unallocated_summary(user),
        waiting=waiting_for(user=user, day=today),
    )
