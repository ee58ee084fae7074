"""Private fostering in the synthetic authority, written after the children's casework and care (a child looked
after on the day is never privately fostered, Children Act 1989 Sch 8 para 1).

Rates and their sources:
- notifications: about 1.2 a year for every 10,000 children (`NOTIFICATIONS_PER_10000_A_YEAR`). The DfE's
  "Private fostering arrangements in England" (the last collection, year ending 31 March 2015) counted about
  1,300 to 1,500 new notifications a year nationally, among about 11.7 million children under 18 (ONS
  mid-year estimates); the generated authority's children stand for that population;
- privately fostered children are mostly of secondary school age (language students, children living with a
  friend's family): a child under 10 is taken one time in three (`YOUNGER_TAKEN`);
- about 2 in 5 arrangements are notified after they began (`NOTIFIED_LATE`, an assumption: the DfE collection
  did not split them; local reports such as annual private fostering reports commonly show most coming to
  light through schools and health after the start);
- the first visit (7 working days, reg 4/7) is made in time for about 3 in 4 (`FIRST_VISIT_LATE` the rest, 8 to
  20 working days); the decision follows 10 to 50 working days after the notification, suitable for most, with
  requirements for about 1 in 8 and a prohibition for about 1 in 40 (which ends the arrangement);
- statutory visits every 4 to 6 weeks in the first year and 8 to 12 after, about 1 in 10 late
  (`LATE_VISIT`), so the sweep has visits to find; an arrangement lasts 2 to 30 months, ends when the child
  turns 16, or is still open on the last day.
Deterministic for the seed: its own Random, seeded from the seed.
"""

import datetime as dt
import random

from opencsc.accounts.models import Role, User
from opencsc.casework.models import ChronologyEntry
from opencsc.core.working_days import add_months, anniversary
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child
from opencsc.privatefostering import chronology_lines as lines
from opencsc.privatefostering.models import (
    ArrangementEnd,
    Decision,
    Notifier,
    PrivateFosteringArrangement,
    PrivateFosteringVisit,
    VisitKind,
)
from opencsc.synthetic.context import GENERATED_EMAIL_DOMAIN, Simulation
from opencsc.synthetic.timestamps import at, stamp

NOTIFICATIONS_PER_10000_A_YEAR = 1.2
YOUNGER_TAKEN = 1 / 3
NOTIFIED_LATE = 0.4
FIRST_VISIT_LATE = 0.25
LATE_VISIT = 0.1
NOTIFIERS = (
    (Notifier.SCHOOL, 0.3),
    (Notifier.PARENT, 0.25),
    (Notifier.CARER, 0.2),
    (Notifier.HEALTH, 0.1),
    (Notifier.OTHER_AGENCY, 0.1),
    (Notifier.OTHER, 0.05),
)
DECISIONS = (
    (Decision.SUITABLE, 0.85),
    (Decision.SUITABLE_WITH_REQUIREMENTS, 0.125),
    (Decision.UNSUITABLE, 0.025),
)
ENDINGS = (
    (ArrangementEnd.RETURNED_HOME, 0.6),
    (ArrangementEnd.TO_RELATIVE, 0.15),
    (ArrangementEnd.MOVED_AWAY, 0.15),
    (ArrangementEnd.OTHER, 0.1),
)
DETAIL = {
    Decision.SUITABLE_WITH_REQUIREMENTS: "A bedroom of the child's own and the GP registration within 28 days",
    Decision.UNSUITABLE: "The carer may not foster this child privately at this address: the home is overcrowded",
}
FIRST_NAMES = ("Grace", "Fatima", "Daniel", "Mei", "Oluwaseun", "Anna", "Tomasz", "Ruth")
LAST_NAMES = ("Mensah", "Ahmed", "Wright", "Chen", "Adeyemi", "Novak", "Kowalski", "Hughes")
STREETS = ("Oak Road", "Mill Lane", "Station Street", "Church View", "Park Avenue")


