"""The generated authority's looked-after children: how long generating takes and the county's story in figures.
Prints figures; asserts nothing.

    OPENCSC_DATA_DIR=/tmp/opencsc-lac-gen .venv/bin/python benchmarks/looked_after_generation.py [--children 3000]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/looked_after_generation.py [--reuse]

Runs `opencsc generate --children N --seed S --today D --replace` (unless --reuse finds children already
there) and prints, for each complete reporting year: children who started to be looked after, children looked
after on 31 March, the share of those with three or more placements in the year, the share placed outside the
county, and the share whose distance from home could be worked out (both postcodes real).
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-lac-gen")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from opencsc.geography import postcode_location  # noqa: E402
from opencsc.insight import kpis  # noqa: E402
from opencsc.looked_after.models import Episode  # noqa: E402
from opencsc.people.models import Child, ChildAddress  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--children", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 4, 20))
    options = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    if not (options.reuse and Child.objects.exists()):
        started = time.perf_counter()
        call_command(
            "generate",
            children=options.children,
            seed=options.seed,
            today=options.today,
            replace=True,
            verbosity=0,
        )
        print(f"generate --children {options.children:,}: {time.perf_counter() - started:.1f} s")
    print(f"children {Child.objects.count():,}, care episodes {Episode.objects.count():,}")
    postcodes = list(ChildAddress.objects.values_list("postcode", flat=True))
    real = sum(1 for postcode in postcodes if postcode_location(postcode))
    print(f"home postcodes known to the ONS directory: {real:,} of {len(postcodes):,}")
    print(
        f"{'year':<8}{'starts':>8}{'in care 31 Mar':>16}{'3+ placements':>15}{'outside':>9}{'distance known':>16}"
    )
    last_year = options.today.year if options.today.month >= 4 else options.today.year - 1
    for year in range(last_year - 5, last_year + 1):
        reporting = kpis.ReportingYear(year)
        starts = (
            Episode.objects.filter(reason_new_episode="S", started_on__range=(reporting.start, reporting.end))
            .exclude(legal_status__in=("V3", "V4"))
            .values("child_id")
            .distinct()
            .count()
        )
        in_care = kpis.cla_at_year_end(reporting).value
        unsettled = kpis.cla_3plus_placements_rate(reporting).value
        outside = kpis.cla_placed_outside_la_rate(reporting)
        distance = kpis.cla_placed_20mi_plus_rate(reporting)
        known = f"{distance.denominator}/{in_care}" if distance.denominator is not None else "-"
        print(
            f"{year - 1}-{year % 100:02}{starts:>8}{in_care:>16}{_pct(unsettled):>15}{_pct(outside.value):>9}{known:>16}"
        )


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1f}%"


if __name__ == "__main__":
    main()
