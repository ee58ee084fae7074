"""The leadership dashboard: every KPI with its monthly trend, target, red/amber/green and national comparator,
and panels for unallocated children, overdue work by clock, open escalations and front-door demand by source.

`dashboard_for(on=..., user=...)` returns everything a page (or the board pack) needs. Trend points follow
ADR 0005: a KPI counted over a period is taken over the 12 months ending at each month end; a KPI taken on a
day is taken on each month end. The headline is the latest point: the last month end on or before `on`.
Trend points are the stored month-end figures (`figures.month_end_results`, ADR 0018), computed live only for
a month not yet closed. Panels are taken on `on` itself.

Numbers are authority-wide whoever looks; only the links to the children behind them depend on the user
(`can_drill`): the chief executive and the improvement board see the numbers and never the children.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup

from opencsc.accounts.access import LA_WIDE_READ_ROLES
from opencsc.accounts.models import Role
from opencsc.core.codes import SourceGroup
from opencsc.frontdoor.demand import GROUP_OF_CODE, add_months, local_midnight, month_end
from opencsc.insight import charts
from opencsc.insight.catalogue import CATALOGUE, KpiInfo, part_label
from opencsc.insight.comparators import Comparison, PublishedSet, comparison_on, england_comparator
from opencsc.insight.figures import month_end_results
from opencsc.insight.kpis import KpiResult, Period, twelve_months_to, unallocated_statutory
from opencsc.insight.national import NATIONAL, NO_COMPARATOR_REASON, Comparator
from opencsc.insight.targets import Target, kpi_targets
from opencsc.oversight.models import LEVEL_ORDER, Escalation, Level

TREND_MONTHS = 36
DASHBOARD_ROLES = {
    Role.DIRECTOR,
    Role.HEAD_OF_SERVICE,
    Role.PERFORMANCE_ANALYST,
    Role.CHIEF_EXECUTIVE,
    Role.IMPROVEMENT_BOARD,
}
# Leaders who see numbers only: never a child's name or a link to a record.
NUMBERS_ONLY_ROLES = {Role.CHIEF_EXECUTIVE, Role.IMPROVEMENT_BOARD}


def can_view_dashboard(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in DASHBOARD_ROLES)


def can_drill(user) -> bool:
    """Whether the user is shown the children behind a number (each list is still narrowed to the children
    the user may see: access.py)."""
    return (
        can_view_dashboard(user) and user.role in LA_WIDE_READ_ROLES and user.role not in NUMBERS_ONLY_ROLES
    )


def last_month_end(on: dt.date) -> dt.date:
    if (on + dt.timedelta(days=1)).day == 1:
        return on
    return on.replace(day=1) - dt.timedelta(days=1)


def trend_month_ends(on: dt.date, months: int = TREND_MONTHS) -> list[dt.date]:
    latest = last_month_end(on)
    return [month_end(add_months(latest.replace(day=1), -back)) for back in range(months - 1, -1, -1)]


def period_to(day: dt.date) -> Period:
    return twelve_months_to(day)


def _format(value, unit: str) -> str:
    if value is None:
        return "no value"
    if unit == "%":
        return f"{value}%"
    return f"{value:,}" if isinstance(value, int) else str(value)


@dataclass
class TrendPoint:
    month_end: dt.date
    value: int | float | None
    numerator: int | None
    denominator: int | None


@dataclass
class KpiRow:
    info: KpiInfo
    period: Period
    result: KpiResult
    trend: list[TrendPoint]
    target: Target | None
    rag: str | None
    comparator: Comparator | None
    no_comparator_reason: str
    chart: Markup
    href: str | None  # the children behind the number
    missed_href: str | None  # rates: the children not counted (for example the late ones)
    year_before: TrendPoint | None = None
    neighbours: Comparison | None = None  # beside the statistical neighbours, region and England (ADR 0022)

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def missed_label(self) -> str:
        return part_label(self.info.id, "missed")

    @property
    def value_label(self) -> str:
        return _format(self.result.value, self.info.unit)

    @property
    def target_label(self) -> str:
        if self.target is None:
            return "No target"
        sign = "at least" if self.target.direction == "higher" else "at most"
        return f"{sign} {_format(self.target.value, self.info.unit)}"

    @property
    def rag_label(self) -> str:
        return {"green": "Green", "amber": "Amber", "red": "Red"}.get(self.rag or "", "No rating")


@dataclass
class PanelRow:
    key: str
    label: str
    count: int
    href: str | None = None
    detail: str = ""


@dataclass
class Panel:
    key: str
    title: str
    description: str
    rows: list[PanelRow]
    chart: Markup
    count_label: str = "Number"
    note: str = ""
    total_href: str | None = None
    extra_columns: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)


@dataclass
class WorkforceMeasure:
    key: str
    title: str
    unit: str
    value: float | None
    comparator: Comparator | None
    chart: Markup
    trend: list[tuple[dt.date, float | None]]
    definition: str
    neighbours: Comparison | None = None

    @property
    def value_label(self) -> str:
        return _format(self.value, self.unit)


@dataclass
class WorkforceSection:
    """Children's social workers on the day (opencsc.workforce): the DfE's rates, their trend and each team."""

    on: dt.date
    figures: object  # opencsc.workforce.selectors.WorkforceFigures, the authority
    measures: list[WorkforceMeasure]
    by_team: list  # WorkforceFigures, one per team


@dataclass
class Dashboard:
    on: dt.date
    month_end: dt.date
    period: Period
    kpis: list[KpiRow]
    panels: list[Panel]
    can_drill: bool
    workforce: WorkforceSection | None = None
    amber_note: str = (
        "Green: on target or better. Amber: on the wrong side of the target by no more than 5 percentage points "
        "(rates) or 10% of the target (counts). Red: further off than that."
    )

    @property
    def groups(self) -> list[tuple[str, list[KpiRow]]]:
        grouped: dict[str, list[KpiRow]] = {}
        for row in self.kpis:
            grouped.setdefault(row.info.group, []).append(row)
        return list(grouped.items())

    def panel(self, key: str) -> Panel | None:
        return next((panel for panel in self.panels if panel.key == key), None)


def kpi_href(kpi_id: str, *, on: dt.date, part: str = "numerator") -> str:
    query = {"on": on.isoformat()}
    if part != "numerator":
        query["part"] = part
    return f"{reverse('numbers:kpi', args=[kpi_id])}?{urlencode(query)}"


def panel_href(panel: str, key: str, *, on: dt.date) -> str:
    return f"{reverse('numbers:panel', args=[panel, key])}?{urlencode({'on': on.isoformat()})}"


def _kpi_rows(on: dt.date, drill: bool) -> list[KpiRow]:
    month_ends = trend_month_ends(on)
    periods = [period_to(day) for day in month_ends]
    latest = month_ends[-1]
    # Stored, but for the open month (ADR 0018); the children behind the latest point only where a panel lists them.
    trends = month_end_results(month_ends, records_for=[latest], records_of=["unallocated_statutory"])
    targets = kpi_targets()
    published = PublishedSet()
    rows = []
    for kpi_id, info in CATALOGUE.items():
        results = trends[kpi_id]
        points = [
            TrendPoint(day, result.value, result.numerator, result.denominator)
            for day, result in zip(month_ends, results, strict=True)
        ]
        result, target = results[-1], targets.get(kpi_id)
        neighbours = comparison_on(
            published, kpi_id, on=latest, our_points={point.month_end: point.value for point in points}
        )
        chart = charts.line_chart(
            f"trend-{kpi_id}",
            title=f"{info.title}: monthly trend",
            description=(
                f"{info.title} at each month end from {month_ends[0]:%B %Y} to {latest:%B %Y}; latest "
                f"{_format(result.value, info.unit)}"
                + (f", target {_format(target.value, info.unit)}" if target else "")
                + ". The table below the chart has every value."
            ),
            points=[(f"{point.month_end:%b %Y}", point.value) for point in points],
            target=target.value if target else None,
            unit=info.unit,
        )
        rows.append(
            KpiRow(
                info=info,
                period=periods[-1],
                result=result,
                trend=points,
                target=target,
                rag=target.rag(result.value) if target else None,
                comparator=england_comparator(neighbours) or NATIONAL.get(kpi_id),
                no_comparator_reason=NO_COMPARATOR_REASON.get(kpi_id, ""),
                chart=chart,
                href=kpi_href(kpi_id, on=latest) if drill and result.value else None,
                missed_href=kpi_href(kpi_id, on=latest, part="missed")
                if drill and info.is_rate and result.missed_count
                else None,
                year_before=points[-13] if len(points) >= 13 else None,
                neighbours=neighbours,
            )
        )
    return rows


# Panels: each computes its rows' children too, so that the drill-down lists exactly what was counted.


def unallocated_by_team(on: dt.date, ids: set[int] | None = None) -> dict[str, tuple[str, set[int]]]:
    """Children with open statutory work and no allocated worker on `on`, by their responsible team. `ids`:
    those children, when already counted (the KPI's trend point on the same day)."""
    from opencsc.people.models import Child

    if ids is None:
        ids = unallocated_statutory(Period(on, on)).numerator_children
    by_team: dict[str, tuple[str, set[int]]] = {}
    for chunk in _chunks(sorted(ids)):
        for pk, team_id, team_name in Child.objects.filter(pk__in=chunk).values_list(
            "pk", "responsible_team_id", "responsible_team__name"
        ):
            key = str(team_id or "none")
            by_team.setdefault(key, (team_name or "No responsible team", set()))[1].add(pk)
    return dict(sorted(by_team.items(), key=lambda item: item[1][0]))


def overdue_by_clock(on: dt.date) -> dict[str, tuple[str, list[int]]]:
    """Open work past its due date on `on`, by clock, worked out now from the records: (clock name, child of
    each overdue item). Every casework clock is listed; a looked-after clock only when something on it is overdue
    (the sweep's own finders)."""
    from opencsc.casework.work import ClockContext, overdue_children
    from opencsc.core.clocks import RULES
    from opencsc.oversight.breaches import CARE_RULES, SweepContext

    overdue = {
        rule_id: (RULES[rule_id].name, children)
        for rule_id, children in overdue_children(ClockContext(today=on)).items()
    }
    care = SweepContext(today=on)
    for rule_id in CARE_RULES:
        children = [child_id for child_id, _ in care.overdue_care(rule_id)]
        if children:
            overdue[rule_id] = (RULES[rule_id].name, children)
    return overdue


@dataclass
class OverdueWork:
    by_clock: dict[str, tuple[str, list[int]]]
    swept_at: dt.datetime | None  # when the day's sweep found them; None: worked out now from the records


def overdue_work(on: dt.date) -> OverdueWork:
    """The overdue-work panel's figures on `on`: what the day's sweep stored (one query, ADR 0032), or, for a day
    the service did not sweep, worked out now (`overdue_by_clock`). The same clocks either way."""
    from opencsc.casework.work import WORK_RULE_IDS
    from opencsc.core.clocks import RULES
    from opencsc.oversight.breaches import CARE_RULES
    from opencsc.oversight.findings import overdue_findings_on

    stored = overdue_findings_on(on)
    if stored is None:
        return OverdueWork(overdue_by_clock(on), None)
    by_clock = {rule_id: (RULES[rule_id].name, stored.overdue.get(rule_id, [])) for rule_id in WORK_RULE_IDS}
    for rule_id in CARE_RULES:
        if stored.overdue.get(rule_id):
            by_clock[rule_id] = (RULES[rule_id].name, stored.overdue[rule_id])
    return OverdueWork(by_clock, stored.taken_at)


def escalations_open_by_level(on: dt.date) -> dict[str, tuple[str, list[int | None]]]:
    """Escalations open on `on` (raised by then, not closed by its end), by the level holding them now."""
    end_of_day = local_midnight(on + dt.timedelta(days=1))
    rows = Escalation.objects.filter(raised_on__lte=on).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=end_of_day)
    )
    by_level: dict[str, tuple[str, list[int | None]]] = {
        level: (Level(level).label, []) for level in LEVEL_ORDER
    }
    for level, child_id in rows.values_list("level", "child_id"):
        by_level[level][1].append(child_id)
    return by_level


