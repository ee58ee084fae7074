"""Writes for escalations: the daily sweep, acknowledging and closing.

The sweep (`escalations_sweep`) is idempotent for a given date:

- it raises one escalation for each breach that has no open escalation (see `breaches.py` for what a breach is),
  to the team manager of the allocated worker's team (the child's responsible team if no one is allocated; the
  front-door team for an undecided contact), or to the head of service if that team has no team manager;
- it climbs each unacknowledged escalation whose level deadline has passed, one level per elapsed deadline:
  team manager, head of service, director, chief executive. Each level has its own deadline, a number of working
  days from the day the escalation reached it (the authority's calendar; setting below). A level nobody holds is
  passed over; at the chief executive it stays;
- when the late item is done (the breach is no longer found) it notes the breach as resolved but leaves the
  escalation open: an escalation closes only when someone records a response.
- it stores what it found overdue, by clock, for the day (`findings.py`): the dashboard's overdue-work panel
  reads that row instead of working out every clock again.

Two sweeps never overlap, and a sweep never climbs an escalation someone has just acknowledged:

- the sweep takes its job lock first (`opencsc.core.locks`: a PostgreSQL advisory lock held until the sweep's
  transaction ends); a sweep started while another holds it does nothing and says so (`SweepSummary.skipped`);
- the escalations due to climb are read with row locks (`SELECT ... FOR UPDATE`), as acknowledging and closing
  lock the row they change. An acknowledgement in progress makes the sweep wait for it, and PostgreSQL then
  re-checks the row, which is no longer unacknowledged, so it is left where it is; an acknowledgement that comes
  while the sweep holds the row waits, and lands on the escalation as the sweep left it.

An escalation closed while its breach is still present is raised again only if the breach is still there
`OPENCSC_ESCALATION_REOPEN_WORKING_DAYS` working days (default 10) after it was closed, so a response such as "visit
booked for Friday" is given time, and a breach is never dropped for good by closing its escalation.

Settings (Django settings, then the environment, then the default):

- `OPENCSC_ESCALATION_WORKING_DAYS`: working days to acknowledge at each level, default 2. An integer for every
  level, or per level: a dict in settings, or in the environment `team_manager=2,head_of_service=3,director=3`.
- `OPENCSC_ESCALATION_REOPEN_WORKING_DAYS`: above.

Acknowledging or closing is for the person the escalation is assigned to, or anyone whose role is above its level
(a head of service for a team manager's escalation; the director, the chief executive), never the improvement
board, which watches but does not hold escalations.
"""

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import Role, User
from opencsc.audit.context import current_ip
from opencsc.audit.models import AuditEvent
from opencsc.audit.services import audit_event_record
from opencsc.casework.models import Allocation
from opencsc.core.locks import job_lock_try
from opencsc.core.working_days import Calendar, authority_calendar
from opencsc.oversight.breaches import FINDERS, Breach, find_breaches
from opencsc.oversight.findings import overdue_findings_store
from opencsc.oversight.models import LEVEL_ORDER, Escalation, EscalationStep, Level, StepKind
from opencsc.people.models import Child

DEFAULT_LEVEL_WORKING_DAYS = 2
DEFAULT_REOPEN_WORKING_DAYS = 10
BATCH = 2000
SWEEP_LOCK = "escalations_sweep"

# The role that holds each level, and each role's rank for acknowledging and closing.
LEVEL_ROLE = {
    Level.TEAM_MANAGER: Role.TEAM_MANAGER,
    Level.HEAD_OF_SERVICE: Role.HEAD_OF_SERVICE,
    Level.DIRECTOR: Role.DIRECTOR,
    Level.CHIEF_EXECUTIVE: Role.CHIEF_EXECUTIVE,
}
ROLE_RANK = {LEVEL_ROLE[level]: rank for rank, level in enumerate(LEVEL_ORDER)}
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVEL_ORDER)}


def _configured(name: str):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return None if value in (None, "") else value


