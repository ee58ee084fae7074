"""Child search and the child's record page on a large synthetic authority: prints p50/p95 latencies.

    OPENCSC_DATA_DIR=/tmp/opencsc-bench .venv/bin/python benchmarks/child_search_and_record.py [--reuse]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/child_search_and_record.py [--reuse]

Builds a 100,000-child authority (unless --reuse finds one), then times child_search for each kind of query as
a social worker and as a head of service, and GET /children/<id>/ through the Django test client.
It prints figures; it asserts nothing about them.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-bench")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")  # measure without the per-query log DEBUG keeps

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import Role, User  # noqa: E402
from opencsc.casework.models import Allocation  # noqa: E402
from opencsc.people.models import Child, ChildAddress  # noqa: E402
from opencsc.people.selectors import child_search, children_visible_to  # noqa: E402
from opencsc.synthetic.demo_users import ensure_demo_users  # noqa: E402


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--reuse", action="store_true", help="use the authority already in the database")
    parser.add_argument("--searches", type=int, default=60, help="searches per kind of query and user")
    parser.add_argument("--pages", type=int, default=300, help="record pages per user (0: searches only)")
    return parser.parse_args()


def prepare_database(arguments: argparse.Namespace) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    existing = Child.objects.count()
    if arguments.reuse and existing:
        print(f"Reusing the authority in the database: {existing:,} children")
        return
    started = time.perf_counter()
    call_command("generate", children=arguments.children, seed=arguments.seed, replace=True, verbosity=0)
    print(f"Generated {arguments.children:,} children in {time.perf_counter() - started:.1f}s")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(action: Callable[[], object], times: int) -> tuple[list[float], list[object]]:
    action()  # warm the caches once
    durations, results = [], []
    for _ in range(times):
        started = time.perf_counter()
        results.append(action())
        durations.append((time.perf_counter() - started) * 1000)
    return durations, results


def search_texts(rng: random.Random, count: int) -> dict[str, list[str]]:
    """Real values from random children, so every search has something to find."""
    ids = list(Child.objects.exclude(date_of_birth=None).values_list("pk", flat=True))
    sample = list(
        Child.objects.filter(pk__in=rng.sample(ids, count)).order_by("pk").prefetch_related("addresses")
    )
    with_upn = [child for child in sample if child.upn] or sample
    with_nhs = [child for child in sample if child.nhs_number] or sample
    postcodes = [address.postcode for child in sample for address in child.addresses.all()][:count]
    return {
        "surname": [child.last_name for child in sample],
        "partial name": [f"{child.first_name[:3]} {child.last_name[:3]}" for child in sample],
        "full name": [f"{child.first_name} {child.last_name}" for child in sample],
        "partial postcode": [postcode.split()[0] for postcode in postcodes],
        "full postcode": postcodes,
        "date of birth": [f"{child.date_of_birth:%d/%m/%Y}" for child in sample],
        "LA child id": [child.la_child_id for child in sample],
        "UPN": [child.upn for child in with_upn],
        "NHS number": [child.nhs_number for child in with_nhs],
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def measure_searches(users: dict[str, User], texts: dict[str, list[str]]) -> list[tuple]:
    rows = []
    for label, user in users.items():
        for kind, values in texts.items():
            queue = iter(values * 2)
            durations, results = timed(
                lambda user=user, queue=queue: child_search(user=user, text=next(queue)), len(values)
            )
            found = statistics.mean(len(result) for result in results)
            rows.append(
                (
                    f"search: {kind}",
                    label,
                    len(durations),
                    percentile(durations, 0.5),
                    percentile(durations, 0.95),
                    f"{found:.1f}",
                )
            )
    return rows


def measure_record_pages(users: dict[str, User], rng: random.Random, pages: int) -> list[tuple]:
    rows = []
    for label, user in users.items():
        visible = list(children_visible_to(user).values_list("pk", flat=True)[:5000])
        chosen = [rng.choice(visible) for _ in range(pages + 1)]
        client, queue = signed_in(user), iter(chosen)
        durations, responses = timed(
            lambda client=client, queue=queue: client.get(f"/children/{next(queue)}/"), pages
        )
        statuses = {response.status_code for response in responses}
        rows.append(
            (
                "child record page",
                label,
                len(durations),
                percentile(durations, 0.5),
                percentile(durations, 0.95),
                f"HTTP {sorted(statuses)}",
            )
        )
    return rows


def print_table(rows: list[tuple]) -> None:
    header = ("what", "as", "n", "p50 ms", "p95 ms", "results")
    print(f"{header[0]:<28} {header[1]:<18} {header[2]:>5} {header[3]:>8} {header[4]:>8}  {header[5]}")
    for what, who, n, p50, p95, note in rows:
        print(f"{what:<28} {who:<18} {n:>5} {p50:>8.1f} {p95:>8.1f}  {note}")


def main() -> None:
    arguments = parse_arguments()
    print(f"Database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    prepare_database(arguments)
    ensure_demo_users()
    social_worker = User.objects.get(username="sw.demo")
    users = {
        f"social worker ({Allocation.objects.filter(worker=social_worker, ended_on=None).count()} cases)": social_worker,
        "head of service": User.objects.filter(role=Role.HEAD_OF_SERVICE).order_by("pk").first(),
    }
    counts = f"{Child.objects.count():,} children, {ChildAddress.objects.count():,} addresses"
    print(
        f"Authority: {counts}; {arguments.searches} searches per kind, {arguments.pages} record pages per user"
    )
    rng = random.Random(arguments.seed)
    rows = measure_searches(users, search_texts(rng, arguments.searches))
    if arguments.pages:
        rows += measure_record_pages(users, rng, arguments.pages)
    print_table(rows)


if __name__ == "__main__":
    main()
