"""Reading the DfE's published files: the Explore Education Statistics (EES) data sets that give each authority's,
each region's and England's figures, and the statistical neighbours list. Nothing is fetched: an analyst
downloads the files and loads them (opencsc.insight.comparators; docs/published-comparators.md; ADR 0022).

An EES data file is a CSV whose first columns name the period and the place (`time_period`, `time_identifier`,
`geographic_level`, `country_code`, `country_name`, `region_code`, `region_name`, `old_la_code`, `new_la_code`,
`la_name`, in an order that differs between data sets) and whose other columns are the indicators. A file is
recognised by its indicator columns: each data set OpenCSC compares (`DATA_SETS`) lists the columns it needs and
how each OpenCSC measure is worked out from them. A file that matches none is refused, naming what is missing.

Rules (the EES conventions, from each data set's guidance):
- `time_period` is the reporting year as four digits: 2025 is the year to 31 March 2025 for children in need,
  and 30 September 2025 for the workforce census. A file holds a series of years; only the year asked for is
  read, and a file without it is refused.
- `geographic_level` is National, Regional or Local authority (other levels are not read). England's code is
  `country_code`, a region's `region_code`, an authority's `old_la_code` (the 3-digit DfE code OpenCSC's
  `OPENCSC_LA_CODE` uses).
- A value that is not a number (`c` suppressed, `x` unavailable, `z` not applicable, `low`, `k`, `:`, `..`, or
  empty) is stored as no value, never 0.
- Rates the file publishes are taken as published; rates OpenCSC works out from published counts (the share of
  assessments within 45 working days, of conferences within 15) are rounded half up to one decimal place, as
  the DfE rounds.

The neighbours list is the CSSNBT's 'LA SN Groups' sheet (an .xlsx) or the same columns saved as CSV: `LA num`,
`LA Name`, optionally `GOReg`, and `SN1` to `SN10`, each the 3-digit code of a neighbour, closest first.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

GEOGRAPHY_COLUMNS = ("time_period", "time_identifier", "geographic_level", "country_code")
LEVELS = {"National": "national", "Regional": "regional", "Local authority": "la"}
NEIGHBOURS = 10
TENTH = Decimal("0.1")


class FileRefused(Exception):
    """A published file that cannot be loaded; the message names the file and what is wrong with it."""

    def __init__(self, file_name: str, problem: str):
        self.file_name = file_name
        self.problem = problem
        super().__init__(f"{file_name}: {problem}")


def number(text: str | None) -> Decimal | None:
    """A published cell as a number, or None for the EES symbols and blanks."""
    cleaned = (text or "").strip().replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def share(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(TENTH, rounding=ROUND_HALF_UP)


def _column(name: str, *aliases: str) -> Callable[[dict], Decimal | None]:
    def read(row: dict) -> Decimal | None:
        for column in (name, *aliases):
            if column in row:
                return number(row[column])
        return None

    return read


def _sum(row: dict, columns: tuple[str, ...]) -> Decimal | None:
    values = [number(row.get(column)) for column in columns]
    return None if any(value is None for value in values) else sum(values, Decimal(0))


def _share_of_columns(parts: tuple[str, ...], whole: tuple[str, ...]) -> Callable[[dict], Decimal | None]:
    return lambda row: share(_sum(row, parts), _sum(row, whole))


@dataclass(frozen=True)
class DataSet:
    key: str
    title: str
    publication: str
    needs: tuple[str, ...]  # indicator columns that recognise the file (each, or one of its aliases)
    measures: dict[str, Callable[[dict], Decimal | None]]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column: older names for it

    def has_columns(self, columns: set[str]) -> bool:
        return not self.missing(columns)

    def missing(self, columns: set[str]) -> list[str]:
        return [
            name
            for name in self.needs
            if name not in columns and not any(alias in columns for alias in self.aliases.get(name, ()))
        ]


CIN = "Children in need"
WORKFORCE = "Children's social work workforce"
ASSESSMENT_BANDS_TO_45 = ("Same_day", "1-10_days", "11-20_days", "21-30_days", "31-40_days", "41-45_days")
ICPC_BANDS = ("Duration_0-10_days", "Duration_11-15_days", "Duration_16-20_days", "Duration_21+_days")

DATA_SETS: tuple[DataSet, ...] = (
    DataSet(
        "C1",
        "C1 Referrals and re-referrals to children's social care services by local authority",
        CIN,
        needs=("referral_count", "rereferral_percent", "no_further_action_percent"),
        measures={
            "rereferral_rate_12m": _column("rereferral_percent"),
            "referral_nfa_rate": _column("no_further_action_percent"),
        },
    ),
    DataSet(
        "C2",
        "C2 Completed assessments by duration of assessment and local authority",
        CIN,
        needs=("Assessments_completed", *ASSESSMENT_BANDS_TO_45),
        measures={
            "assessments_within_45wd_rate": lambda row: share(
                _sum(row, ASSESSMENT_BANDS_TO_45), number(row.get("Assessments_completed"))
            ),
        },
    ),
    DataSet(
        "C4",
        "C4 Section 47s and Initial Child Protection Conferences by local authority",
        CIN,
        needs=("Section47", "ICPC", *ICPC_BANDS),
        measures={"icpc_within_15wd_rate": _share_of_columns(ICPC_BANDS[:2], ICPC_BANDS)},
    ),
    DataSet(
        "D7",
        "D7 Child Protection Plans ending during the year by duration and local authority",
        CIN,
        needs=("CPP_End", "2_years_or_more_percent"),
        measures={"cpp_ended_2y_plus_rate": _column("2_years_or_more_percent", "2_years+_percent")},
        aliases={"CPP_End": ("CPP_end",), "2_years_or_more_percent": ("2_years+_percent",)},
    ),
    DataSet(
        "CSWW1",
        "1. Indicators (in post, starters, leavers, agency workers, vacancies, caseload and absence)",
        WORKFORCE,
        needs=("turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte", "caseload_fte"),
        measures={
            "turnover_rate": _column("turnover_rate_fte"),
            "agency_rate": _column("agency_rate_fte"),
            "vacancy_rate": _column("vacancy_rate_fte"),
            "caseload_per_fte": _column("caseload_fte"),
        },
    ),
)
MEASURE_DATA_SET = {measure: data_set for data_set in DATA_SETS for measure in data_set.measures}


@dataclass
class Figure:
    measure: str
    level: str
    area_code: str
    area_name: str
    region_code: str
    value: Decimal | None


@dataclass
class PublishedFile:
    name: str
    data_set: DataSet
    figures: list[Figure]


@dataclass
class NeighbourRow:
    la_code: str
    la_name: str
    region_name: str
    neighbours: list[str]  # codes, closest first


@dataclass
class NeighboursFile:
    name: str
    rows: list[NeighbourRow]

    def names(self) -> dict[str, str]:
        return {row.la_code: row.la_name for row in self.rows}


def _text(content: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(name, "is not a text file (CSV) the DfE publishes")


def _code(value) -> str:
    """An authority's 3-digit code as a spreadsheet may hold it (825, 825.0, '825')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_published_file(name: str, content: bytes, year: int) -> PublishedFile | NeighboursFile:
    """The file's figures for `year` (or the neighbours list), or FileRefused naming what is wrong."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        return _neighbours(name, _xlsx_rows(name, content))
    rows = list(csv.reader(io.StringIO(_text(content, name))))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileRefused(name, "is empty")
    header = [cell.strip() for cell in rows[0]]
    if "LA num" in header:
        return _neighbours(name, rows)
    return _ees_file(name, header, rows[1:], year)


def _ees_file(name: str, header: list[str], rows: list[list[str]], year: int) -> PublishedFile:
    columns = set(header)
    missing_geography = [column for column in GEOGRAPHY_COLUMNS if column not in columns]
    if missing_geography:
        raise FileRefused(
            name,
            "is not an Explore Education Statistics data file: it has no column "
            + ", ".join(missing_geography),
        )
    data_set = next((candidate for candidate in DATA_SETS if candidate.has_columns(columns)), None)
    if data_set is None:
        nearest = min(DATA_SETS, key=lambda candidate: len(candidate.missing(columns)))
        raise FileRefused(
            name,
            "holds no measure OpenCSC compares. The nearest data set OpenCSC reads is "
            f"'{nearest.title}', which needs the column(s) {', '.join(nearest.missing(columns))}. "
            "OpenCSC reads: " + "; ".join(candidate.key for candidate in DATA_SETS),
        )
    records = [dict(zip(header, row, strict=False)) for row in rows if any(cell.strip() for cell in row)]
    years = sorted({record.get("time_period", "").strip() for record in records} - {""})
    chosen = [record for record in records if record.get("time_period", "").strip() == str(year)]
    if not chosen:
        held = f"{years[0]} to {years[-1]}" if len(years) > 1 else (years[0] if years else "no year")
        raise FileRefused(name, f"holds {held} in its time_period column, not {year}")
    figures = []
    for record in chosen:
        level = LEVELS.get(record.get("geographic_level", "").strip())
        if level is None:
            continue
        code, area = _area(record, level)
        if not code:
            raise FileRefused(
                name, f"has a {record['geographic_level']} row with no code ({_code_column(level)} is empty)"
            )
        for measure, read in data_set.measures.items():
            region = record.get("region_code", "").strip() if level == "la" else ""
            figures.append(Figure(measure, level, code, area, region, read(record)))
    if not any(figure.level == "national" for figure in figures):
        raise FileRefused(name, f"has no National (England) row for {year}")
    return PublishedFile(name, data_set, figures)


def _code_column(level: str) -> str:
    return {"national": "country_code", "regional": "region_code", "la": "old_la_code"}[level]


def _area(record: dict, level: str) -> tuple[str, str]:
    name_column = {"national": "country_name", "regional": "region_name", "la": "la_name"}[level]
    return record.get(_code_column(level), "").strip(), record.get(name_column, "").strip()


def _xlsx_rows(name: str, content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        raise FileRefused(name, "cannot be opened as an Excel workbook") from None
    sheet = book["LA SN Groups"] if "LA SN Groups" in book.sheetnames else book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    for index, row in enumerate(rows[:10]):  # the tool's sheet has title rows above its header
        if "LA num" in [str(cell).strip() if cell is not None else "" for cell in row]:
            return rows[index:]
    raise FileRefused(name, "has no 'LA num' column in its first ten rows (the CSSNBT 'LA SN Groups' sheet)")


def _neighbours(name: str, rows: list[list]) -> NeighboursFile:
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    wanted = ["LA num", "LA Name", *(f"SN{rank}" for rank in range(1, NEIGHBOURS + 1))]
    missing = [column for column in wanted if column not in header]
    if missing:
        raise FileRefused(name, f"is a neighbours list without the column(s) {', '.join(missing)}")
    at = {column: header.index(column) for column in header if column}
    result = []
    for line, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (len(header) - len(row))
        la_code = _code(cells[at["LA num"]])
        if not la_code:
            continue
        neighbours = [_code(cells[at[f"SN{rank}"]]) for rank in range(1, NEIGHBOURS + 1)]
        if not all(code.isdigit() and len(code) == 3 for code in [la_code, *neighbours]):
            raise FileRefused(
                name, f"row {line}: LA num and SN1 to SN10 must each be a 3-digit authority code"
            )
        region = _code(cells[at["GOReg"]]) if "GOReg" in at else ""
        result.append(NeighbourRow(la_code, _code(cells[at["LA Name"]]), region, neighbours))
    if not result:
        raise FileRefused(name, "lists no authority")
    return NeighboursFile(name, result)
