"""Demand watch: contacts and referrals by source over time, and an alert when a source runs well above its own
baseline.

The baseline for a source is the same calendar months one year earlier, so a rise that happens every year (schools
refer more in September to November) does not fire, while a rise on last year (police up 143% on the same months)
does. Small sources do not fire on noise: the recent count must reach a minimum.

Settings (each read from Django settings, then the environment, then the default):
OPENCSC_DEMAND_MARGIN_PERCENT (50), OPENCSC_DEMAND_RECENT_MONTHS (3), OPENCSC_DEMAND_MINIMUM (30).
"""

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from opencsc.accounts.models import Role, TeamKind, User
from opencsc.audit.services import audit_event_record
from opencsc.core.codes import ReferralSource, SourceGroup, source_group
from opencsc.frontdoor import notifications
from opencsc.frontdoor.models import Contact, DemandAlert, Referral

DEFAULT_MARGIN_PERCENT = 50
DEFAULT_RECENT_MONTHS = 3
DEFAULT_MINIMUM = 30

KINDS = ("contacts", "referrals")
PERIODS = ("week", "month")

ACKNOWLEDGING_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR}
VIEWING_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST, Role.TEAM_MANAGER}

# Every DfE source code, by the group it is watched in: lets the database count by code and Python add codes up.
GROUP_OF_CODE = {code.value: source_group(code.value) for code in ReferralSource}


