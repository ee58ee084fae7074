"""The front door on a large synthetic authority: prints p50/p95 render times of the front-door queue
(GET /front-door/, as the front-door team manager), the unallocated list (GET /allocation/unallocated/, as a head of
service) and a contact's page (GET /front-door/contacts/<id>/), through the Django test client signed in past
two-factor, and how long generation took.

    OPENCSC_DATA_DIR=/tmp/opencsc-fd-bench .venv/bin/python benchmarks/front_door.py [--reuse]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/front_door.py [--reuse]

Builds a 100,000-child authority with `opencsc generate --children 100000 --seed 7` (unless --reuse finds one):
about 2,000 contacts are open at the end of its history. It prints figures; it asserts nothing about them.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-fd-bench")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")  # measure without the per-query log DEBUG keeps

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import Role, TeamKind, User  # noqa: E402
from opencsc.frontdoor.models import Contact, ContactStatus, Referral  # noqa: E402
from opencsc.people.models import Child  # noqa: E402


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="use the authority already in the database")
    parser.add_argument("--times", type=int, default=30, help="renders per page")
    return parser.parse_args()


def prepare_database(arguments: argparse.Namespace) -> str:
    call_command("migrate", interactive=False, verbosity=0)
    existing = Child.objects.count()
    if arguments.reuse and existing and Contact.objects.exists():
        return f"reused ({existing:,} children)"
    started = time.perf_counter()
    call_command("generate", children=arguments.children, seed=arguments.seed, replace=True, verbosity=0)
    return f"{time.perf_counter() - started:.1f}s for {arguments.children:,} children"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def measure(client: Client, path: str, times: int) -> tuple[float, float, int, int]:
    response = client.get(path)  # warm caches and check the page works
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, len(queries), len(response.content)


def main() -> None:
    arguments = parse_arguments()
    generation = prepare_database(arguments)
    manager = User.objects.filter(
        role=Role.TEAM_MANAGER, team__kind=TeamKind.FRONT_DOOR, is_active=True
    ).order_by("pk")[0]
    head = User.objects.filter(role=Role.HEAD_OF_SERVICE, is_active=True).order_by("pk")[0]
    contact = (
        Contact.objects.filter(status=ContactStatus.DECIDED, referrals__isnull=False).order_by("-pk").first()
        or Contact.objects.order_by("-pk").first()
    )
    open_contacts = Contact.objects.exclude(status=ContactStatus.DECIDED).count()
    print(f"Generation: {generation}")
    print(
        f"Database: {connection.vendor}; {Child.objects.count():,} children, {Contact.objects.count():,} contacts "
        f"({open_contacts:,} open), {Referral.objects.count():,} referrals"
    )
    pages = (
        ("front-door queue", manager, "/front-door/"),
        ("unallocated list", head, "/allocation/unallocated/"),
        ("contact page", manager, f"/front-door/contacts/{contact.pk}/"),
    )
    print(f"{'page':<20} {'user':<18} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>7}")
    for name, user, path in pages:
        p50, p95, queries, size = measure(signed_in(user), path, arguments.times)
        print(f"{name:<20} {user.role:<18} {p50:>8.1f} {p95:>8.1f} {queries:>8} {size / 1024:>7.0f}")


if __name__ == "__main__":
    main()
