"""Month-end figures stored, not recomputed (issue 16 point 1, ADR 0018).

The rules:
- A month end is **closed** once its day is over (the month end is before today). Each KPI at each closed month
  end is computed once, over the period ADR 0005 gives its trend point (the 12 months to the month end, or on
  the month end), and stored with the records behind it (`MonthEndFigure`). The **open** month (its month end
  today or later) is always computed live and never stored.
- A stored figure is the live computation's own result: both come from `kpis.kpi_trends`, and the records kept
  are the rows the KPI counted (`KpiResult.rows`), turned back into the same value, figures and children by
  `kpis.result_from_rows`. `figures_check` (`opencsc figures check`) recomputes months from the records and
  reports every stored figure that differs.
- A change to a record a KPI reads marks the closed months whose figures it may change (`MonthToRefresh`,
  written in the change's own transaction by `figure_months`, which derives the months from the record's dates).
  A marked month, a missing month, or a month computed under other definitions (`DEFINITIONS`) is computed
  afresh when it is read and stored then; the background task does the same for the marked months after each
  change that marks any (`figures_refresh_marked_task`) and, after the nightly sweep, for every month not yet
  stored (the month just closed).
- A refresh deletes only the marks it read before computing: a mark written while it computes stays, so the
  month is computed again.

Stored figures are derived from the records, not records themselves: computing them writes no audit event.
"""

import datetime as dt
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from opencsc.insight.catalogue import CATALOGUE
from opencsc.insight.kpis import KPIS, KpiResult, kpi_trends, result_from_rows, twelve_months_to
from opencsc.insight.models import MonthEndFigure, MonthToRefresh

# Raise this when a KPI's definition changes in kpis.py: every figure stored under another number is then computed
# afresh when read, and by `opencsc figures refresh`.
DEFINITIONS = 2  # 2: with the number of children a rate missed
MONTHS_PER_BATCH = (
    12  # months computed together: one fetch per family of records, rows held for 12 months only
)
CHUNK = 900  # ids per query, under SQLite's older limit on query parameters


def month_end_of(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def is_month_end(day: dt.date) -> bool:
    return month_end_of(day) == day


def last_closed_month_end(today: dt.date | None = None) -> dt.date:
    """The latest month end whose day is over: on 1 December and on 7 December, 30 November."""
    today = today or timezone.localdate()
    return today.replace(day=1) - dt.timedelta(days=1)


def month_ends_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month end from the month of `first` to the month of `last`, both included."""
    month_ends, day = [], month_end_of(first)
    while day <= last:
        month_ends.append(day)
        day = month_end_of(day + dt.timedelta(days=1))
    return month_ends


def first_record_day() -> dt.date | None:
    """The earliest date any KPI reads: the first month worth storing."""
    from opencsc.casework.models import Allocation, Assessment, ChildProtectionPlan, Section47Enquiry
    from opencsc.frontdoor.models import Referral
    from opencsc.looked_after.models import Episode

    firsts = [
        Referral.objects.aggregate(first=Min("referral_date"))["first"],
        Assessment.objects.aggregate(first=Min("started_on"))["first"],
        Section47Enquiry.objects.aggregate(first=Min("started_on"))["first"],
        ChildProtectionPlan.objects.aggregate(first=Min("started_on"))["first"],
        Episode.objects.aggregate(first=Min("started_on"))["first"],
        Allocation.objects.aggregate(first=Min("started_on"))["first"],
    ]
    known = [day for day in firsts if day is not None]
    return min(known) if known else None


def history_month_ends(today: dt.date | None = None) -> list[dt.date]:
    """Every closed month end from the first record's month: the months the store should hold."""
    first = first_record_day()
    return month_ends_between(first, last_closed_month_end(today)) if first else []


# Records, stored compactly ----------------------------------------------------------------------------------


def encode_rows(rows: list[tuple[int, int, bool | None]]) -> bytes:
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 6)


def decode_rows(blob: bytes | memoryview) -> list[tuple[int, int, bool | None]]:
    return [tuple(row) for row in json.loads(zlib.decompress(bytes(blob)))]


def _stored_result(kpi_id: str, value, numerator, denominator, missed: int = 0) -> KpiResult:
    """A stored figure without its records (a trend point, or a headline no one has drilled into yet)."""
    if value is not None and not CATALOGUE[kpi_id].is_rate:
        value = int(value)
    return KpiResult(kpi_id, value, numerator=numerator, denominator=denominator, stored_missed_count=missed)


def _from_records(kpi_id: str, blob) -> KpiResult:
    return result_from_rows(kpi_id, decode_rows(blob), is_rate=CATALOGUE[kpi_id].is_rate)


# Computing and storing ---------------------------------------------------------------------------------------


