"""The numbers leaders see (design.md, "The numbers leaders see"), each computed from the domain model.

Conventions, applied everywhere:
- Reporting year Y runs 1 April Y-1 to 31 March Y, both days included.
- A record is open on a date d when it started on or before d and had not ended by d: it ends on its end
  date, so a plan ended on 31 March is not open on 31 March. Episodes that hand over with X1 on the same day
  are then counted once.
- Working days count the days after the start up to and including the end, skipping weekends and England
  bank holidays. Anniversaries are calendar anniversaries (29 February falls back to 28 February).
- Rates are percentages rounded to one decimal place (half away from zero); an empty denominator gives None.

Every KPI returns the children behind it, so each number can be drilled into.

Any period works, not only a reporting year: a KPI counting records in the year counts them in the period,
and a KPI taken "on 31 March" is taken on the period's last day. The records behind each family of KPIs
(referrals; assessments; enquiries; initial conferences; plans started; plans ended; the records open on a
day) are fetched once for a whole span, so that `kpi_trend` works out many periods from one query per family
(ADR 0005).
"""

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from django.db.models import Q

from opencsc.casework.models import (
    Allocation,
    Assessment,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
)
from opencsc.casework.work import WorkingDayIndex
from opencsc.core.rates import rate
from opencsc.core.working_days import ENGLAND, anniversary
from opencsc.frontdoor.models import Referral
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS, SHORT_BREAK_STATUSES
from opencsc.looked_after.models import Episode

ONE_DAY = dt.timedelta(days=1)


class Span(Protocol):
    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date: ...


@dataclass(frozen=True)
class ReportingYear:
    year: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year - 1, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class Period:
    """Any run of days, both ends included."""

    start: dt.date
    end: dt.date

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def twelve_months_to(end: dt.date) -> Period:
    """The 12 months ending on `end`: for 31 March 2026, 1 April 2025 to 31 March 2026 (a reporting year)."""
    return Period(anniversary(end + ONE_DAY, -1), end)


@dataclass
class KpiResult:
    id: str
    value: int | float | None
    numerator_children: set[int] = field(default_factory=set)
    denominator_children: set[int] = field(default_factory=set)
    numerator: int | None = None
    denominator: int | None = None
    missed_children: set[int] = field(default_factory=set)  # rates: children with a record not counted
    # The records behind the number, each (record id, child id, counts in the numerator; None for a count): what
    # a stored month-end figure keeps (opencsc.insight.figures) and `result_from_rows` turns back into this.
    rows: list[tuple[int, int, bool | None]] = field(default_factory=list, repr=False, compare=False)
    # How many children `missed_children` holds, for a stored figure read without its records.
    stored_missed_count: int | None = field(default=None, repr=False, compare=False)

    @property
    def counts_a_record(self) -> bool:
        """Whether any child is behind the number (the numerator's, for a rate): known from the figures alone."""
        if self.numerator_children:
            return True
        return bool(self.numerator if self.denominator is not None else self.value)

    @property
    def considers_a_record(self) -> bool:
        """Whether any child is behind a rate's denominator."""
        return bool(self.denominator_children) or bool(self.denominator)

    @property
    def missed_count(self) -> int:
        if self.stored_missed_count is not None and not self.missed_children:
            return self.stored_missed_count
        return len(self.missed_children)

    @property
    def children(self) -> set[int]:
        return self.numerator_children


def _count(kpi_id: str, rows: list[tuple[int, int]]) -> KpiResult:
    """A count of records; rows are (record id, child id)."""
    return KpiResult(
        kpi_id,
        len(rows),
        numerator_children={child for _, child in rows},
        rows=[(pk, child, None) for pk, child in rows],
    )


def _rate(kpi_id: str, rows: list[tuple[int, int, bool]]) -> KpiResult:
    """A rate over records; rows are (record id, child id, counts in the numerator)."""
    hits = [row for row in rows if row[2]]
    return KpiResult(
        kpi_id,
        rate(len(hits), len(rows)),
        numerator_children={child for _, child, _ in hits},
        denominator_children={child for _, child, _ in rows},
        numerator=len(hits),
        denominator=len(rows),
        missed_children={child for _, child, hit in rows if not hit},
        rows=list(rows),
    )


def _children(kpi_id: str, children: set[int]) -> KpiResult:
    return KpiResult(
        kpi_id,
        len(children),
        numerator_children=children,
        rows=[(child, child, None) for child in sorted(children)],
    )


