"""Front-door demand ahead (issue 14 point 6): contacts and referrals per month by source, the seasonal pattern,
a forecast of the next twelve months with an 80% interval, and the demand watch's surges set against what was
expected.

The method is a seasonal level model (classical multiplicative decomposition without a trend), on each series
of monthly counts (the total, and each source group):

- level: the average month over the last 12 complete months;
- seasonal index of each calendar month: the history is cut into cycles of 12 complete months counted back from
  the latest (up to three cycles, at least two); in each cycle every month's count is divided by the cycle's
  average month; a calendar month's index is the average of its ratios, scaled so the twelve indices average 1.
  With fewer than 24 complete months the pattern cannot be told from chance and every index is 1 (the page says
  so);
- forecast of a month ahead: level x its month's index. No trend is projected: a rise shows in the level within
  the year, and the demand watch is what flags a rise against last year.

The interval is backtested, not assumed: the method is run from each of the last 12 month-ends (only the months
before each, as if it were then) one to twelve months ahead, and the root mean square s of log(actual /
forecast) over those forecasts is the error (it holds the chance variation of the counts, the method's misses
and any bias); each month's 80% interval is forecast x exp(+/- 1.2816 s). With fewer than 12 backtest
forecasts, s is taken as sqrt(0.15^2 + 1 / forecast) (an assumed model error and a count's Poisson variation),
and the page says so. At least 12 complete months are needed to forecast at all.

Counting is the demand watch's (demand.py): contacts by when they were received in local time, referrals by
referral date, source codes grouped as the watch groups them. A surge the watch raised (DemandAlert) is shown
against the forecast made as of the first day of its months, from the months before it: expected, interval and
what came.
"""

import datetime as dt
import math
from dataclasses import dataclass

from opencsc.accounts.models import Role
from opencsc.core.codes import SourceGroup
from opencsc.frontdoor import demand
from opencsc.frontdoor.models import DemandAlert

HORIZON_MONTHS = 12
HISTORY_MONTHS = 60  # the most months read
SEASON_YEARS = 3
MINIMUM_MONTHS = 12
SEASONAL_MINIMUM_MONTHS = 24
BACKTEST_ORIGINS = 12
ASSUMED_ERROR = 0.15  # log scale, when too few backtest forecasts exist to measure it
Z_80 = 1.2815515655446004
VIEWING_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}