def level_working_days() -> dict[str, int]:
    """Working days each level has to acknowledge before the escalation climbs."""
    days = dict.fromkeys(Level.values, DEFAULT_LEVEL_WORKING_DAYS)
    value = _configured("OPENCSC_ESCALATION_WORKING_DAYS")
    if value is None:
        return days
    if isinstance(value, int):
        return dict.fromkeys(Level.values, value)
    if isinstance(value, dict):
        items = value.items()
    elif "=" in str(value):
        items = [part.split("=", 1) for part in str(value).split(",") if part.strip()]
    else:
        return dict.fromkeys(Level.values, int(value))
    for level, number in items:
        level = str(level).strip()
        if level not in days:
            raise ValueError(f"OPENCSC_ESCALATION_WORKING_DAYS names an unknown level {level!r}")
        days[level] = int(number)
    if any(number < 1 for number in days.values()):
        raise ValueError("OPENCSC_ESCALATION_WORKING_DAYS must give each level at least 1 working day")
    return days


def reopen_working_days() -> int:
    value = _configured("OPENCSC_ESCALATION_REOPEN_WORKING_DAYS")
    return DEFAULT_REOPEN_WORKING_DAYS if value is None else int(value)


# ---------------------------------------------------------------------------------------------------------------
# Who holds each level


class Holders:
    """The people at each level, read once per sweep: each team's team manager (the first active one by id) and
    the first active head of service, director and chief executive."""

    def __init__(self):
        self.team_managers: dict[int, int] = {}
        for user_id, team_id in (
            User.objects.filter(role=Role.TEAM_MANAGER, is_active=True, team__isnull=False)
            .order_by("-id")
            .values_list("id", "team_id")
        ):
            self.team_managers[team_id] = user_id
        self.by_level: dict[str, int | None] = {
            level: User.objects.filter(role=LEVEL_ROLE[level], is_active=True)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
            for level in LEVEL_ORDER[1:]
        }

    def holder(self, level: str, team_id: int | None) -> int | None:
        if level == Level.TEAM_MANAGER:
            return self.team_managers.get(team_id) if team_id is not None else None
        return self.by_level[level]

    def first_held(self, level: str, team_id: int | None) -> tuple[str, int | None]:
        """`level` if someone holds it, else the next level up that someone holds, else the chief executive
        level with no one."""
        for candidate in LEVEL_ORDER[LEVEL_RANK[level] :]:
            holder = self.holder(candidate, team_id)
            if holder is not None:
                return candidate, holder
        return Level.CHIEF_EXECUTIVE, None


def _teams_of_children(child_ids: set[int]) -> dict[int, int]:
    """The team answerable for each child: the open allocation's team, else the child's responsible team."""
    teams: dict[int, int] = {}
    ids = sorted(child_ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        teams.update(
            Child.objects.filter(pk__in=chunk, responsible_team__isnull=False).values_list(
                "pk", "responsible_team_id"
            )
        )
        teams.update(
            Allocation.objects.filter(child_id__in=chunk, ended_on__isnull=True).values_list(
                "child_id", "team_id"
            )
        )
    return teams


# ---------------------------------------------------------------------------------------------------------------
# The sweep


@dataclass
class SweepSummary:
    date: dt.date
    breaches: int = 0
    raised: int = 0
    climbed: int = 0
    resolved: int = 0
    present_again: int = 0
    open: int = 0
    raised_by_rule: dict[str, int] = field(default_factory=dict)
    climbed_to: dict[str, int] = field(default_factory=dict)
    skipped: bool = False  # another sweep held the lock: this one did nothing

    @property
    def changed(self) -> bool:
        return bool(self.raised or self.climbed or self.resolved or self.present_again)

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "breaches": self.breaches,
            "raised": self.raised,
            "climbed": self.climbed,
            "resolved": self.resolved,
            "present_again": self.present_again,
            "open": self.open,
            "raised_by_rule": self.raised_by_rule,
            "climbed_to": self.climbed_to,
            "skipped": self.skipped,
        }


