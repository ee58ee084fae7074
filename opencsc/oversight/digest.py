"""The daily digest: escalations at the director's and the chief executive's level, grouped by clock and team.

A director or chief executive does not answer escalations one by one. What waits at their level is shown once a
day as one line per clock and team (say "Child protection visit, Assessment North: 14"), with the children behind
the line, how many arrived on today's sweep and how many the team has already acknowledged; they answer each line
once, with what will be done, and the answer is recorded on every escalation in it
(`digest_services.escalation_group_answer`).

Which escalations: the open ones at the leader's level that are assigned to them, or to no one (a level nobody
held when they climbed). Acknowledged ones stay until answered: acknowledging stops the climb, only an answer
closes.

The children behind a line are named (with a link to the record) only where the leader may open the record; the
rest are counted, never named ("2 not named: records you may not open"). The page logs a "listed" row for each
child it names.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import reverse

from opencsc.accounts.access import child_visibility_filter
from opencsc.accounts.models import Role, Team
from opencsc.oversight.models import (
    ActionStatus,
    Escalation,
    EscalationStep,
    ImprovementAction,
    Level,
    StepKind,
)
from opencsc.oversight.selectors import rule_name
from opencsc.people.models import Child

DIGEST_LEVEL_OF_ROLE = {Role.DIRECTOR: Level.DIRECTOR, Role.CHIEF_EXECUTIVE: Level.CHIEF_EXECUTIVE}


def digest_level(user) -> str | None:
    """The level whose escalations reach this user as a digest, or None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    return DIGEST_LEVEL_OF_ROLE.get(user.role)


def can_view_digest(user) -> bool:
    return digest_level(user) is not None


def group_key(rule_id: str, team_id: int | None) -> str:
    """How a line is named in a form: the clock and the team ("cp_visit:12", "contact_decision:none")."""
    return f"{rule_id}:{team_id if team_id is not None else 'none'}"


def form_prefix(rule_id: str, team_id: int | None) -> str:
    """The prefix of the line's answer form, safe in an HTML id."""
    return f"line-{rule_id}-{team_id if team_id is not None else 'none'}"


def parse_group_key(key: str) -> tuple[str, int | None] | None:
    rule_id, _, team = (key or "").partition(":")
    if not rule_id or not team:
        return None
    if team == "none":
        return rule_id, None
    return (rule_id, int(team)) if team.isdigit() else None


def digest_escalations(user, level: str) -> QuerySet[Escalation]:
    """Open escalations at `level` waiting for this user: assigned to them, or to no one."""
    return Escalation.objects.filter(
        Q(assigned_to=user) | Q(assigned_to__isnull=True), closed_at__isnull=True, level=level
    )


@dataclass
class DigestGroup:
    rule_id: str
    rule_name: str
    team_id: int | None
    team_name: str
    escalation_ids: list[int] = field(default_factory=list)
    arrived_today: int = 0
    acknowledged: int = 0
    late_item_done: int = 0
    oldest_due_on: dt.date | None = None
    named: list[tuple[int, str]] = field(default_factory=list)  # (child id, name) the user may open
    not_named: int = 0  # children the user may not open: counted, never named
    no_child: int = 0  # undecided contacts with no child matched yet

    @property
    def key(self) -> str:
        return group_key(self.rule_id, self.team_id)

    @property
    def form_prefix(self) -> str:
        return form_prefix(self.rule_id, self.team_id)

    @property
    def count(self) -> int:
        return len(self.escalation_ids)

    @property
    def ids_text(self) -> str:
        return ",".join(str(pk) for pk in self.escalation_ids)


@dataclass
class Digest:
    level: str
    day: dt.date
    groups: list[DigestGroup]

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def arrived_today(self) -> int:
        return sum(group.arrived_today for group in self.groups)

    @property
    def named_child_ids(self) -> list[int]:
        return sorted({child_id for group in self.groups for child_id, _ in group.named})


def _arrived_on(escalation_ids: list[int], level: str, day: dt.date) -> set[int]:
    """The escalations that reached `level` on the sweep of `day` (raised straight to it, or climbed to it)."""
    return set(
        EscalationStep.objects.filter(
            escalation_id__in=escalation_ids,
            kind__in=[StepKind.RAISED, StepKind.CLIMBED],
            level=level,
            on=day,
        )
        .values_list("escalation_id", flat=True)
        .distinct()
    )


def _names_the_user_may_see(user, child_ids: set[int]) -> dict[int, str]:
    rows = Child.objects.filter(child_visibility_filter(user), pk__in=child_ids).values_list(
        "pk", "first_name", "last_name"
    )
    return {pk: f"{first} {last}" for pk, first, last in rows}