def result_from_rows(
    kpi_id: str, rows: Iterable[tuple[int, int, bool | None]], *, is_rate: bool
) -> KpiResult:
    """The result whose records are `rows` (KpiResult.rows): the same value, figures and children as the
    computation that gave them. A count of children on a day has one row per child, so it counts as records."""
    if is_rate:
        return _rate(kpi_id, [(pk, child, bool(flag)) for pk, child, flag in rows])
    return _count(kpi_id, [(pk, child) for pk, child, _ in rows])


def open_on(day: dt.date, start: str, *ends: str) -> Q:
    condition = Q(**{f"{start}__lte": day})
    for end in ends:
        condition &= Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day})
    return condition


def _overlapping(span: Span, start: str, *ends: str) -> Q:
    """Records that may be open on some day of the span (a superset: open_on decides)."""
    condition = Q(**{f"{start}__lte": span.end})
    for end in ends:
        condition &= Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": span.start})
    return condition


# Records dated in a period --------------------------------------------------------------------------------


class Dated:
    """Records of one KPI dated within a span, sorted by date: each (record id, child id, counts in the
    numerator). A flag of None leaves the record out of a rate (it cannot be timed)."""

    def __init__(self, kpi_id: str, kind: str, rows: Iterable[tuple[dt.date, int, int, bool | None]]):
        ordered = sorted(rows, key=lambda row: (row[0], row[1]))
        self.kpi_id, self.kind = kpi_id, kind
        self.dates = [row[0] for row in ordered]
        self.rows = [(pk, child, flag) for _, pk, child, flag in ordered]

    def within(self, period: Span) -> list[tuple[int, int, bool | None]]:
        return self.rows[bisect_left(self.dates, period.start) : bisect_right(self.dates, period.end)]

    def result(self, period: Span, *, with_children: bool = True) -> KpiResult:
        rows = self.within(period)
        if not with_children:
            return self._figures(rows)
        if self.kind == "count":
            return _count(self.kpi_id, [(pk, child) for pk, child, _ in rows])
        return _rate(self.kpi_id, [row for row in rows if row[2] is not None])

    def _figures(self, rows) -> KpiResult:
        """The value alone, without the children behind it (for trend points no one drills into)."""
        if self.kind == "count":
            return KpiResult(self.kpi_id, len(rows))
        flags = [row[2] for row in rows if row[2] is not None]
        hits = sum(1 for flag in flags if flag)
        return KpiResult(self.kpi_id, rate(hits, len(flags)), numerator=hits, denominator=len(flags))


def _referral_family(span: Span) -> list[Dated]:
    """One range query: the referrals in the span and in the year before it (for re-referrals)."""
    earliest = anniversary(span.start, -1)
    history: dict[int, list[dt.date]] = {}
    in_span = []
    for pk, child, date, nfa in Referral.objects.filter(
        referral_date__range=(earliest, span.end)
    ).values_list("id", "child_id", "referral_date", "is_nfa"):
        history.setdefault(child, []).append(date)
        if date >= span.start:
            in_span.append((pk, child, date, nfa))

    def rereferred(child: int, date: dt.date) -> bool:
        window_start = anniversary(date, -1)
        return any(window_start <= other < date for other in history.get(child, []))

    return [
        Dated("referrals", "count", ((date, pk, child, None) for pk, child, date, _ in in_span)),
        Dated(
            "rereferral_rate_12m",
            "rate",
            ((date, pk, child, rereferred(child, date)) for pk, child, date, _ in in_span),
        ),
        Dated("referral_nfa_rate", "rate", ((date, pk, child, nfa) for pk, child, date, nfa in in_span)),
    ]


def _working_days_counter(starts: Iterable[dt.date], end: dt.date):
    """Working days between two dates by a running index over the whole range, built once."""
    index = WorkingDayIndex(ENGLAND)
    earliest = min(starts, default=end)
    index.between(earliest, max(earliest, end))
    return index.between


def _assessment_family(span: Span) -> list[Dated]:
    rows = list(
        Assessment.objects.filter(authorised_on__range=(span.start, span.end)).values_list(
            "id", "child_id", "started_on", "authorised_on"
        )
    )
    working_days = _working_days_counter((started for _, _, started, _ in rows), span.end)
    return [
        Dated("assessments_completed", "count", ((done, pk, child, None) for pk, child, _, done in rows)),
        Dated(
            "assessments_within_45wd_rate",
            "rate",
            ((done, pk, child, working_days(started, done) <= 45) for pk, child, started, done in rows),
        ),
    ]


