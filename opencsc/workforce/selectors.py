"""The workforce rates leaders watch, by team and over time, and who may see them.

The stable API other modules call:

- `workforce_figures(on, team=None) -> WorkforceFigures`: the figures on one day, for one team or the authority
- `workforce_trend(months, team=None) -> list[WorkforceFigures]`: the same for each day given (month ends)
- `figures_by_team(on) -> list[WorkforceFigures]`: one row per team with social work staff or funded posts
- `month_ends(ending, count) -> list[date]`: the last days of `count` months up to the month of `ending`
- `workforce_overview(on, months) -> WorkforceOverview`: the three above for the authority from one load

Definitions follow the DfE's children's social work workforce statistics (checked against its 2023 national row:
33,119.1 FTE in post, 5,254.6 FTE leavers = 15.9% turnover; 7,173.5 agency FTE = 17.8%; 7,722.7 vacancies =
18.9%; 337,055 cases over 21,111.4 case-holder FTE = 16.0). Only children and family social workers count: staff
records with a census role. "Employed" means permanent or interim staff, employed and paid by the council;
agency workers are not.

- turnover rate = FTE of employed social workers who left in the 12 months up to the day / employed FTE in post
  on the day
- agency rate = agency FTE in post / (agency FTE + employed FTE in post)
- vacancy rate = vacant FTE / (vacant FTE + employed FTE in post), where a team's vacant FTE is its funded FTE not
  filled by employed social workers (a post covered by an agency worker is still vacant); the authority's is the
  sum of its teams'
- agency cover rate = agency FTE covering vacancies (per team, no more than its vacancies) / vacant FTE
- caseload per FTE = children allocated to case holders / FTE of case holders, a case holder being a social
  worker in post holding at least one child on the day. Unlike the DfE's figure this counts agency case holders
  and their children too: in a team staffed by agency workers, leaving them out would hide the team's caseload.

Rates are percentages to one decimal place (caseload to one decimal place); an empty denominator gives None.
The 12 months up to a day run from the day after its anniversary a year earlier, so the year to 30 September is
1 October to 30 September.
"""

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from opencsc.accounts.models import Role, Team
from opencsc.casework.models import Allocation
from opencsc.core.working_days import add_months, anniversary
from opencsc.workforce.codes import ContractType
from opencsc.workforce.models import Post, StaffRecord

FIGURES_ROLES = {
    Role.HEAD_OF_SERVICE,
    Role.DIRECTOR,
    Role.CHIEF_EXECUTIVE,
    Role.IMPROVEMENT_BOARD,
    Role.PERFORMANCE_ANALYST,
    Role.ADMINISTRATOR,
}
# Named people's employment details are for those who manage or report on them, not for the board.
STAFF_LIST_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST, Role.ADMINISTRATOR}
STAFF_CHANGE_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.ADMINISTRATOR}


def can_view_workforce(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in FIGURES_ROLES


def can_view_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in STAFF_LIST_ROLES


def can_change_staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in STAFF_CHANGE_ROLES


@dataclass(frozen=True)
class WorkforceFigures:
    on: dt.date
    team_id: int | None  # None: the whole authority
    team_name: str
    employed_fte: float
    employed_headcount: int
    agency_fte: float
    agency_headcount: int
    funded_fte: float
    vacancy_fte: float
    agency_cover_fte: float
    starters_fte: float  # employed, in the 12 months up to `on`
    leavers_fte: float
    leavers_headcount: int
    case_holder_fte: float
    cases: int
    turnover_rate: float | None
    agency_rate: float | None
    vacancy_rate: float | None
    agency_cover_rate: float | None
    caseload_per_fte: float | None


def _rate(numerator: float, denominator: float) -> float | None:
    return round(float(100 * numerator / denominator), 1) if denominator else None


@dataclass(frozen=True)
class _Record:
    user_id: int | None
    team_id: int
    agency: bool
    fte: Decimal
    start: dt.date
    leaving: dt.date | None

    def in_post_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.leaving is None or self.leaving > day)


@dataclass(frozen=True)
class _Funding:
    team_id: int
    fte: Decimal
    start: dt.date
    until: dt.date | None

    def funded_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.until is None or self.until > day)


