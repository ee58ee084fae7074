"""Casework for each household: who held the children's cases and when, and what was recorded.

Each household with casework gets a run of allocation periods (an assessment, perhaps a transfer to a long-term
team, perhaps a worker who left). Within each period the worker visits at the team's cadence, makes calls, and
the manager records oversight and supervision; notes are finalised after a realistic delay, a few are still
drafts, a few were amended. Chronology entries are written for the same events the services would write.
"""

import datetime as dt
from dataclasses import dataclass, field

from opencsc.accounts.models import Team, TeamKind, User
from opencsc.casework import chronology_lines as lines
from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import (
    Allocation,
    CaseNote,
    CaseNoteAmendment,
    ChronologyEntry,
    NoteStatus,
    NoteType,
)
from opencsc.casework.services import NOTE_CONTENT_FIELDS
from opencsc.synthetic.context import Simulation
from opencsc.synthetic.families import Casework, ChildPlan, HouseholdPlan
from opencsc.synthetic.randomness import day_between
from opencsc.synthetic.timestamps import at, stamp
from opencsc.synthetic.workforce import Workforce

# Days between visits (shortest, longest) for each kind of team; past cases were visited less often on record.
VISIT_INTERVAL = {
    TeamKind.ASSESSMENT: (6, 14),
    TeamKind.CHILD_IN_NEED: (10, 28),
    TeamKind.LOOKED_AFTER: (28, 42),
    TeamKind.CARE_LEAVERS: (35, 56),
    TeamKind.DISABLED_CHILDREN: (28, 56),
}
UNALLOCATED_SHARE = 0.07
# Children on a protection plan are seen about every 10 working days; the longer gaps are the late visits.
CP_VISIT_INTERVAL = (6, 16)
# Closed cases keep their first visits, oversight and closure: enough history for the record and the returns
# without closed work outweighing open work in the database.
CLOSED_CASE_VISITS_KEPT = 4
LONG_TERM_KINDS = {TeamKind.CHILD_IN_NEED, TeamKind.LOOKED_AFTER}
NOT_SEEN_ALONE_REASONS = (
    "Mother declined to leave the room",
    "Child did not want to be seen alone",
    "Visit cut short: the family had to leave for an appointment",
    "Interpreter present throughout",
)
VISIT_TITLES = ("Home visit", "Statutory visit", "Unannounced home visit", "Visit at school")
CALL_TITLES = (
    "Call with mother",
    "Call with school",
    "Call with health visitor",
    "Call with father",
    "Call with GP",
)
MEETING_TITLES = {
    TeamKind.CHILD_IN_NEED: "Core group meeting",
    TeamKind.LOOKED_AFTER: "Looked-after review",
    TeamKind.CARE_LEAVERS: "Pathway plan review",
    TeamKind.DISABLED_CHILDREN: "Child in need review",
    TeamKind.ASSESSMENT: "Strategy discussion",
}
VISIT_OBSERVATIONS = (
    "The home was warm and reasonably tidy, with food in the cupboards.",
    "The home was cluttered and there was little food in the fridge; discussed with mother.",
    "Mother presented as tired but engaged well with the discussion.",
    "Father was present and answered most questions for the family.",
    "Both parents were calm and the children were relaxed in their presence.",
    "There were empty cans in the kitchen; mother said a friend had visited.",
)
CHILD_VOICE = (
    "{name} said things at home are 'fine' and talked about their friends at school.",
    "{name} showed me their drawings and said they like it when dad visits.",
    "{name} said they are worried when mum and her partner argue.",
    "{name} was quiet and did not want to talk about home today.",
    "{name} said they feel safe and liked having their own room.",
)
NEXT_STEPS = (
    "Next visit booked within the plan's timescale.",
    "Will speak to the school about attendance before the next visit.",
    "Agreed actions reviewed; mother to attend the parenting course.",
    "Concerns discussed with the team manager the same day.",
)


@dataclass
class Period:
    worker: User
    started_on: dt.date
    ended_on: dt.date | None = None
    end_reason: str = ""

    @property
    def team(self) -> Team:
        return self.worker.team


@dataclass
class NotePlan:
    note: CaseNote
    children: list[ChildPlan]
    amendment: CaseNoteAmendment | None = None