def _s47_family(span: Span) -> list[Dated]:
    rows = Section47Enquiry.objects.filter(started_on__range=(span.start, span.end)).values_list(
        "id", "child_id", "started_on"
    )
    return [Dated("s47_started", "count", ((started, pk, child, None) for pk, child, started in rows))]


def _icpc_family(span: Span) -> list[Dated]:
    """A conference recorded without its enquiry cannot be timed: counted as held, left out of the rate."""
    rows = list(
        ChildProtectionConference.objects.filter(
            kind=ConferenceKind.INITIAL, held_on__range=(span.start, span.end)
        ).values_list("id", "child_id", "held_on", "section_47__started_on")
    )
    working_days = _working_days_counter((s47 for _, _, _, s47 in rows if s47 is not None), span.end)
    return [
        Dated("icpc_held", "count", ((held, pk, child, None) for pk, child, held, _ in rows)),
        Dated(
            "icpc_within_15wd_rate",
            "rate",
            (
                (held, pk, child, None if s47 is None else working_days(s47, held) <= 15)
                for pk, child, held, s47 in rows
            ),
        ),
    ]


def _cpp_started_family(span: Span) -> list[Dated]:
    started = list(
        ChildProtectionPlan.objects.filter(started_on__range=(span.start, span.end)).values_list(
            "id", "child_id", "started_on", "previous_plans"
        )
    )
    earlier_starts: dict[int, list[dt.date]] = {}
    for child, start in ChildProtectionPlan.objects.filter(
        child_id__in={child for _, child, _, _ in started}, started_on__lte=span.end
    ).values_list("child_id", "started_on"):
        earlier_starts.setdefault(child, []).append(start)
    return [
        Dated("cpp_started", "count", ((start, pk, child, None) for pk, child, start, _ in started)),
        Dated(
            "cpp_second_or_subsequent_rate",
            "rate",
            (
                (start, pk, child, previous > 0 or any(other < start for other in earlier_starts[child]))
                for pk, child, start, previous in started
            ),
        ),
    ]


def _cpp_ended_family(span: Span) -> list[Dated]:
    rows = list(
        ChildProtectionPlan.objects.filter(ended_on__range=(span.start, span.end)).values_list(
            "id", "child_id", "started_on", "ended_on"
        )
    )
    return [
        Dated("cpp_ended", "count", ((ended, pk, child, None) for pk, child, _, ended in rows)),
        Dated(
            "cpp_ended_2y_plus_rate",
            "rate",
            ((ended, pk, child, ended >= anniversary(started, 2)) for pk, child, started, ended in rows),
        ),
    ]


FLOW_FAMILIES: list[Callable[[Span], list[Dated]]] = [
    _referral_family,
    _assessment_family,
    _s47_family,
    _icpc_family,
    _cpp_started_family,
    _cpp_ended_family,
]


def _flow(kpi_id: str, family: Callable[[Span], list[Dated]], period: Span) -> KpiResult:
    return next(dated for dated in family(period) if dated.kpi_id == kpi_id).result(period)


def referrals(year: Span) -> KpiResult:
    return _flow("referrals", _referral_family, year)


def rereferral_rate_12m(year: Span) -> KpiResult:
    """Referrals whose child had an earlier referral dated on or after the same calendar date a year before."""
    return _flow("rereferral_rate_12m", _referral_family, year)


def referral_nfa_rate(year: Span) -> KpiResult:
    return _flow("referral_nfa_rate", _referral_family, year)


def assessments_completed(year: Span) -> KpiResult:
    return _flow("assessments_completed", _assessment_family, year)


def assessments_within_45wd_rate(year: Span) -> KpiResult:
    return _flow("assessments_within_45wd_rate", _assessment_family, year)


def s47_started(year: Span) -> KpiResult:
    return _flow("s47_started", _s47_family, year)


def icpc_held(year: Span) -> KpiResult:
    return _flow("icpc_held", _icpc_family, year)


def icpc_within_15wd_rate(year: Span) -> KpiResult:
    """Initial conferences held in the year within 15 working days of the start of the section 47 enquiry that
    led to them. A conference recorded without its enquiry cannot be timed and is left out of both sides."""
    return _flow("icpc_within_15wd_rate", _icpc_family, year)


