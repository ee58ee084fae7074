"""The synthetic authority's independent reviewing officers and placement plans.

- **IROs.** The authority employs enough IROs for about 60 children each (the IRO Handbook 2010, para 7.15,
  puts a full-time IRO's caseload at 50 to 70 children), counting 70 looked-after children in every 10,000
  (England's rate, DfE "Children looked after in England" 2024), and never fewer than two. They sit in the
  leadership and support team, outside the line management of the teams whose children they review (s25B).
  The first is the demo IRO, `iro.demo`.
- **Assignments.** Each period of care (short breaks aside) gets an IRO within 5 working days of the child
  becoming looked after (IRO Handbook 2010, para 3.3); a few are appointed late. The assignment ends when the
  period of care ends, and on a long stay the IRO sometimes changes once (the old assignment ends the day the new
  one starts), so the history is kept as `iro.iro_assign` keeps it. The child's team manager assigns. Each review
  is chaired by the child's IRO on the review's day (`LookedAfterWriter._reviews` asks `iro_on`).
- **Placement plans** (Care Planning Regulations 2010 reg 9): for every placement, agreed before it starts (more
  often for a planned move than for coming into care), within 5 working days of its start (most), late (a few)
  or never (a few). A plan due after the history's last day is not yet agreed; a placement that ended before its
  plan would have been agreed has none.

Everything here draws from a random stream of its own, so the rest of a seed's authority (households, episodes,
reviews' dates, the 903, the CIN census) is the same with or without it. The chronology lines are worded by the
same functions the services use.
"""

import datetime as dt
import math
import random
from collections.abc import Callable
from types import SimpleNamespace

from opencsc.accounts.models import Role, TeamKind, User
from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyEntry
from opencsc.looked_after import chronology_lines as lines
from opencsc.looked_after.models import IroAssignment, PlacementPlanAgreement
from opencsc.looked_after.selectors import placements_from
from opencsc.synthetic.names import NamePool
from opencsc.synthetic.timestamps import at, stamp
from opencsc.synthetic.workforce import StaffFactory

IRO_CASELOAD = 60
LOOKED_AFTER_PER_CHILD = 70 / 10_000
FEWEST_IROS = 2
IRO_LATE_CHANCE = 0.06  # appointed after the 5 working days
IRO_CHANGE_CHANCE = 0.2  # of periods of care longer than two years
PLAN_BEFORE_ENTRY, PLAN_BEFORE_MOVE = 0.1, 0.3  # agreed before the placement started
PLAN_LATE, PLAN_NEVER = 0.08, 0.05


