"""The SSDA903 return on a 5,000-child set: import, export and DfE-rule validation, beside the validator's own
ingest of the same files. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/returns_903.py [--children 5000] [--year 2026] [--import-only]
    .venv/bin/python benchmarks/returns_903.py --postgres postgres://postgres@127.0.0.1:5432/opencsc_bench903


Writes a 903 CSV set for the collection year (default 2025-26) of `--children` looked-after children in three
patterns (in care more than a year, with OC2; started in the year, with previous permanence; left care in the
year), each with reviews and an open social worker episode, with real postcodes in and around the authority.
Then, in a fresh SQLite database in a temporary folder (or, with `--postgres URL`, that PostgreSQL database,
emptied with `flush`), migrated first (not counted), it times:
- reading the ONS postcode directory's letters the set's postcodes start with (once per process; a web
  server reads it when it starts), so that the import's own figure is not the directory's;
- import of the set (`import_903_files`) into the empty database, with the number of SQL statements;
- import of the same set again (every record matched, nothing changed), with the number of statements;
- export of the year from the imported records (`ssda903_return`), and whether it is the same as the input;
- validation (`validate_903`): the validator's CSV reader, its postcode-derived fields and every rule of the
  year, with the defects worked round;
- the validator's own pipeline on the same files (`LacValidator`: its reader, its data store and every rule),
  and its reader with the data store alone (the ingest).
"""

import argparse
import contextlib
import datetime as dt
import io
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Timer, empty_database, setup_django  # noqa: E402

POSTGRES = setup_django("opencsc-903-bench-")


from opencsc.geography.postcodes import postcode_location  # noqa: E402
from opencsc.people.identifiers import upn_check_letter  # noqa: E402
from opencsc.returns.registry import census_period  # noqa: E402
from opencsc.returns.ssda903.export import ssda903_return  # noqa: E402
from opencsc.returns.ssda903.importer import import_903_files  # noqa: E402
from opencsc.returns.ssda903.tables import FILE_NAMES, HEADERS, day, tables_for  # noqa: E402
from opencsc.returns.ssda903.validate import read_files, validate_903  # noqa: E402

HOMES = ["HP19 8FF", "HP21 7RP", "HP20 1UA", "HP13 6AA"]
PLACEMENTS = ["HP11 2JU", "MK18 1AS", "OX1 1AA", "CA1 1AA", "LU1 2AA"]  # never a home: rule 392d
ETHNICITIES = ["WBRI", "WOTH", "MWBC", "ABAN", "BAFR", "CHNE", "AOTH", "MOTH"]


TIMER = Timer(width=62)
timed, counted = TIMER.timed, TIMER.counted


def _csv(rows: list[dict], table: str) -> str:
    lines = [",".join(HEADERS[table])]
    lines += [",".join(row.get(column, "") for column in HEADERS[table]) for row in rows]
    return "\n".join(lines) + "\n"


