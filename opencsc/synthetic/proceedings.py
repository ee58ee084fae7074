"""The synthetic authority's pre-proceedings, care proceedings and orders, read back from the periods of care the
looked-after module wrote, so the SSDA903 legal statuses and the court's orders are one story.

Rates. How long the court takes comes from here (`court_days`, which the looked-after module calls for the length
of each C1 spell): Family Court Statistics Quarterly (Ministry of Justice) gives the average time for a care or
supervision case to reach first disposal as 44 weeks in April to June 2023 and 41 weeks in April to June 2024,
with 29% and 32% of cases disposed of within 26 weeks (the same statistics for 2021: 45 weeks and
23%). So about 28% of spells end within 16 to 25 weeks and the rest run past 26 weeks with a long tail (26 weeks
plus an exponential of mean 25 weeks, at most 100 weeks): about 42 weeks on average from issue, a quarter to
three in ten within 26 weeks (measured on a generated authority of 4,000 children: see ADR 0039). Which children
go to court is the looked-after module's (an interim care order, C1, at the start or after a spell under
section 20, V2). For each period of care with a C1 episode this module writes:

- proceedings issued 0 to 7 days before the interim care order (never before the child's birth), the interim
  care order on the first C1 day, and the final order on the day the C1 spell ends: a care order (C2), a
  placement order with the care order (E1), a special guardianship order (REC E45 to E48), a child arrangements
  order (E41) or a supervision order on a return home (E4A); the proceedings conclude that day, or stay open
  if the child is still on C1;
- pre-proceedings for two in three of them (fewer when the child was removed in an emergency): a legal gateway
  meeting 5 to 14 weeks before the issue, the letter before proceedings 2 to 9 working days after it (so some
  are late), a pre-proceedings meeting 1 to 3 weeks after the letter, ended by the issue;
- a case management hearing 12 to 24 days after the issue (some after day 18), an issues resolution hearing 2 to
  5 weeks before the final hearing and the final hearing on the day of the final order, each with its outcome;
  an open set of proceedings has its next hearing listed ahead;
- extensions of up to 8 weeks each with reasons for most proceedings that ran past 26 weeks, so some are past
  26 weeks without one (late, and swept);
- pre-proceedings under way for about one in ten children on a child protection plan on the last day (the
  Public Law Outline used for a share of plans that are not working): a gateway meeting up to 20 weeks ago, the
  letter 1 to 8 working days later (so some late), the meeting 1 to 3 weeks after it, some not yet reached, and
  those past 16 weeks mostly stepped down with the concerns reduced.

Every event also has its chronology line, written by the same wording functions the legal services use
(`opencsc.legal.chronology_lines`), so a generated child's chronology reads as if a worker had recorded the
gateway meeting, the letter and meeting, the end of pre-proceedings, the issue, each extension, each hearing's
outcome, each order and the conclusion (in the week of the timetable the services would name).

Draws come from their own Random seeded from the authority's seed, so the rest of the authority is the same with
or without this module, and the same seed always gives the same proceedings. Rows are bulk-inserted with the
timestamps of the day each event happened.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from opencsc.accounts.models import User
from opencsc.casework.models import ChildProtectionPlan, ChronologyEntry
from opencsc.legal import chronology_lines as lines
from opencsc.legal.clocks import STATUTORY_WEEKS, timetable_week
from opencsc.legal.models import (
    CareProceedings,
    CourtOrder,
    GatewayDecision,
    Hearing,
    HearingKind,
    LegalGatewayMeeting,
    OrderKind,
    PreProceedings,
    PreProceedingsOutcome,
    TimetableExtension,
)
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child
from opencsc.synthetic.context import Simulation
from opencsc.synthetic.timestamps import at, stamp

WITHIN_26_WEEKS_SHARE = 0.28
SHORT_WEEKS = (16, 25)  # a spell concluded within the timetable: evenly over these weeks
LONG_TAIL_MEAN_WEEKS = 25  # beyond 26 weeks: exponential with this mean
LONGEST_WEEKS = 100
PRE_PROCEEDINGS_SHARE = 0.66
PLAN_PRE_PROCEEDINGS_SHARE = 0.1
EXTENDED_SHARE_OF_LONG = 0.75
EXTENSION_REASONS = (
    "An independent social work assessment of the grandparents is not finished",
    "The parenting assessment needs more time to be fair to the parents",
    "An expert psychological report was filed late",
    "A new party joined the proceedings and needs time to respond",
)
FINAL_ORDERS = {
    "C2": (OrderKind.CARE,),
    "E1": (OrderKind.CARE, OrderKind.PLACEMENT),
    "E45": (OrderKind.SPECIAL_GUARDIANSHIP,),
    "E46": (OrderKind.SPECIAL_GUARDIANSHIP,),
    "E47": (OrderKind.SPECIAL_GUARDIANSHIP,),
    "E48": (OrderKind.SPECIAL_GUARDIANSHIP,),
    "E41": (OrderKind.CHILD_ARRANGEMENTS,),
    "E4A": (OrderKind.SUPERVISION,),
}


def court_days(rng: random.Random) -> int:
    """Days from the interim care order to the final order, from one draw (see the module docstring)."""
    draw = rng.random()
    if draw < WITHIN_26_WEEKS_SHARE:
        low, high = SHORT_WEEKS
        weeks = low + (high - low) * draw / WITHIN_26_WEEKS_SHARE
    else:
        tail = (draw - WITHIN_26_WEEKS_SHARE) / (1 - WITHIN_26_WEEKS_SHARE)
        weeks = min(STATUTORY_WEEKS - LONG_TAIL_MEAN_WEEKS * math.log(1 - tail), LONGEST_WEEKS)
    return round(weeks * 7)


@dataclass
class CourtSpell:
    """A C1 spell in a period of care: from the interim care order to what ended it (or still open)."""

    child_id: int
    team_id: int | None
    born: dt.date | None
    period_start: dt.date
    interim_on: dt.date
    final_on: dt.date | None = None
    final_orders: tuple[str, ...] = ()
    rows: dict = field(default_factory=dict)


def _spells(last_day: dt.date) -> list[CourtSpell]:
    """Each period of care's first C1 spell, read from the episodes in one query."""
    rows = Episode.objects.order_by("child_id", "started_on", "pk").values_list(
        "child_id",
        "child__responsible_team_id",
        "child__date_of_birth",
        "started_on",
        "reason_new_episode",
        "legal_status",
        "ended_on",
        "reason_ceased",
    )
    spells: list[CourtSpell] = []
    current: CourtSpell | None = None
    period_start = None
    for child_id, team_id, born, started_on, rne, status, ended_on, reason_ceased in rows:
        if rne == "S":
            period_start, current = started_on, None
        if status == "C1" and current is None:
            current = CourtSpell(child_id, team_id, born, period_start, started_on)
            spells.append(current)
        if (
            current is None
            or current.final_on is not None
            or started_on <= current.interim_on
            and status != "C1"
        ):
            continue
        if status in FINAL_ORDERS and status in ("C2", "E1"):
            current.final_on, current.final_orders = started_on, FINAL_ORDERS[status]
        elif status != "C1":
            current.final_on = (
                started_on  # the interim order ended without a final order (such as back to V2)
            )
        elif ended_on is not None and reason_ceased != "X1":
            current.final_on, current.final_orders = ended_on, FINAL_ORDERS.get(reason_ceased, ())
    return [spell for spell in spells if spell.interim_on <= last_day]


