"""The synthetic authority's money: providers, in-house fostering households with their approvals, an agreed weekly
cost (with uplifts and the odd enhanced package) on every placement that has a fee, budgets that overspend in the
early years and come closer to the spend later, and two saved scenarios.

It reads the finished authority's episodes and draws from a random stream of its own, so adding it changes
nothing else a seed produces (the 903 and the rest are unchanged). Prices start at the default national prices
of `opencsc/finance/prices.py` (each with its source), taken back 4% a year before 2025 and forward after it,
and vary by placement: most within -15% to +30%, a few children's home placements at two to three times the
price (the complex placements councils report).
"""

import datetime as dt
import random
import re
from collections import defaultdict
from decimal import Decimal

from opencsc.accounts.models import Role, User
from opencsc.finance import accrual
from opencsc.finance.codes import CostChange, ProviderKind, PurchaseRoute, ScenarioKind
from opencsc.finance.models import (
    Budget,
    BudgetLine,
    CarerApproval,
    PlacementAgreement,
    Provider,
    Scenario,
    WeeklyCost,
)
from opencsc.finance.outturn import year_bounds
from opencsc.finance.prices import DEFAULT_WEEKLY_PRICE
from opencsc.finance.services import IN_HOUSE_KINDS, spread_over_months
from opencsc.insight.forecast import CATEGORIES
from opencsc.people.models import Child
from opencsc.synthetic.context import Simulation
from opencsc.synthetic.timestamps import at, stamp

PRICE_YEAR = 2025
YEARLY_PRICE_RISE = 0.04
# Budget against the spend each year: well short in the first years (an overspend), near it by the last.
FIRST_BUDGET_SHARE, LAST_BUDGET_SHARE = 0.82, 0.97
AGENCY = re.compile(r"\(([^)]+)\)$")


def build_finance(sim: Simulation) -> None:
    rng = random.Random(f"finance-{sim.seed}")
    placements = accrual.placements_between(sim.first_day, sim.last_day)
    births = dict(
        Child.objects.filter(pk__in={p.child_id for p in placements}).values_list("pk", "date_of_birth")
    )
    providers = _providers(rng, placements)
    _approvals(rng, placements, providers, births)
    _agreements(rng, sim, placements, providers)
    _budgets(sim)
    _scenarios(sim)
    sim.count("placement providers", len(providers))


def _provider_key(placement: accrual.Placement) -> tuple[str, str] | None:
    kind = accrual.provider_kind_for(placement.place, placement.provider_code)
    if kind is None:
        return None
    if kind == ProviderKind.PARENTS:
        return kind, "Parents (placed at home)"
    if kind == ProviderKind.IFA:
        found = AGENCY.search(placement.carer_name or "")
        return kind, found.group(1) if found else "Independent fostering agency"
    return kind, placement.carer_name or str(kind.label)


def _route(rng: random.Random, kind: str) -> str:
    if kind in IN_HOUSE_KINDS or kind == ProviderKind.PARENTS:
        return PurchaseRoute.IN_HOUSE
    return (
        PurchaseRoute.FRAMEWORK
        if rng.random() < (0.7 if kind == ProviderKind.IFA else 0.4)
        else PurchaseRoute.SPOT
    )


def _providers(rng, placements) -> dict[tuple[str, str], Provider]:
    first_seen: dict[tuple[str, str], accrual.Placement] = {}
    for placement in placements:
        key = _provider_key(placement)
        if key is not None and key not in first_seen:
            first_seen[key] = placement
    rows = [
        stamp(
            Provider(
                name=name[:200],
                kind=kind,
                urn=f"SC{rng.randint(380000, 499999)}"
                if kind in (ProviderKind.SECURE, ProviderKind.SUPPORTED)
                else "",
                inside_authority=placement.inside_authority,
                purchase_route=_route(rng, kind),
            ),
            at(placement.started_on),
        )
        for (kind, name), placement in first_seen.items()
    ]
    Provider.objects.bulk_create(rows)
    return dict(zip(first_seen, rows, strict=True))


def _age(born: dt.date | None, day: dt.date) -> int:
    if born is None:
        return 12
    return max(0, min(17, day.year - born.year - ((day.month, day.day) < (born.month, born.day))))


def _approvals(rng, placements, providers, births) -> None:
    stays: dict[tuple[str, str], list[accrual.Placement]] = defaultdict(list)
    for placement in placements:
        key = _provider_key(placement)
        if key is not None and key[0] == ProviderKind.IN_HOUSE_FOSTERING:
            stays[key].append(placement)
    rows = []
    for key, placed in stays.items():
        starts = sorted({p.started_on for p in placed})
        most = max(sum(1 for p in placed if p.open_on(day)) for day in starts)
        ages = [_age(births.get(p.child_id), p.started_on) for p in placed]
        approved_on = starts[0] - dt.timedelta(days=rng.randint(30, 240))
        rows.append(
            stamp(
                CarerApproval(
                    provider=providers[key],
                    places=min(6, max(1, most) + (rng.random() < 0.35)),
                    youngest=max(0, min(ages) - rng.randint(0, 3)),
                    oldest=min(17, max(ages) + rng.randint(0, 3)),
                    approved_on=approved_on,
                ),
                at(approved_on),
            )
        )
    CarerApproval.objects.bulk_create(rows)


def _price_on(kind: str, day: dt.date) -> float:
    return float(DEFAULT_WEEKLY_PRICE[kind]) * (1 + YEARLY_PRICE_RISE) ** (day.year - PRICE_YEAR)


