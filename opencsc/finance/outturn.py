"""The placements budget against its forecast outturn, by category and month, and why they differ.

For financial year Y (1 April Y-1 to 31 March Y), on a day D (today, held within the year):

- spent: the social care share of every placement's cost for the nights from 1 April to D (accrual.py);
- committed: the placements open on D, at their agreed weekly costs (changes already agreed ahead included), for
  the nights after D to 31 March, as if none ended: the cost already promised;
- forecast changes, from the demand forecast made as of D (opencsc/insight/forecast.py, expected paths at the
  mean rates): (a) today's children who will leave care or move to another category, as the expected number of
  them still in each category each night less today's number, and (b) the expected new entrants in each category
  each night; both priced at the category's average weekly cost today (the social care share of today's
  placements in it, or the default price of its usual provider where it has none);
- forecast outturn = spent + committed + (a) + (b).

The forecast part, (a) + (b), carries a range from the forecast's 80% interval (insight/forecast.py,
`project_moments`, at the same category prices): each night's spread is the forecast's standard deviation of the
cost of that night, and the year's spread is the sum of the nights' spreads times 1.2816. Summing standard
deviations treats the nights as perfectly correlated (a child still in care one night is very likely still in
care the next), which is the most the nights' variation can add up to, so the range is never narrower than the
80% interval it stands for; it is widest where most of the year is still to come. The low end is never below
what is spent (every child leaving tomorrow, nobody coming in). Spent and committed carry no range: they are
the agreed costs of placements that exist.

The variance (outturn less budget) of each category is split into volume and price, the standard decomposition:
with V the child-nights and P the cost of a night, budget B = Vb x Pb and outturn F = Vf x Pf,

    volume effect = (Vf - Vb) x Pb     (more or fewer children than planned, at the budgeted price)
    price effect  = (Pf - Pb) x Vf     (dearer or cheaper placements than planned, for the children there are)

which add up to F - B exactly. Budgeted child-nights are the children planned in each month times its nights. A
category with no children planned has all its variance as volume; one with no child-nights forecast has -B as
volume. Children are shown as the average number placed over the year (child-nights / nights in the year) and
prices as the cost of a week (7 nights).

A scenario changes the forecast's rates (scenarios.py); its cost is the difference it makes to the outturn and to
the weekly cost a year after D. If the forecast has no rates (no child looked after in the reference window),
the outturn is spent + committed and the page says why.
"""

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from opencsc.finance import accrual
from opencsc.finance.codes import ProviderKind
from opencsc.finance.models import Budget, Scenario
from opencsc.finance.prices import DEFAULT_WEEKLY_PRICE
from opencsc.finance.scenarios import adjusted_rates
from opencsc.finance.services import year_months
from opencsc.insight.forecast import (
    CATEGORIES,
    CATEGORY_LABELS,
    DEFAULT_WINDOW_MONTHS,
    Z_80,
    Rates,
    episodes_known_on,
    estimate_rates,
    expected_states,
    months_before,
    project_moments,
    state_label,
)

YEAR_ON_DAYS = 365
# The provider a category's new placements are priced at when no child is in it today.
USUAL_PROVIDER = {
    "fostering": ProviderKind.IN_HOUSE_FOSTERING,
    "residential": ProviderKind.CHILDRENS_HOME_PRIVATE,
    "supported": ProviderKind.SUPPORTED,
    "with_parents": ProviderKind.PARENTS,
    "adoption": None,
    "secure_other": ProviderKind.SECURE,
}
NO_RATES = (
    "No forecast of children coming into care, leaving or moving: no child was looked after in the reference "
    "window of {months} months to {day}. The outturn is what is spent and committed."
)


def financial_year_of(day: dt.date) -> int:
    return day.year + 1 if day.month >= 4 else day.year


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


