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
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Timer, empty_database, setup_django  # noqa: E402

POSTGRES = setup_django("opencsc-ssd-bench-")


import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402

from opencsc.returns.ssd.export import ssd_tables, write_ssd  # noqa: E402
from opencsc.returns.ssd.importer import PERSON_COLUMN, import_ssd  # noqa: E402

TODAY = dt.date(2026, 5, 12)
NOT_COPIED = {"pers_forename", "pers_surname", "addr_address_json"}


TIMER = Timer(width=58)
timed, counted = TIMER.timed, TIMER.counted


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
    database = empty_database(POSTGRES)
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