def _shares(rng, kind: str) -> dict[str, Decimal]:
    if kind == ProviderKind.RESIDENTIAL_SCHOOL:
        return {"social_care_share": Decimal(50), "education_share": Decimal(50), "health_share": Decimal(0)}
    if kind in (ProviderKind.CHILDRENS_HOME_PRIVATE, ProviderKind.SECURE) and rng.random() < 0.1:
        return {"social_care_share": Decimal(75), "education_share": Decimal(0), "health_share": Decimal(25)}
    return {"social_care_share": Decimal(100), "education_share": Decimal(0), "health_share": Decimal(0)}


def _agreements(rng, sim, placements, providers) -> None:
    agreements, plans = [], []
    for placement in placements:
        key = _provider_key(placement)
        if key is None:
            continue
        kind = key[0]
        factor = rng.uniform(0.85, 1.3)
        if kind == ProviderKind.CHILDRENS_HOME_PRIVATE and rng.random() < 0.06:
            factor = rng.uniform(2.0, 3.0)
        agreement = PlacementAgreement(
            first_episode_id=placement.first_episode_id, child_id=placement.child_id, provider=providers[key]
        )
        agreements.append(stamp(agreement, at(placement.started_on)))
        plans.append((placement, kind, factor, _shares(rng, kind)))
    PlacementAgreement.objects.bulk_create(agreements)
    costs = []
    for agreement, (placement, kind, factor, shares) in zip(agreements, plans, strict=True):
        weekly = round(_price_on(kind, placement.started_on) * factor)
        costs.append(_cost(agreement, placement.started_on, weekly, CostChange.AGREED, shares))
        last = placement.ended_on or sim.last_day
        april = dt.date(placement.started_on.year + (placement.started_on.month >= 4), 4, 1)
        while april < last:
            weekly = round(weekly * rng.uniform(1.02, 1.06))
            costs.append(_cost(agreement, april, weekly, CostChange.UPLIFT, shares))
            april = april.replace(year=april.year + 1)
        if (last - placement.started_on).days > 120 and weekly and rng.random() < 0.05:
            day = placement.started_on + dt.timedelta(
                days=rng.randint(60, (last - placement.started_on).days - 1)
            )
            if all(cost.effective_from != day for cost in costs[-12:]):
                costs.append(_cost(agreement, day, round(weekly * 1.3), CostChange.ENHANCED, shares))
    costs.sort(key=lambda cost: (cost.agreement_id, cost.effective_from))
    WeeklyCost.objects.bulk_create(costs, batch_size=2000)


def _cost(agreement, day, weekly, change, shares) -> WeeklyCost:
    cost = WeeklyCost(
        agreement=agreement, effective_from=day, weekly_cost=Decimal(weekly), change=change, **shares
    )
    return stamp(cost, at(day))


def _budgets(sim: Simulation) -> None:
    """A budget for each financial year of the history: the year's spend by category (the part so far, scaled to
    the whole year) times a share that rises from FIRST_BUDGET_SHARE to LAST_BUDGET_SHARE."""
    first_year = sim.first_day.year + (sim.first_day.month >= 4)
    last_year = sim.last_day.year + (sim.last_day.month >= 4)
    director = User.objects.filter(role=Role.DIRECTOR).order_by("pk").first()
    years = list(range(first_year, last_year + 1))
    for position, year in enumerate(years):
        start, end = year_bounds(year)
        seen_to = min(end, sim.last_day)
        if seen_to < start:
            continue
        share = FIRST_BUDGET_SHARE + (LAST_BUDGET_SHARE - FIRST_BUDGET_SHARE) * position / max(
            1, len(years) - 1
        )
        scale = ((end - start).days + 1) / ((seen_to - start).days + 1)
        money, nights = defaultdict(float), defaultdict(float)
        for placement in accrual.placements_between(start, seen_to):
            accrued = accrual.accrue(placement, start, seen_to + dt.timedelta(days=1), assume_open=True)
            money[placement.category] += float(accrued.total_net)
            nights[placement.category] += accrued.total_nights
        budget = Budget(year=year, set_by=director)
        stamp(
            budget,
            at(min(start - dt.timedelta(days=31), sim.last_day) if start > sim.first_day else sim.first_day),
        )
        budget.save()
        lines = []
        for category in CATEGORIES:
            amount = Decimal(round(money[category] * scale * share))
            children = Decimal(
                str(round(nights[category] / ((seen_to - start).days + 1) * (share + 1) / 2, 1))
            )
            lines += [
                BudgetLine(budget=budget, category=category, month=month, amount=part, children=children)
                for month, part in spread_over_months(year, amount).items()
            ]
        BudgetLine.objects.bulk_create(lines)


def _scenarios(sim: Simulation) -> None:
    author = User.objects.filter(role=Role.HEAD_OF_SERVICE).order_by("pk").first()
    if author is None:
        return
    Scenario.objects.bulk_create(
        [
            stamp(
                Scenario(
                    name="Ten fewer residential entries a year",
                    author=author,
                    kind=ScenarioKind.FEWER_ENTRIES,
                    category="residential",
                    number=Decimal(10),
                ),
                at(sim.last_day, 10),
            ),
            stamp(
                Scenario(
                    name="Step down two children a month from residential to fostering",
                    author=author,
                    kind=ScenarioKind.STEP_DOWN,
                    category="residential",
                    to_category="fostering",
                    number=Decimal(2),
                ),
                at(sim.last_day, 11),
            ),
        ]
    )