@dataclass
class CaseworkBatch:
    allocations: list[Allocation] = field(default_factory=list)
    notes: list[NotePlan] = field(default_factory=list)
    chronology: list[ChronologyEntry] = field(default_factory=list)


def assign_team(sim: Simulation, workforce: Workforce, household: HouseholdPlan) -> None:
    """Plan who held the household's cases; the team that holds them last is responsible for the children."""
    if household.casework == Casework.CONTACT_ONLY:
        household.team = workforce.teams_by_kind[TeamKind.FRONT_DOOR][0]
        household.periods = []
        return
    household.periods = _plan_periods(sim, workforce, household)
    household.team = household.periods[-1].team


def _plan_periods(sim: Simulation, workforce: Workforce, household: HouseholdPlan) -> list[Period]:
    rng = sim.rng
    team = rng.choice(workforce.teams_by_kind[household.team_kind])
    start = household.casework_opened_on
    if household.casework == Casework.CLOSED:
        pool = workforce.workers[team.pk] + workforce.leavers[team.pk]
        return [Period(rng.choice(pool), start, household.casework_closed_on, "Case closed")]
    periods = []
    if household.team_kind in LONG_TERM_KINDS and (sim.last_day - start).days > 60:
        assessment_team = rng.choice(workforce.teams_by_kind[TeamKind.ASSESSMENT])
        transfer = start + dt.timedelta(days=rng.randint(25, 45))
        worker = rng.choice(workforce.workers[assessment_team.pk])
        periods.append(Period(worker, start, transfer, "Transferred to the long-term team after assessment"))
        start = transfer
    if (sim.last_day - start).days > 150 and rng.random() < 0.35:
        change = day_between(rng, start + dt.timedelta(days=30), sim.last_day - dt.timedelta(days=60))
        if rng.random() < 0.5:
            periods.append(
                Period(rng.choice(workforce.leavers[team.pk]), start, change, "Worker left the authority")
            )
        else:
            periods.append(
                Period(rng.choice(workforce.workers[team.pk]), start, change, "Caseload rebalancing")
            )
        start = change
    if rng.random() < UNALLOCATED_SHARE:
        # At least a day with the worker: an allocation ended the day it began is no social worker episode.
        left = max(day_between(rng, start, sim.last_day - dt.timedelta(days=1)), start + dt.timedelta(days=1))
        periods.append(
            Period(rng.choice(workforce.leavers[team.pk]), start, left, "Worker left the authority")
        )
        return periods
    worker = workforce.least_loaded_worker(sim, team)
    workforce.caseloads[worker.pk] += len(household.children)
    periods.append(Period(worker, start))
    return periods


