"""The demand forecast on a county of about 1,000 looked-after children: one year ahead, daily steps, with the band.
Prints figures; asserts nothing.

    OPENCSC_DATA_DIR=/tmp/opencsc-forecast .venv/bin/python benchmarks/forecast.py [--in-care 1000] [--runs 7]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/forecast.py [--reuse]

`opencsc generate` makes about one child in care per 50 children, so a county of 1,000 looked-after children
would take tens of minutes to generate; this script writes the episodes of such a county directly instead (a
seeded simulation: about 480 entries a year over six years, stays of about two and a half years, placement
moves, ages at entry as in England). It replaces every child and episode in the database it is pointed at.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-forecast")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from opencsc.insight import forecast as model  # noqa: E402
from opencsc.looked_after.models import Episode  # noqa: E402
from opencsc.people.models import Child  # noqa: E402

AS_OF = dt.date(2026, 3, 31)
HISTORY_START = dt.date(2018, 4, 1)
PLACEMENTS_BY_AGE = (  # (age below, placement types to draw from)
    (5, ["U6", "U6", "U4", "U3", "A4", "P1"]),
    (12, ["U6", "U4", "U4", "U3", "U1", "K2", "P1"]),
    (16, ["U6", "U4", "U3", "K2", "K2", "R1", "S1", "P1"]),
    (19, ["U6", "U4", "K2", "K3", "K3", "K1", "P1"]),
)
ENTRY_AGES = [0] * 20 + [2] * 13 + [7] * 19 + [13] * 38 + [16] * 10  # share by age group, in %


def placement(rng: random.Random, age: int) -> str:
    for below, codes in PLACEMENTS_BY_AGE:
        if age < below:
            return rng.choice(codes)
    return "K3"


def simulate(
    rng: random.Random, entries_a_year: int, *, history_start: dt.date = HISTORY_START, as_of: dt.date = AS_OF
) -> tuple[list[Child], list[list[dict]]]:
    """Children who came into care from `history_start` to `as_of`, each with their episodes (open on `as_of`
    for those still in care)."""
    children, episodes = [], []
    days = (as_of - history_start).days
    for n in range(int(entries_a_year * days / 365)):
        entered = history_start + dt.timedelta(days=rng.randrange(days))
        age = min(17, rng.choice(ENTRY_AGES) + rng.randrange(3))
        born = entered - dt.timedelta(days=age * 365 + rng.randrange(365))
        children.append(_child(n, born))
        left = min(entered + dt.timedelta(days=int(rng.expovariate(1 / 900)) + 1), _birthday(born, 18))
        episodes.append(_care(rng, entered, left, born, as_of))
    return children, episodes


def _birthday(born: dt.date, age: int) -> dt.date:
    return dt.date(born.year + age, born.month, min(born.day, 28))


def _child(n: int, born: dt.date) -> Child:
    return Child(
        la_child_id=f"B{n:06d}",
        first_name="Bench",
        last_name=f"Child{n}",
        first_name_key="bench",
        last_name_key=f"child{n}",
        date_of_birth=born,
        sex="MF"[n % 2],
    )


def _care(rng: random.Random, entered: dt.date, left: dt.date, born: dt.date, as_of: dt.date) -> list[dict]:
    rows, start, rne = [], entered, "S"
    while start < left:
        end = start + dt.timedelta(days=int(rng.expovariate(1 / 600)) + 1)
        age = (start - born).days // 365
        row = {"started_on": start, "reason_new_episode": rne, "placement_type": placement(rng, age)}
        if end >= left:
            row["ended_on"], row["reason_ceased"] = (None, "") if left > as_of else (left, "E4A")
            rows.append(row)
            break
        row["ended_on"], row["reason_ceased"] = end, "X1"
        rows.append(row)
        start, rne = end, "P"
    return rows


@transaction.atomic
def build(
    entries_a_year: int, seed: int, *, history_start: dt.date = HISTORY_START, as_of: dt.date = AS_OF
) -> None:
    Episode.objects.all().delete()
    Child.objects.all().delete()
    children, cares = simulate(random.Random(seed), entries_a_year, history_start=history_start, as_of=as_of)
    Child.objects.bulk_create(children, batch_size=2000)
    saved = {child.la_child_id: child for child in Child.objects.all()}
    rows = [
        Episode(
            child=saved[child.la_child_id],
            legal_status="C2",
            category_of_need="N1",
            placement_provider="PR1",
            **episode,
        )
        for child, care in zip(children, cares, strict=True)
        for episode in care
    ]
    Episode.objects.bulk_create(rows, batch_size=2000)


def timed(function, runs: int) -> tuple[tuple[float, float], object]:
    """Median wall time and median CPU time of this process (the CPU time is steadier on a busy machine)."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return (statistics.median(walls), statistics.median(cpus)), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--entries-a-year", type=int, default=480)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    if not (options.reuse and Episode.objects.exists()):
        started = time.perf_counter()
        build(options.entries_a_year, options.seed)
        print(
            f"built {Child.objects.count():,} children, {Episode.objects.count():,} episodes: "
            f"{time.perf_counter() - started:.1f} s"
        )
    to = AS_OF.replace(year=AS_OF.year + 1)
    window_start = model.months_before(AS_OF, model.DEFAULT_WINDOW_MONTHS)
    load, episodes = timed(lambda: model.episodes_known_on(AS_OF, window_start), options.runs)
    estimate, rates = timed(
        lambda: model.estimate_rates(episodes, as_of=AS_OF, window_start=window_start), options.runs
    )
    horizon = (to - AS_OF).days
    project, _ = timed(
        lambda: model.project(rates, horizon_days=horizon, weekly_cost=model.DEFAULT_WEEKLY_COST),
        options.runs,
    )
    whole, result = timed(lambda: model.forecast(as_of=AS_OF, to=to), options.runs)
    print(
        f"looked after on {AS_OF}: {int(rates.stock.sum()):,}; episodes read: {len(episodes):,}; "
        f"window {model.DEFAULT_WINDOW_MONTHS} months; {model.DRAWS} rate draws; {horizon} daily steps"
    )
    print(f"median of {options.runs} runs              wall ms    CPU ms")
    for name, (wall, cpu) in (
        (f"read episodes known on {AS_OF}", load),
        ("estimate rates", estimate),
        (f"project {horizon} days with band", project),
        ("whole forecast", whole),
    ):
        print(f"  {name:34}{wall * 1000:8.1f}  {cpu * 1000:8.1f}")
    print(
        "  beside the Social Finance demand model (../shared/research/analytics.md, one year of daily steps): "
        "its pandas step loop about 2,500 ms, its matrix form (MultinomialPredictor) about 100 ms, neither "
        "with a band carried through the horizon"
    )
    band = result.looked_after
    print(
        f"forecast for {to}: {band.expected:.1f} (80% interval {band.low:.1f} to {band.high:.1f}); "
        f"weekly cost £{result.weekly_cost.expected:,.0f}"
    )


if __name__ == "__main__":
    main()