def _workers_by_team() -> tuple[dict[int, int], int | None]:
    by_team: dict[int, int] = {}
    for user_id, team_id in (
        User.objects.filter(team__isnull=False).order_by("pk").values_list("pk", "team_id")
    ):
        by_team.setdefault(team_id, user_id)
    return by_team, User.objects.order_by("pk").values_list("pk", flat=True).first()


def _not_before_birth(day: dt.date, born: dt.date | None) -> dt.date:
    return max(day, born) if born else day


def _add_working_days(sim: Simulation, day: dt.date, count: int) -> dt.date:
    return sim.calendar.add_working_days(day, count)


def write_proceedings(sim: Simulation) -> None:
    rng = random.Random(f"{sim.seed}:proceedings")
    by_team, anyone = _workers_by_team()
    if anyone is None:
        return
    meetings, pres, proceedings, extensions, hearings, orders = [], [], [], [], [], []
    spells = _spells(sim.last_day)
    for spell in spells:
        actor = by_team.get(spell.team_id, anyone)
        issued_on = _not_before_birth(spell.interim_on - dt.timedelta(days=rng.randint(0, 7)), spell.born)
        pre_share = (
            PRE_PROCEEDINGS_SHARE if spell.interim_on > spell.period_start else PRE_PROCEEDINGS_SHARE / 2
        )
        gateway = None
        if rng.random() < pre_share and spell.born and issued_on - dt.timedelta(weeks=14) > spell.born:
            held_on = issued_on - dt.timedelta(days=rng.randint(35, 98))
            gateway = stamp(
                LegalGatewayMeeting(
                    child_id=spell.child_id,
                    held_on=held_on,
                    decision=GatewayDecision.PRE_PROCEEDINGS,
                    recorded_by_id=actor,
                ),
                at(held_on, 15),
            )
            letter_on = min(_add_working_days(sim, held_on, rng.randint(2, 9)), issued_on)
            meeting_on = min(letter_on + dt.timedelta(days=rng.randint(7, 21)), issued_on)
            pre = PreProceedings(
                child_id=spell.child_id,
                started_on=held_on,
                letter_sent_on=letter_on,
                meeting_held_on=meeting_on,
                ended_on=issued_on,
                outcome=PreProceedingsOutcome.PROCEEDINGS,
            )
            meetings.append(gateway)
            pres.append((pre, gateway))
        case = stamp(
            CareProceedings(
                child_id=spell.child_id,
                issued_on=issued_on,
                case_number=f"ZW{issued_on:%y}C{len(proceedings) + 1:05d}",
                concluded_on=spell.final_on,
                recorded_by_id=actor,
            ),
            at(issued_on, 16),
        )
        proceedings.append((case, gateway))
        spell.rows = {"case": case}
        orders.append((case, OrderKind.INTERIM_CARE, spell.interim_on, spell.final_on))
        for kind in spell.final_orders:
            orders.append((case, kind, spell.final_on, None))
        hearings.extend(_hearings(rng, sim, case, spell))
        extensions.extend(_extensions(rng, sim, case, spell))
    in_court = {spell.child_id for spell in spells}
    for gateway, pre in _pre_proceedings_of_plans(rng, sim, by_team, anyone, in_court):
        meetings.append(gateway)
        pres.append((pre, gateway))
    LegalGatewayMeeting.objects.bulk_create(meetings, batch_size=1000)
    for pre, gateway in pres:
        pre.gateway_id = gateway.pk
        stamp(pre, at(pre.started_on, 16), at(pre.ended_on or pre.meeting_held_on or pre.started_on, 16))
    PreProceedings.objects.bulk_create([pre for pre, _ in pres], batch_size=1000)
    for case, gateway in proceedings:
        case.gateway_id = gateway.pk if gateway else None
    CareProceedings.objects.bulk_create([case for case, _ in proceedings], batch_size=1000)
    made = _write_children_of_cases(hearings, extensions, orders)
    _write_chronology(
        meetings, [pre for pre, _ in pres], [case for case, _ in proceedings], extensions, hearings, made
    )
    sim.count("legal gateway meetings", len(meetings))
    sim.count("care proceedings", len(proceedings))
    sim.count("court orders", len(orders))