def demand_by_source(on: dt.date) -> tuple[Period, dict[str, tuple[str, int]]]:
    """Contacts received in the 12 months to `on` (the authority's local days), by source group."""
    from opencsc.frontdoor.models import Contact

    period = period_to(on)
    counts = dict.fromkeys(SourceGroup.values, 0)
    for source, number in (
        Contact.objects.filter(
            received_at__gte=local_midnight(period.start),
            received_at__lt=local_midnight(period.end + dt.timedelta(days=1)),
        )
        .values("source")
        .annotate(number=Count("id"))
        .values_list("source", "number")
        .order_by()
    ):
        counts[GROUP_OF_CODE.get(source, SourceGroup.OTHER)] += number
    return period, {group.value: (group.label, counts[group.value]) for group in SourceGroup}


def demand_children(on: dt.date, group: str) -> set[int]:
    from opencsc.frontdoor.models import ContactChild

    period = period_to(on)
    codes = [code for code, code_group in GROUP_OF_CODE.items() if code_group == group]
    return set(
        ContactChild.objects.filter(
            contact__received_at__gte=local_midnight(period.start),
            contact__received_at__lt=local_midnight(period.end + dt.timedelta(days=1)),
            contact__source__in=codes,
            child__isnull=False,
        ).values_list("child_id", flat=True)
    )


