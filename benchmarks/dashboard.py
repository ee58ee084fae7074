"""The leadership dashboard on a large synthetic authority: prints p50/p95 render times of /insight/dashboard/
(every KPI with 36 monthly trend points, targets, England's figures, the panels and the workforce) and of the
KPI page and a drill-down, for dates 2, 5 and 10 years into the authority's history.

    OPENCSC_DATA_DIR=/tmp/opencsc-dashboard-bench .venv/bin/python benchmarks/dashboard.py [--reuse]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/dashboard.py [--reuse]

Before timing the pages it stores the month-end figures of every closed month not yet stored (ADR 0018) and
prints how long that took; before each date's pages it stores the overdue work found on that date, as the
nightly sweep does (ADR 0032; `--no-sweep` leaves it out, so the overdue panel is worked out on each request). Without --reuse it builds the authority with `opencsc generate --children N --seed S --start-year Y --replace`.
The generator takes about 15 seconds per 1,000 children on a busy two-core machine, so a ten-year authority with
500,000 contacts (230,000 children) takes hours; `--multiply K` is the faster bulk builder: it copies the
generated authority's records that the dashboard reads K-1 more times under new ids (children, contacts and the
children named on them, referrals, allocations, assessments, strategy discussions, enquiries, conferences,
plans, core groups, child-in-need plans and reviews, case notes and the children they are about, episodes),
suffixing the unique LA child IDs and contact references. Every copy is the generated authority's own records,
so it obeys the same rules; the authority is K times the size, with the same dates. Addresses, relationships,
chronology and audit rows are not copied (the dashboard does not read them).

If the database has no looked-after episodes the script adds simple ones (`--looked-after`, valid 903-shaped
chains of episodes with real postcodes) so that the looked-after KPIs have work to do. It prints figures; it
asserts nothing about them.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-dashboard-bench")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")  # measure without the per-query log DEBUG keeps

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import Role, User  # noqa: E402
from opencsc.casework.models import Allocation, Assessment, ChildProtectionPlan  # noqa: E402
from opencsc.frontdoor.models import Contact, Referral  # noqa: E402
from opencsc.insight.dashboard import dashboard_for  # noqa: E402
from opencsc.looked_after.models import Episode  # noqa: E402
from opencsc.oversight.findings import overdue_findings_refresh  # noqa: E402
from opencsc.people.models import Child  # noqa: E402
from opencsc.synthetic.demo_users import ensure_demo_users  # noqa: E402

POSTCODES = [
    "HP19 8FF",
    "HP11 2JU",
    "HP20 1UA",
    "MK18 1AS",
    "SL7 1AA",
    "OX1 1AA",
    "CA1 1AA",
    "ME14 1XQ",
    "LU1 1AA",
]


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=230_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--start-year", type=int, default=2016)
    parser.add_argument("--reuse", action="store_true", help="use the authority already in the database")
    parser.add_argument(
        "--looked-after", type=int, default=None, help="children given episodes (default 1%%)"
    )
    parser.add_argument("--times", type=int, default=7, help="renders per page and date")
    parser.add_argument(
        "--multiply", type=int, default=1, help="copy the authority's records to K times its size"
    )
    parser.add_argument("--years", default="2,5,10", help="dates this many years after the first contact")
    parser.add_argument(
        "--no-sweep",
        action="store_true",
        help="do not store the overdue findings the nightly sweep would (the panel then works them out live)",
    )
    return parser.parse_args()


def prepare(arguments) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    if arguments.reuse and Child.objects.exists():
        print(f"Reusing the authority in the database: {Child.objects.count():,} children")
    else:
        started = time.perf_counter()
        call_command(
            "generate",
            children=arguments.children,
            seed=arguments.seed,
            start_year=arguments.start_year,
            replace=True,
            verbosity=0,
        )
        print(f"Generated {arguments.children:,} children in {time.perf_counter() - started:,.0f} s")
    if not Episode.objects.exists():
        add_looked_after(arguments.looked_after or max(Child.objects.count() // 100, 10), arguments.seed)
    if arguments.multiply > 1:
        multiply(arguments.multiply)
    ensure_demo_users()


def add_looked_after(count: int, seed: int) -> None:
    """Chains of episodes for `count` children with a referral: each starts S, then moves (P or T) or
    changes legal status (L), ending X1 when the next starts and E-something when the child leaves care."""
    rng = random.Random(seed)
    today = timezone.localdate()
    firsts = list(Referral.objects.order_by("child_id").distinct().values_list("child_id", "referral_date"))
    seen, chosen = set(), []
    for child_id, referred in firsts:
        if child_id not in seen:
            seen.add(child_id)
            chosen.append((child_id, referred))
    rng.shuffle(chosen)
    episodes = []
    for child_id, referred in chosen[:count]:
        day = referred + dt.timedelta(days=rng.randrange(10, 200))
        home = rng.choice(POSTCODES[:6])
        for step in range(rng.randrange(1, 6)):
            if day >= today:
                break
            length = rng.choice([3, 40, 120, 300, 700])
            end = day + dt.timedelta(days=length)
            last = end >= today or step == 4 or rng.random() < 0.2
            still_open = last and (end >= today or rng.random() < 0.5)
            episodes.append(
                Episode(
                    child_id=child_id,
                    started_on=day,
                    ended_on=None if still_open else min(end, today - dt.timedelta(days=1)),
                    reason_new_episode="S" if step == 0 else rng.choice("PTL"),
                    legal_status=rng.choice(["C2", "C2", "V2", "E1", "V3"]),
                    category_of_need="N1",
                    placement_type=rng.choice(["U1", "U4", "U6", "K2", "R1"]),
                    placement_provider="PR1",
                    home_postcode=home,
                    placement_postcode=rng.choice(POSTCODES),
                    reason_ceased="" if still_open else ("X1" if not last else "E11"),
                )
            )
            if last:
                break
            day = min(end, today - dt.timedelta(days=1))
    Episode.objects.bulk_create(episodes, batch_size=2000, ignore_conflicts=True)
    print(f"Added {len(episodes):,} looked-after episodes for {min(count, len(chosen)):,} children")


COPIED_MODELS = [
    "people.Child",
    "frontdoor.Contact",
    "frontdoor.ContactChild",
    "frontdoor.Referral",
    "casework.Allocation",
    "casework.StrategyDiscussion",
    "casework.Section47Enquiry",
    "casework.ChildProtectionConference",
    "casework.ChildProtectionPlan",
    "casework.CoreGroupMeeting",
    "casework.ChildInNeedPlan",
    "casework.ChildInNeedReview",
    "casework.Assessment",
    "casework.CaseNote",
    "looked_after.Episode",
]


def multiply(times: int) -> None:
    """Copy the records the dashboard reads `times - 1` more times under new ids, in one transaction (foreign
    keys are checked at commit, so plans and their initial conferences may point at each other)."""
    from django.apps import apps
    from django.db import transaction
    from django.db.models import Max as Largest

    models = [apps.get_model(label) for label in COPIED_MODELS]
    offsets = {}
    for model in models:
        largest = model.objects.aggregate(n=Largest("pk"))["n"] or 0
        offsets[model] = 10 ** len(str(largest))  # copy k of row n is n + k * offset
    if Child.objects.filter(pk__gt=offsets[Child]).exists():
        print("The authority has been multiplied already")
        return
    quote = connection.ops.quote_name
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for copy in range(1, times):
            for model in models:
                _copy_rows(cursor, model, copy, offsets, quote)
                for field in model._meta.many_to_many:
                    _copy_links(cursor, field, copy, offsets, quote)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {quote(table)}))"
                )
    print(f"Copied the authority's records {times - 1} more times in {time.perf_counter() - started:,.0f} s")


def _copy_rows(cursor, model, copy: int, offsets: dict, quote) -> None:
    columns, values = [], []
    for field in model._meta.concrete_fields:
        column = quote(field.column)
        columns.append(column)
        if field.primary_key:
            values.append(f"{column} + {copy * offsets[model]}")
        elif field.is_relation and field.related_model in offsets:
            values.append(f"{column} + {copy * offsets[field.related_model]}")
        elif field.unique:
            values.append(f"{column} || '-{copy}'")
        else:
            values.append(column)
    table = quote(model._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} "
        f"WHERE {quote(model._meta.pk.column)} < {offsets[model]}"
    )


def _copy_links(cursor, field, copy: int, offsets: dict, quote) -> None:
    through = field.remote_field.through
    source, target = field.m2m_column_name(), field.m2m_reverse_name()
    table = quote(through._meta.db_table)
    cursor.execute(
        f"INSERT INTO {table} ({quote(source)}, {quote(target)}) SELECT {quote(source)} + "
        f"{copy * offsets[field.model]}, {quote(target)} + {copy * offsets[field.related_model]} FROM {table} "
        f"WHERE {quote(source)} < {offsets[field.model]}"
    )


def store_figures() -> None:
    """Compute and store the month-end figures of every closed month not yet stored (ADR 0018), as the nightly
    task does, and print how long it took and how much the store holds."""
    from opencsc.insight.figures import figures_refresh, months_needing_refresh
    from opencsc.insight.models import MonthEndFigure

    months = months_needing_refresh()
    started = time.perf_counter()
    figures_refresh(months)
    seconds = time.perf_counter() - started
    stored = sum(
        len(records) for records in MonthEndFigure.objects.values_list("records", flat=True).iterator()
    )
    kept = MonthEndFigure.objects.values("month_end").distinct().count()
    print(
        f"Stored the month-end figures of {len(months)} months in {seconds:.1f} s; the store holds {kept} months, "
        f"records behind them {stored / 1024 / 1024:.1f} MiB compressed"
    )


def director_client() -> Client:
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).first()
    client = Client()
    client.force_login(director)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def timed(action, times: int) -> tuple[float, list[float], int]:
    """The first run's seconds and queries, and the seconds of `times` more runs. (A request through the test
    client clears the query log when it starts, so queries are counted for the direct calls only.)"""
    first = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        action()
    cold = time.perf_counter() - first
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return cold, runs, len(queries)


def p95(runs: list[float]) -> float:
    ordered = sorted(runs)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    arguments = parse_arguments()
    prepare(arguments)
    store_figures()
    span = Contact.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    first, last = span["first"].date(), span["last"].date()
    vendor = connection.vendor
    print(
        f"\nDatabase: {vendor}. Contacts {Contact.objects.count():,} from {first} to {last} "
        f"({(last - first).days / 365.25:.1f} years); children {Child.objects.count():,}; referrals "
        f"{Referral.objects.count():,}; assessments {Assessment.objects.count():,}; protection plans "
        f"{ChildProtectionPlan.objects.count():,}; episodes {Episode.objects.count():,}; allocations "
        f"{Allocation.objects.count():,}\n"
    )
    started = time.perf_counter()
    import config.wsgi  # noqa: F401  (what a web server process does at start: reads the postcode directory)

    print(
        f"Web server start (WSGI application and postcode directory): {time.perf_counter() - started:.1f} s"
    )
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).first()
    print(
        f"{'page':44} {'date':>10} {'years':>5} {'cold s':>7} {'p50 s':>7} {'p95 s':>7} {'KiB':>6} {'queries':>7}"
    )
    for years in [int(text) for text in arguments.years.split(",")]:
        on = min(first.replace(year=first.year + years) - dt.timedelta(days=1), last)
        history = (on - first).days / 365.25
        client = director_client()  # afresh for each date: a long run may outlast a session
        if not arguments.no_sweep:
            started = time.perf_counter()
            overdue_findings_refresh(on=on)
            print(
                f"{'nightly sweep: overdue findings stored':44} {on.isoformat():>10} {history:5.1f} "
                f"{time.perf_counter() - started:7.2f}"
            )
        pages = [
            ("dashboard_for() (no template)", lambda on=on: dashboard_for(on=on, user=director)),
            (
                "GET /insight/dashboard/",
                lambda on=on, client=client: client.get(f"/insight/dashboard/?on={on}"),
            ),
            (
                "GET /insight/kpis/ (reporting year)",
                lambda on=on, client=client: client.get(f"/insight/kpis/?year={on.year}"),
            ),
            (
                "GET drill: late assessments",
                lambda on=on, client=client: client.get(
                    f"/insight/kpis/assessments_within_45wd_rate/?on={on}&part=missed"
                ),
            ),
        ]
        for name, action in pages:
            size = 0
            if name.startswith("GET"):
                response = action()
                assert response.status_code == 200, (name, response.status_code, response.get("Location"))
                size = len(response.content) // 1024
            cold, runs, queries = timed(action, arguments.times)
            print(
                f"{name:44} {on.isoformat():>10} {history:5.1f} {cold:7.2f} {statistics.median(runs):7.2f} "
                f"{p95(runs):7.2f} {size:6} {queries if not size else '':>7}"
            )


if __name__ == "__main__":
    main()
