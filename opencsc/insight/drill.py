"""The records behind a KPI, with the dates and figures that put each in or out of the number.

The rows come from the very records the KPI counts (the same `Dated` rows, the same snapshot, or the rows the
stored month-end figure kept: ADR 0018), so the children listed are exactly the KPI's children for that part: one
row per record for KPIs over records (referrals, assessments, enquiries, conferences, plans), one row per child for
KPIs taken on a day."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from opencsc.casework.models import (
    Allocation,
    Assessment,
    ChildProtectionConference,
    ChildProtectionPlan,
    Section47Enquiry,
)
from opencsc.core.working_days import anniversary
from opencsc.frontdoor.models import Referral
from opencsc.insight import kpis
from opencsc.insight.catalogue import CATALOGUE
from opencsc.insight.figures import result_for_period
from opencsc.insight.kpis import KpiResult, Snapshots, Span
from opencsc.ui.formatting import format_date, format_postcode

PARTS = ("numerator", "missed", "denominator")
TIME_LIMITS = {"assessments_within_45wd_rate": 45, "icpc_within_15wd_rate": 15}


@dataclass(frozen=True)
class DrillRow:
    child_id: int
    cells: tuple[str, ...]
    sort_key: tuple  # sorted descending: most late, then latest, first


@dataclass
class Drill:
    result: KpiResult
    children: set[int]  # the KPI's children for the part asked for
    columns: tuple[str, ...]
    rows: list[DrillRow]
    order: str = "latest first"
    unit: str = "record"  # what each row is: a record, or a child for figures taken on a day


def _family_of(kpi_id: str) -> Callable[[Span], list[kpis.Dated]] | None:
    for family, ids in _FAMILY_KPIS.items():
        if kpi_id in ids:
            return family
    return None


_FAMILY_KPIS = {
    kpis._referral_family: ("referrals", "rereferral_rate_12m", "referral_nfa_rate"),
    kpis._assessment_family: ("assessments_completed", "assessments_within_45wd_rate"),
    kpis._s47_family: ("s47_started",),
    kpis._icpc_family: ("icpc_held", "icpc_within_15wd_rate"),
    kpis._cpp_started_family: ("cpp_started", "cpp_second_or_subsequent_rate"),
    kpis._cpp_ended_family: ("cpp_ended", "cpp_ended_2y_plus_rate"),
}


def _children_of(result: KpiResult, part: str) -> set[int]:
    return {
        "numerator": result.numerator_children,
        "missed": result.missed_children,
        "denominator": result.denominator_children,
    }[part]


def _in_part(flag: bool | None, kind: str, part: str) -> bool:
    if kind == "count":
        return True
    if flag is None:
        return False
    return {"numerator": flag, "missed": not flag, "denominator": True}[part]


def kpi_drill(kpi_id: str, period: Span, part: str = "numerator") -> Drill:
    """The records behind one KPI over `period`: those the stored month-end figure kept when the period is a
    trend point's (ADR 0018), else those the live computation counts."""
    family = _family_of(kpi_id)
    stored = result_for_period(kpi_id, period)
    if family is None:
        return _snapshot_drill(kpi_id, period, part, stored)
    if stored is None:
        dated = next(dated for dated in family(period) if dated.kpi_id == kpi_id)
        result, rows, kind = dated.result(period), dated.within(period), dated.kind
    else:
        result, rows, kind = stored, stored.rows, "rate" if CATALOGUE[kpi_id].is_rate else "count"
    records = [(pk, child) for pk, child, flag in rows if _in_part(flag, kind, part)]
    columns, rows = _RECORD_DETAILS[family](kpi_id, records)
    rows.sort(key=lambda row: row.sort_key, reverse=True)
    order = _RECORD_ORDER.get(kpi_id, "latest first")
    return Drill(result, _children_of(result, part), columns, rows, order)


CHUNK = 900  # ids per query, under SQLite's older limit on query parameters


def _values(source, field: str, ids: Iterable[int], *fields: str) -> list[tuple]:
    """values_list(*fields) of the rows of `source` (a model or queryset) whose `field` is in `ids`."""
    queryset = source.objects.all() if isinstance(source, type) else source
    ordered = sorted(set(ids))
    rows: list[tuple] = []
    for start in range(0, len(ordered), CHUNK):
        rows += queryset.filter(**{f"{field}__in": ordered[start : start + CHUNK]}).values_list(*fields)
    return rows


def _pks(records: list[tuple[int, int]]) -> list[int]:
    return [pk for pk, _ in records]