def _chunks(ids: list[int], size: int | None = None):
    """The ids in as few lists as the database takes as query parameters: one on PostgreSQL."""
    from django.db import connection

    size = size or connection.features.max_query_params or max(len(ids), 1)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _bar(panel_key: str, title: str, rows: list[PanelRow], unit: str) -> Markup:
    return charts.bar_chart(
        f"panel-{panel_key}",
        title=title,
        description=f"{title}: " + "; ".join(f"{row.label} {row.count} {unit}" for row in rows) + ".",
        bars=[(row.label, row.count) for row in rows],
    )


def _panels(on: dt.date, drill: bool, unallocated_ids: set[int] | None = None) -> list[Panel]:
    panels = []

    unallocated = unallocated_by_team(on, unallocated_ids)
    rows = [
        PanelRow(key, label, len(ids), panel_href("unallocated", key, on=on) if drill and ids else None)
        for key, (label, ids) in unallocated.items()
    ]
    panels.append(
        Panel(
            "unallocated",
            "Children with statutory work and no allocated worker",
            f"On {on:%-d %B %Y}, by the child's responsible team.",
            rows,
            _bar("unallocated", "Unallocated children by team", rows, "children"),
            count_label="Children",
            total_href=panel_href("unallocated", "all", on=on) if drill and rows else None,
        )
    )

    overdue = overdue_work(on)
    rows = [
        PanelRow(
            rule,
            name,
            len(children),
            panel_href("overdue", rule, on=on) if drill and children else None,
            detail=str(len(set(children))),
        )
        for rule, (name, children) in overdue.by_clock.items()
    ]
    panels.append(
        Panel(
            "overdue",
            "Overdue work by clock",
            f"Items past their due date on {on:%-d %B %Y}, by the clock that set it.",
            rows,
            _bar("overdue", "Overdue work by clock", rows, "items"),
            count_label="Overdue items",
            note=_overdue_note(overdue),
            extra_columns=["Children"],
        )
    )

    escalations = escalations_open_by_level(on)
    rows = [
        PanelRow(
            level,
            label,
            len(children),
            panel_href("escalations", level, on=on) if drill and any(children) else None,
        )
        for level, (label, children) in escalations.items()
    ]
    panels.append(
        Panel(
            "escalations",
            "Open escalations by level",
            f"Escalations open on {on:%-d %B %Y}, by the level holding them.",
            rows,
            _bar("escalations", "Open escalations by level", rows, "escalations"),
            count_label="Open escalations",
            total_href=reverse("oversight:chain"),
        )
    )

    period, demand = demand_by_source(on)
    rows = [
        PanelRow(group, label, count, panel_href("demand", group, on=on) if drill and count else None)
        for group, (label, count) in demand.items()
    ]
    panels.append(
        Panel(
            "demand",
            "Front-door demand by source",
            f"Contacts received from {period.start:%-d %B %Y} to {period.end:%-d %B %Y}, by who made them.",
            rows,
            _bar("demand", "Contacts by source in the 12 months", rows, "contacts"),
            count_label="Contacts",
            total_href=reverse("demand:page"),
        )
    )
    return panels


