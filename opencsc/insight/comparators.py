"""The authority beside its statistical neighbours, its region and England, from the DfE's published files
(ADR 0022; the files and their columns: docs/published-comparators.md; reading them: opencsc.insight.published).

Loading (`comparators_load`): a performance analyst loads the files for one reporting year; nothing is fetched
at run time. All the files of one load are read first: any refusal (a file OpenCSC does not read, the wrong
year, a neighbours list without this authority) refuses the whole load and stores nothing. A load replaces the
figures of the same measures and year (and the neighbours list) stored before; the load itself is kept, with
who made it, and an audit event.

Comparing (`comparison_for`), for one measure and published year, as the DfE's Local Authority Interactive
Tool does:
- the neighbours are this authority's ten in the CSSNBT list (`OPENCSC_LA_CODE`);
- their average is the mean of those with a published value (a suppressed one is left out, and the page says
  how many were averaged), rounded to one decimal place; the range is their lowest and highest;
- the region is the one the file places this authority in, and England the file's national row;
- the rank places this authority among the neighbours with a value, 1 the best (lowest where lower is better,
  the KPI's direction in opencsc.insight.catalogue); ties share the better rank. It ranks the authority's own
  published figure, like for like with the neighbours'; when the file has none for this authority, the figure
  from its records for the same year, and says so.
"""

import datetime as dt
import getpass
import socket
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from markupsafe import Markup

from opencsc.audit.services import audit_event_record
from opencsc.insight import charts
from opencsc.insight.catalogue import CATALOGUE, LOWER
from opencsc.insight.models import ComparatorLoad, PublishedFigure, StatisticalNeighbour
from opencsc.insight.published import (
    CIN,
    MEASURE_DATA_SET,
    FileRefused,
    NeighboursFile,
    PublishedFile,
    read_published_file,
)

Level = PublishedFigure.Level
TENTH = Decimal("0.1")
LOAD_LIMIT_BYTES = 50 * 1024 * 1024
# The workforce measures compared on the workforce panel (opencsc.insight.dashboard.WORKFORCE_MEASURES).
WORKFORCE_DIRECTIONS = {
    "turnover_rate": LOWER,
    "agency_rate": LOWER,
    "vacancy_rate": LOWER,
    "caseload_per_fte": LOWER,
}


def own_la_code() -> str:
    return settings.AUTHORITY_LA_CODE


# Loading


@dataclass
class LoadRefused(Exception):
    problems: list[FileRefused]

    def __str__(self) -> str:
        return "; ".join(str(problem) for problem in self.problems)


def read_files(files: list[tuple[str, bytes]], year: int) -> list[PublishedFile | NeighboursFile]:
    """Every file read, or LoadRefused listing every file's problem (not only the first)."""
    read, problems = [], []
    if not files:
        problems.append(FileRefused("files", "choose at least one published file"))
    if sum(len(content) for _, content in files) > LOAD_LIMIT_BYTES:
        problems.append(FileRefused("files", f"together hold more than {LOAD_LIMIT_BYTES // 2**20} MB"))
    for name, content in files if not problems else []:
        try:
            parsed = read_published_file(name, content, year)
        except FileRefused as refused:
            problems.append(refused)
            continue
        if isinstance(parsed, NeighboursFile) and own_la_code() not in parsed.names():
            problems.append(FileRefused(name, f"has no row for this authority (LA num {own_la_code()})"))
        read.append(parsed)
    data_sets = [parsed.data_set.key for parsed in read if isinstance(parsed, PublishedFile)]
    for key in sorted({key for key in data_sets if data_sets.count(key) > 1}):
        names = [
            parsed.name for parsed in read if isinstance(parsed, PublishedFile) and parsed.data_set.key == key
        ]
        problems.append(FileRefused(names[-1], f"is a second {key} file in one load (also {names[0]})"))
    if problems:
        raise LoadRefused(problems)
    return read


