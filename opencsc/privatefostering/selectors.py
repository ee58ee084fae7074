"""Private fostering reads: a child's arrangements as they stood on a day (for the child's page), and the clocks
of every open arrangement, read in a fixed number of queries for any number of children (the child's page, the
child's record, the breach finders and the leaders' figures use the same function).

Clocks (rule ids in `core.clocks.RULES`):
- `private_fostering_first_visit`: from the notification until the first visit (reg 4(1), reg 7(1));
- `private_fostering_decision`: from the notification until the decision on the arrangement (a local limit);
- `private_fostering_visit_first_year` / `private_fostering_visit`: once the arrangement has begun and the first
  visit is made, from the later of the last visit and the arrangement's deemed start (reg 8(6): the day it
  began, or the notification if that was later). The interval is the one of the year the clock starts in: six
  weeks while the last visit falls in the first year, twelve weeks after (reg 8(1)). Each missed visit is its
  own clock (the start date names it).
Who sees what is decided before these are called: the child's page behind `child_record_view`, the sweep for
the whole authority.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Min, Prefetch, Q

from opencsc.casework.work import ClockContext
from opencsc.core.clocks import DueDate
from opencsc.core.working_days import anniversary
from opencsc.privatefostering.models import PrivateFosteringArrangement, PrivateFosteringVisit

WHAT_IS_DUE = {
    "private_fostering_first_visit": "Visit the child and the private foster carer for the first time",
    "private_fostering_decision": "Record the decision on the arrangement's suitability",
    "private_fostering_visit_first_year": "Visit the privately fostered child (first year: every six weeks)",
    "private_fostering_visit": "Visit the privately fostered child (after the first year: every twelve weeks)",
}


def arrangements_of(child, *, on: dt.date) -> list[PrivateFosteringArrangement]:
    """The child's arrangements notified by `on`, newest first, each with `visits_shown` (newest first) and its
    decision and end as they stood on `on`."""
    arrangements = list(
        PrivateFosteringArrangement.objects.filter(child=child, notified_on__lte=on).prefetch_related(
            Prefetch(
                "visits",
                queryset=PrivateFosteringVisit.objects.filter(visited_on__lte=on).order_by("-visited_on"),
                to_attr="visits_shown",
            )
        )
    )
    for arrangement in arrangements:
        if arrangement.decided_on and arrangement.decided_on > on:
            arrangement.decided_on, arrangement.decision, arrangement.decision_detail = None, "", ""
        if arrangement.ended_on and arrangement.ended_on > on:
            arrangement.ended_on, arrangement.end_reason = None, ""
    return arrangements


@dataclass(frozen=True)
class PrivateFosteringClock:
    rule_id: str
    arrangement_id: int
    child_id: int
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
    def days_overdue(self) -> int:
        return self.due.days_overdue(self.today)


def visit_rule(deemed_start: dt.date, clock_start: dt.date) -> str:
    """Six-weekly while the clock starts in the arrangement's first year, twelve-weekly after (reg 8(1))."""
    if clock_start < anniversary(deemed_start, 1):
        return "private_fostering_visit_first_year"
    return "private_fostering_visit"


def open_arrangement_clocks(
    ctx: ClockContext, *, child_ids=None, children=None
) -> list[PrivateFosteringClock]:
    """The running clocks of every arrangement open on `ctx.today` (or only those of `child_ids`, or of a work
    page's scope `children`, an `opencsc.casework.work.Scope` already narrowed to what the user may see): one
    query, the first and last visits read as annotations."""
    today = ctx.today
    arrangements = PrivateFosteringArrangement.objects.filter(notified_on__lte=today).exclude(
        ended_on__lte=today
    )
    if child_ids is not None:
        arrangements = arrangements.filter(child_id__in=child_ids)
    if children is not None:
        arrangements = arrangements.filter(children.condition())
    arrangements = arrangements.annotate(
        first_visit=Min("visits__visited_on", filter=_visited_by(today)),
        last_visit=Max("visits__visited_on", filter=_visited_by(today)),
    )
    clocks = []
    for a in arrangements.order_by("pk"):
        decided = a.decided_on is not None and a.decided_on <= today
        clocks.extend(_clocks_of(ctx, a, decided))
    return clocks


def _visited_by(today: dt.date) -> Q:
    return Q(visits__visited_on__lte=today)


def _clocks_of(
    ctx: ClockContext, a: PrivateFosteringArrangement, decided: bool
) -> list[PrivateFosteringClock]:
    def clock(rule_id: str, start: dt.date) -> PrivateFosteringClock:
        return PrivateFosteringClock(rule_id, a.pk, a.child_id, start, ctx.due(rule_id, start), ctx.today)

    clocks = []
    if a.first_visit is None:
        clocks.append(clock("private_fostering_first_visit", a.notified_on))
    if not decided:
        clocks.append(clock("private_fostering_decision", a.notified_on))
    if a.first_visit is not None and a.deemed_start <= ctx.today:
        start = max(a.last_visit, a.deemed_start)
        clocks.append(clock(visit_rule(a.deemed_start, start), start))
    return clocks


def child_private_fostering_clocks(child) -> list[PrivateFosteringClock]:
    """The running private fostering clocks of one child (the child's record lists them with its other due
    dates)."""
    return open_arrangement_clocks(ClockContext(), child_ids=[child.pk])


@dataclass(frozen=True)
class ChildPrivateFostering:
    child: object
    arrangements: list[PrivateFosteringArrangement]
    clocks: list[PrivateFosteringClock]
    today: dt.date

    @property
    def current(self) -> PrivateFosteringArrangement | None:
        return next((a for a in self.arrangements if a.ended_on is None), None)


def child_private_fostering(child, ctx: ClockContext | None = None) -> ChildPrivateFostering:
    ctx = ctx or ClockContext()
    return ChildPrivateFostering(
        child,
        arrangements_of(child, on=ctx.today),
        open_arrangement_clocks(ctx, child_ids=[child.pk]),
        ctx.today,
    )
