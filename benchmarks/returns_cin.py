"""The CIN census on a generated authority: export, DfE-rule validation, import. Prints figures; asserts nothing.

    OPENCSC_DATA_DIR=/tmp/opencsc-cin-gen .venv/bin/python benchmarks/returns_cin.py [--reuse] [--year 2026]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/returns_cin.py [--reuse]
    .venv/bin/python benchmarks/returns_cin.py --import-file FILE.xml [--postgres postgres://...]

Builds an authority with `opencsc generate --children N --seed 7 --replace` (unless --reuse finds children
already there). The default of 255,000 children (with --today 2026-11-23) gives a 2025-26 census of 30,771 children: the open caseload
levels off at county size, so a 50,000-child census is made with `--pad-to 50000` (`--children 5000` for a quick
run). Then times:
- export: `cin_census_bytes(year)` (the XML for the census year);
- validation: parsing the file and building the validator's tables in one pass (`cin_tables`), then the 109 DfE
  rules of csc-validator-be-cin, and the findings by rule;
- the validator's own XML reader (`convert_data`) for comparison. It is quadratic (one `pd.concat` per child),
  so it is timed on the first 5,000 and 10,000 children of the same file (`--validator-ingest-sizes`) and
  extrapolated to the whole file with t = a*n + b*n^2 through those two points; `--validator-ingest-full` also
  times it on the whole file (hours at 50,000 children);
- import into an empty database: a fresh SQLite database in a temporary folder, migrated, then
  `opencsc import cin FILE` in a child process (the migration is not counted; SQLite runs only);
- with --reimport, import again into the authority the file came from: every record matched, nothing changed.

With `--import-file FILE`, only the import, in this process: into an empty database (a fresh SQLite database in
a temporary folder, or with `--postgres URL` that PostgreSQL database emptied with `flush`), then the same file
again (nothing changes), each with its wall and CPU time and the number of SQL statements.
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from copy import deepcopy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
IMPORT_ONLY = "--import-file" in sys.argv
POSTGRES = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else ""
if IMPORT_ONLY:
    os.environ.pop("DATABASE_URL", None)
    os.environ["OPENCSC_DATA_DIR"] = tempfile.mkdtemp(prefix="opencsc-cin-import-")
if POSTGRES:
    os.environ["DATABASE_URL"] = POSTGRES
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-cin-gen")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_ENV", "development")  # benchmarks are not the service
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from lxml import etree  # noqa: E402

from opencsc.people.models import Child  # noqa: E402
from opencsc.returns.cin.export import cin_census_bytes  # noqa: E402
from opencsc.returns.cin.importer import import_cin_files  # noqa: E402
from opencsc.returns.cin.validate import parse_census, validate_cin_root  # noqa: E402


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    value = func(*args, **kwargs)
    print(f"{label:58} {time.perf_counter() - start:8.2f} s")
    return value


def import_twice(path: Path) -> None:
    """The file into an empty database, then again (every record matched, nothing changed)."""
    call_command("migrate", verbosity=0)
    if POSTGRES:
        call_command("flush", interactive=False, verbosity=0)
    database = f"PostgreSQL {connection.pg_version // 10000}" if POSTGRES else "SQLite"
    for label in (f"import into an empty {database} database", "import the same file again"):
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        start, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            report = import_cin_files([path])
        print(f"{label:58} {time.perf_counter() - start:8.2f} s (CPU {time.process_time() - cpu:.2f} s)")
        print(f"{'':58} {len(statements)} SQL statements; skipped {len(report.skipped)}")
        print(f"{'':58} {dict(sorted(report.counts.items())) or 'no changes'}")


def first_children(xml: bytes, count: int) -> bytes:
    """The census with only its first `count` children."""
    root = parse_census(xml)
    for child in root.findall("Children/Child")[count:]:
        child.getparent().remove(child)
    return etree.tostring(root)


def padded(xml: bytes, count: int) -> bytes:
    """The census grown to `count` children with copies of its children (as many rounds as it takes) under new
    LA child IDs ("P", the round, then the ID without its first letter) and without their UPNs (a UPN may be
    returned only once): for a census larger than the generated authority has."""
    root = parse_census(xml)
    children = root.find("Children")
    originals = children.findall("Child")
    for n in range(max(0, count - len(originals))):
        copy = deepcopy(originals[n % len(originals)])
        ids = copy.find("ChildIdentifiers")
        la_child_id = ids.find("LAchildID")
        la_child_id.text = f"P{n // len(originals):02d}{la_child_id.text[1:]}"[:20]
        for name in ("UPN", "FormerUPN"):
            if (element := ids.find(name)) is not None:
                ids.remove(element)
        children.append(copy)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def in_a_fresh_database(path: Path, year: int) -> None:
    """Import the file into an empty SQLite database, then export and validate from it: each an `opencsc`
    command in its own process (so each figure includes about 2 s of start-up)."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "OPENCSC_DATA_DIR": folder}
        env.pop("DATABASE_URL", None)
        opencsc = [sys.executable, "-c", "from opencsc.cli import main; main()"]
        subprocess.run([*opencsc, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        again = path.with_name(path.stem + "-reexported.xml")
        steps = [
            ("import into an empty database", ["import", "cin", str(path)]),
            ("export from it", ["export", "cin", "--year", str(year), "--out", str(again)]),
            (
                "validate what it exported",
                ["validate", "cin", str(again), "--year", str(year), "--limit", "0"],
            ),
        ]
        for label, command in steps:
            start = time.perf_counter()
            done = subprocess.run([*opencsc, *command], env=env, cwd=ROOT, capture_output=True)
            print(f"{label + ' (opencsc ' + command[0] + ')':58} {time.perf_counter() - start:8.2f} s")
            output = (done.stdout.decode().strip() + "\n" + done.stderr.decode().strip()[:2000]).strip()
            print("    " + output.replace("\n", "\n    "))


def validator_ingest(xml: bytes, children: int, sizes: list[int], *, full: bool) -> None:
    import xml.etree.ElementTree as ET

    from cin_validator.cin_validator import convert_data

    convert_data(ET.fromstring(first_children(xml, 20)))  # the first call pays pandas' warm-up
    measured = []
    for size in sorted(s for s in sizes if s < children):
        sample = ET.fromstring(first_children(xml, size))
        start = time.perf_counter()
        convert_data(sample)
        seconds = time.perf_counter() - start
        measured.append((size, seconds))
        label = f"the validator's own XML reader, first {size} children"
        print(f"{label:58} {seconds:8.2f} s")
    if len(measured) >= 2:
        (n1, t1), (n2, t2) = measured[-2:]
        # t = a*n + b*n^2 through the two largest samples.
        b = (t2 / n2 - t1 / n1) / (n2 - n1)
        a = t1 / n1 - b * n1
        estimate = a * children + b * children**2
        label = f"  extrapolated to {children} children (a*n + b*n^2)"
        print(f"{label:58} {estimate:8.0f} s")
    if full:
        timed(f"the validator's own XML reader, all {children} children", convert_data, ET.fromstring(xml))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--import-file", type=Path, help="only import this file, twice, into an empty database"
    )
    parser.add_argument(
        "--postgres", default="", help="with --import-file: a PostgreSQL database to empty and use"
    )
    parser.add_argument("--children", type=int, default=255_000)
    parser.add_argument("--today", type=dt.date.fromisoformat, help="generate as if today were this date")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument(
        "--validator-ingest-sizes",
        default="5000,10000",
        help="children in the samples the validator's own reader is timed on ('' to skip)",
    )
    parser.add_argument("--validator-ingest-full", action="store_true")
    parser.add_argument(
        "--pad-to",
        type=int,
        help="grow the census to this many children (copies under new IDs) before import",
    )
    parser.add_argument("--no-import", action="store_true", help="skip the import, export and validation run")
    parser.add_argument(
        "--reimport", action="store_true", help="also import the file into the authority it came from"
    )
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "opencsc-cin-bench.xml")
    args = parser.parse_args()
    if args.import_file:
        import_twice(args.import_file)
        return

    if not (args.reuse and Child.objects.exists()):
        call_command("migrate", verbosity=0)
        timed(
            f"generate {args.children} children (seed {args.seed})",
            call_command,
            "generate",
            children=args.children,
            seed=args.seed,
            replace=True,
            today=args.today,
        )
    xml = timed(f"export CIN census {args.year}", cin_census_bytes, args.year)
    args.out.write_bytes(xml)
    root = parse_census(xml)
    children = len(root.findall("Children/Child"))
    print(f"{'':58} {children} children, {len(xml) / 1e6:.1f} MB -> {args.out}")

    from opencsc.returns.cin.tables import cin_tables

    timed("parse + build the validator's tables (one pass)", lambda: cin_tables(parse_census(xml)))
    result = timed("validate (tables + 109 DfE rules)", validate_cin_root, root, args.year)
    counts = Counter((f.severity, f.rule, f.message) for f in result.findings)
    print(f"{'':58} {len(result.errors)} errors, {len(result.queries)} queries")
    for (severity, rule, message), count in sorted(counts.items()):
        print(f"    {severity:5} {rule:>12} {count:6}  {message[:100]}")
    for note in result.notes:
        print(f"    note: {note}")

    sizes = [int(size) for size in args.validator_ingest_sizes.split(",") if size.strip()]
    if sizes:
        validator_ingest(xml, children, sizes, full=args.validator_ingest_full)

    if args.pad_to and args.pad_to > children:
        args.out = args.out.with_name(f"{args.out.stem}-{args.pad_to}.xml")
        args.out.write_bytes(padded(xml, args.pad_to))
        print(f"{'':58} padded to {args.pad_to} children -> {args.out}")
    if not args.no_import:
        in_a_fresh_database(args.out, args.year)
    if args.reimport:
        report = timed("import again into the authority it came from", import_cin_files, [args.out])
        print(f"{'':58} changes: {report.counts or 'none'}; skipped {len(report.skipped)}")


if __name__ == "__main__":
    main()