def can_view_demand_forecast(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in VIEWING_ROLES


class NotEnoughHistory(ValueError):
    pass


@dataclass(frozen=True)
class MonthForecast:
    month: dt.date
    expected: float
    low: float
    high: float


@dataclass(frozen=True)
class SeriesForecast:
    indices: tuple[float, ...]  # January to December
    seasonal: bool
    level: float
    error: float  # the root mean square of log(actual / forecast) in the backtest
    error_measured: bool
    months: tuple[MonthForecast, ...]


def seasonal_indices(history: list[tuple[dt.date, int]]) -> tuple[tuple[float, ...], bool]:
    """The twelve indices (January first) from the last SEASON_YEARS cycles of 12 complete months."""
    if len(history) < SEASONAL_MINIMUM_MONTHS:
        return (1.0,) * 12, False
    sums, seen = [0.0] * 12, [0] * 12
    cycles = min(SEASON_YEARS, len(history) // 12)
    for cycle in range(cycles):
        year = history[len(history) - 12 * (cycle + 1) : len(history) - 12 * cycle]
        average = sum(count for _month, count in year) / 12
        if average <= 0:
            continue
        for month, count in year:
            sums[month.month - 1] += count / average
            seen[month.month - 1] += 1
    raw = [sums[i] / seen[i] if seen[i] else 1.0 for i in range(12)]
    scale = sum(raw) / 12
    return tuple(value / scale for value in raw), True


def point_forecast(history: list[tuple[dt.date, int]], months_ahead: int) -> list[tuple[dt.date, float]]:
    """The expected count of each of the next `months_ahead` months after the history's last month."""
    indices, _seasonal = seasonal_indices(history)
    level = sum(count for _month, count in history[-12:]) / 12
    last = history[-1][0]
    ahead = [demand.add_months(last, step) for step in range(1, months_ahead + 1)]
    # The level is the average of the last 12 months, whose own indices average 1 by construction.
    return [(month, level * indices[month.month - 1]) for month in ahead]


def backtest_error(history: list[tuple[dt.date, int]]) -> tuple[float, bool]:
    """The root mean square of log(actual / forecast), the method run from each of the last BACKTEST_ORIGINS
    month-ends; (ASSUMED_ERROR, False) with fewer than 12 such forecasts."""
    errors = []
    for origin in range(len(history) - BACKTEST_ORIGINS, len(history)):
        if origin < MINIMUM_MONTHS:
            continue
        known = history[:origin]
        for (month, expected), (actual_month, actual) in zip(
            point_forecast(known, HORIZON_MONTHS), history[origin:], strict=False
        ):
            assert month == actual_month
            if expected > 0 and actual > 0:
                errors.append(math.log(actual / expected))
    if len(errors) < 12:
        return ASSUMED_ERROR, False
    return math.sqrt(sum(error * error for error in errors) / len(errors)), True


def forecast_series(history: list[tuple[dt.date, int]], months_ahead: int = HORIZON_MONTHS) -> SeriesForecast:
    """The forecast of the months after a series of complete months (oldest first, no gaps)."""
    if len(history) < MINIMUM_MONTHS:
        raise NotEnoughHistory(
            f"At least {MINIMUM_MONTHS} complete months are needed to forecast; there are {len(history)}"
        )
    indices, seasonal = seasonal_indices(history)
    error, measured = backtest_error(history)
    months = []
    for month, expected in point_forecast(history, months_ahead):
        poisson = 0.0 if measured or expected <= 0 else 1 / expected
        spread = Z_80 * math.sqrt(error**2 + poisson)
        months.append(
            MonthForecast(month, expected, expected * math.exp(-spread), expected * math.exp(spread))
        )
    return SeriesForecast(
        indices=indices,
        seasonal=seasonal,
        level=sum(count for _month, count in history[-12:]) / 12,
        error=error,
        error_measured=measured,
        months=tuple(months),
    )


# ---------------------------------------------------------------------------------------------------------------
# From the records


@dataclass(frozen=True)
class SurgeAgainstForecast:
    alert: DemandAlert
    group_label: str
    explanation: str
    expected: float | None  # None: too little history before the surge to forecast it
    low: float | None
    high: float | None

    @property
    def above_range(self) -> bool:
        return self.high is not None and self.alert.recent_count > self.high


@dataclass(frozen=True)
class DemandOutlook:
    kind: str
    as_of: dt.date
    history: list[demand.PeriodCounts]  # complete months, oldest first
    total: SeriesForecast | None
    by_group: dict[str, SeriesForecast]
    surges: list[SurgeAgainstForecast]
    problem: str = ""


def monthly_history(*, kind: str, as_of: dt.date) -> list[demand.PeriodCounts]:
    """Complete months before the month holding `as_of`, from the first month with anything in it (up to
    HISTORY_MONTHS)."""
    last = demand.month_start(as_of) - dt.timedelta(days=1)
    first = demand.add_months(last, -(HISTORY_MONTHS - 1))
    periods = demand.demand_series(kind=kind, period="month", start=first, end=last).periods
    while periods and periods[0].total == 0:
        periods = periods[1:]
    return periods


def _series(periods: list[demand.PeriodCounts], group: str | None) -> list[tuple[dt.date, int]]:
    return [(p.start, p.total if group is None else p.counts[group]) for p in periods]


def demand_outlook(*, kind: str, as_of: dt.date) -> DemandOutlook:
    history = monthly_history(kind=kind, as_of=as_of)
    if len(history) < MINIMUM_MONTHS:
        return DemandOutlook(
            kind,
            as_of,
            history,
            None,
            {},
            [],
            problem=(
                f"There are {len(history)} complete months of {kind} recorded; at least {MINIMUM_MONTHS} are "
                "needed to forecast the year ahead."
            ),
        )
    by_group = {
        group.value: forecast_series(_series(history, group.value))
        for group in SourceGroup
        if sum(p.counts[group.value] for p in history[-12:]) > 0
    }
    surges = _surges(history) if kind == "contacts" else []
    return DemandOutlook(kind, as_of, history, forecast_series(_series(history, None)), by_group, surges)


def _surges(history: list[demand.PeriodCounts]) -> list[SurgeAgainstForecast]:
    """Each alert the watch raised, against the forecast of its source for its months made from the months
    before them."""
    rows = []
    for alert in DemandAlert.objects.select_related("acknowledged_by").order_by(
        "-period_end", "source_group"
    ):
        before = [p for p in history if p.start < alert.period_start]
        span = [p for p in history if alert.period_start <= p.start <= alert.period_end]
        expected = low = high = None
        if len(before) >= MINIMUM_MONTHS and span:
            ahead = forecast_series(_series(before, alert.source_group), months_ahead=HORIZON_MONTHS)
            wanted = {p.start for p in span}
            months = [m for m in ahead.months if m.month in wanted]
            expected = sum(m.expected for m in months)
            # The months of a surge move together: their ranges add up (a conservative sum).
            low, high = sum(m.low for m in months), sum(m.high for m in months)
        rows.append(
            SurgeAgainstForecast(
                alert=alert,
                group_label=SourceGroup(alert.source_group).label,
                explanation=demand.alert_explanation(alert),
                expected=expected,
                low=low,
                high=high,
            )
        )
    return rows