def cpp_started(year: Span) -> KpiResult:
    return _flow("cpp_started", _cpp_started_family, year)


def cpp_second_or_subsequent_rate(year: Span) -> KpiResult:
    return _flow("cpp_second_or_subsequent_rate", _cpp_started_family, year)


def cpp_ended(year: Span) -> KpiResult:
    return _flow("cpp_ended", _cpp_ended_family, year)


def cpp_ended_2y_plus_rate(year: Span) -> KpiResult:
    return _flow("cpp_ended_2y_plus_rate", _cpp_ended_family, year)


# Snapshots on the last day ------------------------------------------------------------------------------


class Intervals:
    """Records with a start and an end, each (child id, start, end, extra): open on d when start <= d and the
    end is None or after d. Sorted by start, so the records started by d are a prefix."""

    def __init__(self, rows: Iterable[tuple], days: list[dt.date] | None = None):
        self.rows = sorted(rows, key=lambda row: (row[1], row[0]))
        self.starts = [row[1] for row in self.rows]
        self._open: dict[dt.date, list[tuple]] = {}  # several KPIs ask about the same day
        self._children: dict[dt.date, set[int]] = {}
        if days:
            self._bucket(sorted(set(days)))

    def _bucket(self, days: list[dt.date]) -> None:
        """The records open on each of `days`, in one pass: a record is open from the first day on or after its
        start to the last day before its end, so each costs two binary searches and the days it spans."""
        self._open = {day: [] for day in days}
        for row in self.rows:
            first = bisect_left(days, row[1])
            last = len(days) if row[2] is None else bisect_left(days, row[2])
            for index in range(first, last):
                self._open[days[index]].append(row)

    def open_on(self, day: dt.date) -> list[tuple]:
        if day not in self._open:
            started = self.rows[: bisect_right(self.starts, day)]
            self._open[day] = [row for row in started if row[2] is None or row[2] > day]
        return self._open[day]

    def children_on(self, day: dt.date) -> set[int]:
        if day not in self._children:
            self._children[day] = {row[0] for row in self.open_on(day)}
        return set(self._children[day])


def _earliest(*dates: dt.date | None) -> dt.date | None:
    known = [date for date in dates if date is not None]
    return min(known) if known else None


@dataclass(frozen=True)
class Placement:
    child_id: int
    started_on: dt.date
    ended_on: dt.date | None
    reason_new_episode: str
    looked_after: bool  # not a short break
    home_postcode: str
    placement_postcode: str


