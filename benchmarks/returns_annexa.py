"""Ofsted Annex A on a generated authority: export, and import into an empty database. Prints figures.

    OPENCSC_DATA_DIR=/tmp/opencsc-annexa .venv/bin/python benchmarks/returns_annexa.py [--reuse] [--children N]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/returns_annexa.py [--reuse]

Builds an authority with `opencsc generate --children N --seed 7 --replace` (default 20,000; unless --reuse
finds children already there). The generator on main makes no looked-after children yet, so the script adds
them for --care children (default 5% of the authority): a period of care of one to three episodes (legal
status and placement changes), reviews, health and dental checks, missing episodes, some care leavers and some
adoption milestones, written with bulk_create (benchmark data, not the generator's). Then it times, for the reference date 31 March of --year (default the last one
before today, so the lists are full):
- `annexa_rows` (every list's rows from the domain model) and writing the xlsx;
- with SQLite, `opencsc import annexa FILE` into a fresh, migrated database in a child process (the migration
  is not counted), and then re-exporting there;
- importing the file again into the authority it came from (nothing changes), with its CPU time and SQL
  statements.
"""

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-annexa")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from opencsc.people.models import Child  # noqa: E402
from opencsc.returns.annexa.export import annexa_rows, write_workbook  # noqa: E402
from opencsc.returns.annexa.importer import import_annexa_files  # noqa: E402
from opencsc.returns.annexa.layout import LISTS  # noqa: E402


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    value = func(*args, **kwargs)
    print(f"{label:58} {time.perf_counter() - start:8.2f} s")
    return value


def add_care(children: int, seed: int, on: dt.date) -> int:
    """Looked-after children for lists 8-10, deterministic per seed. Returns how many were added."""
    import random

    from django.utils import timezone

    from opencsc.looked_after.models import (
        AdoptionMilestones,
        CareLeaverContact,
        CareReview,
        Episode,
        HealthAndEducationCheck,
        MissingEpisode,
    )

    rng = random.Random(seed)
    candidates = list(
        Child.objects.filter(date_of_birth__isnull=False, care_episodes__isnull=True)
        .order_by("pk")
        .values_list("pk", "date_of_birth")[: children * 3]
    )
    chosen = sorted(rng.sample(candidates, min(children, len(candidates))))
    episodes, reviews, checks, missing, leavers, adoptions = [], [], [], [], [], []
    zone = timezone.get_current_timezone()
    for child_id, born in chosen:
        started = max(born, on - dt.timedelta(days=rng.randint(30, 1500)))
        ceased = started + dt.timedelta(days=rng.randint(60, 900)) if rng.random() < 0.3 else None
        if ceased and ceased > on:
            ceased = None
        days = sorted(
            {started, *(started + dt.timedelta(days=rng.randint(20, 400)) for _ in range(rng.randint(0, 2)))}
        )
        days = [d for d in days if d <= (ceased or on) and (d == started or not ceased or d < ceased)]
        for index, day in enumerate(days):
            last = index == len(days) - 1
            episodes.append(
                Episode(
                    child_id=child_id,
                    started_on=day,
                    reason_new_episode="S" if index == 0 else rng.choice("LPB"),
                    legal_status=rng.choice(["C1", "C2", "V2", "E1"]),
                    category_of_need=rng.choice(["N1", "N2", "N4", "N5"]),
                    placement_type=rng.choice(["U1", "U3", "U4", "U6", "K2", "R1"]),
                    placement_provider=rng.choice(["PR1", "PR4", "PR5"]),
                    placement_postcode="HP19 8FF",
                    placement_inside_authority=rng.random() < 0.6,
                    ended_on=ceased if last else days[index + 1],
                    reason_ceased=(rng.choice(["E4A", "E13", "E11", "E45"]) if ceased else "")
                    if last
                    else "X1",
                )
            )
        reviews.append(
            CareReview(child_id=child_id, held_on=started + dt.timedelta(days=20), participation="PN1")
        )
        checks.append(
            HealthAndEducationCheck(
                child_id=child_id, kind="initial_health", done_on=started + dt.timedelta(days=15)
            )
        )
        checks.append(
            HealthAndEducationCheck(child_id=child_id, kind="dental", done_on=started + dt.timedelta(days=40))
        )
        if rng.random() < 0.2:
            away = dt.datetime.combine(on - dt.timedelta(days=rng.randint(1, 300)), dt.time(21), tzinfo=zone)
            missing.append(
                MissingEpisode(
                    child_id=child_id, kind="M", started_at=away, returned_at=away + dt.timedelta(hours=9)
                )
            )
        age = (on - born).days // 365
        if ceased and 17 <= age <= 24:
            leavers.append(
                CareLeaverContact(
                    child_id=child_id,
                    contacted_on=on - dt.timedelta(days=30),
                    eligibility="former_relevant",
                    in_touch="YES",
                    accommodation="U",
                    accommodation_suitable=True,
                    activity="F2",
                )
            )
        if age < 6 and rng.random() < 0.3:
            adoptions.append(
                AdoptionMilestones(child_id=child_id, decided_on=started + dt.timedelta(days=120))
            )
    for model, rows in ((Episode, episodes), (CareReview, reviews), (HealthAndEducationCheck, checks)):
        model.objects.bulk_create(rows, batch_size=2000)
    for model, rows in (
        (MissingEpisode, missing),
        (CareLeaverContact, leavers),
        (AdoptionMilestones, adoptions),
    ):
        model.objects.bulk_create(rows, batch_size=2000)
    return len(chosen)


