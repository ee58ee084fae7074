import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.audit.services import record_access_log_list
from opencsc.insight.forecast import (
    CATEGORIES,
    CATEGORY_LABELS,
    DEFAULT_WINDOW_MONTHS,
    MAX_INFLATION_PERCENT,
    MIN_INFLATION_PERCENT,
    Forecast,
    NoEpisodes,
    forecast,
    state_label,
)
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


FORECAST_ROLES = SUFFICIENCY_ROLES
LONGEST_FORECAST_YEARS = 5


def _forecast_to(text: str | None, today: dt.date) -> tuple[dt.date, str]:
    default = _years_after(today, 1)
    if not text:
        return default, ""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return default, "Forecast to: enter the date as YYYY-MM-DD"
    if day < today:
        return default, "Forecast to: the date must be today or later (last year's forecast is shown below)"
    if day > _years_after(today, LONGEST_FORECAST_YEARS):
        return default, f"Forecast to: the date must be within {LONGEST_FORECAST_YEARS} years of today"
    return day, ""


def _window(text: str | None) -> tuple[int, str]:
    if not text:
        return DEFAULT_WINDOW_MONTHS, ""
    if not text.strip().isdigit() or not 1 <= int(text) <= 240:
        return DEFAULT_WINDOW_MONTHS, "Reference window: enter a whole number of months from 1 to 240"
    return int(text), ""


def _inflation(text: str | None) -> tuple[float, str]:
    if not text or not text.strip():
        return 0.0, ""
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        value = None
    if value is None or not MIN_INFLATION_PERCENT <= value <= MAX_INFLATION_PERCENT:
        return 0.0, (
            f"Inflation: enter an annual percentage from {MIN_INFLATION_PERCENT:g} to {MAX_INFLATION_PERCENT:g}, "
            "like 3.5"
        )
    return value, ""


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _today_by_category(result: Forecast) -> dict[str, int]:
    counts = dict.fromkeys(CATEGORIES, 0)
    for state, children in enumerate(result.rates.stock):
        counts[state_label(state)[1]] += int(children)
    return counts


def _month_ends(result: Forecast) -> list[tuple[dt.date, object]]:
    """The band at each month end of the horizon (and on the last day)."""
    rows = []
    for offset, interval in enumerate(result.daily_total):
        day = result.as_of + dt.timedelta(days=offset)
        if offset and ((day + dt.timedelta(days=1)).day == 1 or day == result.to):
            rows.append((day, interval))
    return rows


@login_required
def forecast_page(request):
    """The demand forecast for the director: the children looked after on a day to come, by placement category,
    with the 80% interval and the weekly cost, and how the forecast made a year ago did against today."""
    if request.user.role not in FORECAST_ROLES:
        raise PermissionDenied("Only managers, heads of service, the director and analysts see the forecast")
    today = timezone.localdate()
    to, to_problem = _forecast_to(request.GET.get("to"), today)
    window, window_problem = _window(request.GET.get("window"))
    inflation, inflation_problem = _inflation(request.GET.get("inflation"))
    context = {
        "today": today,
        "to": to,
        "window": window,
        "typed_to": request.GET.get("to", to.isoformat()),
        "typed_window": request.GET.get("window", str(window)),
        "to_problem": to_problem,
        "window_problem": window_problem,
        "inflation": inflation,
        "typed_inflation": request.GET.get("inflation", f"{inflation:g}"),
        "inflation_problem": inflation_problem,
        "categories": [(category, CATEGORY_LABELS[category]) for category in CATEGORIES],
    }
    try:
        result = forecast(as_of=today, to=to, window_months=window, inflation_percent=inflation)
    except NoEpisodes as empty:
        context["empty"] = str(empty)
    else:
        context |= {"result": result, "now": _today_by_category(result), "month_ends": _month_ends(result)}
        context["looked_after_today"] = int(result.rates.stock.sum())
    year_ago = _years_after(today, -1)
    try:
        context["last_year"] = forecast(as_of=year_ago, to=today, window_months=window)
    except NoEpisodes:
        context["last_year_empty"] = True
    return render(request, "insight/forecast.html", context)
