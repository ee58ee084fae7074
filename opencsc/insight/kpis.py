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
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from opencsc.casework.models import (
    Allocation,
    Assessment,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
)
from opencsc.core.working_days import ENGLAND, anniversary
from opencsc.frontdoor.models import Referral
from opencsc.looked_after.codes import PLACEMENT_CHANGING_REASONS, SHORT_BREAK_STATUSES
from opencsc.looked_after.models import Episode


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


@dataclass
class KpiResult:
    id: str
    value: int | float | None
    numerator_children: set[int] = field(default_factory=set)
    denominator_children: set[int] = field(default_factory=set)
    numerator: int | None = None
    denominator: int | None = None

    @property
    def children(self) -> set[int]:
        return self.numerator_children


def rate(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    percent = Decimal(100 * numerator) / Decimal(denominator)
    return float(percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _count(kpi_id: str, rows: list[tuple[int, int]]) -> KpiResult:
    """A count of records; rows are (record id, child id)."""
    return KpiResult(kpi_id, len(rows), numerator_children={child for _, child in rows})


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
    )


def open_on(day: dt.date, start: str, *ends: str) -> Q:
    condition = Q(**{f"{start}__lte": day})
    for end in ends:
        condition &= Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": day})
    return condition


# Front door ---------------------------------------------------------------------------------------------


def _referrals_in(year: ReportingYear):
    return Referral.objects.filter(referral_date__range=(year.start, year.end))


def referrals(year: ReportingYear) -> KpiResult:
    return _count("referrals", list(_referrals_in(year).values_list("id", "child_id")))


def rereferral_rate_12m(year: ReportingYear) -> KpiResult:
    """Referrals whose child had an earlier referral dated on or after the same calendar date a year before."""
    in_year = list(_referrals_in(year).values_list("id", "child_id", "referral_date"))
    children = {child for _, child, _ in in_year}
    history: dict[int, list[dt.date]] = {}
    earliest = anniversary(year.start, -1)
    for child, date in Referral.objects.filter(
        child_id__in=children, referral_date__gte=earliest
    ).values_list("child_id", "referral_date"):
        history.setdefault(child, []).append(date)
    rows = []
    for referral_id, child, date in in_year:
        window_start = anniversary(date, -1)
        earlier = any(window_start <= other < date for other in history.get(child, []))
        rows.append((referral_id, child, earlier))
    return _rate("rereferral_rate_12m", rows)


def referral_nfa_rate(year: ReportingYear) -> KpiResult:
    return _rate("referral_nfa_rate", list(_referrals_in(year).values_list("id", "child_id", "is_nfa")))


# Assessments and child protection -----------------------------------------------------------------------


def _assessments_authorised_in(year: ReportingYear):
    return Assessment.objects.filter(authorised_on__range=(year.start, year.end))


def assessments_completed(year: ReportingYear) -> KpiResult:
    return _count(
        "assessments_completed", list(_assessments_authorised_in(year).values_list("id", "child_id"))
    )


def assessments_within_45wd_rate(year: ReportingYear) -> KpiResult:
    rows = [
        (pk, child, ENGLAND.working_days_between(started, authorised) <= 45)
        for pk, child, started, authorised in _assessments_authorised_in(year).values_list(
            "id", "child_id", "started_on", "authorised_on"
        )
    ]
    return _rate("assessments_within_45wd_rate", rows)


def s47_started(year: ReportingYear) -> KpiResult:
    rows = Section47Enquiry.objects.filter(started_on__range=(year.start, year.end)).values_list(
        "id", "child_id"
    )
    return _count("s47_started", list(rows))


def _icpcs_held_in(year: ReportingYear):
    return ChildProtectionConference.objects.filter(
        kind=ConferenceKind.INITIAL, held_on__range=(year.start, year.end)
    )


def icpc_held(year: ReportingYear) -> KpiResult:
    return _count("icpc_held", list(_icpcs_held_in(year).values_list("id", "child_id")))


def icpc_within_15wd_rate(year: ReportingYear) -> KpiResult:
    """Initial conferences held in the year within 15 working days of the start of the section 47 enquiry that
    led to them. A conference recorded without its enquiry cannot be timed and is left out of both sides."""
    rows = [
        (pk, child, ENGLAND.working_days_between(s47_start, held) <= 15)
        for pk, child, s47_start, held in _icpcs_held_in(year)
        .filter(section_47__isnull=False)
        .values_list("id", "child_id", "section_47__started_on", "held_on")
    ]
    return _rate("icpc_within_15wd_rate", rows)


def cpp_started(year: ReportingYear) -> KpiResult:
    rows = ChildProtectionPlan.objects.filter(started_on__range=(year.start, year.end)).values_list(
        "id", "child_id"
    )
    return _count("cpp_started", list(rows))


def cpp_second_or_subsequent_rate(year: ReportingYear) -> KpiResult:
    started = list(
        ChildProtectionPlan.objects.filter(started_on__range=(year.start, year.end)).values_list(
            "id", "child_id", "started_on", "previous_plans"
        )
    )
    earlier_starts: dict[int, list[dt.date]] = {}
    for child, start in ChildProtectionPlan.objects.filter(
        child_id__in={child for _, child, _, _ in started}
    ).values_list("child_id", "started_on"):
        earlier_starts.setdefault(child, []).append(start)
    rows = [
        (pk, child, previous > 0 or any(other < start for other in earlier_starts[child]))
        for pk, child, start, previous in started
    ]
    return _rate("cpp_second_or_subsequent_rate", rows)


def _plans_ended_in(year: ReportingYear):
    return ChildProtectionPlan.objects.filter(ended_on__range=(year.start, year.end))


def cpp_ended(year: ReportingYear) -> KpiResult:
    return _count("cpp_ended", list(_plans_ended_in(year).values_list("id", "child_id")))


def cpp_ended_2y_plus_rate(year: ReportingYear) -> KpiResult:
    rows = [
        (pk, child, ended >= anniversary(started, 2))
        for pk, child, started, ended in _plans_ended_in(year).values_list(
            "id", "child_id", "started_on", "ended_on"
        )
    ]
    return _rate("cpp_ended_2y_plus_rate", rows)


# Snapshots at 31 March ----------------------------------------------------------------------------------


def cin_at_year_end(year: ReportingYear) -> KpiResult:
    children = set(
        Referral.objects.filter(open_on(year.end, "referral_date", "closed_on")).values_list(
            "child_id", flat=True
        )
    )
    return KpiResult("cin_at_year_end", len(children), numerator_children=children)


def cpp_at_year_end(year: ReportingYear) -> KpiResult:
    children = set(
        ChildProtectionPlan.objects.filter(open_on(year.end, "started_on", "ended_on")).values_list(
            "child_id", flat=True
        )
    )
    return KpiResult("cpp_at_year_end", len(children), numerator_children=children)


def _looked_after_episodes_on(day: dt.date):
    return Episode.objects.filter(open_on(day, "started_on", "ended_on")).exclude(
        legal_status__in=SHORT_BREAK_STATUSES
    )


def cla_at_year_end(year: ReportingYear) -> KpiResult:
    children = set(_looked_after_episodes_on(year.end).values_list("child_id", flat=True))
    return KpiResult("cla_at_year_end", len(children), numerator_children=children)


def placements_in_year(year: ReportingYear, child_ids: set[int]) -> dict[int, int]:
    """Placements each child had in the year: the one open on 1 April, plus each episode starting in the year
    with a reason that changes placement (S, P, B, T, U). An episode that both is open on 1 April and starts
    a placement that day is one placement, not two."""
    counts = dict.fromkeys(child_ids, 0)
    for child in (
        Episode.objects.filter(child_id__in=child_ids)
        .filter(open_on(year.start, "started_on", "ended_on"))
        .exclude(started_on=year.start, reason_new_episode__in=PLACEMENT_CHANGING_REASONS)
        .values_list("child_id", flat=True)
    ):
        counts[child] += 1
    for child in Episode.objects.filter(
        child_id__in=child_ids,
        started_on__range=(year.start, year.end),
        reason_new_episode__in=PLACEMENT_CHANGING_REASONS,
    ).values_list("child_id", flat=True):
        counts[child] += 1
    return counts


def cla_3plus_placements_rate(year: ReportingYear) -> KpiResult:
    looked_after = cla_at_year_end(year).numerator_children
    counts = placements_in_year(year, looked_after)
    return _rate(
        "cla_3plus_placements_rate", [(child, child, counts[child] >= 3) for child in sorted(looked_after)]
    )


def _year_end_placements(year: ReportingYear) -> list[tuple[int, str, str]]:
    """(child, home postcode, placement postcode) for each child looked after on 31 March."""
    return list(
        _looked_after_episodes_on(year.end).values_list("child_id", "home_postcode", "placement_postcode")
    )


def cla_placed_outside_la_rate(year: ReportingYear) -> KpiResult:
    from django.conf import settings

    from opencsc.geography import is_inside_authority

    rows = []
    for child, _, placement in _year_end_placements(year):
        inside = is_inside_authority(placement, settings.AUTHORITY_ONS_CODE) if placement else None
        if inside is not None:
            rows.append((child, child, not inside))
    return _rate("cla_placed_outside_la_rate", rows)


def cla_placed_20mi_plus_rate(year: ReportingYear) -> KpiResult:
    from opencsc.geography import distance_miles, postcode_location

    rows = []
    for child, home, placement in _year_end_placements(year):
        home_at = postcode_location(home) if home else None
        placed_at = postcode_location(placement) if placement else None
        if home_at and placed_at:
            rows.append((child, child, distance_miles(home_at, placed_at) > 20))
    return _rate("cla_placed_20mi_plus_rate", rows)


def unallocated_statutory(year: ReportingYear) -> KpiResult:
    """Children on 31 March with an open assessment, section 47 enquiry, protection plan or looked-after episode
    and no allocated worker."""
    day = year.end
    with_work = set(
        Assessment.objects.filter(open_on(day, "started_on", "authorised_on", "closed_on")).values_list(
            "child_id", flat=True
        )
    )
    with_work |= set(
        Section47Enquiry.objects.filter(open_on(day, "started_on", "completed_on")).values_list(
            "child_id", flat=True
        )
    )
    with_work |= set(
        ChildProtectionPlan.objects.filter(open_on(day, "started_on", "ended_on")).values_list(
            "child_id", flat=True
        )
    )
    with_work |= set(_looked_after_episodes_on(day).values_list("child_id", flat=True))
    allocated = set(
        Allocation.objects.filter(open_on(day, "started_on", "ended_on"), child_id__in=with_work).values_list(
            "child_id", flat=True
        )
    )
    children = with_work - allocated
    return KpiResult("unallocated_statutory", len(children), numerator_children=children)


KPIS: dict[str, Callable[[ReportingYear], KpiResult]] = {
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
    "cin_at_year_end": cin_at_year_end,
    "cpp_at_year_end": cpp_at_year_end,
    "cla_at_year_end": cla_at_year_end,
    "cla_3plus_placements_rate": cla_3plus_placements_rate,
    "cla_placed_outside_la_rate": cla_placed_outside_la_rate,
    "cla_placed_20mi_plus_rate": cla_placed_20mi_plus_rate,
    "unallocated_statutory": unallocated_statutory,
}


def compute_kpis(year: int) -> dict[str, KpiResult]:
    reporting_year = ReportingYear(year)
    return {kpi_id: compute(reporting_year) for kpi_id, compute in KPIS.items()}