def main() -> None:
    today = dt.date.today()
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=today.year if today.month > 3 else today.year - 1)
    parser.add_argument(
        "--care", type=int, help="Looked-after children to add (default 5%% of the authority)"
    )
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "opencsc-annexa-bench.xlsx")
    args = parser.parse_args()

    if not (args.reuse and Child.objects.exists()):
        call_command("migrate", verbosity=0)
        timed(
            f"generate {args.children} children (seed {args.seed})",
            call_command,
            "generate",
            children=args.children,
            seed=args.seed,
            replace=True,
        )
    on = dt.date(args.year, 3, 31)
    from opencsc.looked_after.models import Episode

    if not Episode.objects.exists():
        care = args.care if args.care is not None else Child.objects.count() // 20
        timed(f"add {care} looked-after children (benchmark data)", add_care, care, args.seed, on)
    print(f"{'':58} {Child.objects.count()} children in the database")
    rows = timed(f"Annex A rows for {on:%d/%m/%Y} (annexa_rows)", annexa_rows, on)
    timed("write the xlsx", write_workbook, rows, on, args.out)
    counts = ", ".join(f"L{annex.number} {len(rows[annex.number])}" for annex in LISTS)
    print(f"{'':58} {sum(len(r) for r in rows.values())} rows ({counts})")
    print(f"{'':58} {args.out.stat().st_size / 1e6:.1f} MB -> {args.out}")

    if not os.environ.get("DATABASE_URL"):
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "OPENCSC_DATA_DIR": folder}
            opencsc = [sys.executable, "-c", "from opencsc.cli import main; main()"]
            subprocess.run([*opencsc, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
            for label, command in (
                ("import into an empty database (child process)", ["import", "annexa", str(args.out)]),
                (
                    "export again from there (child process)",
                    ["export", "annexa", "--year", str(args.year), "--out", f"{folder}/again.xlsx"],
                ),
            ):
                start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
                done = subprocess.run([*opencsc, *command], env=env, cwd=ROOT, capture_output=True)
                used = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu_s = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
                print(f"{label:58} {time.perf_counter() - start:8.2f} s ({cpu_s:.2f} s CPU)")
                print("    " + done.stdout.decode().strip().replace("\n", "\n    "))
                if done.returncode:
                    print("    " + done.stderr.decode().strip()[:2000].replace("\n", "\n    "))
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    cpu = time.process_time()
    with connection.execute_wrapper(count):
        report = timed("import again into the authority it came from", import_annexa_files, [args.out])
    print(f"{'':58} {time.process_time() - cpu:.2f} s CPU, {len(statements)} SQL statements")
    print(f"{'':58} changes: {report.counts or 'none'}; skipped {len(report.skipped)}")
    print(f"{'':58} load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
