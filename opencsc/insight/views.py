import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.audit.services import record_access_log_list
from opencsc.insight.sufficiency import placements_on, sufficiency_on
from opencsc.people.selectors import children_visible_to

SUFFICIENCY_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}


def _day(text: str | None) -> tuple[dt.date, str]:
    if not text:
        return timezone.localdate(), ""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return timezone.localdate(), "Enter the date as YYYY-MM-DD: showing today instead"
    if day > timezone.localdate():
        return timezone.localdate(), "The date must be today or in the past: showing today instead"
    return day, ""


@login_required
def sufficiency(request):
    if request.user.role not in SUFFICIENCY_ROLES:
        raise PermissionDenied("Only managers, heads of service, the director and analysts see sufficiency")
    day, problem = _day(request.GET.get("on"))
    placements = placements_on(day)
    breakdowns = sufficiency_on(day, placements)
    dimension, value = request.GET.get("dimension"), request.GET.get("value")
    chosen = next(
        (
            _drill_down(request, f"{breakdown.title}: {label}", ids, placements)
            for breakdown in breakdowns
            for key, label, ids in breakdown.rows
            if breakdown.key == dimension and key == value
        ),
        None,
    )
    context = {
        "day": day,
        "problem": problem,
        "breakdowns": breakdowns,
        "chosen": chosen,
        "total": breakdowns[0].total,
    }
    return render(request, "insight/sufficiency.html", context)


def _drill_down(request, title: str, ids: list[int], placements) -> dict:
    """The children behind a number that the user may open, each with their placement; the listing is logged."""
    placement_of = {placement.child_id: placement for placement in placements}
    visible = list(
        children_visible_to(request.user).filter(pk__in=ids).order_by("last_name", "first_name", "pk")
    )
    record_access_log_list(
        user=request.user, child_ids=[child.pk for child in visible], path=request.get_full_path()
    )
    return {
        "title": title,
        "rows": [(child, placement_of[child.pk]) for child in visible],
        "hidden": len(ids) - len(visible),
    }