def _overdue_note(overdue: OverdueWork) -> str:
    if overdue.swept_at is None:
        return "Open work as recorded now, measured against the date chosen (no sweep ran on that day)."
    swept = timezone.localtime(overdue.swept_at)
    return f"Found by the daily sweep at {swept:%H:%M} on {swept:%-d %B %Y}; work done since counts from the next sweep."


WORKFORCE_MEASURES = [
    (
        "turnover_rate",
        "Turnover",
        "%",
        "Employed social workers' FTE leaving in the 12 months to the day, over the employed FTE in post.",
    ),
    ("agency_rate", "Agency workers", "%", "Agency FTE in post over agency and employed FTE in post."),
    (
        "vacancy_rate",
        "Vacancies",
        "%",
        "Funded FTE not filled by employed social workers, over vacancies and employed FTE.",
    ),
    (
        "caseload_per_fte",
        "Caseload per FTE",
        "",
        "Children allocated to case holders over the FTE of case holders.",
    ),
]


def workforce_section(on: dt.date) -> WorkforceSection:
    from opencsc.insight.national import NATIONAL_WORKFORCE
    from opencsc.workforce.selectors import workforce_overview

    month_ends = trend_month_ends(on)
    overview = workforce_overview(on, month_ends)
    figures, trend = overview.figures, overview.trend
    published = PublishedSet()
    measures = []
    for key, title, unit, definition in WORKFORCE_MEASURES:
        points = [(point.on, getattr(point, key)) for point in trend]
        neighbours = comparison_on(published, key, on=on, our_points=dict(points), title=title, unit=unit)
        comparator = england_comparator(neighbours) or NATIONAL_WORKFORCE.get(key)
        measures.append(
            WorkforceMeasure(
                key=key,
                title=title,
                unit=unit,
                value=getattr(figures, key),
                comparator=comparator,
                chart=charts.line_chart(
                    f"workforce-{key}",
                    title=f"{title}: monthly trend",
                    description=f"{title} at each month end from {month_ends[0]:%B %Y} to {month_ends[-1]:%B %Y}"
                    + (
                        f"; England {comparator.label} ({comparator.year}), the dashed line"
                        if comparator
                        else ""
                    )
                    + ". The table below the chart has every value.",
                    points=[(f"{day:%b %Y}", value) for day, value in points],
                    target=comparator.value if comparator else None,
                    unit=unit,
                    target_label="England",
                ),
                trend=points,
                definition=definition,
                neighbours=neighbours,
            )
        )
    return WorkforceSection(on=on, figures=figures, measures=measures, by_team=overview.by_team)


