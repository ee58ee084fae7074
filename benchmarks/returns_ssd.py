"""The standard safeguarding dataset (SSD): export of a generated authority, and import of an extract of 20,000
children into an empty database and again unchanged. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/returns_ssd.py [--children 1500] [--pad-to 20000]
    .venv/bin/python benchmarks/returns_ssd.py --postgres postgres://postgres@127.0.0.1:5432/opencsc_benchssd

In a fresh SQLite database in a temporary folder (or, with `--postgres URL`, that PostgreSQL database, emptied
with `flush`), migrated first (not counted), it generates an authority (`opencsc generate --children N --seed 7`,
timed apart: generating 20,000 children takes too long for a benchmark), then times:
- the export of its SSD tables (`ssd_tables`), with the number of SQL statements, and the writing of the CSVs;
- the extract grown to `--pad-to` children with copies of the generated children's rows under new person IDs
  ("P", the round, then the ID without its first letter; no UPN, which is given once) and new row IDs, as
  `benchmarks/returns_cin.py --pad-to` grows a census (not timed);
- the database emptied (`flush`), then the import of the extract (`import_ssd`) into it, and the same extract
  again (every record matched, nothing changed), each with its wall time, CPU time and SQL statements.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else ""
os.environ.pop("DATABASE_URL", None)
if POSTGRES:
    os.environ["DATABASE_URL"] = POSTGRES
os.environ["OPENCSC_DATA_DIR"] = tempfile.mkdtemp(prefix="opencsc-ssd-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from opencsc.returns.ssd.export import ssd_tables, write_ssd  # noqa: E402
from opencsc.returns.ssd.importer import PERSON_COLUMN, import_ssd  # noqa: E402

TODAY = dt.date(2026, 5, 12)
NOT_COPIED = {"pers_forename", "pers_surname", "addr_address_json"}


def timed(label: str, func, *args, **kwargs):
    """Wall time, and this process's CPU time beside it (the machine may be shared)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = func(*args, **kwargs)
    print(f"{label:58} {time.perf_counter() - start:8.2f} s (CPU {time.process_time() - cpu:.2f} s)")
    return value


class Statements:
    """Counts the SQL statements run while it is active (without keeping them, unlike DEBUG)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def counted(label: str, func, *args):
    statements = Statements()
    with connection.execute_wrapper(statements):
        value = timed(label, func, *args)
    print(f"{'':58} {statements.count} SQL statements")
    return value


def padded(tables: dict, count: int) -> dict:
    """The tables grown to `count` children with copies of each child's rows under a new person ID; every
    identifier made from the person ID follows it (docs/ssd.md), a family's ID takes the round."""
    people = [row["pers_person_id"] for row in tables["ssd_person"]]
    owner_of_assessment = {
        row["cina_assessment_id"]: row["cina_person_id"] for row in tables["ssd_cin_assessments"]
    }
    rows_of: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for name, rows in tables.items():
        for row in rows:
            person = row.get(PERSON_COLUMN[name]) if PERSON_COLUMN[name] else None
            if name == "ssd_assessment_factors":
                person = owner_of_assessment.get(row["cinf_assessment_id"])
            if person:
                rows_of[person].append((name, row))
    grown = {name: list(rows) for name, rows in tables.items()}
    for n in range(max(0, count - len(people))):
        original, round_ = people[n % len(people)], n // len(people)
        new = f"P{round_:02d}{original[1:]}"[:20]
        for name, row in rows_of[original]:
            copy = {
                column: value if column in NOT_COPIED else value.replace(f"{original}-", f"{new}-")
                for column, value in row.items()
            }
            for column in [c for c, v in row.items() if v == original]:
                copy[column] = new
            if name == "ssd_person":
                copy["pers_common_child_id"] = ""
            if name == "ssd_family":
                copy["fami_family_id"] = f"{row['fami_family_id']}-P{round_:02d}"
            if name == "ssd_contacts":  # a copy's contact is a contact of its own, not its original's
                copy["cont_contact_id"] += f"-P{round_:02d}"
            grown[name].append(copy)
    return grown


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=1500, help="children to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pad-to", type=int, default=20000, help="children in the extract imported")
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL database to empty and use instead of SQLite"
    )
    args = parser.parse_args()
    work = Path(os.environ["OPENCSC_DATA_DIR"])
    call_command("migrate", verbosity=0)
    if POSTGRES:
        call_command("flush", interactive=False, verbosity=0)
    database = f"PostgreSQL {connection.pg_version // 10000}" if POSTGRES else "SQLite"
    timed(
        f"generate {args.children} children (seed {args.seed}; not the benchmark)",
        call_command,
        "generate",
        children=args.children,
        seed=args.seed,
        today=TODAY,
        verbosity=0,
    )
    tables = counted(f"export the SSD tables ({database})", ssd_tables)
    print(f"{'':58} " + ", ".join(f"{name} {len(rows)}" for name, rows in tables.items() if rows))
    timed("write them as CSV files", write_ssd, tables, work / "generated")
    grown = padded(tables, args.pad_to)
    extract = work / "extract"
    write_ssd(grown, extract)
    size = sum(path.stat().st_size for path in extract.iterdir())
    print(
        f"extract padded to {len(grown['ssd_person'])} children, {sum(map(len, grown.values()))} rows, "
        f"{size / 1e6:.1f} MB -> {extract}"
    )
    call_command("flush", interactive=False, verbosity=0)
    report = counted(f"import into an empty {database} database", import_ssd, [extract])
    print(f"{'':58} {dict(sorted(report.counts.items()))}")
    print(
        f"{'':58} skipped {len(report.skipped)}, flagged {len(report.flags)}, refused {len(report.files_refused)}"
    )
    for problem in (report.files_refused + report.skipped + report.flags)[:5]:
        print(f"    {problem}")
    again = counted("import the same extract again", import_ssd, [extract])
    print(f"{'':58} changes: {again.counts or 'none'}")


if __name__ == "__main__":
    main()