def compute_months(month_ends: list[dt.date]) -> dict[dt.date, dict[str, KpiResult]]:
    """Every KPI at each month end, from the records as they are now (the live computation)."""
    trends = kpi_trends([twelve_months_to(day) for day in month_ends])
    return {day: {kpi_id: trends[kpi_id][index] for kpi_id in KPIS} for index, day in enumerate(month_ends)}


def _batches(month_ends: list[dt.date], size: int = MONTHS_PER_BATCH):
    for start in range(0, len(month_ends), size):
        yield month_ends[start : start + size]


def figures_refresh(month_ends: Iterable[dt.date]) -> dict[dt.date, dict[str, KpiResult]]:
    """Compute and store the figures of the closed month ends among `month_ends`, 12 months at a time; returns
    what it stored. Each batch deletes the marks on its months that it read before computing them."""
    today = timezone.localdate()
    closed = sorted({day for day in month_ends if day < today and is_month_end(day)})
    stored: dict[dt.date, dict[str, KpiResult]] = {}
    for batch in _batches(closed):
        marks = list(MonthToRefresh.objects.filter(month_end__in=batch).values_list("pk", flat=True))
        computed = compute_months(batch)
        _store(computed)
        for start in range(0, len(marks), CHUNK):
            MonthToRefresh.objects.filter(pk__in=marks[start : start + CHUNK]).delete()
        stored |= computed
    return stored


def _store(computed: dict[dt.date, dict[str, KpiResult]]) -> None:
    now = timezone.now()
    rows = [
        MonthEndFigure(
            month_end=day,
            kpi_id=kpi_id,
            value=result.value,
            numerator=result.numerator,
            denominator=result.denominator,
            missed_children=len(result.missed_children),
            records=encode_rows(sorted(result.rows, key=_row_order)),
            definitions=DEFINITIONS,
            computed_at=now,
        )
        for day, results in computed.items()
        for kpi_id, result in results.items()
    ]
    with transaction.atomic():
        MonthEndFigure.objects.bulk_create(
            rows,
            batch_size=100,
            update_conflicts=True,
            unique_fields=["month_end", "kpi_id"],
            update_fields=[
                "value",
                "numerator",
                "denominator",
                "missed_children",
                "records",
                "definitions",
                "computed_at",
            ],
        )


def _row_order(row: tuple[int, int, bool | None]) -> tuple[int, int]:
    return row[0], row[1]


def months_needing_refresh(month_ends: list[dt.date] | None = None) -> list[dt.date]:
    """The closed month ends (of `month_ends`, or of the whole history) that are missing, marked or stored under
    other definitions."""
    wanted = history_month_ends() if month_ends is None else month_ends
    today = timezone.localdate()
    closed = [day for day in wanted if day < today]
    return sorted(set(closed) - set(_complete_months(closed)))


def _complete_months(month_ends: list[dt.date]) -> set[dt.date]:
    """Those of `month_ends` with every KPI stored under today's definitions and no mark."""
    counts: dict[dt.date, int] = {}
    for start in range(0, len(month_ends), CHUNK):
        chunk = month_ends[start : start + CHUNK]
        for day in MonthEndFigure.objects.filter(month_end__in=chunk, definitions=DEFINITIONS).values_list(
            "month_end", flat=True
        ):
            counts[day] = counts.get(day, 0) + 1
    marked = set(MonthToRefresh.objects.filter(month_end__in=month_ends).values_list("month_end", flat=True))
    return {day for day, count in counts.items() if count == len(KPIS) and day not in marked}


# Reading -----------------------------------------------------------------------------------------------------


def month_end_results(
    month_ends: list[dt.date], *, records_for: Iterable[dt.date] = (), records_of: Iterable[str] | None = None
) -> dict[str, list[KpiResult]]:
    """Every KPI at each of `month_ends` (in the order given), as `kpis.kpi_trends` gives them: stored figures for
    closed months (computed and stored first where missing, marked or outdated), live for the open month. Results
    for the month ends in `records_for` carry their children and records (of the KPIs in `records_of`, or of
    every KPI); the others their figures only (and how many children a rate missed)."""
    today = timezone.localdate()
    with_records = set(records_for)
    closed = [day for day in month_ends if day < today]
    found: dict[dt.date, dict[str, KpiResult]] = {}
    complete = _complete_months(closed)
    found |= figures_refresh(day for day in closed if day not in complete)
    found |= _read_stored(
        [day for day in closed if day in complete],
        with_records,
        set(KPIS if records_of is None else records_of),
    )
    opened = [day for day in month_ends if day >= today]
    if opened:
        found |= compute_months(opened)
    return {kpi_id: [found[day][kpi_id] for day in month_ends] for kpi_id in KPIS}


