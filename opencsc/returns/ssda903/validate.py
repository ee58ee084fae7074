"""Checking an SSDA903 CSV set against the DfE rules, with the community validator `csc-validator-be-903`.

Only its library API is used: its reader (`ingress.read_from_text`), its data store (`datastore`) and its
rules (`rules.ruleset_utils.get_year_ruleset`). Its `rpc_main` (shared, by file name, with the CIN validator's)
and its command line are never used. The rules are run here, one by one as `LacValidator.validate` does,
so that its defects (returns.md §1.4, §8) can be worked round:

- `create_issue_df` fails on a return with no findings: findings are read from the rules' own results;
- the command line hard-codes the collection year and the authority: the year asked for and the authority's
  ONS code (settings.AUTHORITY_ONS_CODE) are passed as metadata;
- rules 231 and 233 look for columns that do not exist (UASC_STATUS, DATE_EPISODE_CEASED): they are given
  them, from the UASC flag the data store derives and from DEC;
- in the 2024-25 rules, 146 lists K3 in lower case while every value is upper-cased: it is shown K3 as k3;
- rule 165 tests SEX against the old numeric codes: it is shown M and F as 1 and 2;
- the postcode -> authority lookup dates from 2021 and lacks the 2023 unitaries (Cumberland, Westmorland and
  Furness, North Yorkshire, Somerset), so rule 169 fired for any placement there: they are added to it;
- SW12STG2 tests every pair of care episode and social worker episode and flags the care episode when any pair
  fails: a finding is set aside (counted in the notes) when another of the child's social worker episodes
  passes the rule's own test;
- SW17STG2 flags any child whose latest social worker episode has ended, including children no longer looked
  after at 31 March: findings for those children are set aside (counted in the notes);
- rule 218 asks for a URN on short-break (V3, V4) episodes, which rule 214 forbids: those findings are set aside;
- some rules print to standard output, which is swallowed;
- a rule that crashes is reported as a note, not lost in a log;
- the data store sets QLACREF_PC_INSECURE and configures the root logger at import: both are undone.

The 903 rules carry no error/query flag: those whose own message asks for a check or an explanation rather
than stating a fault (QUERY_RULES) are reported as queries, the rest as errors (docs/returns-903-queries.md).
"""

import contextlib
import datetime as dt
import io
import logging
import os
import warnings
from collections import defaultdict
from pathlib import Path

from django.conf import settings

from opencsc.returns.registry import Finding, ValidationResult, census_period
from opencsc.returns.ssda903.tables import table_for_header

QUERY_RULES = {"EPI", "231", "355", "454", "582", "583", "1001", "SW09STG2"}
# The 2023 unitary authorities, each its own upper tier (ONS codes), missing from the validator's 2021 lookup.
NEW_UNITARIES = {
    "E06000063": "Cumberland",
    "E06000064": "Westmorland and Furness",
    "E06000065": "North Yorkshire",
    "E06000066": "Somerset",
}
FIRST_RULES_YEAR, LAST_RULES_YEAR = 2023, 2027
BLANK = {"", "nan", "NaN", "NaT", "<NA>", "None"}


SHORT_BREAKS = {"V3", "V4"}
SET_ASIDE_WHY = {
    "218": "the validator asks for a URN on short-break episodes, which rule 214 says must have none",
    "SW17STG2": "the validator flags children whose latest social worker episode ended because they left care "
    "(returns.md §1.4)",
    "SW12STG2": "the validator flags a care episode when any one of the child's social worker episodes fails its "
    "test, though another passes it (returns.md §8)",
}


class ReturnFilesError(ValueError):
    """The files are not an SSDA903 CSV set that can be read at all."""


_validator = None


def _load():
    """Import the validator once, undoing what its import does to the process."""
    global _validator
    if _validator is not None:
        return _validator
    had_insecure = "QLACREF_PC_INSECURE" in os.environ
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import pandas as pd
    from lac_validator import datastore, ingress
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    if not had_insecure:
        os.environ.pop("QLACREF_PC_INSECURE", None)
    root.handlers[:], root.level = handlers, level
    logging.getLogger("lac_validator").setLevel(logging.CRITICAL)
    known = set(datastore.la_df["LTLA21CD"])
    extra = [
        {"LTLA21CD": code, "LTLA21NM": name, "UTLA21CD": code, "UTLA21NM": name}
        for code, name in NEW_UNITARIES.items()
        if code not in known
    ]
    if extra:
        datastore.la_df = pd.concat([datastore.la_df, pd.DataFrame(extra)], ignore_index=True)
    _validator = (datastore, ingress, get_year_ruleset)
    return _validator