@dataclass
class CategoryFigures:
    category: str
    budget: float = 0.0
    budget_nights: float = 0.0
    spent: float = 0.0
    spent_nights: float = 0.0
    committed: float = 0.0
    committed_nights: float = 0.0
    changes: float = 0.0  # today's children leaving care or moving category (usually negative)
    changes_nights: float = 0.0
    new: float = 0.0  # children expected to come into care in this category
    new_nights: float = 0.0
    forecast_spread: float = 0.0  # half the width of the forecast part's 80% range, in pounds
    year_nights: int = 365

    @property
    def label(self) -> str:
        return CATEGORY_LABELS.get(self.category, "All placements")

    @property
    def outturn(self) -> float:
        return self.spent + self.committed + self.changes + self.new

    @property
    def outturn_low(self) -> float:
        return max(self.spent, self.outturn - self.forecast_spread)

    @property
    def outturn_high(self) -> float:
        return self.outturn + self.forecast_spread

    @property
    def outturn_nights(self) -> float:
        return self.spent_nights + self.committed_nights + self.changes_nights + self.new_nights

    @property
    def variance(self) -> float:
        return self.outturn - self.budget

    @property
    def volume_effect(self) -> float:
        if self.budget_nights <= 0:
            return self.variance
        if self.outturn_nights <= 0:
            return -self.budget
        return (self.outturn_nights - self.budget_nights) * self.budget / self.budget_nights

    @property
    def price_effect(self) -> float:
        return self.variance - self.volume_effect

    @property
    def budget_children(self) -> float:
        return self.budget_nights / self.year_nights

    @property
    def outturn_children(self) -> float:
        return self.outturn_nights / self.year_nights

    @property
    def budget_weekly_price(self) -> float | None:
        return 7 * self.budget / self.budget_nights if self.budget_nights > 0 else None

    @property
    def outturn_weekly_price(self) -> float | None:
        return 7 * self.outturn / self.outturn_nights if self.outturn_nights > 0 else None

    def add(self, other: "CategoryFigures") -> None:
        for name in (
            "budget",
            "budget_nights",
            "spent",
            "spent_nights",
            "committed",
            "committed_nights",
            "changes",
            "changes_nights",
            "new",
            "new_nights",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class MonthFigures:
    month: dt.date
    budget: float = 0.0
    spent: float = 0.0
    committed: float = 0.0
    changes: float = 0.0  # the forecast's changes in the month

    @property
    def forecast(self) -> float:
        """Committed and the forecast's changes in the month."""
        return self.committed + self.changes

    @property
    def outturn(self) -> float:
        return self.spent + self.forecast

    @property
    def variance(self) -> float:
        return self.outturn - self.budget


@dataclass
class Outturn:
    year: int
    as_of: dt.date
    budget: Budget | None
    categories: dict[str, CategoryFigures]
    months: list[MonthFigures]
    weekly_price: dict[str, float]  # the social care cost of a week by category, as used for the forecast
    uncosted: int  # placements in the year on default prices (no agreed cost)
    placements: int
    forecast_note: str = ""
    weekly_cost_year_on: float | None = None  # expected social care cost of a week, a year after as_of
    forecast_spread: float = 0.0  # the whole forecast part's spread (not the sum of the categories')
    rates: Rates | None = field(default=None, repr=False)

    @property
    def total(self) -> CategoryFigures:
        total = CategoryFigures("total", year_nights=self.categories["fostering"].year_nights)
        for figures in self.categories.values():
            total.add(figures)
        total.forecast_spread = self.forecast_spread
        return total

    @property
    def label(self) -> str:
        return f"{self.year - 1}-{str(self.year)[2:]}"


def budget_outturn(*, year: int, today: dt.date, scenario: Scenario | None = None) -> Outturn:
    start, end = year_bounds(year)
    as_of = min(max(today, start - dt.timedelta(days=1)), end)
    nights_in_year = (end - start).days + 1
    budget = Budget.objects.filter(year=year).prefetch_related("lines").first()
    categories = {category: CategoryFigures(category, year_nights=nights_in_year) for category in CATEGORIES}
    months = {month: MonthFigures(month) for month in year_months(year)}
    _add_budget(budget, categories, months)
    placements = accrual.placements_between(start, end)
    _add_spent_and_committed(placements, start, end, as_of, categories, months)
    weekly_price = category_weekly_prices(placements, as_of)
    outturn = Outturn(
        year=year,
        as_of=as_of,
        budget=budget,
        categories=categories,
        months=list(months.values()),
        weekly_price=weekly_price,
        uncosted=sum(1 for placement in placements if placement.has_fee and not placement.costed),
        placements=len(placements),
    )
    outturn.rates = forecast_rates(as_of)
    if outturn.rates is None:
        outturn.forecast_note = NO_RATES.format(months=DEFAULT_WINDOW_MONTHS, day=f"{as_of:%-d %B %Y}")
        return outturn if scenario is None else scenario_outturn(outturn, scenario)
    if scenario is not None:
        return scenario_outturn(outturn, scenario)
    _add_forecast(outturn, outturn.rates, start, end)
    _add_forecast_range(outturn, outturn.rates, end)
    return outturn


def scenario_outturn(base: Outturn, scenario: Scenario) -> Outturn:
    """The outturn with the scenario's rates: `base`'s budget, spent and committed (read once), the forecast
    again."""
    outturn = dataclasses.replace(
        base,
        categories={key: _recorded_only(figures) for key, figures in base.categories.items()},
        months=[dataclasses.replace(month, changes=0.0) for month in base.months],
        forecast_spread=0.0,
        weekly_cost_year_on=None,
    )
    if outturn.rates is None:
        return outturn
    outturn.rates = adjusted_rates(outturn.rates, scenario)
    start, end = year_bounds(outturn.year)
    _add_forecast(outturn, outturn.rates, start, end)
    _add_forecast_range(outturn, outturn.rates, end)
    return outturn


def _recorded_only(figures: CategoryFigures) -> CategoryFigures:
    return dataclasses.replace(
        figures, changes=0.0, changes_nights=0.0, new=0.0, new_nights=0.0, forecast_spread=0.0
    )


def forecast_rates(as_of: dt.date) -> Rates | None:
    window_start = months_before(as_of, DEFAULT_WINDOW_MONTHS)
    rates = estimate_rates(episodes_known_on(as_of, window_start), as_of=as_of, window_start=window_start)
    return rates if rates.exposure.any() else None


def _add_budget(budget: Budget | None, categories, months) -> None:
    if budget is None:
        return
    for line in budget.lines.all():
        nights = (accrual.next_month(line.month) - line.month).days
        figures = categories[line.category]
        figures.budget += float(line.amount)
        figures.budget_nights += float(line.children) * nights
        months[line.month].budget += float(line.amount)


def _add_spent_and_committed(placements, start, end, as_of, categories, months) -> None:
    after = as_of + dt.timedelta(days=1)
    for placement in placements:
        figures = categories[placement.category]
        if as_of >= start:
            spent = accrual.accrue(placement, start, after, assume_open=True)
            figures.spent += float(spent.total_net)
            figures.spent_nights += spent.total_nights
            for month, money in spent.net.items():
                months[month].spent += float(money)
        if placement.ended_on is None and placement.started_on <= as_of:
            committed = accrual.accrue(
                placement, max(after, start), end + dt.timedelta(days=1), assume_open=True
            )
            figures.committed += float(committed.total_net)
            figures.committed_nights += committed.total_nights
            for month, money in committed.net.items():
                months[month].committed += float(money)


def category_weekly_prices(placements, as_of: dt.date) -> dict[str, float]:
    """The average social care cost of a week in each category on `as_of` (the default price of the category's
    usual provider where no child is placed in it)."""
    totals: dict[str, list[Decimal]] = defaultdict(list)
    for placement in placements:
        if placement.open_on(as_of) or (placement.ended_on is None and placement.started_on <= as_of):
            totals[placement.category].append(placement.cost_on(as_of).weekly_net)
    prices = {}
    for category in CATEGORIES:
        if totals[category]:
            prices[category] = float(sum(totals[category]) / len(totals[category]))
        else:
            kind = USUAL_PROVIDER[category]
            prices[category] = float(DEFAULT_WEEKLY_PRICE[kind]) if kind is not None else 0.0
    return prices


def _category_matrix() -> np.ndarray:
    """States x categories: 1 where the state is in the category."""
    matrix = np.zeros((len(CATEGORIES) * 5, len(CATEGORIES)))
    for state in range(matrix.shape[0]):
        matrix[state, CATEGORIES.index(state_label(state)[1])] = 1.0
    return matrix


def expected_by_category(rates: Rates, horizon_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Today's stock by category, and day by day (0 to the horizon) the expected survivors and entrants by
    category."""
    survivors, entrants = expected_states(rates, horizon_days=horizon_days)
    matrix = _category_matrix()
    return rates.stock @ matrix, survivors @ matrix, entrants @ matrix


def _add_forecast(outturn: Outturn, rates: Rates, start, end) -> None:
    months = {month.month: month for month in outturn.months}
    horizon = max((end - outturn.as_of).days, YEAR_ON_DAYS)
    today, survivors, entrants = expected_by_category(rates, horizon)
    prices = np.array([outturn.weekly_price[category] for category in CATEGORIES]) / 7
    for offset in range(1, horizon + 1):
        day = outturn.as_of + dt.timedelta(days=offset)
        if not start <= day <= end:
            continue
        change, new = survivors[offset] - today, entrants[offset]
        month = months[day.replace(day=1)]
        for index, category in enumerate(CATEGORIES):
            figures = outturn.categories[category]
            figures.changes += change[index] * prices[index]
            figures.changes_nights += change[index]
            figures.new += new[index] * prices[index]
            figures.new_nights += new[index]
        month.changes += float((change + new) @ prices)
    year_on = survivors[YEAR_ON_DAYS] + entrants[YEAR_ON_DAYS]
    outturn.weekly_cost_year_on = float(year_on @ prices) * 7
    for figures in outturn.categories.values():
        for name in ("changes", "changes_nights", "new", "new_nights"):
            setattr(figures, name, float(getattr(figures, name)))


def _add_forecast_range(outturn: Outturn, rates: Rates, end: dt.date) -> None:
    """Each category's and the whole forecast part's spread: Z_80 x the sum over the year's remaining nights of
    the forecast's standard deviation of that night's cost (see the module's docstring)."""
    nights_left = (end - outturn.as_of).days
    if nights_left <= 0:
        return
    prices = {category: outturn.weekly_price[category] for category in CATEGORIES}
    _means, variances = project_moments(rates, horizon_days=nights_left, weekly_cost=prices)
    spreads = np.sqrt(np.maximum(variances[1:], 0.0)).sum(axis=0) * Z_80
    for index, category in enumerate(CATEGORIES):
        outturn.categories[category].forecast_spread = float(spreads[index] * prices[category] / 7)
    outturn.forecast_spread = float(spreads[len(CATEGORIES) + 1] / 7)