def digest_for(*, user, day: dt.date) -> Digest | None:
    """The user's digest for the day: one group per clock and team, the largest first. None for a role that
    has no digest."""
    level = digest_level(user)
    if level is None:
        return None
    rows = list(
        digest_escalations(user, level)
        .order_by("due_on", "pk")
        .values_list(
            "pk", "rule_id", "team_id", "child_id", "due_on", "acknowledged_at", "breach_resolved_on"
        )
    )
    arrived = _arrived_on([row[0] for row in rows], level, day)
    names = _names_the_user_may_see(user, {row[3] for row in rows if row[3] is not None})
    teams = dict(Team.objects.filter(pk__in={row[2] for row in rows}).values_list("pk", "name"))
    groups: dict[tuple[str, int | None], DigestGroup] = {}
    seen_children: dict[tuple[str, int | None], set[int]] = {}
    for pk, rule_id, team_id, child_id, due_on, acknowledged_at, resolved_on in rows:
        group = groups.get((rule_id, team_id))
        if group is None:
            group = groups[(rule_id, team_id)] = DigestGroup(
                rule_id=rule_id,
                rule_name=rule_name(rule_id),
                team_id=team_id,
                team_name=teams.get(team_id, "No team"),
                oldest_due_on=due_on,
            )
        group.escalation_ids.append(pk)
        group.arrived_today += pk in arrived
        group.acknowledged += acknowledged_at is not None
        group.late_item_done += resolved_on is not None
        _add_child(group, seen_children.setdefault((rule_id, team_id), set()), child_id, names)
    for group in groups.values():
        group.named.sort(key=lambda item: item[1])
    ordered = sorted(groups.values(), key=lambda g: (-g.count, g.rule_name, g.team_name))
    return Digest(level=level, day=day, groups=ordered)


def _add_child(group: DigestGroup, seen: set[int], child_id: int | None, names: dict[int, str]) -> None:
    """Each child once per line (a child can be late on one clock for two plans)."""
    if child_id is None:
        group.no_child += 1
        return
    if child_id in seen:
        return
    seen.add(child_id)
    if child_id in names:
        group.named.append((child_id, names[child_id]))
    else:
        group.not_named += 1


# ---------------------------------------------------------------------------------------------------------------
# What waits for each leader, for the home page


@dataclass(frozen=True)
class WaitingItem:
    """One line at the top of a leader's home page: a count, what it is, where to answer it."""

    count: int
    text: str
    href: str
    detail: str = ""
    name: str = ""  # a stable name for tests and the page's data-testid


def escalations_held(user) -> tuple[int, int]:
    """Open escalations assigned to the user, and how many of them are not yet acknowledged."""
    held = Escalation.objects.filter(assigned_to=user, closed_at__isnull=True)
    return held.count(), held.filter(acknowledged_at__isnull=True).count()


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _escalation_items(user, day: dt.date) -> list[WaitingItem]:
    digest = digest_for(user=user, day=day)
    if digest is not None:
        groups = len(digest.groups)
        return [
            WaitingItem(
                count=digest.total,
                text=f"{_plural(digest.total, 'escalation', 'escalations')} waiting for your answer, in "
                f"{groups} {_plural(groups, 'line', 'lines')} by timescale and team",
                href=reverse("oversight:digest"),
                detail=f"{digest.arrived_today} arrived on today's sweep",
                name="escalation-digest",
            )
        ]
    if user.role not in (Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE):
        return []
    held, unacknowledged = escalations_held(user)
    return [
        WaitingItem(
            count=held,
            text=f"{_plural(held, 'escalation', 'escalations')} held by you",
            href=reverse("oversight:escalations"),
            detail=f"{unacknowledged} not yet acknowledged",
            name="escalations-held",
        )
    ]


def _senior_items() -> list[WaitingItem]:
    """For the improvement board: what the director and chief executive have not yet answered."""
    waiting = Escalation.objects.filter(
        closed_at__isnull=True, level__in=[Level.DIRECTOR, Level.CHIEF_EXECUTIVE]
    ).count()
    return [
        WaitingItem(
            count=waiting,
            text=f"{_plural(waiting, 'escalation', 'escalations')} at the director or chief executive "
            "not yet answered",
            href=reverse("board:pack") + "#escalations",
            detail="By level, answered and waiting, in the board pack",
            name="senior-escalations",
        )
    ]


def _action_items(user, day: dt.date) -> list[WaitingItem]:
    """Improvement plan actions the user owns that are not complete; for the board, those off track."""
    if user.role == Role.IMPROVEMENT_BOARD:
        actions = ImprovementAction.objects.filter(status__in=[ActionStatus.AT_RISK, ActionStatus.OFF_TRACK])
        text = "improvement plan {} at risk or off track"
    else:
        actions = ImprovementAction.objects.filter(owner=user).exclude(status=ActionStatus.COMPLETE)
        text = "improvement plan {} you own, not complete"
    count = actions.count()
    if not count:
        return []
    overdue = actions.filter(due_on__lt=day).exclude(status=ActionStatus.COMPLETE).count()
    return [
        WaitingItem(
            count=count,
            text=text.format(_plural(count, "action", "actions")),
            href=reverse("oversight:plan"),
            detail=f"{overdue} past the due date",
            name="improvement-actions",
        )
    ]


LEADER_ROLES = (
    Role.TEAM_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.DIRECTOR,
    Role.CHIEF_EXECUTIVE,
    Role.IMPROVEMENT_BOARD,
)


def waiting_for(*, user, day: dt.date) -> list[WaitingItem]:
    """What waits for a leader, for the top of their home page: escalations to answer (as a digest for the
    director and the chief executive), and improvement plan actions. Empty for everyone else."""
    if not (user and user.is_authenticated and user.is_active) or user.role not in LEADER_ROLES:
        return []
    items = _senior_items() if user.role == Role.IMPROVEMENT_BOARD else _escalation_items(user, day)
    return items + _action_items(user, day)