def write_set(folder: Path, children: int, year: int) -> None:
    start, end = census_period(year)
    rows: dict[str, list[dict]] = {table: [] for table in tables_for(year)}
    for n in range(children):
        child = f"B{n + 1:06d}"
        pattern = n % 3
        age = 8 + n % 6 if pattern == 0 else 6 + n % 9
        born = dt.date(end.year - age, 1 + n % 12, 1 + n % 28)
        sex = "F" if n % 2 else "M"
        body = f"825{n:09d}"
        rows["Header"].append(
            {
                "CHILD": child,
                "SEX": sex,
                "DOB": day(born),
                "ETHNIC": ETHNICITIES[n % len(ETHNICITIES)],
                "UPN": upn_check_letter(body) + body,
                "MOTHER": "0" if sex == "F" else "",
            }
        )
        home, placed = HOMES[n % len(HOMES)], PLACEMENTS[n % len(PLACEMENTS)]
        episode = {"CHILD": child, "RNE": "S", "PLACE_PROVIDER": "PR1", "HOME_POST": home, "PL_POST": placed}
        episode["URN"] = "SC484848"
        if pattern == 0:
            began = start - dt.timedelta(days=400 + n % 300)
            episode.update(DECOM=day(began), LS="C2", CIN="N1", PLACE="U4")
            rows["OC2"].append(
                {
                    "CHILD": child,
                    "DOB": day(born),
                    "SDQ_SCORE": str(n % 30),
                    "CONVICTED": "0" if age >= 10 else "",
                    "IMMUNISATIONS": "1",
                    "TEETH_CHECK": "1",
                    "HEALTH_ASSESSMENT": "1",
                    "SUBSTANCE_MISUSE": "0",
                }
            )
            reviews = [start + dt.timedelta(days=30 + n % 60), start + dt.timedelta(days=200 + n % 60)]
        elif pattern == 1:
            began = start + dt.timedelta(days=10 + n % 200)
            episode.update(DECOM=day(began), LS="V2", CIN="N4", PLACE="U6")
            rows["PrevPerm"].append({"CHILD": child, "DOB": day(born), "PREV_PERM": "Z1"})
            reviews = [began + dt.timedelta(days=19), began + dt.timedelta(days=80)]
        else:
            began = start - dt.timedelta(days=200 + n % 100)
            ended = start + dt.timedelta(days=30 + n % 200)
            episode.update(DECOM=day(began), LS="C2", CIN="N5", PLACE="U6", DEC=day(ended), REC="E13")
            episode["REASON_PLACE_CHANGE"] = ""
            reviews = [start + dt.timedelta(days=10)]
        rows["Episodes"].append(episode)
        for held in reviews:
            if held <= end:
                code = "PN0" if (held - born).days < 4 * 365.25 else "PN1"
                rows["Reviews"].append(
                    {"CHILD": child, "DOB": day(born), "REVIEW": day(held), "REVIEW_CODE": code}
                )
        if "SWEpisodes" in rows:
            rows["SWEpisodes"].append(
                {
                    "CHILD": child,
                    "DOB": day(born),
                    "SW_ID": f"SW{1000 + n % 180}",
                    "SW_DECOM": day(began),
                    "SW_REASON": "FCONTA",
                }
            )
    folder.mkdir(parents=True, exist_ok=True)
    for table, table_rows in rows.items():
        (folder / FILE_NAMES[table]).write_text(_csv(table_rows, table))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL database to empty and use instead of SQLite"
    )
    parser.add_argument("--import-only", action="store_true", help="stop after the two imports")
    args = parser.parse_args()
    work = Path(os.environ["OPENCSC_DATA_DIR"])
    source = work / "set"
    write_set(source, args.children, args.year)
    sizes = {path.name: sum(1 for _ in path.open()) - 1 for path in sorted(source.iterdir())}
    print(
        f"903 set for {args.year}: " + ", ".join(f"{name} {count}" for name, count in sizes.items() if count)
    )
    database = empty_database(POSTGRES)
    timed(
        "read the postcode directory's letters the set uses",
        lambda: [postcode_location(p) for p in HOMES + PLACEMENTS],
    )

    report = counted(f"import into an empty {database} database", import_903_files, [source])
    print(f"{'':62} {dict(sorted(report.counts.items()))}; skipped {len(report.skipped)}")
    for problem in report.skipped[:5]:
        print(f"    skipped: {problem}")
    again = counted("import the same set again", import_903_files, [source])
    print(f"{'':62} changes: {again.counts or 'none'}")
    if args.import_only:
        return

    exported = timed(f"export {args.year} from the imported records", ssda903_return, args.year)
    out = work / "export"
    out.mkdir()
    for name, text in exported.files().items():
        (out / name).write_text(text)
    same = all((out / p.name).read_text() == p.read_text() for p in source.iterdir())
    print(f"{'':62} same files as imported: {'yes' if same else 'no'}")

    result = timed("validate (opencsc: validator reader + every rule)", validate_903, out, args.year)
    print(f"{'':62} {len(result.errors)} errors, {len(result.queries)} queries")
    for (severity, rule), count in sorted(Counter((f.severity, f.rule) for f in result.findings).items()):
        print(f"    {severity:5} {rule:>10} {count:6}")
    for note in result.notes:
        print(f"    note: {note[:160]}")

    from lac_validator import lac_validator
    from lac_validator.datastore import create_datastore
    from lac_validator.rules.ruleset_utils import get_year_ruleset
    from lac_validator.utils import process_uploaded_files

    paths = sorted(out.iterdir())
    metadata = {"collectionYear": str(args.year), "localAuthority": "E06000060"}

    def own_ingest():
        dfs, extras = read_files(paths)
        return create_datastore(dfs, {**metadata, **extras})

    timed("the validator's own ingest (reader + data store)", own_ingest)

    def own_pipeline():
        with contextlib.redirect_stdout(io.StringIO()):  # some of its rules print
            return lac_validator.LacValidator(
                metadata=dict(metadata),
                files=process_uploaded_files({"This year": [str(p) for p in paths]}),
                registry=get_year_ruleset(str(args.year)),
            )

    validator = timed("the validator's own pipeline (LacValidator, every rule)", own_pipeline)
    print(
        f"{'':62} rules run {len(validator.dones)}, skipped {len(validator.skips)}, crashed {validator.fails}"
    )


if __name__ == "__main__":
    main()
