"""Allegation reads: the allegations a user may see, one allegation with what it links to, the clocks of every
open allegation (a fixed number of queries for any number), and the leaders' figures.

Clocks (rule ids in `core.clocks.RULES`, the authority's calendar):
- `lado_initial_consideration`: an allegation with no initial consideration, one working day from receipt;
- `lado_resolution_one_month`, `lado_resolution_three_months`: the KCSIE targets (80% and 90% of cases), shown
  as due dates on the allegation and measured on the leaders' page, not swept: a case past one month is not in
  itself late;
- `lado_resolution`: an allegation with no outcome twelve months after receipt ("all but the most exceptional
  cases"), swept and escalated.
A linked child is named only to a user who may open the child's record; otherwise "a restricted record".
"""

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet

from opencsc.accounts.access import child_visibility_filter
from opencsc.allegations.access import (
    allegation_visibility_filter,
    can_view_allegation,
    is_designated_officer,
)
from opencsc.allegations.models import (
    Allegation,
    AllegationAccess,
    AllegationChild,
    InitialDecision,
    Outcome,
    Sector,
)
from opencsc.audit.models import AuditEvent
from opencsc.casework.work import ClockContext
from opencsc.core.clocks import DueDate
from opencsc.core.working_days import add_months

RESOLUTION_RULES = ("lado_resolution_one_month", "lado_resolution_three_months", "lado_resolution")
SWEPT_RULES = ("lado_initial_consideration", "lado_resolution")
WHAT_IS_DUE = {
    "lado_initial_consideration": "Record the initial consideration of an allegation",
    "lado_resolution_one_month": "Resolve the allegation (one-month target)",
    "lado_resolution_three_months": "Resolve the allegation (three-month target)",
    "lado_resolution": "Resolve the allegation (twelve months: all but exceptional cases)",
}


def allegations_visible_to(user) -> QuerySet:
    return Allegation.objects.filter(allegation_visibility_filter(user)).distinct()


def allegation_get_for(*, user, pk: int, path: str) -> Allegation:
    """The allegation, if the user may see it (the read is logged on the allegation); else PermissionDenied, the
    same whether or not it exists, so that a refusal tells nothing."""
    allegation = Allegation.objects.filter(pk=pk).first()
    if allegation is None or not can_view_allegation(user, allegation):
        raise PermissionDenied("You cannot open this record")
    AllegationAccess.objects.create(allegation=allegation, user=user, path=path[:300])
    return allegation


@dataclass(frozen=True)
class ChildConcerned:
    name: str
    child: object | None  # the record, only when the user may open it
    restricted: bool


def children_concerned(user, allegation: Allegation) -> list[ChildConcerned]:
    rows = list(allegation.children.select_related("child"))
    linked = [row.child_id for row in rows if row.child_id]
    from opencsc.people.models import Child

    visible = set(
        Child.objects.filter(child_visibility_filter(user), pk__in=linked).values_list("pk", flat=True)
    )
    concerned = []
    for row in rows:
        if row.child_id is None:
            concerned.append(ChildConcerned(row.name_given, None, False))
        elif row.child_id in visible:
            concerned.append(ChildConcerned(row.child.full_name, row.child, False))
        else:
            concerned.append(ChildConcerned("A restricted record", None, True))
    return concerned


def allegation_history(allegation: Allegation) -> QuerySet:
    return AuditEvent.objects.filter(object_type="Allegation", object_id=str(allegation.pk)).select_related(
        "actor"
    )


@dataclass(frozen=True)
class AllegationClock:
    rule_id: str
    allegation_id: int
    start: dt.date
    due: DueDate
    today: dt.date

    @property
    def what(self) -> str:
        return WHAT_IS_DUE[self.rule_id]

    @property
    def due_on(self) -> dt.date:
        return self.due.due_on

    @property
    def is_overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def reference(self) -> str:
        return f"LADO-{self.allegation_id:05d}"


def open_allegation_clocks(ctx: ClockContext, *, allegation_ids=None, rules=None) -> list[AllegationClock]:
    """The running clocks of every allegation received by `ctx.today` and not concluded by then: one query."""
    today, wanted = ctx.today, set(rules or WHAT_IS_DUE)
    rows = Allegation.objects.filter(received_on__lte=today).exclude(concluded_on__lte=today)
    if allegation_ids is not None:
        rows = rows.filter(pk__in=allegation_ids)
    clocks = []
    for pk, received_on, considered_on in rows.values_list("pk", "received_on", "considered_on").order_by(
        "pk"
    ):
        running = list(RESOLUTION_RULES)
        if considered_on is None or considered_on > today:
            running.insert(0, "lado_initial_consideration")
        for rule_id in running:
            if rule_id in wanted:
                clocks.append(AllegationClock(rule_id, pk, received_on, ctx.due(rule_id, received_on), today))
    return clocks