def panel_children(panel: str, key: str, on: dt.date) -> tuple[str, set[int]] | None:
    """The title and children behind one panel number, or None if there is no such number."""
    if panel == "unallocated":
        by_team = unallocated_by_team(on)
        if key == "all":
            return "Unallocated children", set().union(*(ids for _, ids in by_team.values()))
        found = by_team.get(key)
        return (f"Unallocated children: {found[0]}", found[1]) if found else None
    if panel == "overdue":
        found = overdue_work(on).by_clock.get(key)
        return (f"Overdue: {found[0]}", set(found[1])) if found else None
    if panel == "escalations":
        found = escalations_open_by_level(on).get(key)
        return (
            (f"Open escalations held by the {found[0].lower()}", set(filter(None, found[1])))
            if found
            else None
        )
    if panel == "demand" and key in SourceGroup.values:
        return f"Children named in contacts from {SourceGroup(key).label.lower()}", demand_children(on, key)
    return None


def dashboard_for(*, on: dt.date, user) -> Dashboard:
    """Everything the dashboard shows on `on`, with links to the children only where `user` may follow them."""
    drill = can_drill(user)
    latest = last_month_end(on)
    kpis = _kpi_rows(on, drill)
    # On a month end the KPI's latest point is taken on the same day as the panel: reuse its children.
    unallocated = next(row for row in kpis if row.id == "unallocated_statutory").result
    return Dashboard(
        on=on,
        month_end=latest,
        period=period_to(latest),
        kpis=kpis,
        panels=_links_the_user_may_follow(
            _panels(on, drill, unallocated.numerator_children if latest == on else None), user
        ),
        can_drill=drill,
        workforce=workforce_section(on),
    )


def _links_the_user_may_follow(panels: list[Panel], user) -> list[Panel]:
    """A panel's total links to a page of its own (the escalation chain, the demand watch) only for those
    who may open that page: an analyst may drill into every panel but not see the escalation chain."""
    from opencsc.frontdoor.demand import can_view_demand
    from opencsc.oversight.selectors import can_view_chain

    may_open = {"escalations": can_view_chain(user), "demand": can_view_demand(user)}
    for panel in panels:
        if not may_open.get(panel.key, True):
            panel.total_href = None
    return panels


def rag_counts(dashboard: Dashboard) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in dashboard.kpis:
        counts[row.rag or "none"] += 1
    return dict(counts)
