import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.insight.sufficiency import sufficiency_on
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
    breakdowns = sufficiency_on(day)
    chosen = None
    dimension, value = request.GET.get("dimension"), request.GET.get("value")
    for breakdown in breakdowns:
        for key, label, ids in breakdown.rows:
            if breakdown.key == dimension and key == value:
                visible = (
                    children_visible_to(request.user).filter(pk__in=ids).order_by("last_name", "first_name")
                )
                chosen = {
                    "title": f"{breakdown.title}: {label}",
                    "children": list(visible),
                    "hidden": len(ids),
                }
                chosen["hidden"] -= len(chosen["children"])
    context = {
        "day": day,
        "problem": problem,
        "breakdowns": breakdowns,
        "chosen": chosen,
        "total": breakdowns[0].total,
    }
    return render(request, "insight/sufficiency.html", context)
