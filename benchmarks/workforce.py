"""Workforce figures on a large synthetic authority: prints timings and the generated rates by census year.

    OPENCSC_DATA_DIR=/tmp/opencsc-bench .venv/bin/python benchmarks/workforce.py [--reuse]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/workforce.py [--reuse]

Builds an authority (100,000 children unless --children says otherwise, or the one already there with --reuse),
then times the workforce selectors other pages call, the /workforce/ page as the director, and the CSWW census
export. It prints figures; it asserts nothing about them.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-bench")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import Role, User  # noqa: E402
from opencsc.casework.models import Allocation  # noqa: E402
from opencsc.people.models import Child  # noqa: E402
from opencsc.returns.csww.export import export_csww  # noqa: E402
from opencsc.workforce.models import StaffRecord  # noqa: E402
from opencsc.workforce.selectors import (  # noqa: E402
    census_dates,
    figures_by_team,
    month_ends,
    workforce_figures,
    workforce_trend,
)


def timed(what: str, action, repeat: int) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"  {what:<48} p50 {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   (n={repeat})")


def director_client() -> Client:
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).first()
    client = Client()
    client.force_login(director)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--reuse", action="store_true", help="use the authority already in the database")
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not (options.reuse and Child.objects.exists()):
        started = time.perf_counter()
        call_command("generate", children=options.children, seed=options.seed, replace=True, verbosity=0)
        print(
            f"generated {options.children:,} children (seed {options.seed}) in {time.perf_counter() - started:.0f} s"
        )
    today = timezone.localdate()
    print(
        f"{Child.objects.count():,} children, {Allocation.objects.count():,} allocations, "
        f"{StaffRecord.objects.count():,} staff records"
    )
    print("\nGenerated rates at 30 September (the authority; caseload = children per case-holder FTE):")
    print("  census day    employed  agency  vacant  turnover  agency%  vacancy%  caseload")
    first_year = StaffRecord.objects.order_by("start_date").values_list("start_date", flat=True).first().year
    days = [day for day in census_dates(max(first_year, today.year - 6), today.year) if day <= today] + [
        today
    ]
    for row in workforce_trend(days):
        print(
            f"  {row.on}  {row.employed_fte:8.1f}  {row.agency_fte:6.1f}  {row.vacancy_fte:6.1f}  "
            f"{row.turnover_rate or 0:8.1f}  {row.agency_rate or 0:7.1f}  {row.vacancy_rate or 0:8.1f}  "
            f"{row.caseload_per_fte or 0:8.1f}"
        )
    print("\nTimings:")
    months = month_ends(today, 36)
    timed("workforce_figures(today)", lambda: workforce_figures(today), options.repeat)
    timed("workforce_trend(36 month ends)", lambda: workforce_trend(months), options.repeat)
    timed("figures_by_team(today)", lambda: figures_by_team(today), options.repeat)
    client = director_client()
    timed("GET /workforce/ (director)", lambda: client.get("/workforce/"), options.repeat)
    census_year = today.year if today.month >= 10 else today.year - 1
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "csww.xml"
        timed(f"export csww --year {census_year}", lambda: export_csww(census_year, out), options.repeat)


if __name__ == "__main__":
    main()
