"""The placements budget page on ten years of placements: p50 and p95 of /finance/budget/ (this year, a past
year, with a scenario) and of the residential drill-down, as the director. Prints figures; asserts nothing.

    OPENCSC_DATA_DIR=/tmp/opencsc-budget .venv/bin/python benchmarks/budget.py [--reuse] [--runs 20]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/budget.py [--reuse]

The authority is written directly, as benchmarks/forecast.py writes its county (seeded; about 480 children come
into care a year for ten years to today, about 1,000 looked after on any day), then every placement gets a
provider of its kind, an agreed weekly cost at the default national price of its year (prices.py less 4% a year
back from today), a 3% uplift each April while it lasts and an enhanced package for one in ten; each of the ten
financial years has a budget by category and month. It replaces every child, episode and finance record in the
database it is pointed at.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-budget")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")  # measure without the per-query log DEBUG keeps

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import forecast as county  # noqa: E402
from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import Role, User  # noqa: E402
from opencsc.finance import accrual  # noqa: E402
from opencsc.finance.codes import CostChange, ProviderKind, PurchaseRoute, ScenarioKind  # noqa: E402
from opencsc.finance.models import (  # noqa: E402
    Budget,
    BudgetLine,
    CarerApproval,
    PlacementAgreement,
    Provider,
    Scenario,
    WeeklyCost,
)
from opencsc.finance.outturn import financial_year_of, year_bounds  # noqa: E402
from opencsc.finance.prices import DEFAULT_WEEKLY_PRICE  # noqa: E402
from opencsc.finance.services import year_months  # noqa: E402
from opencsc.insight.forecast import CATEGORIES  # noqa: E402
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS  # noqa: E402
from opencsc.looked_after.models import Episode  # noqa: E402
from opencsc.synthetic.demo_users import ensure_demo_users  # noqa: E402

YEARS = 10
PRICE_RISE = 0.04  # a year, back from today's default prices
UPLIFT = Decimal("1.03")
PROVIDERS_OF_KIND = 12


def clear_finance() -> None:
    Scenario.objects.all().delete()
    BudgetLine.objects.all().delete()
    Budget.objects.all().delete()
    WeeklyCost.objects.all().delete()
    PlacementAgreement.objects.all().delete()
    CarerApproval.objects.all().delete()
    Provider.objects.all().delete()


def _providers() -> dict[str, list[Provider]]:
    by_kind = {}
    for kind in ProviderKind:
        route = PurchaseRoute.IN_HOUSE if kind == ProviderKind.IN_HOUSE_FOSTERING else PurchaseRoute.SPOT
        by_kind[kind] = Provider.objects.bulk_create(
            Provider(name=f"{kind.label} {n}", kind=kind, purchase_route=route, postcode="HP19 8FF")
            for n in range(PROVIDERS_OF_KIND)
        )
    return by_kind


def _price(kind, year_start: dt.date, today: dt.date) -> Decimal:
    years_back = (today - year_start).days / 365.25
    return (DEFAULT_WEEKLY_PRICE[kind] * Decimal(str((1 - PRICE_RISE) ** years_back))).quantize(Decimal("1"))


def _april_firsts(start: dt.date, end: dt.date | None, today: dt.date):
    year = start.year + 1 if start >= dt.date(start.year, 4, 1) else start.year
    while dt.date(year, 4, 1) < (end or today):
        yield dt.date(year, 4, 1)
        year += 1


@transaction.atomic
def cost_placements(rng: random.Random, today: dt.date) -> int:
    providers = _providers()
    first, _ = year_bounds(financial_year_of(today) - YEARS + 1)
    placements = [p for p in accrual.placements_between(first - dt.timedelta(days=3650), today) if p.has_fee]
    agreements, costs = [], []
    for placement in placements:
        kind = accrual.provider_kind_for(placement.place, placement.provider_code)
        agreements.append(
            PlacementAgreement(
                first_episode_id=placement.first_episode_id,
                child_id=placement.child_id,
                provider=rng.choice(providers[kind]),
            )
        )
    PlacementAgreement.objects.bulk_create(agreements, batch_size=2000)
    for placement, agreement in zip(placements, agreements, strict=True):
        kind = accrual.provider_kind_for(placement.place, placement.provider_code)
        weekly = _price(kind, placement.started_on, today)
        changes = [(placement.started_on, weekly, CostChange.AGREED)]
        for april in _april_firsts(placement.started_on, placement.ended_on, today):
            weekly = (weekly * UPLIFT).quantize(Decimal("1"))
            changes.append((april, weekly, CostChange.UPLIFT))
        if rng.random() < 0.1:
            later = placement.started_on + dt.timedelta(days=rng.randrange(30, 200))
            if placement.ended_on is None or later < placement.ended_on:
                changes.append((later, weekly * Decimal("1.25"), CostChange.ENHANCED))
        changes.sort()
        costs.extend(
            WeeklyCost(
                agreement=agreement,
                effective_from=day,
                weekly_cost=amount,
                change=change,
                social_care_share=Decimal(100),
                education_share=Decimal(0),
                health_share=Decimal(0),
            )
            for day, amount, change in {c[0]: c for c in changes}.values()
        )
    WeeklyCost.objects.bulk_create(costs, batch_size=2000)
    return len(placements)


@transaction.atomic
def set_budgets(today: dt.date) -> None:
    """Each of the ten years: the children in each category on 1 April of the year, at that year's prices, with
    5% fewer children than there were (the early years overspend)."""
    this_year = financial_year_of(today)
    for year in range(this_year - YEARS + 1, this_year + 1):
        start, _end = year_bounds(year)
        open_then = [p for p in accrual.placements_between(start, start) if p.open_on(start)]
        budget = Budget.objects.create(year=year)
        lines = []
        for category in CATEGORIES:
            here = [p for p in open_then if p.category == category]
            children = Decimal(len(here)) * Decimal("0.95")
            weekly = (
                sum((p.cost_on(start).weekly_net for p in here), Decimal(0)) / len(here)
                if here
                else Decimal(0)
            )
            for month in year_months(year):
                nights = (accrual.next_month(month) - month).days
                amount = (children * weekly * nights / 7).quantize(Decimal("0.01"))
                lines.append(
                    BudgetLine(
                        budget=budget, category=category, month=month, amount=amount, children=children
                    )
                )
        BudgetLine.objects.bulk_create(lines)


def director_client() -> Client:
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(director)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def timed(action, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = action()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--entries-a-year", type=int, default=480)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    ensure_demo_users()
    today = timezone.localdate()
    this_year = financial_year_of(today)
    if not (options.reuse and Budget.objects.exists()):
        started = time.perf_counter()
        clear_finance()
        history_start = year_bounds(this_year - YEARS + 1)[0] - dt.timedelta(days=3 * 365)
        county.build(options.entries_a_year, options.seed, history_start=history_start, as_of=today)
        costed = cost_placements(random.Random(options.seed), today)
        set_budgets(today)
        print(
            f"built {Episode.objects.count():,} episodes, {costed:,} placements with agreed costs "
            f"({WeeklyCost.objects.count():,} weekly cost rows), {Budget.objects.count()} budgets: "
            f"{time.perf_counter() - started:.1f} s"
        )
    director = User.objects.filter(role=Role.DIRECTOR).order_by("pk").first()
    scenario, _ = Scenario.objects.get_or_create(
        name="Two a month stepped down",
        defaults={
            "author": director,
            "kind": ScenarioKind.STEP_DOWN,
            "category": "residential",
            "to_category": "fostering",
            "number": Decimal(2),
        },
    )
    looked_after = Episode.objects.filter(started_on__lte=today, ended_on__isnull=True).count()
    starts = Episode.objects.filter(reason_new_episode__in=PLACEMENT_CHANGING_REASONS).count()
    print(
        f"{looked_after:,} looked after today ({today}); {starts:,} placements started since "
        f"{Episode.objects.order_by('started_on').values_list('started_on', flat=True).first()}"
    )
    client = director_client()
    pages = (
        (f"budget {this_year - 1}-{str(this_year)[2:]} (this year)", "/finance/budget/"),
        (
            f"budget {this_year - 6}-{str(this_year - 5)[2:]} (a past year)",
            f"/finance/budget/?year={this_year - 5}",
        ),
        ("budget this year with a scenario", f"/finance/budget/?scenario={scenario.pk}"),
        ("residential drill-down this year", "/finance/budget/category/residential/"),
    )
    print(f"{options.runs} runs each                          p50 ms    p95 ms")
    for name, url in pages:
        client.get(url)  # warm
        times = timed(lambda url=url: client.get(url), options.runs)
        print(f"  {name:40}{statistics.median(times):8.0f}  {p95(times):8.0f}")


if __name__ == "__main__":
    main()