class Snapshots:
    """The records open at some point in a span, fetched once each (lazily) and asked about any day in it.
    Episodes are fetched from `episodes_from` (the first day of the earliest period), for placements counted
    over a period."""

    def __init__(
        self, span: Span, *, episodes_from: dt.date | None = None, days: list[dt.date] | None = None
    ):
        self.span = span
        self.episode_span = Period(min(episodes_from or span.start, span.start), span.end)
        self.days = (
            days  # the days that will be asked about, when known: each record is filed under them once
        )

    @cached_property
    def cin(self) -> Intervals:
        rows = Referral.objects.filter(_overlapping(self.span, "referral_date", "closed_on")).values_list(
            "child_id", "referral_date", "closed_on"
        )
        return Intervals(((child, start, end, None) for child, start, end in rows), self.days)

    @cached_property
    def plans(self) -> Intervals:
        rows = ChildProtectionPlan.objects.filter(
            _overlapping(self.span, "started_on", "ended_on")
        ).values_list("child_id", "started_on", "ended_on")
        return Intervals(((child, start, end, None) for child, start, end in rows), self.days)

    @cached_property
    def episodes(self) -> list[Placement]:
        rows = Episode.objects.filter(_overlapping(self.episode_span, "started_on", "ended_on")).values_list(
            "child_id",
            "started_on",
            "ended_on",
            "reason_new_episode",
            "legal_status",
            "home_postcode",
            "placement_postcode",
        )
        return [
            Placement(child, start, end, reason, status not in SHORT_BREAK_STATUSES, home, placed)
            for child, start, end, reason, status, home, placed in rows
        ]

    @cached_property
    def looked_after(self) -> Intervals:
        return Intervals(
            ((e.child_id, e.started_on, e.ended_on, e) for e in self.episodes if e.looked_after), self.days
        )

    @cached_property
    def episodes_by_child(self) -> dict[int, list[Placement]]:
        by_child: dict[int, list[Placement]] = {}
        for episode in self.episodes:
            by_child.setdefault(episode.child_id, []).append(episode)
        return by_child

    @cached_property
    def assessments(self) -> Intervals:
        rows = Assessment.objects.filter(
            _overlapping(self.span, "started_on", "authorised_on", "closed_on")
        ).values_list("child_id", "started_on", "authorised_on", "closed_on")
        return Intervals(
            ((child, start, _earliest(done, closed), None) for child, start, done, closed in rows), self.days
        )

    @cached_property
    def enquiries(self) -> Intervals:
        rows = Section47Enquiry.objects.filter(
            _overlapping(self.span, "started_on", "completed_on")
        ).values_list("child_id", "started_on", "completed_on")
        return Intervals(((child, start, end, None) for child, start, end in rows), self.days)

    @cached_property
    def allocations(self) -> Intervals:
        rows = Allocation.objects.filter(_overlapping(self.span, "started_on", "ended_on")).values_list(
            "child_id", "started_on", "ended_on"
        )
        return Intervals(((child, start, end, None) for child, start, end in rows), self.days)

    def looked_after_placements_on(self, day: dt.date) -> list[Placement]:
        return [row[3] for row in self.looked_after.open_on(day)]

    def placements_in(self, period: Span, child_ids: set[int]) -> dict[int, int]:
        """Placements each child had in the period: the one open on its first day, plus each episode starting in
        it with a reason that changes placement (S, P, B, T, U). An episode that both is open on the first day
        and starts a placement that day is one placement, not two."""
        counts = dict.fromkeys(child_ids, 0)
        for child in child_ids:
            for episode in self.episodes_by_child.get(child, []):
                changes = episode.reason_new_episode in PLACEMENT_CHANGING_REASONS
                is_open = episode.started_on <= period.start and (
                    episode.ended_on is None or episode.ended_on > period.start
                )
                if is_open and not (episode.started_on == period.start and changes):
                    counts[child] += 1
                if changes and period.start <= episode.started_on <= period.end:
                    counts[child] += 1
        return counts


def _snapshots(period: Span) -> Snapshots:
    return Snapshots(Period(period.end, period.end), episodes_from=period.start)


def cin_at_year_end(year: Span, snapshots: Snapshots | None = None) -> KpiResult:
    snapshots = snapshots or _snapshots(year)
    return _children("cin_at_year_end", snapshots.cin.children_on(year.end))


def cpp_at_year_end(year: Span, snapshots: Snapshots | None = None) -> KpiResult:
    snapshots = snapshots or _snapshots(year)
    return _children("cpp_at_year_end", snapshots.plans.children_on(year.end))


def cla_at_year_end(year: Span, snapshots: Snapshots | None = None) -> KpiResult:
    snapshots = snapshots or _snapshots(year)
    return _children("cla_at_year_end", snapshots.looked_after.children_on(year.end))


def placements_in_year(year: Span, child_ids: set[int]) -> dict[int, int]:
    """Placements each child had in the period (see Snapshots.placements_in)."""
    return _snapshots(year).placements_in(year, child_ids)


def cla_3plus_placements_rate(year: Span, snapshots: Snapshots | None = None) -> KpiResult:
    snapshots = snapshots or _snapshots(year)
    looked_after = snapshots.looked_after.children_on(year.end)
    counts = snapshots.placements_in(year, looked_after)
    return _rate(
        "cla_3plus_placements_rate", [(child, child, counts[child] >= 3) for child in sorted(looked_after)]
    )


_LOCATIONS: dict[tuple[str, str], tuple[bool | None, float | None]] = {}


def _placement_location(home: str, placement: str) -> tuple[bool | None, float | None]:
    """Whether the placement is inside the authority, and how many miles from home; None where unknown."""
    from django.conf import settings

    from opencsc.geography import distance_miles, is_inside_authority, postcode_location

    key = (home, placement, settings.AUTHORITY_ONS_CODE)
    if key not in _LOCATIONS:
        inside = is_inside_authority(placement, settings.AUTHORITY_ONS_CODE) if placement else None
        home_at = postcode_location(home) if home else None
        placed_at = postcode_location(placement) if placement else None
        miles = distance_miles(home_at, placed_at) if home_at and placed_at else None
        if len(_LOCATIONS) > 100_000:
            _LOCATIONS.clear()
        _LOCATIONS[key] = (inside, miles)
    return _LOCATIONS[key]


