"""The work views on a large synthetic authority: prints p50/p95 render times of /work/service/, /work/team/,
/work/mine/ and /work/oversight/ through the Django test client.

    OPENCSC_DATA_DIR=/tmp/opencsc-work-bench .venv/bin/python benchmarks/work_views.py [--reuse]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/work_views.py [--reuse]

Builds a 100,000-child authority with `opencsc generate --children 100000 --seed 7` (unless --reuse finds
one). The generator writes allocations and case notes (visits, supervision, management oversight) but no
assessments, enquiries or plans yet, so this script bulk-inserts open casework once: for every child with an
open allocation and for extra children with none (`--extra-open`), an open assessment, section 47 enquiry,
child protection plan (with its initial conference, sometimes a core group and reviews) or child-in-need plan,
started at random in the past so that a share is overdue. It prints figures; it asserts nothing about them.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-work-bench")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")  # measure without the per-query log DEBUG keeps

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import User  # noqa: E402
from opencsc.casework import work  # noqa: E402
from opencsc.casework.models import (  # noqa: E402
    Allocation,
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    CoreGroupMeeting,
    Section47Enquiry,
    StrategyDiscussion,
)
from opencsc.core.working_days import add_months  # noqa: E402
from opencsc.frontdoor.models import Referral  # noqa: E402
from opencsc.people.models import Child  # noqa: E402
from opencsc.synthetic.demo_users import ensure_demo_users  # noqa: E402


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="use the authority already in the database")
    parser.add_argument(
        "--extra-open", type=int, default=12_000, help="children with no worker to give open work as well"
    )
    parser.add_argument("--times", type=int, default=30, help="renders per page and user")
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


def _days_ago(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low, high))


@transaction.atomic
def seed_open_casework(arguments: argparse.Namespace) -> None:
    """Open casework for every allocated child and for `extra_open` more, unless some is already there."""
    if Assessment.objects.exists() or ChildInNeedPlan.objects.exists():
        print("Open casework already present: not adding any")
        return
    started = time.perf_counter()
    rng = random.Random(arguments.seed)
    today = timezone.localdate()
    allocated = set(Allocation.objects.filter(ended_on__isnull=True).values_list("child_id", flat=True))
    others = list(
        Child.objects.exclude(pk__in=allocated).filter(is_restricted=False).values_list("pk", flat=True)
    )
    chosen = sorted(allocated) + rng.sample(others, min(arguments.extra_open, len(others)))
    kinds = rng.choices(["assessment", "s47", "cp", "cin"], weights=[35, 10, 20, 35], k=len(chosen))

    referrals = []
    for child_id, kind in zip(chosen, kinds, strict=True):
        if kind in ("assessment", "s47"):
            referrals.append(
                Referral(
                    child_id=child_id,
                    referral_date=_days_ago(rng, today, 0, 100),
                    source="1A",
                    route="assessment" if kind == "assessment" else "strategy",
                )
            )
    referrals = Referral.objects.bulk_create(referrals, batch_size=2000)
    by_child = {referral.child_id: referral for referral in referrals}

    assessments, strategies = [], []
    for referral in referrals:
        assessments.append(
            Assessment(child_id=referral.child_id, referral=referral, started_on=referral.referral_date)
        )
        if referral.route == "strategy":
            strategies.append(
                StrategyDiscussion(
                    child_id=referral.child_id,
                    referral=referral,
                    held_on=min(today, referral.referral_date + dt.timedelta(days=rng.randint(0, 3))),
                    section_47_agreed=True,
                )
            )
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    strategies = StrategyDiscussion.objects.bulk_create(strategies, batch_size=2000)
    Section47Enquiry.objects.bulk_create(
        [
            Section47Enquiry(
                child_id=s.child_id,
                referral=by_child[s.child_id],
                strategy_discussion=s,
                started_on=s.held_on,
            )
            for s in strategies
        ],
        batch_size=2000,
    )

    cp_children = [child_id for child_id, kind in zip(chosen, kinds, strict=True) if kind == "cp"]
    initials = ChildProtectionConference.objects.bulk_create(
        [
            ChildProtectionConference(
                child_id=child_id,
                kind=ConferenceKind.INITIAL,
                held_on=_days_ago(rng, today, 0, 700),
                plan_decided=True,
                category="NEG",
            )
            for child_id in cp_children
        ],
        batch_size=2000,
    )
    plans = ChildProtectionPlan.objects.bulk_create(
        [
            ChildProtectionPlan(
                child_id=c.child_id,
                initial_conference=c,
                started_on=c.held_on,
                initial_category="NEG",
                latest_category="NEG",
            )
            for c in initials
        ],
        batch_size=2000,
    )
    core_groups, reviews = [], []
    for plan in plans:
        if rng.random() < 0.7:
            core_groups.append(
                CoreGroupMeeting(
                    plan=plan, held_on=min(today, plan.started_on + dt.timedelta(days=rng.randint(5, 16)))
                )
            )
        review_on = add_months(plan.started_on, 3)
        while review_on < today and rng.random() < 0.9:
            held = min(today, review_on + dt.timedelta(days=rng.randint(-10, 5)))
            reviews.append(
                ChildProtectionConference(
                    child_id=plan.child_id,
                    kind=ConferenceKind.REVIEW,
                    plan=plan,
                    held_on=held,
                    plan_decided=True,
                    category="NEG",
                )
            )
            review_on = add_months(held, 6)
    CoreGroupMeeting.objects.bulk_create(core_groups, batch_size=2000)
    ChildProtectionConference.objects.bulk_create(reviews, batch_size=2000)
    ChildInNeedPlan.objects.bulk_create(
        [
            ChildInNeedPlan(child_id=child_id, started_on=_days_ago(rng, today, 0, 500))
            for child_id, kind in zip(chosen, kinds, strict=True)
            if kind == "cin"
        ],
        batch_size=2000,
    )
    print(
        f"Added open casework for {len(chosen):,} children in {time.perf_counter() - started:.1f}s: "
        f"{len(assessments):,} assessments, {len(strategies):,} section 47 enquiries, {len(plans):,} protection "
        f"plans ({len(core_groups):,} core groups, {len(reviews):,} reviews), "
        f"{kinds.count('cin'):,} child-in-need plans"
    )


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


class QueryCounter:
    """Counts the queries a request runs (Django empties its own query log when a request starts)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(label: str, who: str, request: Callable[[], object], times: int) -> tuple:
    first = request()  # warm the caches once
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        request()
    durations = []
    for _ in range(times):
        started = time.perf_counter()
        request()
        durations.append((time.perf_counter() - started) * 1000)
    note = f"HTTP {first.status_code}, {counter.count} queries"
    return (label, who, times, percentile(durations, 0.5), percentile(durations, 0.95), note)