def _write_children_of_cases(hearings, extensions, orders) -> list[CourtOrder]:
    for hearing in hearings:
        hearing.proceedings_id = hearing.proceedings.pk
    Hearing.objects.bulk_create(hearings, batch_size=1000)
    for extension in extensions:
        extension.proceedings_id = extension.proceedings.pk
    TimetableExtension.objects.bulk_create(extensions, batch_size=1000)
    return CourtOrder.objects.bulk_create(
        [
            stamp(
                CourtOrder(
                    child_id=case.child_id,
                    proceedings_id=case.pk,
                    kind=kind,
                    made_on=made_on,
                    ended_on=ended_on,
                    recorded_by_id=case.recorded_by_id,
                ),
                at(made_on, 16),
            )
            for case, kind, made_on, ended_on in orders
        ],
        batch_size=1000,
    )


def _write_chronology(meetings, pres, cases, extensions, hearings, orders) -> None:
    """The chronology line of every event, worded by the services' own functions, each stamped on its day."""
    children = Child.objects.in_bulk({case.child_id for case in cases} | {m.child_id for m in meetings})
    for record in (*meetings, *pres, *cases, *orders):
        record.child = children[record.child_id]
    actors = User.objects.in_bulk({m.recorded_by_id for m in meetings} | {c.recorded_by_id for c in cases})
    by_child = {m.child_id: m.recorded_by_id for m in meetings} | {
        c.child_id: c.recorded_by_id for c in cases
    }
    events = [lines.gateway_held(meeting) for meeting in meetings]
    for pre in pres:
        events += [lines.letter_sent(pre)] if pre.letter_sent_on else []
        events += [lines.meeting_held(pre)] if pre.meeting_held_on else []
        events += [lines.pre_proceedings_ended(pre)] if pre.ended_on else []
    for case in cases:
        events.append(lines.proceedings_issued(case))
        if case.concluded_on:
            events.append(
                lines.proceedings_concluded(case, timetable_week(case.issued_on, case.concluded_on))
            )
    events += [lines.timetable_extended(extension) for extension in extensions]
    events += [lines.hearing_outcome(hearing) for hearing in hearings if hearing.outcome_recorded_on]
    events += [lines.order_made(order) for order in orders]
    entries = [
        stamp(line.entry(recorded_by=actors[by_child[line.child.pk]]), at(line.occurred_on, 17))
        for line in events
    ]
    ChronologyEntry.objects.bulk_create(entries, batch_size=2000)