def _audit(verb: str, escalation: Escalation, payload: dict, actor=None) -> AuditEvent:
    """An unsaved audit row, like `audit_event_record` writes, for bulk insertion by the sweep."""
    return AuditEvent(
        actor=actor,
        verb=verb,
        object_type="Escalation",
        object_id=str(escalation.pk),
        child_id=escalation.child_id,
        payload=payload,
        ip_address=current_ip.get(),
    )


def _step(escalation: Escalation, kind: str, on: dt.date, note: str = "", actor=None) -> EscalationStep:
    return EscalationStep(
        escalation=escalation,
        kind=kind,
        level=escalation.level,
        assigned_to_id=escalation.assigned_to_id,
        actor=actor,
        on=on,
        note=note,
    )


def _recently_closed(keys: set[tuple[str, str]], today: dt.date, calendar: Calendar) -> set[tuple[str, str]]:
    """Breach subjects whose escalation was closed too recently to raise again."""
    window = reopen_working_days()
    if not keys or window <= 0:
        return set()
    since = today - dt.timedelta(days=3 * window + 31)  # wider than `window` working days can span
    recent = set()
    rows = Escalation.objects.filter(closed_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC))
    for rule_id, subject_key, closed_at in rows.values_list("rule_id", "subject_key", "closed_at").order_by():
        key = (rule_id, subject_key)
        if key in keys and calendar.add_working_days(timezone.localtime(closed_at).date(), window) >= today:
            recent.add(key)
    return recent


def _raise(
    breaches: list[Breach], today: dt.date, calendar: Calendar, days: dict[str, int], summary: SweepSummary
) -> None:
    holders = Holders()
    teams = _teams_of_children({b.child_id for b in breaches if b.child_id is not None and b.team_id is None})
    escalations = []
    for breach in breaches:
        team_id = breach.team_id if breach.team_id is not None else teams.get(breach.child_id)
        level, holder = holders.first_held(Level.TEAM_MANAGER, team_id)
        escalations.append(
            Escalation(
                rule_id=breach.rule_id,
                subject_key=breach.subject_key,
                child_id=breach.child_id,
                team_id=team_id,
                due_on=breach.due_on,
                explanation=breach.explanation[:500],
                raised_on=today,
                level=level,
                level_started_on=today,
                level_deadline=calendar.add_working_days(today, days[level]),
                assigned_to_id=holder,
            )
        )
    escalations = Escalation.objects.bulk_create(escalations, batch_size=BATCH)
    steps, events = [], []
    for escalation in escalations:
        note = escalation.explanation
        if escalation.level != Level.TEAM_MANAGER:
            note += f" (no team manager to hold it: raised to the {Level(escalation.level).label.lower()})"
        steps.append(_step(escalation, StepKind.RAISED, today, note))
        events.append(
            _audit(
                "escalation.raised",
                escalation,
                {
                    "rule_id": escalation.rule_id,
                    "subject_key": escalation.subject_key,
                    "level": escalation.level,
                    "assigned_to": escalation.assigned_to_id,
                    "due_on": escalation.due_on.isoformat(),
                    "on": today.isoformat(),
                },
            )
        )
    EscalationStep.objects.bulk_create(steps, batch_size=BATCH)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    summary.raised = len(escalations)
    summary.raised_by_rule = dict(Counter(e.rule_id for e in escalations))