def print_table(rows: list[tuple]) -> None:
    print(f"{'page':<46} {'as':<16} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}  notes")
    for what, who, n, p50, p95, note in rows:
        print(f"{what:<46} {who:<16} {n:>4} {p50:>8.1f} {p95:>8.1f}  {note}")


def main() -> None:
    arguments = parse_arguments()
    print(f"Database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    prepare_database(arguments)
    ensure_demo_users()
    seed_open_casework(arguments)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics after the bulk inserts, as a live database keeps them
    users = {name: User.objects.get(username=f"{name}.demo") for name in ("hos", "tm", "sw")}
    head = users["hos"]
    ctx = work.ClockContext()
    everything = work.due_work(work.service_children(head), ctx)
    summary = work.summarise(everything)
    team = users["tm"].team
    print(
        f"Authority: {Child.objects.count():,} children; {summary.items:,} open clocks for "
        f"{summary.children:,} children, {summary.overdue:,} overdue. "
        f"tm.demo's team: {team}; sw.demo holds "
        f"{Allocation.objects.filter(worker=users['sw'], ended_on=None).count()} children"
    )
    held_by_team = Counter(Allocation.objects.filter(ended_on__isnull=True).values_list("team_id", flat=True))
    some_team = held_by_team.most_common(1)[0][0]
    hos, tm, sw = (signed_in(users[name]) for name in ("hos", "tm", "sw"))
    pages = [
        ("/work/service/", "head of service", hos, "/work/service/"),
        ("/work/service/?page=40", "head of service", hos, "/work/service/?page=40"),
        (f"/work/service/?team={some_team}", "head of service", hos, f"/work/service/?team={some_team}"),
        ("/work/service/?clock=cp_visit", "head of service", hos, "/work/service/?clock=cp_visit"),
        (
            "/work/service/?late=overdue_21_plus",
            "head of service",
            hos,
            "/work/service/?late=overdue_21_plus",
        ),
        ("/work/team/", "team manager", tm, "/work/team/"),
        ("/work/mine/", "social worker", sw, "/work/mine/"),
        ("/work/oversight/", "head of service", hos, "/work/oversight/"),
        ("/work/oversight/", "team manager", tm, "/work/oversight/"),
    ]
    rows = [
        measure(label, who, lambda client=client, path=path: client.get(path), arguments.times)
        for label, who, client, path in pages
    ]
    print_table(rows)


if __name__ == "__main__":
    main()