class CaseworkWriter:
    def __init__(self, sim: Simulation, workforce: Workforce):
        self.sim = sim
        self.workforce = workforce

    def write(self, households: list[HouseholdPlan]) -> None:
        batch = CaseworkBatch()
        for household in households:
            for period in household.periods:
                self._allocate(batch, household, period)
                self._record_period(batch, household, period)
        Allocation.objects.bulk_create(batch.allocations, batch_size=1000)
        for allocation in batch.allocations:
            manager = self.workforce.managers[allocation.team.pk]
            batch.chronology.append(_entry(lines.allocated(allocation), manager, allocation.created_at))
        self._write_notes(batch)
        ChronologyEntry.objects.bulk_create(batch.chronology, batch_size=2000)
        self.sim.count("allocations", len(batch.allocations))
        self.sim.count("case notes", len(batch.notes))
        self.sim.count("chronology entries", len(batch.chronology))

    def _allocate(self, batch: CaseworkBatch, household: HouseholdPlan, period: Period) -> None:
        for plan in household.children:
            started_on = max(period.started_on, plan.created_on)
            if period.ended_on is not None and started_on > period.ended_on:
                continue
            allocation = Allocation(
                child=plan.record,
                worker=period.worker,
                team=period.team,
                started_on=started_on,
                ended_on=period.ended_on,
                end_reason=period.end_reason,
            )
            batch.allocations.append(
                stamp(allocation, at(started_on, 10), at(period.ended_on, 16) if period.ended_on else None)
            )

    def _record_period(self, batch: CaseworkBatch, household: HouseholdPlan, period: Period) -> None:
        rng = self.sim.rng
        end = period.ended_on or self.sim.last_day
        kind = period.team.kind
        manager = self.workforce.managers[period.team.pk]
        self._note(
            batch,
            household,
            NoteType.MANAGEMENT_OVERSIGHT,
            manager,
            period.started_on,
            "Management oversight: allocation",
            "Case allocated. Reviewed the referral and history; visit within five working days and agree the plan.",
            significant=True,
        )
        shortest, longest = VISIT_INTERVAL[kind]
        if household.cp_plan_open and kind in (TeamKind.ASSESSMENT, TeamKind.CHILD_IN_NEED):
            shortest, longest = CP_VISIT_INTERVAL
        day = period.started_on + dt.timedelta(days=rng.randint(1, 5))
        visits_left = CLOSED_CASE_VISITS_KEPT if household.casework == Casework.CLOSED else None
        while day <= end and visits_left != 0:
            visits_left = None if visits_left is None else visits_left - 1
            self._visit(batch, household, period.worker, day)
            if rng.random() < 0.5:
                call_day = min(day + dt.timedelta(days=rng.randint(1, 6)), end)
                self._note(
                    batch,
                    household,
                    NoteType.PHONE_CALL,
                    period.worker,
                    call_day,
                    rng.choice(CALL_TITLES),
                    "Spoke about how things have been since the last visit. " + rng.choice(NEXT_STEPS),
                )
            day += dt.timedelta(days=rng.randint(shortest, longest))
        self._manager_notes(batch, household, period, manager, kind, end)
        if period.end_reason == "Case closed":
            self._note(
                batch,
                household,
                NoteType.CASE_NOTE,
                period.worker,
                end,
                "Case closure summary",
                "The plan's outcomes were met and the family agreed to closure. Universal services remain involved.",
                significant=True,
            )

    def _manager_notes(self, batch, household, period, manager, kind, end) -> None:
        rng = self.sim.rng
        day = period.started_on + dt.timedelta(days=rng.randint(20, 35))
        if household.casework == Casework.CLOSED:
            day += dt.timedelta(days=rng.randint(30, 90))  # older cases carry only the later supervision
        while day <= end:
            self._note(
                batch,
                household,
                NoteType.SUPERVISION,
                manager,
                day,
                "Supervision: case discussion",
                f"Discussed progress against the plan with {period.worker.display_name}. "
                + rng.choice(NEXT_STEPS),
            )
            if rng.random() < 0.35:
                self._note(
                    batch,
                    household,
                    NoteType.MEETING,
                    period.worker,
                    day,
                    MEETING_TITLES[kind],
                    "Professionals and family reviewed the plan; actions updated and circulated.",
                    significant=rng.random() < 0.5,
                )
            day += dt.timedelta(days=rng.randint(28, 45))

    def _visit(self, batch: CaseworkBatch, household: HouseholdPlan, worker: User, day: dt.date) -> None:
        rng = self.sim.rng
        children = self._children_on(household, day)
        if not children:
            return
        born = [child for child in children if child.date_of_birth]
        seen = bool(born) and rng.random() < 0.93
        old_enough = any((day - child.date_of_birth).days >= 4 * 365 for child in born)
        alone = seen and old_enough and rng.random() < 0.75
        reason = ""
        if seen and not alone:
            reason = rng.choice(NOT_SEEN_ALONE_REASONS) if old_enough else "Too young to be seen alone"
        body = [rng.choice(VISIT_OBSERVATIONS)]
        if seen:
            body.append(rng.choice(CHILD_VOICE).format(name=born[0].first_name))
        else:
            body.append(
                "No one answered the door; a card was left and the family were called."
                if born
                else "Pre-birth visit with mother."
            )
        body.append(rng.choice(NEXT_STEPS))
        self._note(
            batch,
            household,
            NoteType.VISIT,
            worker,
            day,
            rng.choice(VISIT_TITLES),
            " ".join(body),
            seen=(seen, alone, seen and rng.random() < 0.6),
            not_seen_alone_reason=reason,
            children=children,
        )

    def _children_on(self, household: HouseholdPlan, day: dt.date) -> list[ChildPlan]:
        return [child for child in household.children if child.created_on <= day]

    def _note(
        self,
        batch,
        household,
        note_type,
        author,
        day,
        title,
        body,
        *,
        significant=False,
        seen=(None, None, None),
        not_seen_alone_reason="",
        children=None,
    ) -> None:
        rng = self.sim.rng
        children = children or self._children_on(household, day)
        if not children:
            return
        hour, minute = rng.randint(8, 17), rng.choice((0, 15, 30, 45))
        note = CaseNote(
            note_type=note_type,
            title=title,
            body=body,
            event_on=day,
            event_time=dt.time(hour, minute),
            child_seen=seen[0],
            child_seen_alone=seen[1],
            bedroom_seen=seen[2],
            not_seen_alone_reason=not_seen_alone_reason,
            is_significant=significant,
            author=author,
        )
        finalised_on = day + dt.timedelta(days=_recording_lag(rng))
        still_drafting = finalised_on > self.sim.last_day or (
            rng.random() < 0.01 and (self.sim.last_day - day).days < 30
        )
        plan = NotePlan(note, children)
        if still_drafting and author.is_active:
            note.status, note.version = NoteStatus.DRAFT, 1
            stamp(note, at(day, min(hour + 1, 23), minute))
        else:
            finalised_on = min(finalised_on, self.sim.last_day)
            finalised_hour = rng.randint(hour + 1, 22) if finalised_on == day else rng.randint(8, 22)
            note.status, note.version, note.finalised_at = (
                NoteStatus.FINAL,
                2,
                at(finalised_on, finalised_hour, minute),
            )
            stamp(note, at(day, min(hour + 1, 23), minute), note.finalised_at)
            if rng.random() < 0.015 and finalised_on < self.sim.last_day:
                plan.amendment = self._amend(note, finalised_on)
        batch.notes.append(plan)

    def _amend(self, note: CaseNote, finalised_on: dt.date) -> CaseNoteAmendment:
        rng = self.sim.rng
        previous = {name: _json_value(getattr(note, name)) for name in NOTE_CONTENT_FIELDS}
        note.body += " Correction: the visit was with the maternal grandmother, not the mother."
        note.version = 3
        amended_on = day_between(
            rng,
            finalised_on + dt.timedelta(days=1),
            min(finalised_on + dt.timedelta(days=20), self.sim.last_day),
        )
        note.updated_at = at(amended_on, 16)
        return CaseNoteAmendment(
            revision=1,
            reason="Wrong family member named in the note",
            previous=previous,
            changed_fields=["body"],
            amended_by=note.author,
            amended_at=note.updated_at,
        )

    def _write_notes(self, batch: CaseworkBatch) -> None:
        CaseNote.objects.bulk_create([plan.note for plan in batch.notes], batch_size=1000)
        through = CaseNote.children.through
        links = [
            through(casenote_id=plan.note.pk, child_id=child.record.pk)
            for plan in batch.notes
            for child in plan.children
        ]
        through.objects.bulk_create(links, batch_size=2000)
        amendments = []
        for plan in batch.notes:
            if plan.amendment:
                plan.amendment.note = plan.note
                amendments.append(plan.amendment)
        CaseNoteAmendment.objects.bulk_create(amendments, batch_size=1000)
        self.sim.count("case note amendments", len(amendments))
        for plan in batch.notes:
            note = plan.note
            if note.status == NoteStatus.FINAL and lines.note_belongs_on_chronology(note):
                for child in plan.children:
                    line = lines.note_finalised(note, child.record)
                    batch.chronology.append(_entry(line, note.author, note.finalised_at))


def _recording_lag(rng) -> int:
    """Days from the event to the note being finalised: most the same or next day, a long tail of late ones."""
    draw = rng.random()
    if draw < 0.32:
        return 0
    if draw < 0.62:
        return rng.randint(1, 2)
    if draw < 0.85:
        return rng.randint(3, 7)
    if draw < 0.96:
        return rng.randint(8, 20)
    return rng.randint(21, 60)


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date | dt.time) else value


def _entry(line: ChronologyLine, actor, recorded_at: dt.datetime) -> ChronologyEntry:
    """A service's line as the synthetic authority bulk-inserts it, stamped when it was recorded."""
    return stamp(line.entry(recorded_by=actor), recorded_at)