def command_line_origin() -> str:
    return f"command line: {getpass.getuser()} on {socket.gethostname()}"


@transaction.atomic
def comparators_load(
    *, actor, files: list[tuple[str, bytes]], year: int, loaded_from: str = "web page"
) -> ComparatorLoad:
    """Store the published figures and neighbours in `files` for reporting year `year`, replacing those stored
    before for the same measures and year; all or nothing (LoadRefused)."""
    parsed = read_files(files, year)
    load = ComparatorLoad.objects.create(
        year=year,
        loaded_by=actor,
        loaded_from=loaded_from[:200],
        files=[_summary(item) for item in parsed],
    )
    for item in parsed:
        if isinstance(item, NeighboursFile):
            _store_neighbours(load, item)
        else:
            _store_figures(load, item, year)
    audit_event_record(
        actor=actor,
        verb="comparators.load",
        target=load,
        payload={"year": year, "files": load.files, "from": load.loaded_from},
    )
    return load


def _summary(item: PublishedFile | NeighboursFile) -> dict:
    if isinstance(item, NeighboursFile):
        return {"name": item.name, "data_set": "neighbours", "rows": len(item.rows)}
    return {"name": item.name, "data_set": item.data_set.key, "rows": len(item.figures)}


def _store_figures(load: ComparatorLoad, item: PublishedFile, year: int) -> None:
    measures = list(item.data_set.measures)
    PublishedFigure.objects.filter(year=year, measure__in=measures).delete()
    PublishedFigure.objects.bulk_create(
        PublishedFigure(
            load=load,
            year=year,
            measure=figure.measure,
            level=figure.level,
            area_code=figure.area_code,
            area_name=figure.area_name[:120],
            region_code=figure.region_code,
            value=figure.value,
            data_set=item.data_set.key,
        )
        for figure in item.figures
    )


def _store_neighbours(load: ComparatorLoad, item: NeighboursFile) -> None:
    names = item.names()
    StatisticalNeighbour.objects.all().delete()
    StatisticalNeighbour.objects.bulk_create(
        StatisticalNeighbour(
            load=load,
            la_code=row.la_code,
            la_name=row.la_name[:120],
            region_name=row.region_name[:60],
            rank=rank,
            neighbour_code=code,
            neighbour_name=names.get(code, "")[:120],
        )
        for row in item.rows
        for rank, code in enumerate(row.neighbours, start=1)
    )


# Comparing


@dataclass
class Area:
    code: str
    name: str
    value: Decimal | None
    is_us: bool = False


@dataclass
class Comparison:
    measure: str
    title: str
    unit: str
    year: int
    period: str
    source: str
    us: Area  # our published figure (None value if the file has none)
    from_records: float | int | None  # the same year from our own records
    neighbours: list[Area]  # closest first, each with its published value or None
    region: Area | None
    england: Area | None
    direction: str
    ranked_on: str = "published"  # or "records"
    chart: Markup = field(default_factory=Markup)

    @property
    def valued(self) -> list[Area]:
        return [area for area in self.neighbours if area.value is not None]

    @property
    def average(self) -> Decimal | None:
        values = [area.value for area in self.valued]
        if not values:
            return None
        return (sum(values, Decimal(0)) / len(values)).quantize(TENTH, rounding=ROUND_HALF_UP)

    @property
    def lowest(self) -> Decimal | None:
        return min((area.value for area in self.valued), default=None)

    @property
    def highest(self) -> Decimal | None:
        return max((area.value for area in self.valued), default=None)

    @property
    def our_value(self) -> Decimal | None:
        """The figure ranked: the published one, else the one from our records."""
        if self.us.value is not None:
            return self.us.value
        if self.from_records is None:
            return None
        return Decimal(str(self.from_records)).quantize(TENTH, rounding=ROUND_HALF_UP)

    def ranked(self) -> list[Area]:
        """Us and the neighbours with a value, best first."""
        us = Area(self.us.code, self.us.name, self.our_value, is_us=True)
        areas = self.valued + ([us] if us.value is not None else [])
        return sorted(
            areas, key=lambda area: (area.value if self.direction == LOWER else -area.value, not area.is_us)
        )

    @property
    def rank(self) -> int | None:
        if self.our_value is None:
            return None
        better = [area for area in self.valued if _better(area.value, self.our_value, self.direction)]
        return len(better) + 1

    @property
    def ranked_count(self) -> int:
        return len(self.valued) + (1 if self.our_value is not None else 0)

    def label(self, value) -> str:
        if value is None:
            return "no value"
        return f"{value}{self.unit}"


