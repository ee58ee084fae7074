"""Checking a CIN census XML against the DfE rules, with the community validator `csc-validator-be-cin`.

The validator is called through its library API on tables built here (`tables.cin_tables`), not through its
own XML reader, which is quadratic. Its defects (returns.md §1.4, §8) are worked round:

- the ruleset year is not checked against the file: a file whose header Year or ReferenceDate is not the year
  asked for gets a finding of its own (`OPENCSC-YEAR`);
- a rule that crashes is only printed by the validator: the print is captured and reported as a note;
- queries 8670Q and 8675Q count one working day short (work open exactly 45 or 15 working days on 31 March is
  flagged, and one day fewer when 31 March falls at a weekend), and 8569Q flags a
  no-further-action referral dated on or just before 1 April: each such finding is re-checked with the
  England working-day calendar and set aside (counted in the notes) when the data is in fact within the rule;
- only the first review date of a `<Reviews>` block was read: the tables here read them all.

Each finding is one rule broken by one child (the fields it names are listed with their values), or by the
return as a whole (no child).
"""

import contextlib
import datetime as dt
import io
import re
import warnings
from collections import defaultdict
from pathlib import Path

from lxml import etree

from opencsc.core.working_days import ENGLAND
from opencsc.returns.registry import Finding, ValidationResult, census_period

BLANKS = {"nan", "NaT", "<NA>", "None", ""}


class CensusFileError(ValueError):
    """The file is not a CIN census XML that can be read at all."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line else message)
        self.reason = message
        self.line = line


def parse_census(source: Path | bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        if isinstance(source, bytes):
            return etree.fromstring(source, parser)
        return etree.parse(str(source), parser).getroot()
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else error.lineno
        raise CensusFileError(error.msg, line) from error
    except OSError as error:
        raise CensusFileError(str(error)) from error


def _ruleset(year: int):
    from cin_validator.rules.ruleset_utils import get_year_ruleset

    try:
        return get_year_ruleset(str(year))
    except (ModuleNotFoundError, ValueError):
        raise CensusFileError(
            f"The DfE CIN validator has no rules for the {year - 1}-{year % 100:02d} census"
        ) from None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except (TypeError, ValueError):
        return None


def _keep_8569q(values: dict, year: int) -> bool:
    referral = _date(values.get("CINdetails.CINreferralDate", ""))
    start, _ = census_period(year)
    return referral is None or referral < start


def _open_too_long(column: str, limit: int):
    def keep(values: dict, year: int) -> bool:
        started = _date(values.get(column, ""))
        _, end = census_period(year)
        return started is None or ENGLAND.working_days_between(started, end) > limit

    return keep


DEFECT_CHECKS = {
    "8569Q": (_keep_8569q, "flags a no-further-action referral dated within the census year"),
    "8670Q": (
        _open_too_long("Assessments.AssessmentActualStartDate", 45),
        "flags assessments open exactly 45 working days on 31 March (44 when it is a weekend)",
    ),
    "8675Q": (
        _open_too_long("Section47.S47ActualStartDate", 15),
        "flags enquiries open exactly 15 working days on 31 March (14 when it is a weekend)",
    ),
}


def _header_findings(root, year: int) -> list[Finding]:
    _, end = census_period(year)
    details = root.find("Header/CollectionDetails")
    found_year = details.findtext("Year") if details is not None else None
    found_date = details.findtext("ReferenceDate") if details is not None else None
    if found_year == str(year) and found_date == end.isoformat():
        return []
    return [
        Finding(
            rule="OPENCSC-YEAR",
            severity="error",
            message=f"The file is for Year {found_year} (reference date {found_date}), "
            f"not the {year - 1}-{year % 100:02d} census (Year {year}, reference date {end.isoformat()}) "
            "that was asked for",
            fields=f"Header.Year={found_year}; Header.ReferenceDate={found_date}",
        )
    ]


def validate_cin_root(root, year: int) -> ValidationResult:
    from cin_validator.cin_validator import CinValidator
    from cin_validator.rule_engine import RuleType

    from opencsc.returns.cin.tables import cin_tables

    registry = _ruleset(year)
    result = ValidationResult(kind="cin", year=year, findings=_header_findings(root, year))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 1.5 deprecation chatter from inside the rules
        tables = cin_tables(root)
        validator = CinValidator(tables, registry)
    for line in printed.getvalue().splitlines():
        if match := re.match(r"Error with rule (\S+): (.*)", line):
            result.notes.append(f"Validator rule {match[1]} crashed and did not run: {match[2]}")

    def severity(code: str) -> str:
        rule = registry.get(str(code))
        return "query" if rule is not None and rule.rule_type == RuleType.QUERY else "error"

    # One row of the report per (rule, child, table, row, column): gather each flagged row's values first.
    report = validator.user_report
    rows: dict[tuple, dict] = {}
    descriptions: dict[str, str] = {}
    if len(report):
        for code, child_id, table, column, row_id, value, description in zip(
            report["rule_code"],
            report["LAchildID"],
            report["tables_affected"],
            report["columns_affected"],
            report["ROW_ID"],
            report["value_flagged"],
            report["rule_description"],
            strict=True,
        ):
            if table in BLANKS or table == "Header":
                continue
            child_id = "" if child_id in BLANKS else child_id
            descriptions[str(code)] = description
            values = rows.setdefault((str(code), child_id, table, row_id), {})
            values[f"{table}.{column}"] = "" if value in BLANKS else value

    set_aside: dict[str, int] = defaultdict(int)
    by_child: dict[tuple[str, str], dict[str, str]] = {}
    for (code, child_id, _table, _row), values in rows.items():
        check = DEFECT_CHECKS.get(code)
        if check and not check[0](values, year):
            set_aside[code] += 1
            continue
        by_child.setdefault((code, child_id), {}).update(values)
    for (code, child_id), values in by_child.items():
        fields = "; ".join(f"{name}={value or '(blank)'}" for name, value in sorted(values.items()))
        result.findings.append(Finding(code, severity(code), descriptions[code], child_id, fields))

    seen = set()
    for code, description in zip(
        validator.multichild_issues.get("rule_code", []),
        validator.multichild_issues.get("rule_description", []),
        strict=True,
    ):
        if str(code) not in seen:
            seen.add(str(code))
            result.findings.append(Finding(str(code), severity(code), str(description)))
    for code, count in sorted(set_aside.items()):
        result.notes.append(
            f"{count} finding(s) of {code} set aside: the validator {DEFECT_CHECKS[code][1]} (returns.md §8)"
        )
    result.findings.sort(key=lambda f: (f.severity != "error", f.rule, f.la_child_id))
    return result


def validate_cin(path: Path | bytes, year: int) -> ValidationResult:
    return validate_cin_root(parse_census(path), year)