def _climb(today: dt.date, calendar: Calendar, days: dict[str, int], summary: SweepSummary) -> None:
    # Locked in id order (as every other writer locks one row), so a sweep and an acknowledgement never deadlock.
    due = list(
        Escalation.objects.select_for_update()
        .filter(closed_at__isnull=True, acknowledged_at__isnull=True, level_deadline__lt=today)
        .exclude(level=Level.CHIEF_EXECUTIVE)
        .order_by("pk")
    )
    if not due:
        return
    holders = Holders()
    steps, events, changed = [], [], []
    climbed_to: Counter = Counter()
    for escalation in due:
        moved = False
        while escalation.level != Level.CHIEF_EXECUTIVE and escalation.level_deadline < today:
            missed_level, missed_deadline = escalation.level, escalation.level_deadline
            next_level = LEVEL_ORDER[LEVEL_RANK[escalation.level] + 1]
            level, holder = holders.first_held(next_level, escalation.team_id)
            escalation.level = level
            escalation.assigned_to_id = holder
            escalation.level_started_on = (
                missed_deadline  # the new holder's time runs from the missed deadline
            )
            escalation.level_deadline = calendar.add_working_days(missed_deadline, days[level])
            note = (
                f"Not acknowledged by the {Level(missed_level).label.lower()} by {missed_deadline:%-d %B %Y}"
            )
            steps.append(_step(escalation, StepKind.CLIMBED, today, note))
            events.append(
                _audit(
                    "escalation.climbed",
                    escalation,
                    {"from": missed_level, "to": level, "assigned_to": holder, "on": today.isoformat()},
                )
            )
            climbed_to[level] += 1
            moved = True
        if moved:
            changed.append(escalation)
    # Escalations climbing on the same day mostly land on the same level, holder and deadline: one UPDATE per
    # distinct landing, not one CASE per row.
    landings: dict[tuple, list[int]] = {}
    for escalation in changed:
        key = (
            escalation.level,
            escalation.assigned_to_id,
            escalation.level_started_on,
            escalation.level_deadline,
        )
        landings.setdefault(key, []).append(escalation.pk)
    now = timezone.now()
    for (level, holder, started_on, deadline), ids in landings.items():
        for start in range(0, len(ids), BATCH):
            Escalation.objects.filter(pk__in=ids[start : start + BATCH]).update(
                level=level,
                assigned_to_id=holder,
                level_started_on=started_on,
                level_deadline=deadline,
                updated_at=now,
            )
    EscalationStep.objects.bulk_create(steps, batch_size=BATCH)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    summary.climbed = len(steps)
    summary.climbed_to = dict(climbed_to)


def _note_breach_changes(
    present: set[tuple[str, str]], open_rows: list[tuple], today: dt.date, summary: SweepSummary
) -> None:
    """Mark open escalations whose breach has gone (kept open), and clear the mark if it comes back."""
    resolved_ids, again_ids = [], []
    for pk, rule_id, subject_key, resolved_on in open_rows:
        is_present = (rule_id, subject_key) in present
        if resolved_on is None and not is_present and rule_id in FINDERS:
            resolved_ids.append(pk)
        elif resolved_on is not None and is_present:
            again_ids.append(pk)
    steps, events = [], []
    for ids, kind, resolved_value, verb in (
        (resolved_ids, StepKind.BREACH_RESOLVED, today, "escalation.breach_resolved"),
        (again_ids, StepKind.BREACH_PRESENT_AGAIN, None, "escalation.breach_present_again"),
    ):
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            Escalation.objects.filter(pk__in=chunk).update(
                breach_resolved_on=resolved_value, updated_at=timezone.now()
            )
            for escalation in Escalation.objects.filter(pk__in=chunk).order_by():
                note = (
                    "The late item is done; the escalation stays open until a response is recorded"
                    if kind == StepKind.BREACH_RESOLVED
                    else "The late item is outstanding again"
                )
                steps.append(_step(escalation, kind, today, note))
                events.append(_audit(verb, escalation, {"on": today.isoformat()}))
    EscalationStep.objects.bulk_create(steps, batch_size=BATCH)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    summary.resolved = len(resolved_ids)
    summary.present_again = len(again_ids)


