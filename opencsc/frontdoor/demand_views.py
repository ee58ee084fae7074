"""The demand page: contacts (or referrals) by source over time, the watch's view of each source, open alerts and
the head of service's response to them."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencsc.core.codes import SourceGroup
from opencsc.frontdoor import demand, demand_forecast
from opencsc.frontdoor.models import DemandAlert
from opencsc.ui.govuk_forms import LongTextField, error_summary, field_errors_from_validation

MONTHS_SHOWN = 24
WEEKS_SHOWN = 26

# GOV.UK colour palette, one per source group, in SourceGroup order.
GROUP_COLOURS = {
    SourceGroup.INDIVIDUALS: "#1d70b8",
    SourceGroup.EDUCATION: "#00703c",
    SourceGroup.HEALTH: "#d53880",
    SourceGroup.HOUSING: "#b58840",
    SourceGroup.LA_SERVICES: "#4c2c92",
    SourceGroup.POLICE: "#0b0c0c",
    SourceGroup.LEGAL: "#f47738",
    SourceGroup.OTHER: "#b1b4b6",
}


class AlertResponseForm(forms.Form):
    response = LongTextField(
        label="What is being done about it",
        max_length=5_000,
        holder="a response",
        help_text="For example: extra social workers moved to the front door, a meeting with the police.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # the service says what is missing, in the service's words
    )


def _window(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    if period == "week":
        return demand.week_start(today) - dt.timedelta(weeks=WEEKS_SHOWN - 1), today
    return demand.add_months(today, -(MONTHS_SHOWN - 1)), today


def _nice_step(maximum: int, ticks: int = 5) -> int:
    raw = max(maximum, 1) / ticks
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * magnitude:
            return max(int(multiple * magnitude), 1)
    return int(10 * magnitude)


def chart_geometry(series: demand.DemandSeries, *, width: int = 760, height: int = 320) -> dict:
    """Stacked bars, one per period, coloured by source group, for a server-drawn SVG: no script needed."""
    left, right, top, bottom = 48, 8, 12, 44
    plot_width, plot_height = width - left - right, height - top - bottom
    step = _nice_step(series.maximum)
    ceiling = step * max(1, -(-series.maximum // step))
    slot = plot_width / max(len(series.periods), 1)
    bar_width = slot * 0.72
    label_every = 1 if len(series.periods) <= 13 else 2 if series.period == "month" else 4
    bars = []
    for index, period in enumerate(series.periods):
        x = left + index * slot + (slot - bar_width) / 2
        y_bottom = top + plot_height
        segments = []
        for group in SourceGroup:
            count = period.counts[group]
            if not count:
                continue
            h = plot_height * count / ceiling
            y_bottom -= h
            segments.append(
                {
                    "x": round(x, 1),
                    "y": round(y_bottom, 1),
                    "width": round(bar_width, 1),
                    "height": round(h, 1),
                    "colour": GROUP_COLOURS[group],
                    "title": f"{_period_label(series.period, period)}, {group.label}: {count}",
                }
            )
        bars.append(
            {
                "segments": segments,
                "label": _short_label(series.period, period.start) if index % label_every == 0 else "",
                "label_x": round(x + bar_width / 2, 1),
                "is_partial": period.is_partial,
            }
        )
    ticks = [
        {"value": value, "y": round(top + plot_height - plot_height * value / ceiling, 1)}
        for value in range(0, ceiling + 1, step)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "baseline_y": top + plot_height,
        "label_y": top + plot_height + 18,
        "bars": bars,
        "ticks": ticks,
        "legend": [{"label": g.label, "colour": GROUP_COLOURS[g]} for g in SourceGroup],
    }


def _short_label(period: str, start: dt.date) -> str:
    return f"{start:%b %y}" if period == "month" else f"{start.day} {start:%b}"


def _period_label(period: str, counts: demand.PeriodCounts) -> str:
    if period == "month":
        text = f"{counts.start:%B %Y}"
    else:
        text = f"Week from {counts.start.day} {counts.start:%b %Y}"
    return f"{text} (to date)" if counts.is_partial else text


def _page(request, *, forms_by_alert: dict | None = None, status: int = 200):
    user = request.user
    period = request.GET.get("period", "month")
    period = period if period in demand.PERIODS else "month"
    kind = request.GET.get("kind", "contacts")
    kind = kind if kind in demand.KINDS else "contacts"
    today = timezone.localdate()
    start, end = _window(period, today)
    series = demand.demand_series(kind=kind, period=period, start=start, end=end)
    open_alerts = demand.demand_alerts_open()
    can_acknowledge = demand.can_acknowledge_demand(user)
    forms_by_alert = forms_by_alert or {}
    if can_acknowledge:
        for item in open_alerts:
            forms_by_alert.setdefault(item.alert.pk, AlertResponseForm(prefix=f"alert-{item.alert.pk}"))
    rows = [
        {"label": _period_label(period, p), "counts": [p.counts[g] for g in SourceGroup], "total": p.total}
        for p in reversed(series.periods)
    ]
    context = {
        "series": series,
        "period": period,
        "kind": kind,
        "groups": list(SourceGroup),
        "rows": rows,
        "group_totals": [series.group_total(g) for g in SourceGroup],
        "grand_total": sum(p.total for p in series.periods),
        "chart": chart_geometry(series),
        "demand_alerts_open": open_alerts,
        "acknowledged_alerts": demand.demand_alerts_recent_acknowledged(),
        "comparison": demand.demand_comparison(as_of=today),
        "watch_settings": demand.demand_settings(),
        "can_acknowledge": can_acknowledge,
        "can_view_forecast": demand_forecast.can_view_demand_forecast(user),
        "forms_by_alert": forms_by_alert,
        "error_summary_params": error_summary(*forms_by_alert.values()),
        "page_has_errors": any(form.errors for form in forms_by_alert.values()),
    }
    return render(request, "frontdoor/demand.html", context, status=status)


@login_required
def demand_page(request):
    if not demand.can_view_demand(request.user):
        raise PermissionDenied("The demand page is for front-door staff, managers and performance analysts")
    return _page(request)


@require_POST
@login_required
def demand_alert_acknowledge(request, alert_id: int):
    if not demand.can_view_demand(request.user) or not demand.can_acknowledge_demand(request.user):
        raise PermissionDenied("Only a head of service or director can respond to a demand alert")
    try:
        alert = DemandAlert.objects.get(pk=alert_id)
    except DemandAlert.DoesNotExist as missing:
        raise Http404("No such demand alert") from missing
    form = AlertResponseForm(request.POST, prefix=f"alert-{alert.pk}")
    if form.is_valid():
        try:
            demand.demand_alert_acknowledge(
                actor=request.user, alert=alert, response=form.cleaned_data["response"]
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            label = demand.SourceGroup(alert.source_group).label
            messages.success(request, f"Response recorded for the {label.lower()} demand alert")
            return redirect("demand:page")
    return _page(request, forms_by_alert={alert.pk: form})


@login_required
def demand_forecast_page(request):
    """Contacts or referrals by month and source, the seasonal pattern, the next twelve months with their 80%
    interval, and the watch's surges against what was expected (demand_forecast.py)."""
    if not demand_forecast.can_view_demand_forecast(request.user):
        raise PermissionDenied("The demand forecast is for heads of service, the director and analysts")
    typed = request.GET.get("kind", "contacts")
    kind = typed if typed in demand.KINDS else "contacts"
    problem = "" if kind == typed else "What to forecast: choose contacts or referrals (showing contacts)"
    outlook = demand_forecast.demand_outlook(kind=kind, as_of=timezone.localdate())
    context = {"outlook": outlook, "kind": kind, "problem": problem, "groups": list(SourceGroup)}
    return render(request, "frontdoor/demand_forecast.html", context)
