"""The placements budget in brief, for the director's dashboard and the board pack: the forecast outturn of the
financial year holding the day, its 80% range, the budget, the variance and the categories behind it (numbers
only: no child is named, so the board pack may carry it). Definitions are the outturn's (outturn.py, ADR 0019).

The outturn reads every placement of the year and runs the forecast (about a second on ten years of a county's
placements), so the summary is kept in the cache for the day, under a key that changes whenever an episode, a
placement agreement, a weekly cost or a budget is added, changed or removed (each table's row count and latest
change): a dashboard opened again shows the same figures at once, and a change to the records is seen at once
(a child's corrected date of birth, which moves the forecast's age bands, is seen the next day).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max

from opencsc.finance.models import Budget, PlacementAgreement, WeeklyCost
from opencsc.finance.outturn import budget_outturn, financial_year_of
from opencsc.looked_after.models import Episode

CACHE_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class CategoryLine:
    category: str
    label: str
    budget: float
    outturn: float
    variance: float


@dataclass(frozen=True)
class BudgetSummary:
    year: int
    label: str
    as_of: dt.date
    has_budget: bool
    budget: float
    outturn: float
    low: float
    high: float
    forecast_note: str
    lines: tuple[CategoryLine, ...]  # the categories with a budget or an outturn, the largest variance first

    @property
    def variance(self) -> float:
        return self.outturn - self.budget

    @property
    def sentence(self) -> str:
        """'Placements budget 2026-27: forecast outturn £4,213,505 (80% range ...) against a budget of ...'."""
        head = f"Placements budget {self.label}: forecast outturn {_money(self.outturn)}"
        if self.high > self.low:
            head += f" (80% range {_money(self.low)} to {_money(self.high)})"
        if not self.has_budget:
            return f"{head}; no budget is set for the year."
        if self.variance > 0:
            verdict = f"an overspend of {_money(self.variance)}"
        elif self.variance < 0:
            verdict = f"an underspend of {_money(-self.variance)}"
        else:
            verdict = "on budget"
        largest = self.lines[0] if self.lines and self.lines[0].variance > 0 and self.variance > 0 else None
        where = (
            f", most in {largest.label.split(' (')[0].lower()} ({_money(largest.variance)})"
            if largest
            else ""
        )
        return f"{head} against a budget of {_money(self.budget)}: {verdict}{where}."


def _money(value: float) -> str:
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def _records_key(year: int, as_of: dt.date) -> str:
    parts = [f"finance-summary:{year}:{as_of.isoformat()}"]
    for model in (Episode, PlacementAgreement, WeeklyCost, Budget):
        figures = model.objects.aggregate(rows=Count("pk"), latest=Max("updated_at"))
        parts.append(f"{figures['rows']}@{figures['latest'].isoformat() if figures['latest'] else '-'}")
    return ":".join(parts)


def budget_summary(day: dt.date) -> BudgetSummary:
    year = financial_year_of(day)
    key = _records_key(year, day)
    summary = cache.get(key)
    if summary is None:
        summary = _summarise(budget_outturn(year=year, today=day))
        cache.set(key, summary, CACHE_SECONDS)
    return summary


def _summarise(outturn) -> BudgetSummary:
    total = outturn.total
    lines = sorted(
        (
            CategoryLine(key, figures.label, figures.budget, figures.outturn, figures.variance)
            for key, figures in outturn.categories.items()
            if figures.budget or figures.outturn
        ),
        key=lambda line: -line.variance,
    )
    return BudgetSummary(
        year=outturn.year,
        label=outturn.label,
        as_of=outturn.as_of,
        has_budget=outturn.budget is not None,
        budget=total.budget,
        outturn=total.outturn,
        low=total.outturn_low,
        high=total.outturn_high,
        forecast_note=outturn.forecast_note,
        lines=tuple(lines),
    )