@transaction.atomic
def escalations_sweep(*, today: dt.date | None = None) -> SweepSummary:
    """Find every breach on `today` and raise, climb and note escalations. Running it again on the same day
    changes nothing; running it while another sweep runs does nothing (`skipped`)."""
    today = today or timezone.localdate()
    summary = SweepSummary(date=today)
    if not job_lock_try(name=SWEEP_LOCK):
        summary.skipped = True
        return summary
    calendar = authority_calendar()
    days = level_working_days()
    breaches = find_breaches(today=today)
    summary.breaches = len(breaches)
    overdue_findings_store(on=today, breaches=breaches)
    by_key: dict[tuple[str, str], Breach] = {}
    for breach in breaches:
        by_key.setdefault((breach.rule_id, breach.subject_key), breach)
    open_rows = list(
        Escalation.objects.filter(closed_at__isnull=True)
        .values_list("pk", "rule_id", "subject_key", "breach_resolved_on")
        .order_by()
    )
    open_keys = {(rule_id, subject_key) for _, rule_id, subject_key, _ in open_rows}
    new_keys = set(by_key) - open_keys
    new_keys -= _recently_closed(new_keys, today, calendar)
    _note_breach_changes(set(by_key), open_rows, today, summary)
    _climb(today, calendar, days, summary)
    if new_keys:
        _raise([by_key[key] for key in sorted(new_keys)], today, calendar, days, summary)
    summary.open = Escalation.objects.filter(closed_at__isnull=True).count()
    return summary


# ---------------------------------------------------------------------------------------------------------------
# People's actions


def can_act_on(user, escalation: Escalation) -> bool:
    """The person it is assigned to, or anyone whose role ranks above its level."""
    if not (user.is_authenticated and user.is_active) or not escalation.is_open:
        return False
    if escalation.assigned_to_id is not None and escalation.assigned_to_id == user.pk:
        return True
    rank = ROLE_RANK.get(user.role)
    if rank is None:
        return False
    if escalation.assigned_to_id is None:
        return rank >= LEVEL_RANK[escalation.level]
    return rank > LEVEL_RANK[escalation.level]


@transaction.atomic
def escalation_acknowledge(*, actor, escalation: Escalation) -> Escalation:
    """Acknowledge: the escalation stops climbing but stays open until a response is recorded."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if not escalation.is_open:
        raise ValidationError("This escalation is already closed")
    if not can_act_on(actor, escalation):
        raise PermissionDenied(
            "Only the person holding this escalation, or someone above them, can acknowledge it"
        )
    if escalation.is_acknowledged:
        raise ValidationError("This escalation has already been acknowledged")
    escalation.acknowledged_at = timezone.now()
    escalation.acknowledged_by = actor
    escalation.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    EscalationStep.objects.create(
        escalation=escalation,
        kind=StepKind.ACKNOWLEDGED,
        level=escalation.level,
        assigned_to_id=escalation.assigned_to_id,
        actor=actor,
        on=timezone.localdate(),
    )
    audit_event_record(
        actor=actor,
        verb="escalation.acknowledged",
        target=escalation,
        child=escalation.child,
        payload={"level": escalation.level},
    )
    return escalation


@transaction.atomic
def escalation_close(*, actor, escalation: Escalation, response: str) -> Escalation:
    """Close with a recorded response: what was done, and by whom. Never without one."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if not escalation.is_open:
        raise ValidationError("This escalation is already closed")
    if not can_act_on(actor, escalation):
        raise PermissionDenied("Only the person holding this escalation, or someone above them, can close it")
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": "Enter what was done about it and by whom"})
    now = timezone.now()
    update_fields = ["closed_at", "closed_by", "response", "updated_at"]
    if not escalation.is_acknowledged:
        escalation.acknowledged_at, escalation.acknowledged_by = now, actor
        update_fields += ["acknowledged_at", "acknowledged_by"]
    escalation.closed_at, escalation.closed_by, escalation.response = now, actor, response
    escalation.save(update_fields=update_fields)
    EscalationStep.objects.create(
        escalation=escalation,
        kind=StepKind.CLOSED,
        level=escalation.level,
        assigned_to_id=escalation.assigned_to_id,
        actor=actor,
        on=timezone.localdate(),
        note=response,
    )
    audit_event_record(
        actor=actor,
        verb="escalation.closed",
        target=escalation,
        child=escalation.child,
        payload={"level": escalation.level, "breach_resolved": escalation.breach_resolved_on is not None},
    )
    return escalation