def allegation_clocks(allegation: Allegation, ctx: ClockContext | None = None) -> list[AllegationClock]:
    return open_allegation_clocks(ctx or ClockContext(), allegation_ids=[allegation.pk])


def next_due_of(allegations, ctx: ClockContext | None = None) -> dict[int, AllegationClock]:
    """Each open allegation's earliest running clock (the designated officer's list shows it)."""
    ids = [allegation.pk for allegation in allegations if allegation.concluded_on is None]
    first: dict[int, AllegationClock] = {}
    for clock in sorted(
        open_allegation_clocks(ctx or ClockContext(), allegation_ids=ids), key=lambda c: c.due_on
    ):
        first.setdefault(clock.allegation_id, clock)
    return first


def allegation_list(user, *, open_only: bool = False) -> QuerySet:
    rows = allegations_visible_to(user).prefetch_related(
        Prefetch("children", queryset=AllegationChild.objects.order_by("id"))
    )
    return rows.filter(concluded_on__isnull=True) if open_only else rows


# The leaders' page -------------------------------------------------------------------------------------------

AGE_BANDS = (
    ("under_1m", "Under one month", 0, 1),
    ("1m_3m", "One to three months", 1, 3),
    ("3m_12m", "Three to twelve months", 3, 12),
    ("12m_plus", "Twelve months or more", 12, None),
)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _age_band(received_on: dt.date, today: dt.date) -> str:
    for key, _, low, high in AGE_BANDS:
        if add_months(received_on, low) <= today and (high is None or today < add_months(received_on, high)):
            return key
    return AGE_BANDS[0][0]


@dataclass(frozen=True)
class AllegationFigures:
    year: int
    received: int
    by_sector: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]
    initial_decisions: list[tuple[str, int]]
    considered: int
    considered_in_time_rate: float | None
    concluded: int
    within_one_month_rate: float | None
    within_three_months_rate: float | None
    within_twelve_months_rate: float | None
    median_days: int | None
    open_by_age: list[tuple[str, int]]
    open_total: int


def allegation_figures(year: int, *, today: dt.date, ctx: ClockContext | None = None) -> AllegationFigures:
    """The year's figures for leaders: counts only, no reference or name.

    - received: allegations received in the year, by sector;
    - considered in time: of those considered, the share considered within one working day of receipt;
    - concluded: allegations concluded in the year, by outcome, with the share concluded within one, three and
      twelve calendar months of receipt (KCSIE's targets: 80%, 90%, all but exceptional) and the median days;
    - open by age: allegations not concluded on `today`, by time since receipt.
    """
    ctx = ctx or ClockContext(today=today)
    start, end = dt.date(year - 1, 4, 1), min(dt.date(year, 3, 31), today)
    received = list(
        Allegation.objects.filter(received_on__range=(start, end)).values_list(
            "sector", "received_on", "considered_on", "initial_decision"
        )
    )
    sectors = Counter(sector for sector, _, _, _ in received)
    decisions = Counter(decision for _, _, _, decision in received if decision)
    considered = [(r, c) for _, r, c, _ in received if c is not None]
    in_time = sum(1 for r, c in considered if c <= ctx.due("lado_initial_consideration", r).due_on)
    concluded = list(
        Allegation.objects.filter(concluded_on__range=(start, end)).values_list(
            "received_on", "concluded_on", "outcome"
        )
    )
    outcomes = Counter(outcome for _, _, outcome in concluded)
    days = sorted((c - r).days for r, c, _ in concluded)

    def within(months: int) -> float | None:
        return _rate(sum(1 for r, c, _ in concluded if c <= add_months(r, months)), len(concluded))

    open_received = Allegation.objects.filter(received_on__lte=today).exclude(concluded_on__lte=today)
    ages = Counter(_age_band(r, today) for r in open_received.values_list("received_on", flat=True))
    return AllegationFigures(
        year=year,
        received=len(received),
        by_sector=[(label, sectors.get(value, 0)) for value, label in Sector.choices],
        by_outcome=[(label, outcomes.get(value, 0)) for value, label in Outcome.choices],
        initial_decisions=[(label, decisions.get(value, 0)) for value, label in InitialDecision.choices],
        considered=len(considered),
        considered_in_time_rate=_rate(in_time, len(considered)),
        concluded=len(concluded),
        within_one_month_rate=within(1),
        within_three_months_rate=within(3),
        within_twelve_months_rate=within(12),
        median_days=round(statistics.median(days)) if days else None,
        open_by_age=[(label, ages.get(key, 0)) for key, label, _, _ in AGE_BANDS],
        open_total=sum(ages.values()),
    )


def sees_references(user) -> bool:
    """Only the designated officer's team sees which allegations are open; leaders see counts."""
    return is_designated_officer(user)