def _hearing(case, kind: str, on: dt.date, last_day: dt.date, outcome: str) -> Hearing:
    held = on <= last_day
    return stamp(
        Hearing(
            proceedings=case,
            kind=kind,
            listed_for=on,
            outcome=outcome if held else "",
            outcome_recorded_on=on if held else None,
        ),
        at(min(on, last_day), 17),
    )


def _hearings(rng: random.Random, sim: Simulation, case: CareProceedings, spell: CourtSpell) -> list[Hearing]:
    end = spell.final_on or sim.last_day
    cmh_on = case.issued_on + dt.timedelta(days=rng.randint(12, 24))
    found = []
    if cmh_on < end or spell.final_on is None:
        found.append(
            _hearing(
                case, HearingKind.CMH, cmh_on, sim.last_day, "Directions given; interim care order continued"
            )
        )
    if spell.final_on is not None:
        irh_on = spell.final_on - dt.timedelta(days=rng.randint(14, 35))
        if irh_on > cmh_on:
            found.append(
                _hearing(case, HearingKind.IRH, irh_on, sim.last_day, "Issues narrowed; final hearing listed")
            )
        found.append(_hearing(case, HearingKind.FINAL, spell.final_on, sim.last_day, "Final orders made"))
    elif cmh_on <= sim.last_day:
        ahead = sim.last_day + dt.timedelta(days=rng.randint(7, 42))
        found.append(_hearing(case, HearingKind.FURTHER_CMH, ahead, sim.last_day, ""))
    return found


def _extensions(
    rng: random.Random, sim: Simulation, case: CareProceedings, spell: CourtSpell
) -> list[TimetableExtension]:
    end = spell.final_on or sim.last_day
    overrun_weeks = ((end - case.issued_on).days - STATUTORY_WEEKS * 7) / 7
    if overrun_weeks <= 0 or rng.random() > EXTENDED_SHARE_OF_LONG:
        return []
    found, granted_weeks = [], 0
    granted_on = case.issued_on + dt.timedelta(weeks=rng.randint(22, 25))
    while granted_weeks < overrun_weeks and granted_on <= min(end, sim.last_day):
        weeks = rng.randint(4, 8)
        found.append(
            stamp(
                TimetableExtension(
                    proceedings=case, granted_on=granted_on, weeks=weeks, reason=rng.choice(EXTENSION_REASONS)
                ),
                at(granted_on, 17),
            )
        )
        granted_weeks += weeks
        granted_on += dt.timedelta(weeks=weeks - 1)
    return found


def _pre_proceedings_of_plans(rng: random.Random, sim: Simulation, by_team, anyone, in_court: set[int]):
    last_day = sim.last_day
    plans = (
        ChildProtectionPlan.objects.filter(
            ended_on__isnull=True, started_on__lte=last_day - dt.timedelta(days=30)
        )
        .values_list("child_id", "child__responsible_team_id", "started_on")
        .order_by("child_id", "started_on")
    )
    seen: set[int] = set()
    for child_id, team_id, plan_start in plans:
        if child_id in in_court or child_id in seen or rng.random() > PLAN_PRE_PROCEEDINGS_SHARE:
            continue
        seen.add(child_id)
        held_on = max(plan_start + dt.timedelta(days=14), last_day - dt.timedelta(days=rng.randint(3, 140)))
        if held_on > last_day:
            continue
        gateway = stamp(
            LegalGatewayMeeting(
                child_id=child_id,
                held_on=held_on,
                decision=GatewayDecision.PRE_PROCEEDINGS,
                recorded_by_id=by_team.get(team_id, anyone),
            ),
            at(held_on, 15),
        )
        letter_on = _add_working_days(sim, held_on, rng.randint(1, 8))
        letter_on = letter_on if letter_on <= last_day else None
        meeting_on = letter_on + dt.timedelta(days=rng.randint(7, 21)) if letter_on else None
        meeting_on = meeting_on if meeting_on and meeting_on <= last_day else None
        ended_on = None
        if (last_day - held_on).days > 16 * 7 and meeting_on and rng.random() < 0.6:
            ended_on = min(held_on + dt.timedelta(days=rng.randint(90, 125)), last_day)
        pre = PreProceedings(
            child_id=child_id,
            started_on=held_on,
            letter_sent_on=letter_on,
            meeting_held_on=meeting_on,
            ended_on=ended_on,
            outcome=PreProceedingsOutcome.STEPPED_DOWN if ended_on else "",
        )
        yield gateway, pre