def _pick(rng: random.Random, weighted) -> object:
    draw, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if draw < total:
            return value
    return weighted[-1][0]


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class _Writer:
    def __init__(self, sim: Simulation, actor):
        self.sim = sim
        self.rng = random.Random(f"{sim.seed}-private-fostering")
        self.actor = actor
        self.arrangements: list[PrivateFosteringArrangement] = []
        self.visits: dict[int, list[PrivateFosteringVisit]] = {}
        self.children = list(
            Child.objects.filter(date_of_birth__isnull=False).only("pk", "date_of_birth").order_by("pk")
        )
        self.care: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
        for child_id, started, ended in Episode.objects.values_list("child_id", "started_on", "ended_on"):
            self.care.setdefault(child_id, []).append((started, ended))
        self.busy_until: dict[int, dt.date] = {}

    def working_days(self, day: dt.date, count: int) -> dt.date:
        return self.sim.calendar.add_working_days(day, count)

    def looked_after_between(self, child_id: int, first: dt.date, last: dt.date) -> bool:
        return any(s <= last and (e is None or e >= first) for s, e in self.care.get(child_id, ()))

    def choose_child(self, notified: dt.date, starts: dt.date) -> Child | None:
        for _ in range(40):
            child = self.rng.choice(self.children)
            age = _age_on(child.date_of_birth, min(notified, starts))
            if not 0 <= _age_on(child.date_of_birth, max(notified, starts)) < 16 or age < 0:
                continue
            if age < 10 and self.rng.random() > YOUNGER_TAKEN:
                continue
            if self.busy_until.get(child.pk, dt.date.min) >= notified:
                continue
            if self.looked_after_between(child.pk, min(notified, starts), self.sim.last_day):
                continue
            return child
        return None

    def plan(self, notified: dt.date) -> None:
        rng, last_day = self.rng, self.sim.last_day
        late = rng.random() < NOTIFIED_LATE
        starts = (
            notified - dt.timedelta(days=rng.randint(7, 180))
            if late
            else notified + dt.timedelta(days=rng.randint(0, 42))
        )
        child = self.choose_child(notified, starts)
        if child is None:
            return
        deemed = max(notified, starts)
        ends = add_months(deemed, rng.randint(2, 30))
        reason = _pick(rng, ENDINGS)
        sixteenth = anniversary(child.date_of_birth, 16)
        if sixteenth <= ends:
            ends, reason = sixteenth, ArrangementEnd.AGED_OUT
        arrangement = PrivateFosteringArrangement(
            child=child,
            notified_on=notified,
            notified_by=_pick(rng, NOTIFIERS),
            notifier_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            carer_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            carer_address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            household=rng.choice(("", "The carer's partner and their two children")),
            starts_on=starts,
            recorded_by=self.actor,
        )
        first_visit = self.working_days(
            notified, rng.randint(8, 20) if rng.random() < FIRST_VISIT_LATE else rng.randint(1, 7)
        )
        decision_day = max(first_visit, self.working_days(notified, rng.randint(10, 50)))
        visits = []
        if decision_day <= min(ends, last_day):
            decision = _pick(rng, DECISIONS)
            arrangement.decided_on, arrangement.decision = decision_day, decision
            arrangement.decision_detail = DETAIL.get(decision, "")
            if decision == Decision.UNSUITABLE:
                ends, reason = decision_day + dt.timedelta(days=rng.randint(1, 14)), ArrangementEnd.PROHIBITED
        until = min(ends, last_day)
        if first_visit <= until:
            visits.append(self.visit(child, first_visit, VisitKind.FIRST))
            visits.extend(self.statutory_visits(child, max(first_visit, deemed), deemed, until))
        if ends <= last_day:
            arrangement.ended_on, arrangement.end_reason = ends, reason
        self.busy_until[child.pk] = arrangement.ended_on or dt.date.max
        self.arrangements.append(arrangement)
        self.visits[id(arrangement)] = visits

    def statutory_visits(self, child: Child, day: dt.date, deemed: dt.date, until: dt.date) -> list:
        """Visits after `day` until `until`: every 4 to 6 weeks in the first year, 8 to 12 after, some late."""
        visits = []
        while True:
            weeks = self.rng.randint(4, 6) if day < anniversary(deemed, 1) else self.rng.randint(8, 12)
            if self.rng.random() < LATE_VISIT:
                weeks += self.rng.randint(2, 4)
            day = day + dt.timedelta(weeks=weeks)
            if day >= until:
                return visits
            visits.append(self.visit(child, day, VisitKind.STATUTORY))

    def visit(self, child: Child, day: dt.date, kind: str) -> PrivateFosteringVisit:
        return PrivateFosteringVisit(
            child=child, visited_on=day, kind=kind, seen_alone=self.rng.random() < 0.9, recorded_by=self.actor
        )

    def save(self) -> None:
        for a in self.arrangements:
            stamp(a, at(a.notified_on, 10), at(a.ended_on or a.decided_on or a.notified_on, 16))
        PrivateFosteringArrangement.objects.bulk_create(self.arrangements, batch_size=2000)
        visits, chronology = [], []
        for a in self.arrangements:
            chronology.append(self.entry(lines.notified(a), a.notified_on))
            if a.decided_on:
                chronology.append(self.entry(lines.decided(a), a.decided_on))
            if a.ended_on:
                chronology.append(self.entry(lines.ended(a), a.ended_on))
            for visit in self.visits[id(a)]:
                visit.arrangement = a
                visits.append(stamp(visit, at(visit.visited_on, 15)))
        PrivateFosteringVisit.objects.bulk_create(visits, batch_size=2000)
        chronology.extend(self.entry(lines.visited(v), v.visited_on) for v in visits)
        ChronologyEntry.objects.bulk_create(chronology, batch_size=2000)
        self.sim.count("private fostering arrangements", len(self.arrangements))
        self.sim.count("private fostering visits", len(visits))

    def entry(self, line, day: dt.date) -> ChronologyEntry:
        return stamp(line.entry(recorded_by=self.actor), at(day, 17))


def _notification_days(sim: Simulation, rng: random.Random) -> list[dt.date]:
    """Notification days spread over the generated years at the national rate for the authority's size."""
    days, span = [], (sim.last_day - sim.first_day).days + 1
    expected = NOTIFICATIONS_PER_10000_A_YEAR * sim.children / 10_000 * span / 365.25
    count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
    for _ in range(count):
        day = sim.first_day + dt.timedelta(days=rng.randrange(span))
        while day.weekday() >= 5:  # notifications are received on working days
            day -= dt.timedelta(days=1)
        days.append(max(day, sim.first_day))
    return sorted(days)


def write_private_fostering(sim: Simulation) -> None:
    """Private fostering arrangements at the national rate (see the docstring)."""
    actor = (
        User.objects.filter(email__endswith=f"@{GENERATED_EMAIL_DOMAIN}", role=Role.SOCIAL_WORKER)
        .order_by("pk")
        .first()
    )
    if actor is None:
        return
    writer = _Writer(sim, actor)
    if not writer.children:
        return
    for day in _notification_days(sim, writer.rng):
        writer.plan(day)
    writer.save()
