"""The CIN census on a generated authority: export, DfE-rule validation, import. Prints figures; asserts nothing.

    OPENCSC_DATA_DIR=/tmp/opencsc-cin-gen .venv/bin/python benchmarks/returns_cin.py [--reuse] [--year 2026]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/returns_cin.py [--reuse]

Builds a 5,000-child authority with `opencsc generate --children 5000 --seed 7 --replace` (unless --reuse finds
children already there), then times:
- export: `cin_census_bytes(year)` (the XML for the census year);
- validation: parsing the file and building the validator's tables in one pass (`cin_tables`), then the 109 DfE
  rules of csc-validator-be-cin, and the findings by rule;
- with --validator-ingest, the validator's own XML reader (`convert_data`) on the same file, for comparison
  (quadratic: about 45 s for 5,000 children);
- import into an empty database: a fresh SQLite database in a temporary folder, migrated, then
  `opencsc import cin FILE` in a child process (the migration is not counted);
- import again into the authority the file came from: every record matched, nothing changed.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("OPENCSC_DATA_DIR", "/tmp/opencsc-cin-gen")
    Path(os.environ["OPENCSC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("OPENCSC_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from opencsc.people.models import Child  # noqa: E402
from opencsc.returns.cin.export import cin_census_bytes  # noqa: E402
from opencsc.returns.cin.importer import import_cin_files  # noqa: E402
from opencsc.returns.cin.validate import parse_census, validate_cin_root  # noqa: E402


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    value = func(*args, **kwargs)
    print(f"{label:58} {time.perf_counter() - start:8.2f} s")
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--validator-ingest", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "opencsc-cin-bench.xml")
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

    if args.validator_ingest:
        import xml.etree.ElementTree as ET

        from cin_validator.cin_validator import convert_data

        timed("the validator's own XML reader (convert_data)", convert_data, ET.fromstring(xml))

    if not os.environ.get("DATABASE_URL"):
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "OPENCSC_DATA_DIR": folder}
            opencsc = [sys.executable, "-c", "from opencsc.cli import main; main()"]
            subprocess.run([*opencsc, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
            start = time.perf_counter()
            done = subprocess.run(
                [*opencsc, "import", "cin", str(args.out)], env=env, cwd=ROOT, capture_output=True
            )
            print(
                f"{'import into an empty database (child process)':58} {time.perf_counter() - start:8.2f} s"
            )
            print("    " + done.stdout.decode().strip().replace("\n", "\n    "))
            if done.returncode:
                print("    " + done.stderr.decode().strip()[:2000].replace("\n", "\n    "))
    report = timed("import again into the authority it came from", import_cin_files, [args.out])
    print(f"{'':58} changes: {report.counts or 'none'}; skipped {len(report.skipped)}")


if __name__ == "__main__":
    main()
