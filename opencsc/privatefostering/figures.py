"""What leaders see of private fostering over a reporting year (1 April Y-1 to 31 March Y, the design's
convention), each figure with the children behind it.

Definitions:
- `notified`: arrangements notified in the year; `notified_late`, those of them that had begun before the
  notification (reg 3 asks for notice before they begin);
- `open_at_end`: arrangements notified on or before the last day of the year (or today, for the year still
  running) and not ended on or before it;
- `first_visit_in_time`: of `notified`, those first visited by the due date (7 working days, reg 4/7);
  `first_visit_late`: of `notified`, those first visited after it, or not visited at all with the due date past
  by the end of the period;
- `visits_overdue`: arrangements open at the end of the period with a visit (the first or a reg 8 visit) past
  its due date then, read from the clocks the sweep reads.
A child the user may not open is counted but listed only as "a restricted record"; the list's names are logged.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min, Q
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.casework.work import ClockContext
from opencsc.people.selectors import child_ids_user_may_open
from opencsc.privatefostering.models import PrivateFosteringArrangement
from opencsc.privatefostering.selectors import open_arrangement_clocks

FIGURES_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.PERFORMANCE_ANALYST}
VISIT_RULES = {
    "private_fostering_first_visit",
    "private_fostering_visit_first_year",
    "private_fostering_visit",
}
NAMES = {
    "notified": "Arrangements notified",
    "notified_late": "Notified after the arrangement began",
    "open_at_end": "Open at the end of the period",
    "first_visit_in_time": "First visit within 7 working days",
    "first_visit_late": "First visit late or not yet made",
    "visits_overdue": "Open with a visit overdue",
}


def can_view_figures(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in FIGURES_ROLES


@dataclass(frozen=True)
class PrivateFosteringFigures:
    year: int
    start: dt.date
    end: dt.date
    arrangements: dict[str, list[PrivateFosteringArrangement]]

    def count(self, figure: str) -> int:
        return len(self.arrangements[figure])


def _first_visit_split(ctx: ClockContext, notified: list) -> tuple[list, list]:
    in_time, late = [], []
    for arrangement in notified:
        due_on = ctx.due("private_fostering_first_visit", arrangement.notified_on).due_on
        first = arrangement.first_visit
        if first is not None and first <= due_on:
            in_time.append(arrangement)
        elif first is not None or due_on < ctx.today:
            late.append(arrangement)
    return in_time, late


def private_fostering_figures(year: int, *, today: dt.date | None = None) -> PrivateFosteringFigures:
    today = today or timezone.localdate()
    start, end = dt.date(year - 1, 4, 1), min(dt.date(year, 3, 31), today)
    ctx = ClockContext(today=end)
    arrangements = PrivateFosteringArrangement.objects.select_related("child").order_by("notified_on", "pk")
    notified = list(
        arrangements.filter(notified_on__gte=start, notified_on__lte=end).annotate(
            first_visit=Min("visits__visited_on", filter=Q(visits__visited_on__lte=end))
        )
    )
    open_at_end = list(arrangements.filter(notified_on__lte=end).exclude(ended_on__lte=end))
    overdue_ids = {
        c.arrangement_id for c in open_arrangement_clocks(ctx) if c.is_overdue and c.rule_id in VISIT_RULES
    }
    in_time, late = _first_visit_split(ctx, notified)
    return PrivateFosteringFigures(
        year,
        start,
        end,
        {
            "notified": notified,
            "notified_late": [a for a in notified if a.notified_late],
            "open_at_end": open_at_end,
            "first_visit_in_time": in_time,
            "first_visit_late": late,
            "visits_overdue": [a for a in open_at_end if a.pk in overdue_ids],
        },
    )


@dataclass(frozen=True)
class DrillRow:
    arrangement: PrivateFosteringArrangement
    may_open: bool


def drill_rows(user, figures: PrivateFosteringFigures, figure: str) -> list[DrillRow]:
    arrangements = figures.arrangements[figure]
    may_open = child_ids_user_may_open(user, [a.child_id for a in arrangements])
    return [DrillRow(a, a.child_id in may_open) for a in arrangements]