def _better(value: Decimal, than: Decimal, direction: str) -> bool:
    return value < than if direction == LOWER else value > than


def _period(measure: str, year: int) -> str:
    data_set = MEASURE_DATA_SET[measure]
    if data_set.publication == CIN:
        return f"year to 31 March {year}"
    return f"30 September {year}"


def _source(measure: str, year: int) -> str:
    data_set = MEASURE_DATA_SET[measure]
    return f"DfE, {data_set.publication}, reporting year {year}: {data_set.title}"


class PublishedSet:
    """Every stored figure for this authority, its neighbours, its region and England: read once a page."""

    def __init__(self):
        code = own_la_code()
        self.neighbours = list(
            StatisticalNeighbour.objects.filter(la_code=code).values_list("neighbour_code", "neighbour_name")
        )
        codes = [code, *(neighbour for neighbour, _ in self.neighbours)]
        self.figures: dict[tuple[str, int, str, str], PublishedFigure] = {}
        rows = PublishedFigure.objects.filter(
            level__in=[Level.NATIONAL, Level.REGIONAL]
        ) | PublishedFigure.objects.filter(level=Level.LOCAL_AUTHORITY, area_code__in=codes)
        for figure in rows:
            self.figures[(figure.measure, figure.year, figure.level, figure.area_code)] = figure

    def years(self, measure: str) -> list[int]:
        return sorted({year for (m, year, _, _) in self.figures if m == measure})

    def latest_year(self, measure: str, up_to: int | None = None) -> int | None:
        years = [year for year in self.years(measure) if up_to is None or year <= up_to]
        return years[-1] if years else None

    def figure(self, measure: str, year: int, level: str, code: str) -> PublishedFigure | None:
        return self.figures.get((measure, year, level, code))

    def england(self, measure: str, year: int) -> PublishedFigure | None:
        return next(
            (
                f
                for (m, y, level, _), f in self.figures.items()
                if (m, y, level) == (measure, year, Level.NATIONAL)
            ),
            None,
        )

    def comparison(
        self,
        measure: str,
        year: int,
        *,
        from_records=None,
        title: str = "",
        unit: str = "%",
        direction: str | None = None,
    ) -> Comparison | None:
        """The measure for `year` beside the neighbours, region and England, or None if nothing is loaded."""
        england = self.england(measure, year)
        if england is None:
            return None
        code = own_la_code()
        ours = self.figure(measure, year, Level.LOCAL_AUTHORITY, code)
        region = (
            self.figure(measure, year, Level.REGIONAL, ours.region_code)
            if ours and ours.region_code
            else None
        )
        neighbours = []
        for neighbour_code, neighbour_name in self.neighbours:
            figure = self.figure(measure, year, Level.LOCAL_AUTHORITY, neighbour_code)
            neighbours.append(
                Area(
                    neighbour_code,
                    figure.area_name if figure else neighbour_name or neighbour_code,
                    figure.value if figure else None,
                )
            )
        info = CATALOGUE.get(measure)
        comparison = Comparison(
            measure=measure,
            title=title or (info.title if info else measure),
            unit=unit,
            year=year,
            period=_period(measure, year),
            source=_source(measure, year),
            us=Area(
                code, ours.area_name if ours else settings.AUTHORITY_NAME, ours.value if ours else None, True
            ),
            from_records=from_records,
            neighbours=neighbours,
            region=Area(region.area_code, region.area_name, region.value) if region else None,
            england=Area(england.area_code, england.area_name, england.value),
            direction=direction
            or (info.default_direction if info else WORKFORCE_DIRECTIONS.get(measure, LOWER)),
        )
        comparison.ranked_on = "published" if comparison.us.value is not None else "records"
        comparison.chart = ranking_chart(comparison)
        return comparison