def ruleset(year: int) -> dict:
    if not FIRST_RULES_YEAR <= year <= LAST_RULES_YEAR:
        raise ReturnFilesError(
            f"The DfE 903 validator has no rules for {year - 1}-{year % 100:02d}: "
            f"it knows {FIRST_RULES_YEAR - 1}-{FIRST_RULES_YEAR % 100:02d} to "
            f"{LAST_RULES_YEAR - 1}-{LAST_RULES_YEAR % 100:02d}"
        )
    return _load()[2](str(year))


def csv_paths(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not found:
            raise ReturnFilesError(f"{path} holds no .csv files")
        return found
    if not path.exists():
        raise ReturnFilesError(f"{path} does not exist")
    return [path]


def read_files(paths, previous=()) -> tuple[dict, dict]:
    """The validator's tables from CSV files (this year's, and optionally last year's), refusing a file whose
    header is not one of the 903 tables'."""
    from lac_validator.types import UploadedFile

    datastore, ingress, _ = _load()
    uploads = []
    for description, group in (("This year", paths), ("Prev year", previous)):
        for path in group:
            data = Path(path).read_bytes()
            first = data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip()
            if table_for_header([c.strip() for c in first.split(",")]) is None:
                raise ReturnFilesError(
                    f"{path}: line 1: the header is not one of the SSDA903 tables' headers"
                )
            uploads.append(UploadedFile(name=Path(path).name, file_content=data, description=description))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ingress.read_from_text(raw_files=uploads)
    except Exception as error:  # the reader's own errors (UploadError, pandas parse errors)
        raise ReturnFilesError(f"The validator could not read the files: {error}") from error


def _prepare(code: str, tables: dict, year: int) -> dict:
    """A copy of the tables as rule `code` needs to see them to do what it means to (see the module doc)."""
    if code == "231" and "Header" in tables:
        header = tables["Header"]
        status = header["UASC"] if "UASC" in header.columns else "0"
        tables["Header"] = header.assign(UASC_STATUS=status)
    elif code == "233" and "Episodes" in tables:
        tables["Episodes"] = tables["Episodes"].assign(DATE_EPISODE_CEASED=tables["Episodes"]["DEC"])
    elif code == "146" and year == 2025 and "Episodes" in tables:
        episodes = tables["Episodes"]
        tables["Episodes"] = episodes.assign(PLACE=episodes["PLACE"].replace({"K3": "k3"}))
    elif code == "165" and "Header" in tables:
        header = tables["Header"]
        tables["Header"] = header.assign(SEX=header["SEX"].replace({"M": "1", "F": "2"}))
    return tables


def _looked_after_at_end(tables: dict, end: dt.date) -> set[str]:
    episodes = tables.get("Episodes")
    if episodes is None:
        return set()
    held = set()
    for child, ended in zip(episodes["CHILD"], episodes["DEC"], strict=True):
        text = str(ended)
        if text in BLANK:
            held.add(str(child))
            continue
        try:
            if dt.datetime.strptime(text, "%d/%m/%Y").date() >= end:
                held.add(str(child))
        except ValueError:
            continue
    return held


def _set_aside_sw17(child: str, looked_after_at_end: set[str]) -> bool:
    return child not in looked_after_at_end


def _parse(text) -> dt.date | None:
    try:
        return dt.datetime.strptime(str(text), "%d/%m/%Y").date()
    except ValueError:
        return None


def _sw12_covered(episode, sw_episodes: list[dict]) -> bool:
    """SW12STG2 tests each pair of (care episode, social worker episode) and flags the care episode when any
    pair fails, so a child with an earlier social worker is flagged however well their care is covered. What
    it means to test: that some social worker episode of the child starts on or after the start of care, or is
    open on that day (an S episode), or starts on or before its end (an episode that ends care)."""
    began, ended = _parse(episode["DECOM"]), _parse(episode["DEC"])
    for sw in sw_episodes:
        sw_began, sw_ended = _parse(sw["SW_DECOM"]), _parse(sw["SW_DEC"])
        if sw_began is None:
            continue
        # A social worker already allocated when care starts, and still so, covers it as well (returns.md §8).
        open_at_start = began is not None and sw_began <= began and (sw_ended is None or sw_ended >= began)
        if episode["RNE"] == "S" and began is not None and (sw_began >= began or open_at_start):
            return True
        if str(episode["REC"]) != "X1" and ended is not None and sw_began <= ended:
            return True
    return False


def validate_tables(dfs: dict, metadata_extras: dict, year: int) -> ValidationResult:
    datastore, _, _ = _load()
    registry = ruleset(year)
    _, end = census_period(year)
    metadata = {"collectionYear": str(year), "localAuthority": settings.AUTHORITY_ONS_CODE, **metadata_extras}
    result = ValidationResult(kind="903", year=year)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The rules change some tables in place, and the findings must show the values as given.
        store = datastore.create_datastore({name: table.copy() for name, table in dfs.items()}, metadata)
        flagged: dict[str, dict[str, list]] = {}
        for code, rule in registry.items():
            tables = _prepare(str(code), datastore.copy_datastore(store), year)
            try:
                found = rule.func(tables)
            except Exception as error:  # a rule's own fault: reported, and the other rules still run
                result.notes.append(
                    f"Validator rule {code} crashed and did not run: {type(error).__name__}: {error}"
                )
                continue
            flagged[str(code)] = {table: rows for table, rows in (found or {}).items() if len(rows)}

    held_at_end = _looked_after_at_end(dfs, end)
    sw_by_child: dict[str, list[dict]] = defaultdict(list)
    if "SWEpisodes" in dfs:
        for sw in dfs["SWEpisodes"].to_dict("records"):
            sw_by_child[str(sw["CHILD"])].append(sw)
    set_aside: dict[str, int] = defaultdict(int)
    by_child: dict[tuple[str, str], dict[str, str]] = {}
    for code, found in flagged.items():
        rule = registry[code]
        for table, rows in found.items():
            source = dfs.get(table)
            if source is None:
                continue
            columns = [c for c in rule.affected_fields if c in source.columns]
            for row in rows:
                if row not in source.index:
                    continue
                child = str(source.at[row, "CHILD"]) if "CHILD" in source.columns else ""
                child = "" if child in BLANK else child
                if code == "SW17STG2" and _set_aside_sw17(child, held_at_end):
                    set_aside[code] += 1
                    continue
                if code == "218" and table == "Episodes" and str(source.at[row, "LS"]) in SHORT_BREAKS:
                    set_aside[code] += 1
                    continue
                if (
                    code == "SW12STG2"
                    and table == "Episodes"
                    and _sw12_covered(source.loc[row], sw_by_child[child])
                ):
                    set_aside[code] += 1
                    continue
                values = by_child.setdefault((code, child), {})
                for column in columns:
                    value = str(source.at[row, column])
                    values[f"{table}.{column}"] = "" if value in BLANK else value
    for (code, child), values in by_child.items():
        fields = "; ".join(f"{name}={value or '(blank)'}" for name, value in sorted(values.items()))
        severity = "query" if code in QUERY_RULES else "error"
        result.findings.append(Finding(code, severity, registry[code].message, child, fields))
    for code, count in sorted(set_aside.items()):
        result.notes.append(f"{count} finding(s) of {code} set aside: {SET_ASIDE_WHY[code]}")
    result.findings.sort(key=lambda f: (f.severity != "error", f.rule, f.la_child_id))
    return result


def validate_903(path: Path, year: int, previous: Path | None = None) -> ValidationResult:
    """Check the CSVs at `path` (a folder of them, or one file) for collection year `year`; `previous` is last
    year's set, which lets about 30 more rules run."""
    ruleset(year)
    dfs, extras = read_files(csv_paths(path), csv_paths(previous) if previous else ())
    return validate_tables(dfs, extras, year)
