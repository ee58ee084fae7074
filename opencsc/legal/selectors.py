"""Reads for the legal pages: one child's pre-proceedings, proceedings and orders with their running clocks, and
the service's open proceedings by week of the 26-week timetable.

The service page counts every open set of proceedings, but names only the children the user may open; the
others are counted as "restricted records" and never named, and the listing is written to the access log.

Bands of the timetable (week 1 is the week of issue): 1 to 12 (to the case management stage and evidence),
13 to 20, 21 to 26 (the final weeks), 27 to 34 (past 26 weeks: within one 8-week extension), 35 to 52 and 53
or later. The concluded figures cover proceedings concluded in the 12 months up to today: how many, their average
length in weeks, and how many concluded within 26 weeks (182 days) of issue.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Sum

from opencsc.audit.services import record_listing_with_withheld
from opencsc.legal.clocks import STATUTORY_WEEKS, LegalClock, legal_clocks, timetable_week
from opencsc.legal.models import CareProceedings, CourtOrder, Hearing, LegalGatewayMeeting, PreProceedings
from opencsc.people.models import Child
from opencsc.people.selectors import children_visible_to

BANDS = (
    ("1-12", "Weeks 1 to 12", 1, 12),
    ("13-20", "Weeks 13 to 20", 13, 20),
    ("21-26", "Weeks 21 to 26", 21, 26),
    ("27-34", "Weeks 27 to 34 (past 26 weeks)", 27, 34),
    ("35-52", "Weeks 35 to 52", 35, 52),
    ("53+", "Week 53 or later", 53, 10_000),
)
STATUTORY_DAYS = STATUTORY_WEEKS * 7


@dataclass
class ChildLegalRecord:
    meetings: list[LegalGatewayMeeting]
    pre_proceedings: list[PreProceedings]
    proceedings: list[CareProceedings]
    orders: list[CourtOrder]
    clocks: list[LegalClock]
    today: dt.date

    @property
    def open_pre_proceedings(self) -> PreProceedings | None:
        return next((pre for pre in self.pre_proceedings if pre.is_open), None)

    @property
    def open_proceedings(self) -> CareProceedings | None:
        return next((p for p in self.proceedings if p.is_open), None)

    @property
    def week(self) -> int | None:
        proceedings = self.open_proceedings
        return None if proceedings is None else timetable_week(proceedings.issued_on, self.today)

    @property
    def hearings_awaiting_outcome(self) -> list[Hearing]:
        proceedings = self.open_proceedings
        if proceedings is None:
            return []
        return [
            h
            for h in proceedings.hearings.all()
            if h.outcome_recorded_on is None and h.listed_for <= self.today
        ]


def child_legal_record(child: Child, *, today: dt.date) -> ChildLegalRecord:
    return ChildLegalRecord(
        meetings=list(LegalGatewayMeeting.objects.filter(child=child).order_by("-held_on", "-pk")),
        pre_proceedings=list(PreProceedings.objects.filter(child=child).order_by("-started_on", "-pk")),
        proceedings=list(
            CareProceedings.objects.filter(child=child)
            .prefetch_related(
                "extensions", Prefetch("hearings", Hearing.objects.order_by("listed_for", "pk"))
            )
            .order_by("-issued_on", "-pk")
        ),
        orders=list(CourtOrder.objects.filter(child=child).order_by("-made_on", "-pk")),
        clocks=sorted(legal_clocks(child_ids=[child.pk]), key=lambda clock: clock.due_on),
        today=today,
    )


@dataclass
class Band:
    key: str
    label: str
    child_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.child_ids)


@dataclass
class ProceedingsByWeek:
    today: dt.date
    bands: list[Band]
    weeks: dict[int, int]  # child id -> week of the timetable
    extended: int
    concluded: int
    concluded_within_26_weeks: int
    average_weeks_concluded: float | None

    @property
    def open_total(self) -> int:
        return sum(band.count for band in self.bands)

    @property
    def past_26_weeks(self) -> int:
        return sum(week > STATUTORY_WEEKS for week in self.weeks.values())


def _band_of(week: int) -> str:
    return next(key for key, _, low, high in BANDS if low <= week <= high)


def proceedings_by_week(*, today: dt.date) -> ProceedingsByWeek:
    """Every open set of proceedings by week of the timetable, and the year's concluded proceedings (3 queries)."""
    bands = {key: Band(key, label) for key, label, _, _ in BANDS}
    weeks: dict[int, int] = {}
    extended = 0
    rows = (
        CareProceedings.objects.filter(concluded_on__isnull=True, issued_on__lte=today)
        .annotate(extension_weeks=Sum("extensions__weeks"))
        .values_list("child_id", "issued_on", "extension_weeks")
        .order_by("issued_on", "child_id")
    )
    for child_id, issued_on, extension_weeks in rows:
        week = timetable_week(issued_on, today)
        weeks[child_id] = week
        bands[_band_of(week)].child_ids.append(child_id)
        extended += bool(extension_weeks)
    year_ago = today - dt.timedelta(days=365)
    lengths = [
        (concluded_on - issued_on).days
        for issued_on, concluded_on in CareProceedings.objects.filter(
            concluded_on__gt=year_ago, concluded_on__lte=today
        ).values_list("issued_on", "concluded_on")
    ]
    return ProceedingsByWeek(
        today=today,
        bands=list(bands.values()),
        weeks=weeks,
        extended=extended,
        concluded=len(lengths),
        concluded_within_26_weeks=sum(days <= STATUTORY_DAYS for days in lengths),
        average_weeks_concluded=round(sum(lengths) / len(lengths) / 7, 1) if lengths else None,
    )


def band_children(user, band: Band, *, path: str) -> tuple[list[Child], int]:
    """The children of a band the user may open (logged as a listing), and how many others there are (logged
    as refusals: shown only as restricted records)."""
    visible = list(
        children_visible_to(user).filter(pk__in=band.child_ids).order_by("last_name", "first_name", "pk")
    )
    shown = {child.pk for child in visible}
    hidden = [child_id for child_id in band.child_ids if child_id not in shown]
    record_listing_with_withheld(user=user, path=path, shown=shown, withheld=hidden)
    return visible, len(hidden)