def _setting(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value in (None, ""):
        return default
    return int(value)


def demand_settings() -> dict[str, int]:
    return {
        "margin_percent": _setting("OPENCSC_DEMAND_MARGIN_PERCENT", DEFAULT_MARGIN_PERCENT),
        "recent_months": _setting("OPENCSC_DEMAND_RECENT_MONTHS", DEFAULT_RECENT_MONTHS),
        "minimum_recent": _setting("OPENCSC_DEMAND_MINIMUM", DEFAULT_MINIMUM),
    }


# ---------------------------------------------------------------------------------------------------------------
# Calendar helpers


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a day in the authority's time zone, as an aware datetime (right across clock changes)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_zone())


def period_bounds(period: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Each week (Monday to Sunday) or calendar month that overlaps start..end, whole, in order."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    bounds = []
    if period == "week":
        current = week_start(start)
        while current <= end:
            bounds.append((current, current + dt.timedelta(days=6)))
            current += dt.timedelta(days=7)
    else:
        current = month_start(start)
        while current <= end:
            bounds.append((current, month_end(current)))
            current = add_months(current, 1)
    return bounds


def format_span(start: dt.date, end: dt.date) -> str:
    """'1 Jul–30 Sep 2026', or '1 Nov 2025–31 Jan 2026' across a year end."""
    if start.year == end.year:
        return f"{start.day} {start:%b}–{end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y}–{end.day} {end:%b %Y}"


def format_percent(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else f"{value:.1f}"


# ---------------------------------------------------------------------------------------------------------------
# Selectors: the series


@dataclass(frozen=True)
class PeriodCounts:
    start: dt.date
    end: dt.date
    counts: dict[str, int]  # SourceGroup value -> count, every group present
    is_partial: bool = False  # the period runs past the end of the series (for example, the month to date)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class DemandSeries:
    kind: str
    period: str
    start: dt.date
    end: dt.date
    periods: list[PeriodCounts]
    groups: list[SourceGroup] = field(default_factory=lambda: list(SourceGroup))

    def group_total(self, group: str) -> int:
        return sum(p.counts[group] for p in self.periods)

    @property
    def maximum(self) -> int:
        return max((p.total for p in self.periods), default=0)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(local_zone())
        return value.date()
    return value


def demand_series(
    *, kind: str = "contacts", period: str = "month", start: dt.date, end: dt.date
) -> DemandSeries:
    """Counts by source group for each week (ISO, from Monday) or calendar month overlapping start..end.

    Contacts count by when they were received, in the authority's local time; referrals by referral date. Counting
    is done by the database (one grouped query by period and source code); periods with nothing in them are
    returned with zeros. Only days from `start` to `end` inclusive are counted, so a first or last period that
    runs past them is partial and marked so."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if end < start:
        raise ValueError("end must not be before start")
    trunc = TruncWeek if period == "week" else TruncMonth
    bounds = period_bounds(period, start, end)
    if kind == "contacts":
        rows = (
            Contact.objects.filter(
                received_at__gte=local_midnight(start),
                received_at__lt=local_midnight(end + dt.timedelta(days=1)),
            )
            .annotate(period_start=trunc("received_at", tzinfo=local_zone()))
            .values("period_start", "source")
            .annotate(n=Count("id"))
            .order_by()
        )
    else:
        rows = (
            Referral.objects.filter(referral_date__gte=start, referral_date__lte=end)
            .annotate(period_start=trunc("referral_date"))
            .values("period_start", "source")
            .annotate(n=Count("id"))
            .order_by()
        )
    counts = {first: dict.fromkeys(SourceGroup.values, 0) for first, _last in bounds}
    for row in rows:
        first = _as_date(row["period_start"])
        group = GROUP_OF_CODE.get(row["source"], SourceGroup.OTHER)
        counts[first][group] += row["n"]
    periods = [
        PeriodCounts(start=first, end=last, counts=counts[first], is_partial=first < start or last > end)
        for first, last in bounds
    ]
    return DemandSeries(kind=kind, period=period, start=start, end=end, periods=periods)


# ---------------------------------------------------------------------------------------------------------------
# The watch


@dataclass(frozen=True)
class DemandFinding:
    group: SourceGroup
    period_start: dt.date
    period_end: dt.date
    baseline_start: dt.date
    baseline_end: dt.date
    recent: int
    baseline: int
    increase_percent: Decimal | None  # None when the baseline is 0
    fires: bool

    @property
    def explanation(self) -> str:
        return demand_explanation(
            group=self.group,
            period_start=self.period_start,
            period_end=self.period_end,
            recent=self.recent,
            baseline=self.baseline,
            increase_percent=self.increase_percent,
        )


def demand_explanation(
    *,
    group: str,
    period_start: dt.date,
    period_end: dt.date,
    recent: int,
    baseline: int,
    increase_percent: Decimal | None,
) -> str:
    """'Police contacts 1 Jul–30 Sep 2026: 412, up 143% on 170 in the same months of 2025'."""
    baseline_start = add_months(period_start, -12)
    baseline_end = month_end(add_months(period_end, -12))
    if baseline_start.year == baseline_end.year:
        last_year = f"the same months of {baseline_start.year}"
    else:
        last_year = f"the same months a year earlier ({format_span(baseline_start, baseline_end)})"
    head = f"{SourceGroup(group).label} contacts {format_span(period_start, period_end)}: {recent}"
    if baseline == 0:
        return f"{head}, none in {last_year}"
    if increase_percent is None:
        increase_percent = percent_change(recent, baseline)
    if increase_percent >= 0:
        return f"{head}, up {format_percent(increase_percent)}% on {baseline} in {last_year}"
    return f"{head}, down {format_percent(-increase_percent)}% on {baseline} in {last_year}"


def percent_change(recent: int, baseline: int) -> Decimal:
    change = (Decimal(recent - baseline) * 100) / Decimal(baseline)
    return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def watch_window(*, as_of: dt.date, recent_months: int) -> tuple[dt.date, dt.date]:
    """The last `recent_months` complete calendar months before the month holding `as_of`."""
    end = month_start(as_of) - dt.timedelta(days=1)
    return add_months(end, -(recent_months - 1)), end


def demand_comparison(
    *,
    as_of: dt.date,
    recent_months: int | None = None,
    margin_percent: int | None = None,
    minimum_recent: int | None = None,
) -> list[DemandFinding]:
    """Every source group's contacts in the recent months against the same months a year earlier, with whether
    it fires. Two counts per source code, from one grouped query."""
    configured = demand_settings()
    recent_months = configured["recent_months"] if recent_months is None else recent_months
    margin_percent = configured["margin_percent"] if margin_percent is None else margin_percent
    minimum_recent = configured["minimum_recent"] if minimum_recent is None else minimum_recent
    if not 1 <= recent_months <= 12:
        raise ValueError("recent_months must be from 1 to 12, so the two windows do not overlap")
    period_start, period_end = watch_window(as_of=as_of, recent_months=recent_months)
    baseline_start = add_months(period_start, -12)
    baseline_end = month_end(add_months(period_end, -12))
    recent_from = local_midnight(period_start)
    recent_to = local_midnight(period_end + dt.timedelta(days=1))
    baseline_from = local_midnight(baseline_start)
    baseline_to = local_midnight(baseline_end + dt.timedelta(days=1))
    rows = (
        Contact.objects.filter(
            Q(received_at__gte=recent_from, received_at__lt=recent_to)
            | Q(received_at__gte=baseline_from, received_at__lt=baseline_to)
        )
        .values("source")
        .annotate(
            recent=Count("id", filter=Q(received_at__gte=recent_from)),
            baseline=Count("id", filter=Q(received_at__lt=baseline_to)),
        )
        .order_by()
    )
    recent = dict.fromkeys(SourceGroup.values, 0)
    baseline = dict.fromkeys(SourceGroup.values, 0)
    for row in rows:
        group = GROUP_OF_CODE.get(row["source"], SourceGroup.OTHER)
        recent[group] += row["recent"]
        baseline[group] += row["baseline"]
    findings = []
    for group in SourceGroup:
        now_count, then_count = recent[group], baseline[group]
        if then_count > 0:
            increase = percent_change(now_count, then_count)
            fires = now_count >= minimum_recent and increase >= margin_percent
        else:
            increase = None
            fires = now_count >= minimum_recent
        findings.append(
            DemandFinding(
                group=group,
                period_start=period_start,
                period_end=period_end,
                baseline_start=baseline_start,
                baseline_end=baseline_end,
                recent=now_count,
                baseline=then_count,
                increase_percent=increase,
                fires=fires,
            )
        )
    return findings


def demand_check(
    *,
    as_of: dt.date,
    recent_months: int | None = None,
    margin_percent: int | None = None,
    minimum_recent: int | None = None,
) -> list[DemandFinding]:
    """The source groups whose recent contacts fire the watch (see `demand_comparison`). Unset arguments come from
    the settings: recent months 3, margin 50%, minimum 30 unless configured."""
    return [
        finding
        for finding in demand_comparison(
            as_of=as_of,
            recent_months=recent_months,
            margin_percent=margin_percent,
            minimum_recent=minimum_recent,
        )
        if finding.fires
    ]


# ---------------------------------------------------------------------------------------------------------------
# Alerts: reads


@dataclass(frozen=True)
class OpenAlert:
    alert: DemandAlert
    group_label: str
    explanation: str


def alert_explanation(alert: DemandAlert) -> str:
    return demand_explanation(
        group=alert.source_group,
        period_start=alert.period_start,
        period_end=alert.period_end,
        recent=alert.recent_count,
        baseline=alert.baseline_count,
        increase_percent=alert.increase_percent,
    )


def demand_alerts_open() -> list[OpenAlert]:
    """Alerts nobody has answered yet, newest period first: what the banner and the demand page show."""
    alerts = DemandAlert.objects.filter(acknowledged_at__isnull=True).select_related("raised_to")
    return [
        OpenAlert(alert=a, group_label=SourceGroup(a.source_group).label, explanation=alert_explanation(a))
        for a in alerts.order_by("-period_end", "source_group")
    ]


def demand_alerts_recent_acknowledged(*, limit: int = 10) -> list[OpenAlert]:
    alerts = DemandAlert.objects.filter(acknowledged_at__isnull=False).select_related("acknowledged_by")
    return [
        OpenAlert(alert=a, group_label=SourceGroup(a.source_group).label, explanation=alert_explanation(a))
        for a in alerts.order_by("-acknowledged_at")[:limit]
    ]


def heads_of_service() -> list[User]:
    return list(User.objects.filter(role=Role.HEAD_OF_SERVICE, is_active=True).order_by("id"))


def can_view_demand(user) -> bool:
    """Front-door staff, team managers, heads of service, directors and performance analysts."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role in VIEWING_ROLES:
        return True
    team = user.team
    return user.role == Role.SOCIAL_WORKER and team is not None and team.kind == TeamKind.FRONT_DOOR


def can_acknowledge_demand(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in ACKNOWLEDGING_ROLES


# ---------------------------------------------------------------------------------------------------------------
# Alerts: writes


@transaction.atomic
def demand_alerts_raise(*, as_of: dt.date | None = None) -> list[DemandAlert]:
    """Raise an alert for each source group that fires, to the head of service (the first by id if there are
    several; all are named in the audit). Idempotent: one alert per source group and period, however often run.
    Returns the alerts created by this run."""
    as_of = as_of or timezone.localdate()
    findings = demand_check(as_of=as_of)
    heads = heads_of_service()
    raised_to = heads[0] if heads else None
    created = []
    for finding in findings:
        if DemandAlert.objects.filter(source_group=finding.group, period_end=finding.period_end).exists():
            continue
        alert = DemandAlert.objects.create(
            source_group=finding.group,
            period_start=finding.period_start,
            period_end=finding.period_end,
            recent_count=finding.recent,
            baseline_count=finding.baseline,
            increase_percent=finding.increase_percent,
            raised_to=raised_to,
        )
        audit_event_record(
            actor=None,
            verb="demand_alert_raised",
            target=alert,
            payload={
                "source_group": finding.group.value,
                "period_start": finding.period_start.isoformat(),
                "period_end": finding.period_end.isoformat(),
                "baseline_start": finding.baseline_start.isoformat(),
                "baseline_end": finding.baseline_end.isoformat(),
                "recent": finding.recent,
                "baseline": finding.baseline,
                "increase_percent": (
                    None if finding.increase_percent is None else str(finding.increase_percent)
                ),
                "explanation": finding.explanation,
                "raised_to": raised_to.pk if raised_to else None,
                "heads_of_service": [head.pk for head in heads],
                "as_of": as_of.isoformat(),
            },
        )
        notifications.email_queue(kind=notifications.DEMAND_ALERT, object_id=alert.pk)
        created.append(alert)
    return created


@transaction.atomic
def demand_alert_acknowledge(*, actor, alert: DemandAlert, response: str) -> DemandAlert:
    """Record what is being done about a rise in demand. Only a head of service or director may."""
    if not can_acknowledge_demand(actor):
        raise PermissionDenied("Only a head of service or director can respond to a demand alert")
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": "Enter what is being done about this rise in demand"})
    alert = DemandAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.acknowledged_at is not None:
        raise ValidationError(
            {"response": f"This alert was already answered by {alert.acknowledged_by.display_name}"}
        )
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.response = response
    alert.save(update_fields=["acknowledged_by", "acknowledged_at", "response", "updated_at"])
    audit_event_record(
        actor=actor,
        verb="demand_alert_acknowledged",
        target=alert,
        payload={
            "source_group": alert.source_group,
            "period_end": alert.period_end.isoformat(),
            "response": response,
        },
    )
    return alert