def cla_placed_outside_la_rate(year: Span, snapshots: Snapshots | None = None) -> KpiResult:
    snapshots = snapshots or _snapshots(year)
    rows = []
    for episode in snapshots.looked_after_placements_on(year.end):
        inside, _ = _placement_location(episode.home_postcode, episode.placement_postcode)
        if inside is not None:
            rows.append((episode.child_id, episode.child_id, not inside))
    return _rate("cla_placed_outside_la_rate", rows)


def cla_placed_20mi_plus_rate(year: Span, snapshots: Snapshots | None = None) -> KpiResult:
    snapshots = snapshots or _snapshots(year)
    rows = []
    for episode in snapshots.looked_after_placements_on(year.end):
        _, miles = _placement_location(episode.home_postcode, episode.placement_postcode)
        if miles is not None:
            rows.append((episode.child_id, episode.child_id, miles > 20))
    return _rate("cla_placed_20mi_plus_rate", rows)


def unallocated_statutory(year: Span, snapshots: Snapshots | None = None) -> KpiResult:
    """Children on the last day with an open assessment, section 47 enquiry, protection plan or looked-after
    episode and no allocated worker."""
    snapshots = snapshots or _snapshots(year)
    day = year.end
    with_work = snapshots.assessments.children_on(day) | snapshots.enquiries.children_on(day)
    with_work |= snapshots.plans.children_on(day) | snapshots.looked_after.children_on(day)
    return _children("unallocated_statutory", with_work - snapshots.allocations.children_on(day))


SNAPSHOT_KPIS: dict[str, Callable[[Span, Snapshots | None], KpiResult]] = {
    "cin_at_year_end": cin_at_year_end,
    "cpp_at_year_end": cpp_at_year_end,
    "cla_at_year_end": cla_at_year_end,
    "cla_3plus_placements_rate": cla_3plus_placements_rate,
    "cla_placed_outside_la_rate": cla_placed_outside_la_rate,
    "cla_placed_20mi_plus_rate": cla_placed_20mi_plus_rate,
    "unallocated_statutory": unallocated_statutory,
}

KPIS: dict[str, Callable[[Span], KpiResult]] = {
    "referrals": referrals,
    "rereferral_rate_12m": rereferral_rate_12m,
    "referral_nfa_rate": referral_nfa_rate,
    "assessments_completed": assessments_completed,
    "assessments_within_45wd_rate": assessments_within_45wd_rate,
    "s47_started": s47_started,
    "icpc_held": icpc_held,
    "icpc_within_15wd_rate": icpc_within_15wd_rate,
    "cpp_started": cpp_started,
    "cpp_second_or_subsequent_rate": cpp_second_or_subsequent_rate,
    "cpp_ended": cpp_ended,
    "cpp_ended_2y_plus_rate": cpp_ended_2y_plus_rate,
    **SNAPSHOT_KPIS,
}


def kpi_trends(periods: list[Span], *, children_for_last_only: bool = False) -> dict[str, list[KpiResult]]:
    """Every KPI for each period (in the order given), from one fetch per family of records over the span
    they cover together. The result for one period equals `KPIS[kpi_id](period)`; with
    `children_for_last_only`, results before the last period carry their figures but not their children."""
    if not periods:
        return {kpi_id: [] for kpi_id in KPIS}
    span = Period(min(p.start for p in periods), max(p.end for p in periods))
    trends: dict[str, list[KpiResult]] = {}
    for family in FLOW_FAMILIES:
        for dated in family(span):
            last = len(periods) - 1
            trends[dated.kpi_id] = [
                dated.result(period, with_children=not children_for_last_only or index == last)
                for index, period in enumerate(periods)
            ]
    snapshots = Snapshots(
        Period(min(p.end for p in periods), span.end), episodes_from=span.start, days=[p.end for p in periods]
    )
    for kpi_id, compute in SNAPSHOT_KPIS.items():
        trends[kpi_id] = [compute(period, snapshots) for period in periods]
    return {kpi_id: trends[kpi_id] for kpi_id in KPIS}


def kpis_for_period(period: Span) -> dict[str, KpiResult]:
    return {kpi_id: results[0] for kpi_id, results in kpi_trends([period]).items()}


def compute_kpis(year: int) -> dict[str, KpiResult]:
    return kpis_for_period(ReportingYear(year))