class ReviewingWriter:
    """Writes the IROs once, then each batch's IRO assignments and placement plan agreements."""

    def __init__(self, sim, workforce):
        self.sim = sim
        self.workforce = workforce
        self.rng = random.Random(f"reviewing-{sim.seed}")
        self.iros = self._hire_iros()
        self.assignments: dict[int, list[IroAssignment]] = {}

    def _hire_iros(self) -> list[User]:
        own = SimpleNamespace(
            rng=self.rng, names=NamePool(self.rng), first_day=self.sim.first_day, last_day=self.sim.last_day
        )
        staff = StaffFactory(own)
        staff.usernames.update(User.objects.values_list("username", flat=True))
        leadership = self.workforce.teams_by_kind[TeamKind.MANAGEMENT][0]
        wanted = max(FEWEST_IROS, math.ceil(self.sim.children * LOOKED_AFTER_PER_CHILD / IRO_CASELOAD))
        for _ in range(wanted):
            staff.add(
                role=Role.INDEPENDENT_REVIEWING_OFFICER,
                team=leadership,
                job_title="Independent reviewing officer",
            )
        User.objects.bulk_create(staff.users)
        self.sim.count("independent reviewing officers", len(staff.users))
        return staff.users

    def iro_on(self, child, day: dt.date) -> User | None:
        """The child's IRO on `day`: an assignment ends the day the next starts."""
        for assignment in self.assignments.get(child.pk, ()):
            if assignment.started_on <= day and (assignment.ended_on is None or day < assignment.ended_on):
                return assignment.iro
        return None

    def write(self, journeys, periods_of: Callable, worker_on: Callable, chronology: list) -> None:
        """Each journey's IROs and placement plans; `periods_of(journey)` gives its periods of care (start,
        end or the last day) and `worker_on(journey, day)` its social worker that day."""
        assignments, agreements = [], []
        for journey in journeys:
            if journey.short_breaks or not journey.episodes:
                continue
            for assignment in self._assignments(journey, periods_of(journey), worker_on):
                assignments.append(assignment)
                self.assignments.setdefault(journey.child.pk, []).append(assignment)
            agreements += self._agreements(journey, worker_on)
        IroAssignment.objects.bulk_create(assignments, batch_size=1000)
        PlacementPlanAgreement.objects.bulk_create(agreements, batch_size=1000)
        self.sim.count("IRO assignments", len(assignments))
        self.sim.count("placement plans agreed", len(agreements))
        chronology += [_line(lines.iro_assigned(row), row.assigned_by) for row in assignments]
        chronology += [_line(lines.placement_plan_agreed(row), row.recorded_by) for row in agreements]

    # IROs ------------------------------------------------------------------------------------------------

    def _assignments(self, journey, periods, worker_on) -> list[IroAssignment]:
        rng, last, calendar = self.rng, self.sim.last_day, self.sim.calendar
        still_looked_after = journey.episodes[-1].ended_on is None
        rows = []
        for index, (start, end) in enumerate(periods):
            open_period = still_looked_after and index == len(periods) - 1
            days = rng.randint(0, 5) if rng.random() >= IRO_LATE_CHANCE else rng.randint(6, 15)
            appointed = calendar.add_working_days(start, days)
            if appointed > min(end, last):
                continue
            iro = rng.choice(self.iros)
            ends_on = None if open_period else end
            if (end - appointed).days > 730 and rng.random() < IRO_CHANGE_CHANCE:
                changed = appointed + dt.timedelta(days=rng.randint(365, (end - appointed).days - 30))
                rows.append(self._assignment(journey, iro, appointed, changed, worker_on))
                iro, appointed = rng.choice([other for other in self.iros if other != iro]), changed
            rows.append(self._assignment(journey, iro, appointed, ends_on, worker_on))
        return [row for row in rows if row is not None]

    def _assignment(self, journey, iro, started_on, ended_on, worker_on) -> IroAssignment | None:
        manager = self._manager_of(worker_on(journey, started_on))
        if manager is None:
            return None
        row = IroAssignment(
            child=journey.child, iro=iro, started_on=started_on, ended_on=ended_on, assigned_by=manager
        )
        return stamp(row, at(started_on, 11), at(ended_on, 16) if ended_on else None)

    def _manager_of(self, worker) -> User | None:
        if worker is None:
            return None
        return self.workforce.managers.get(worker.team_id)

    # Placement plans --------------------------------------------------------------------------------------

    def _agreements(self, journey, worker_on) -> list[PlacementPlanAgreement]:
        rng, calendar = self.rng, self.sim.calendar
        rows = []
        for placement in placements_from([spec.record for spec in journey.episodes]):
            start = placement.started_on
            draw = rng.random()
            before = PLAN_BEFORE_ENTRY if placement.first.reason_new_episode == "S" else PLAN_BEFORE_MOVE
            if draw < PLAN_NEVER:
                continue
            if draw < PLAN_NEVER + PLAN_LATE:
                agreed = calendar.add_working_days(start, rng.randint(6, 25))
            elif draw < PLAN_NEVER + PLAN_LATE + before:
                agreed = max(start - dt.timedelta(days=rng.randint(1, 10)), journey.born)
            else:
                agreed = calendar.add_working_days(start, rng.randint(0, 5))
            ended = placement.last.ended_on
            if agreed > self.sim.last_day or (ended is not None and agreed > ended):
                continue
            worker = worker_on(journey, max(agreed, start))
            if worker is None:
                continue
            row = PlacementPlanAgreement(
                child=journey.child, placement_started_on=start, agreed_on=agreed, recorded_by=worker
            )
            rows.append(stamp(row, at(agreed, 15)))
        return rows


def _line(line: ChronologyLine, actor) -> ChronologyEntry:
    """A service's line as the synthetic authority bulk-inserts it, stamped at the end of its day."""
    return stamp(line.entry(recorded_by=actor), at(line.occurred_on, 17))