class _Workforce:
    """Every social worker's record and every funded post, loaded once: a few hundred rows even for a large
    authority, so the figures for many days and teams are worked out in memory."""

    def __init__(self, days: list[dt.date]):
        self.records = [
            _Record(user_id, team_id, contract == ContractType.AGENCY, fte, start, leaving)
            for user_id, team_id, contract, fte, start, leaving in StaffRecord.objects.exclude(org_role="")
            .filter(start_date__lte=max(days))
            .values_list("user_id", "team_id", "contract", "fte", "start_date", "leaving_date")
        ]
        self.funding = [
            _Funding(*row)
            for row in Post.objects.filter(funded_from__lte=max(days)).values_list(
                "team_id", "funded_fte", "funded_from", "funded_until"
            )
        ]
        self.cases = _cases_by_worker(days)
        self.team_names = dict(Team.objects.values_list("pk", "name"))
        self.records_by_team: dict[int, list[_Record]] = defaultdict(list)
        for record in self.records:
            self.records_by_team[record.team_id].append(record)
        self.funding_by_team: dict[int, list[_Funding]] = defaultdict(list)
        for funding in self.funding:
            self.funding_by_team[funding.team_id].append(funding)

    def team_ids(self, until: dt.date | None = None) -> list[int]:
        """Teams with a social worker's record or a funded post starting by `until` (any day loaded if None)."""
        ids = {record.team_id for record in self.records if until is None or record.start <= until}
        ids |= {funding.team_id for funding in self.funding if until is None or funding.start <= until}
        return sorted(ids, key=lambda team_id: self.team_names.get(team_id, ""))

    def figures(self, day: dt.date, team_id: int | None) -> WorkforceFigures:
        team_ids = [team_id] if team_id is not None else self.team_ids()
        parts = [self._team_counts(day, one_team) for one_team in team_ids]
        total: dict[str, Decimal] = defaultdict(Decimal)
        for part in parts:
            for key, value in part.items():
                total[key] += value
        get = total.__getitem__
        employed, agency, vacancy = get("employed_fte"), get("agency_fte"), get("vacancy_fte")
        return WorkforceFigures(
            on=day,
            team_id=team_id,
            team_name=self.team_names.get(team_id, "") if team_id is not None else "All teams",
            employed_fte=_fte(employed),
            employed_headcount=int(get("employed_headcount")),
            agency_fte=_fte(agency),
            agency_headcount=int(get("agency_headcount")),
            funded_fte=_fte(get("funded_fte")),
            vacancy_fte=_fte(vacancy),
            agency_cover_fte=_fte(get("agency_cover_fte")),
            starters_fte=_fte(get("starters_fte")),
            leavers_fte=_fte(get("leavers_fte")),
            leavers_headcount=int(get("leavers_headcount")),
            case_holder_fte=_fte(get("case_holder_fte")),
            cases=int(get("cases")),
            turnover_rate=_rate(get("leavers_fte"), employed),
            agency_rate=_rate(agency, agency + employed),
            vacancy_rate=_rate(vacancy, vacancy + employed),
            agency_cover_rate=_rate(get("agency_cover_fte"), vacancy),
            caseload_per_fte=(
                round(float(get("cases") / get("case_holder_fte")), 1) if get("case_holder_fte") else None
            ),
        )

    def _team_counts(self, day: dt.date, team_id: int) -> dict[str, Decimal]:
        year_before = anniversary(day, -1)
        counts: dict[str, Decimal] = defaultdict(Decimal)
        cases_on_day = self.cases.get(day, {})
        for record in self.records_by_team.get(team_id, []):
            if record.in_post_on(day):
                kind = "agency" if record.agency else "employed"
                counts[f"{kind}_fte"] += record.fte
                counts[f"{kind}_headcount"] += 1
                held = cases_on_day.get(record.user_id, 0) if record.user_id else 0
                if held:
                    counts["case_holder_fte"] += record.fte
                    counts["cases"] += held
            if record.agency:
                continue
            if year_before < record.start <= day:
                counts["starters_fte"] += record.fte
            if record.leaving is not None and year_before < record.leaving <= day:
                counts["leavers_fte"] += record.fte
                counts["leavers_headcount"] += 1
        counts["funded_fte"] = sum(
            (f.fte for f in self.funding_by_team.get(team_id, []) if f.funded_on(day)), Decimal(0)
        )
        counts["vacancy_fte"] = max(Decimal(0), counts["funded_fte"] - counts["employed_fte"])
        counts["agency_cover_fte"] = min(counts["agency_fte"], counts["vacancy_fte"])
        return counts


def _fte(value: Decimal) -> float:
    return round(float(value), 2)