def _read_stored(
    month_ends: list[dt.date], with_records: set[dt.date], kpi_ids: set[str]
) -> dict[dt.date, dict[str, KpiResult]]:
    found: dict[dt.date, dict[str, KpiResult]] = {day: {} for day in month_ends}
    for start in range(0, len(month_ends), CHUNK):
        for day, kpi_id, value, numerator, denominator, missed in MonthEndFigure.objects.filter(
            month_end__in=month_ends[start : start + CHUNK]
        ).values_list("month_end", "kpi_id", "value", "numerator", "denominator", "missed_children"):
            found[day][kpi_id] = _stored_result(kpi_id, value, numerator, denominator, missed)
    detailed = [day for day in month_ends if day in with_records]
    if detailed:
        for day, kpi_id, blob in MonthEndFigure.objects.filter(
            month_end__in=detailed, kpi_id__in=sorted(kpi_ids)
        ).values_list("month_end", "kpi_id", "records"):
            found[day][kpi_id] = _from_records(kpi_id, blob)
    return found


def result_for_period(kpi_id: str, period) -> KpiResult | None:
    """The stored result (with its records) of one KPI over `period` when the period is a trend point's (the 12
    months to a closed month end, a reporting year among them); None when it is not, or not stored yet."""
    end = period.end
    if not (is_month_end(end) and end < timezone.localdate() and twelve_months_to(end).start == period.start):
        return None
    return month_end_results([end], records_for=[end], records_of=[kpi_id])[kpi_id][0]


def kpis_for_year(year: int) -> dict[str, KpiResult]:
    """Every KPI for reporting year `year` (`kpis.compute_kpis`): the figures stored at 31 March once it has
    passed (without the children behind them: a drill-down reads those), computed live before."""
    from opencsc.insight.kpis import ReportingYear, compute_kpis

    end = ReportingYear(year).end
    if end >= timezone.localdate():
        return compute_kpis(year)
    return {kpi_id: results[0] for kpi_id, results in month_end_results([end]).items()}


# The check ---------------------------------------------------------------------------------------------------


@dataclass
class Difference:
    month_end: dt.date
    kpi_id: str
    what: str  # "missing", or the fields that differ
    stored: str = ""
    computed: str = ""


@dataclass
class CheckReport:
    months: list[dt.date]
    figures: int = 0
    differences: list[Difference] = field(default_factory=list)
    marked: list[Difference] = field(default_factory=list)  # stale, but marked: readers compute them afresh


def figures_check(month_ends: list[dt.date]) -> CheckReport:
    """Recompute the closed `month_ends` from the records and compare each stored figure (value, numerator,
    denominator and the records behind it) with the result. A missing or outdated figure is a difference; a
    figure that differs on a month marked for refresh is reported apart (nothing reads it as it stands)."""
    today = timezone.localdate()
    closed = sorted({day for day in month_ends if day < today})
    report = CheckReport(closed)
    marked = set(MonthToRefresh.objects.filter(month_end__in=closed).values_list("month_end", flat=True))
    for batch in _batches(closed):
        computed = compute_months(batch)
        stored = {
            (row[0], row[1]): row[2:]
            for row in MonthEndFigure.objects.filter(month_end__in=batch).values_list(
                "month_end",
                "kpi_id",
                "value",
                "numerator",
                "denominator",
                "missed_children",
                "definitions",
                "records",
            )
        }
        for day in batch:
            for kpi_id, result in computed[day].items():
                report.figures += 1
                difference = _compare(day, kpi_id, stored.get((day, kpi_id)), result)
                if difference:
                    (report.marked if day in marked else report.differences).append(difference)
    return report


def _compare(day: dt.date, kpi_id: str, stored, result: KpiResult) -> Difference | None:
    if stored is None:
        return Difference(day, kpi_id, "missing", "", _figures_text(result))
    value, numerator, denominator, missed, definitions, blob = stored
    if definitions != DEFINITIONS:
        return Difference(day, kpi_id, f"computed under definitions {definitions}, now {DEFINITIONS}")
    kept = _stored_result(kpi_id, value, numerator, denominator, missed)
    kept_rows = decode_rows(blob)
    fields = [
        name
        for name, differs in (
            ("value", kept.value != result.value),
            ("numerator", kept.numerator != result.numerator),
            ("denominator", kept.denominator != result.denominator),
            ("children missed", kept.missed_count != result.missed_count),
            ("records", kept_rows != sorted(result.rows, key=_row_order)),
        )
        if differs
    ]
    if not fields:
        return None
    return Difference(
        day, kpi_id, ", ".join(fields), _figures_text(kept, len(kept_rows)), _figures_text(result)
    )


def _figures_text(result: KpiResult, records: int | None = None) -> str:
    records = len(result.rows) if records is None else records
    figures = f" ({result.numerator} of {result.denominator})" if result.denominator is not None else ""
    return f"{result.value}{figures}, {records} records"