def ranking_chart(comparison: Comparison) -> Markup:
    """The authority among its neighbours, best first, its own bar highlighted."""
    ranked = comparison.ranked()
    if not ranked:
        return Markup("")
    us = settings.AUTHORITY_NAME
    bars = [(f"{us} (us)" if area.is_us else area.name, area.value) for area in ranked]
    where = (
        f"ranked {comparison.rank} of {comparison.ranked_count}"
        if comparison.rank
        else "not ranked (no figure)"
    )
    order = "lowest first" if comparison.direction == LOWER else "highest first"
    return charts.bar_chart(
        f"neighbours-{comparison.measure}",
        title=f"{comparison.title}: {us} among its statistical neighbours, {comparison.period}",
        description=f"{comparison.title}, {comparison.period}, best first ({order}): "
        + "; ".join(f"{label} {value}{comparison.unit}" for label, value in bars)
        + f". {us} is {where}. The table beside the chart has every value.",
        bars=bars,
        highlight=f"{us} (us)",
    )


def period_year(day: dt.date) -> int:
    """The reporting year (to 31 March) a day falls in."""
    return day.year + 1 if day.month >= 4 else day.year


def year_end(measure: str, year: int) -> dt.date:
    """The day a published year's figure is taken to: 31 March, or 30 September for the workforce census."""
    if MEASURE_DATA_SET[measure].publication == CIN:
        return dt.date(year, 3, 31)
    return dt.date(year, 9, 30)


def comparison_on(
    published: PublishedSet,
    measure: str,
    *,
    on: dt.date,
    our_points: dict[dt.date, float | int | None],
    title: str = "",
    unit: str = "%",
) -> Comparison | None:
    """The latest published year whose year end is on or before `on`, beside the figure from our records at
    that year end when `our_points` (a page's trend) holds it."""
    if measure not in MEASURE_DATA_SET:
        return None
    years = [year for year in published.years(measure) if year_end(measure, year) <= on]
    if not years:
        return None
    year = years[-1]
    return published.comparison(
        measure, year, from_records=our_points.get(year_end(measure, year)), title=title, unit=unit
    )


def england_comparator(comparison: Comparison | None):
    """England's published figure as the pages' comparator (opencsc.insight.national's shape), or None."""
    from opencsc.insight.national import Comparator

    if comparison is None or comparison.england is None or comparison.england.value is None:
        return None
    return Comparator(comparison.england.value, comparison.period, comparison.source, unit=comparison.unit)


def can_load_comparators(user) -> bool:
    """Performance analysts load the published files (and see what was loaded)."""
    from opencsc.accounts.models import Role

    return bool(user and user.is_authenticated and user.is_active and user.role == Role.PERFORMANCE_ANALYST)


def loads_made(limit: int = 20) -> list[ComparatorLoad]:
    return list(ComparatorLoad.objects.select_related("loaded_by")[:limit])


def neighbours_listed() -> list[StatisticalNeighbour]:
    return list(StatisticalNeighbour.objects.filter(la_code=own_la_code()))


def years_loaded() -> list[tuple[int, str, int]]:
    """(year, measure, areas) of every stored measure, latest year first."""
    from django.db.models import Count

    return [
        (row["year"], row["measure"], row["areas"])
        for row in PublishedFigure.objects.values("year", "measure")
        .annotate(areas=Count("id"))
        .order_by("-year", "measure")
    ]
