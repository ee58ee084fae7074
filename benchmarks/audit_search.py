"""The auditors' search of the audit trail on a large log: prints how long each search takes.

    OPENCSC_DATA_DIR=/tmp/opencsc-bench-audit .venv/bin/python benchmarks/audit_search.py [--accesses N]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/audit_search.py [--accesses N]

Empties the access log and audit events of the database it is given (use a database of its own), writes N
access-log rows (1,000,000 unless told) and a fifth as many audit events over a year, by 500 staff on 20,000
children, then times GET /audit/ as an auditor for the searches an investigation makes: by person, by child,
by a week, by action, and all together; and the first and a late page of an unfiltered search. It prints
figures and asserts nothing about them.
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
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-bench-audit")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY  # noqa: E402
from opencsc.accounts.models import Role, User  # noqa: E402
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess  # noqa: E402
from opencsc.people.models import Child  # noqa: E402

CHILDREN, STAFF = 20_000, 500


def _people() -> tuple[list[int], list[int]]:
    staff = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    if len(staff) < STAFF:
        User.objects.bulk_create(
            User(username=f"bench{n}", first_name="Bench", last_name=f"Worker{n}", role=Role.SOCIAL_WORKER)
            for n in range(len(staff), STAFF)
        )
        staff = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
    children = list(Child.objects.filter(la_child_id__startswith="B").values_list("pk", flat=True))
    if len(children) < CHILDREN:
        Child.objects.bulk_create(
            (
                Child(
                    la_child_id=f"B{n:06d}",
                    first_name="Bench",
                    last_name=f"Child{n}",
                    sex="F",
                    date_of_birth=dt.date(2015, 1, 1),
                )
                for n in range(len(children), CHILDREN)
            ),
            batch_size=5000,
        )
        children = list(Child.objects.filter(la_child_id__startswith="B").values_list("pk", flat=True))
    return staff, children


def _fill(accesses: int, staff: list[int], children: list[int]) -> None:
    RecordAccess.objects.all().delete()
    AuditEvent.objects.all().delete()
    rng = random.Random(7)
    kinds = [AccessKind.VIEW] * 6 + [AccessKind.LISTED] * 3 + [AccessKind.REFUSED, AccessKind.EXPORT]
    for start in range(0, accesses, 50_000):
        rows = []
        for _ in range(min(50_000, accesses - start)):
            child = rng.choice(children)
            rows.append(
                RecordAccess(
                    user_id=rng.choice(staff),
                    child_id=child,
                    kind=rng.choice(kinds),
                    path=f"/children/{child}/",
                )
            )
        RecordAccess.objects.bulk_create(rows, batch_size=5000)
    events = []
    for _ in range(accesses // 5):
        child = rng.choice(children)
        events.append(
            AuditEvent(
                actor_id=rng.choice(staff),
                verb="case_note.finalise",
                object_type="Child",
                object_id=str(child),
                child_id=child,
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=5000)
    _spread_over_a_year()


def _spread_over_a_year() -> None:
    """auto_now_add stamps every row now: spread them over the year from 1 April 2025 instead."""
    with connection.cursor() as cursor:
        for table in ("audit_recordaccess", "audit_auditevent"):
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setseed(0.7)")
                cursor.execute(
                    f"UPDATE {table} SET at = timestamptz '2025-04-01 00:00+00' + random() * interval '365 days'"
                )
                cursor.execute(f"ANALYZE {table}")
            else:
                cursor.execute(
                    f"UPDATE {table} SET at = strftime('%Y-%m-%d %H:%M:%f', '2025-04-01', "
                    f"'+' || (abs(random()) % 31536000) || ' seconds')"
                )


def _client() -> Client:
    auditor, _ = User.objects.get_or_create(username="bench-auditor", defaults={"role": Role.AUDITOR})
    client = Client()
    client.force_login(auditor)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accesses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    staff, children = _people()
    began = time.perf_counter()
    _fill(args.accesses, staff, children)
    print(
        f"{connection.vendor}: {args.accesses:,} access-log rows and {args.accesses // 5:,} audit events "
        f"written in {time.perf_counter() - began:.1f} s"
    )
    client = _client()
    person = User.objects.get(pk=staff[0]).username
    child = Child.objects.get(pk=children[0]).la_child_id
    searches = {
        "by person": {"person": person},
        "by child": {"child": child},
        "one week": {"date_from": "2025-10-06", "date_to": "2025-10-12"},
        "refusals": {"action": "refused"},
        "person, week and action": {
            "person": person,
            "date_from": "2025-10-01",
            "date_to": "2025-10-31",
            "action": "view",
        },
        "everything, page 1": {"action": ""},
        "everything, page 400": {"action": "", "page": "400"},
    }
    with timezone.override("Europe/London"):
        for name, filters in searches.items():
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get("/audit/", filters)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            print(f"  {name:<26} median {statistics.median(times) * 1000:7.0f} ms  (of {args.repeat})")


if __name__ == "__main__":
    main()