# Records --------------------------------------------------------------------------------------------------


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _length(start: dt.date, end: dt.date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    years, months = divmod(max(months, 0), 12)
    return f"{years} y {months} m ({_days((end - start).days)})"


def _referral_details(kpi_id: str, records: list[tuple[int, int]]):
    found = {
        pk: (date, nfa)
        for pk, date, nfa in _values(Referral, "id", _pks(records), "id", "referral_date", "is_nfa")
    }
    if kpi_id == "referral_nfa_rate":
        columns = ("Referral date", "Outcome")
        cells = {
            pk: (format_date(d), "No further action" if nfa else "Further action")
            for pk, (d, nfa) in found.items()
        }
    elif kpi_id == "rereferral_rate_12m":
        earlier = _earlier_referrals({child for _, child in records})
        columns = ("Referral date", "Earlier referral within 12 months")
        cells = {}
        for pk, child in records:
            date = found[pk][0]
            before = [other for other in earlier.get(child, []) if anniversary(date, -1) <= other < date]
            cells[pk] = (format_date(date), format_date(max(before), "None") if before else "None")
    else:
        columns = ("Referral date",)
        cells = {pk: (format_date(d),) for pk, (d, _) in found.items()}
    return columns, [DrillRow(child, cells[pk], (found[pk][0], pk)) for pk, child in records]


def _earlier_referrals(children: set[int]) -> dict[int, list[dt.date]]:
    by_child: dict[int, list[dt.date]] = {}
    for child, date in _values(Referral, "child_id", children, "child_id", "referral_date"):
        by_child.setdefault(child, []).append(date)
    return by_child


def _timed(kpi_id: str, records, found: dict[int, tuple[dt.date | None, dt.date]], labels: tuple[str, str]):
    """Records timed in working days from a start to an end, against the KPI's limit where it has one."""
    limit = TIME_LIMITS.get(kpi_id)
    starts = [start for start, _ in found.values() if start is not None]
    working_days = kpis._working_days_counter(
        starts, max((end for _, end in found.values()), default=dt.date.today())
    )
    columns = (*labels, "Working days")
    if limit:
        columns += (f"Working days late (limit {limit})",)
    rows = []
    for pk, child in records:
        start, end = found[pk]
        took = None if start is None else working_days(start, end)
        late = None if took is None or limit is None else max(0, took - limit)
        cells = (format_date(start), format_date(end), "Not known" if took is None else str(took))
        if limit:
            cells += ("Not known" if late is None else str(late),)
        rows.append(DrillRow(child, cells, (late or 0, end, pk)))
    return columns, rows


def _assessment_details(kpi_id: str, records):
    found = {
        pk: (start, done)
        for pk, start, done in _values(Assessment, "id", _pks(records), "id", "started_on", "authorised_on")
    }
    return _timed(kpi_id, records, found, ("Assessment started", "Authorised"))


def _s47_details(kpi_id: str, records):
    found = dict(_values(Section47Enquiry, "id", _pks(records), "id", "started_on"))
    return ("Enquiry started",), [
        DrillRow(child, (format_date(found[pk]),), (found[pk], pk)) for pk, child in records
    ]


def _icpc_details(kpi_id: str, records):
    found = {
        pk: (s47, held)
        for pk, held, s47 in _values(
            ChildProtectionConference, "id", _pks(records), "id", "held_on", "section_47__started_on"
        )
    }
    return _timed(kpi_id, records, found, ("Section 47 enquiry started", "Conference held"))


def _plan_details(kpi_id: str, records):
    found = {
        pk: (start, end, previous)
        for pk, start, end, previous in _values(
            ChildProtectionPlan, "id", _pks(records), "id", "started_on", "ended_on", "previous_plans"
        )
    }
    if kpi_id in ("cpp_started", "cpp_second_or_subsequent_rate"):
        earlier = _earlier_plans({child for _, child in records})
        columns = ("Plan started", "Earlier plan started", "Previous plans recorded")
        rows = []
        for pk, child in records:
            start, _, previous = found[pk]
            before = [other for other in earlier.get(child, []) if other < start]
            cells = (format_date(start), format_date(max(before)) if before else "None", str(previous))
            rows.append(DrillRow(child, cells, (start, pk)))
        return columns, rows
    columns = ("Plan started", "Plan ended", "Length")
    rows = [
        DrillRow(
            child,
            (format_date(found[pk][0]), format_date(found[pk][1]), _length(found[pk][0], found[pk][1])),
            (found[pk][1] - found[pk][0], found[pk][1], pk),
        )
        for pk, child in records
    ]
    return columns, rows


def _earlier_plans(children: set[int]) -> dict[int, list[dt.date]]:
    by_child: dict[int, list[dt.date]] = {}
    for child, start in _values(ChildProtectionPlan, "child_id", children, "child_id", "started_on"):
        by_child.setdefault(child, []).append(start)
    return by_child


_RECORD_ORDER = {
    "assessments_within_45wd_rate": "most working days late first, then latest",
    "icpc_within_15wd_rate": "most working days late first, then latest",
    "cpp_ended": "longest plan first",
    "cpp_ended_2y_plus_rate": "longest plan first",
}

_RECORD_DETAILS = {
    kpis._referral_family: _referral_details,
    kpis._assessment_family: _assessment_details,
    kpis._s47_family: _s47_details,
    kpis._icpc_family: _icpc_details,
    kpis._cpp_started_family: _plan_details,
    kpis._cpp_ended_family: _plan_details,
}


# Children on a day -----------------------------------------------------------------------------------------


def _snapshot_drill(kpi_id: str, period: Span, part: str, stored: KpiResult | None) -> Drill:
    snapshots = kpis._snapshots(period)
    result = stored or kpis.SNAPSHOT_KPIS[kpi_id](period, snapshots)
    children = _children_of(result, part)
    detail = _CHILD_DETAILS.get(kpi_id)
    columns, rows = detail(snapshots, period, children) if detail else ((), [])
    if not detail:
        rows = [DrillRow(child, (), (child,)) for child in children]
    rows.sort(key=lambda row: row.sort_key, reverse=True)
    return Drill(result, children, columns, rows, _CHILD_ORDER.get(kpi_id, "by child"), "child")


def _open_since(intervals: kpis.Intervals, day: dt.date, children: set[int], label: str):
    earliest: dict[int, dt.date] = {}
    for row in intervals.open_on(day):
        if row[0] in children:
            earliest[row[0]] = min(earliest.get(row[0], row[1]), row[1])
    columns = (label, "Length on the day")
    return columns, [
        DrillRow(child, (format_date(start), _length(start, day)), (day - start, child))
        for child, start in earliest.items()
    ]


def _cin_details(snapshots: Snapshots, period: Span, children: set[int]):
    return _open_since(snapshots.cin, period.end, children, "Referred")


def _plans_open(snapshots: Snapshots, period: Span, children: set[int]):
    return _open_since(snapshots.plans, period.end, children, "Plan started")


def _looked_after_open(snapshots: Snapshots, period: Span, children: set[int]):
    return _open_since(snapshots.looked_after, period.end, children, "Episode started")


def _placement_counts(snapshots: Snapshots, period: Span, children: set[int]):
    counts = snapshots.placements_in(period, children)
    return ("Placements in the period",), [
        DrillRow(child, (str(counts[child]),), (counts[child], child)) for child in children
    ]


def _placement_locations(snapshots: Snapshots, period: Span, children: set[int]):
    columns = ("Placed since", "Placement postcode", "Inside or outside the authority", "Miles from home")
    rows = []
    for episode in snapshots.looked_after_placements_on(period.end):
        if episode.child_id not in children:
            continue
        inside, miles = kpis._placement_location(episode.home_postcode, episode.placement_postcode)
        cells = (
            format_date(episode.started_on),
            format_postcode(episode.placement_postcode) or "Not recorded",
            "Not known" if inside is None else ("Inside" if inside else "Outside"),
            "Not known" if miles is None else f"{miles:.1f}",
        )
        rows.append(DrillRow(episode.child_id, cells, (miles or 0, episode.started_on, episode.child_id)))
    return columns, rows


_CHILD_ORDER = {
    "cin_at_year_end": "longest open first",
    "cpp_at_year_end": "longest open first",
    "cla_at_year_end": "longest open first",
    "cla_3plus_placements_rate": "most placements first",
    "cla_placed_outside_la_rate": "farthest from home first",
    "cla_placed_20mi_plus_rate": "farthest from home first",
}

_CHILD_DETAILS = {
    "cin_at_year_end": _cin_details,
    "cpp_at_year_end": _plans_open,
    "cla_at_year_end": _looked_after_open,
    "cla_3plus_placements_rate": _placement_counts,
    "cla_placed_outside_la_rate": _placement_locations,
    "cla_placed_20mi_plus_rate": _placement_locations,
}


def current_allocations(child_ids: set[int]) -> dict[int, str]:
    """'Worker (Team)' for each child with an open allocation now."""
    return {
        child: f"{first} {last} ({team})".strip()
        for child, first, last, team in _values(
            Allocation.objects.filter(ended_on__isnull=True),
            "child_id",
            child_ids,
            "child_id",
            "worker__first_name",
            "worker__last_name",
            "team__name",
        )
    }