def _cases_by_worker(days: list[dt.date]) -> dict[dt.date, dict[int, int]]:
    """Children allocated to each worker at the end of each day. One pass over the allocations open at some
    time in the span: each adds one to its worker on the days from its start up to (not including) its end,
    found by bisection, so the cost grows with the allocations, not with allocations times days."""
    unique_days = sorted(set(days))
    held: dict[int, list[int]] = defaultdict(lambda: [0] * (len(unique_days) + 1))
    # Grouped by worker and dates: many allocations share them, so far fewer rows come back than allocations.
    rows = (
        Allocation.objects.filter(started_on__lte=unique_days[-1])
        .exclude(ended_on__lte=unique_days[0])
        .values("worker_id", "started_on", "ended_on")
        .annotate(number=Count("id"))
        .values_list("worker_id", "started_on", "ended_on", "number")
        .order_by()
    )
    for worker_id, started_on, ended_on, number in rows.iterator(chunk_size=5000):
        first = bisect_left(unique_days, started_on)
        last = bisect_left(unique_days, ended_on) if ended_on is not None else len(unique_days)
        if first < last:
            held[worker_id][first] += number
            held[worker_id][last] -= number
    cases: dict[dt.date, dict[int, int]] = {day: {} for day in unique_days}
    for worker_id, changes in held.items():
        running = 0
        for index, day in enumerate(unique_days):
            running += changes[index]
            if running:
                cases[day][worker_id] = running
    return cases


def _team_id(team) -> int | None:
    return team.pk if isinstance(team, Team) else team


def workforce_figures(on: dt.date, team=None) -> WorkforceFigures:
    """The workforce figures on one day, for a team (a Team or its id) or, with no team, the authority."""
    return _Workforce([on]).figures(on, _team_id(team))


def workforce_trend(months: list[dt.date], team=None) -> list[WorkforceFigures]:
    """The figures on each of the days given, in the order given (for example `month_ends(today, 36)`)."""
    if not months:
        return []
    workforce = _Workforce(list(months))
    return [workforce.figures(day, _team_id(team)) for day in months]


def figures_by_team(on: dt.date) -> list[WorkforceFigures]:
    """One row per team with social work staff or funded posts, by team name."""
    workforce = _Workforce([on])
    return [workforce.figures(on, team_id) for team_id in workforce.team_ids()]


@dataclass(frozen=True)
class WorkforceOverview:
    figures: WorkforceFigures  # the authority on the day
    trend: list[WorkforceFigures]  # the authority on each of the days asked for
    by_team: list[WorkforceFigures]  # each team on the day, as figures_by_team


def workforce_overview(on: dt.date, months: list[dt.date]) -> WorkforceOverview:
    """`workforce_figures(on)`, `workforce_trend(months)` and `figures_by_team(on)` from one load of the
    records (the same figures: each day's come only from the records in post, funded or allocated on it)."""
    workforce = _Workforce([*months, on])
    return WorkforceOverview(
        figures=workforce.figures(on, None),
        trend=[workforce.figures(day, None) for day in months],
        by_team=[workforce.figures(on, team_id) for team_id in workforce.team_ids(until=on)],
    )


def month_ends(ending: dt.date, count: int) -> list[dt.date]:
    """The last day of each of `count` months, oldest first, the last being the month of `ending` (or `ending`
    itself if the month has not finished)."""
    first_of_month = ending.replace(day=1)
    days = []
    for back in range(count - 1, -1, -1):
        month_start = add_months(first_of_month, -back)
        month_end = add_months(month_start, 1) - dt.timedelta(days=1)
        days.append(min(month_end, ending))
    return days


def census_dates(first_year: int, last_year: int) -> list[dt.date]:
    """30 September of each census year."""
    return [dt.date(year, 9, 30) for year in range(first_year, last_year + 1)]


def staff_records(*, team=None, current_on: dt.date | None = None, contract: str = ""):
    """Staff records for the staff list: everyone, or only those in post on `current_on`."""
    records = StaffRecord.objects.select_related("team", "user")
    if team is not None:
        records = records.filter(team_id=_team_id(team))
    if contract:
        records = records.filter(contract=contract)
    if current_on is not None:
        records = records.filter(start_date__lte=current_on).filter(
            Q(leaving_date__isnull=True) | Q(leaving_date__gt=current_on)
        )
    return records.order_by("team__name", "last_name", "first_name", "start_date", "pk")


def funded_posts(*, on: dt.date):
    return (
        Post.objects.select_related("team")
        .filter(funded_from__lte=on)
        .filter(Q(funded_until__isnull=True) | Q(funded_until__gt=on))
    )
