"""Reads for escalations, and who may see what.

- The whole chain (every open escalation, its level, age, holder and history) is for the head of service, the
  director, the chief executive and the improvement board.
- Anyone sees the escalations assigned to them and may open one they hold or held; a team manager may open their
  team's; a social worker sees the escalations about children allocated to them.
- A child is named (with a link to the record) only to someone who may see the child's record; everyone else, and
  the improvement board always, sees "a child in <team>".
"""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from opencsc.accounts.access import child_visibility_filter
from opencsc.accounts.models import Role, Team
from opencsc.casework.models import Allocation
from opencsc.core.clocks import RULES
from opencsc.oversight.models import LEVEL_ORDER, Escalation, EscalationStep, Level
from opencsc.oversight.services import can_act_on
from opencsc.people.models import Child

CHAIN_ROLES = {Role.HEAD_OF_SERVICE, Role.DIRECTOR, Role.CHIEF_EXECUTIVE, Role.IMPROVEMENT_BOARD}
PAGE_SIZE = 50


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_chain(user) -> bool:
    return _active(user) and user.role in CHAIN_ROLES


def names_hidden(user) -> bool:
    return user.role == Role.IMPROVEMENT_BOARD


def _allocated_children(user) -> QuerySet:
    return Allocation.objects.filter(worker=user, ended_on__isnull=True).values("child_id")


def can_view_escalation(user, escalation: Escalation) -> bool:
    if not _active(user):
        return False
    if user.role in CHAIN_ROLES or escalation.assigned_to_id == user.pk:
        return True
    if escalation.steps.filter(assigned_to=user).exists():
        return True
    if user.role == Role.TEAM_MANAGER and user.team_id and escalation.team_id == user.team_id:
        return True
    return bool(
        escalation.child_id is not None
        and Allocation.objects.filter(
            worker=user, ended_on__isnull=True, child_id=escalation.child_id
        ).exists()
    )


def escalations_mine(user) -> QuerySet[Escalation]:
    """Open escalations assigned to the user, and for a social worker those about their allocated children."""
    if not _active(user):
        return Escalation.objects.none()
    condition = Q(assigned_to=user)
    if user.role == Role.SOCIAL_WORKER:
        condition |= Q(child_id__in=_allocated_children(user))
    return Escalation.objects.filter(condition, closed_at__isnull=True).order_by("raised_on", "id")


def escalation_chain(
    *, level: str = "", rule_id: str = "", team_id: int | None = None, status: str = "open"
) -> QuerySet[Escalation]:
    """Escalations (open, or closed) with optional filters, oldest first."""
    escalations = Escalation.objects.filter(closed_at__isnull=(status != "closed"))
    if level:
        escalations = escalations.filter(level=level)
    if rule_id:
        escalations = escalations.filter(rule_id=rule_id)
    if team_id:
        escalations = escalations.filter(team_id=team_id)
    if status == "closed":
        return escalations.order_by("-closed_at", "-id")
    return escalations.order_by("raised_on", "id")


def chain_counts() -> dict[str, int]:
    """Open escalations at each level, and how many of them are unacknowledged."""
    rows = (
        Escalation.objects.filter(closed_at__isnull=True)
        .values("level")
        .annotate(n=Count("id"), waiting=Count("id", filter=Q(acknowledged_at__isnull=True)))
        .order_by()
    )
    found = {row["level"]: row for row in rows}
    return {
        level: {
            "label": Level(level).label,
            "open": found.get(level, {}).get("n", 0),
            "unacknowledged": found.get(level, {}).get("waiting", 0),
        }
        for level in LEVEL_ORDER
    }


def filter_choices() -> dict:
    rule_ids = sorted(set(Escalation.objects.values_list("rule_id", flat=True).distinct().order_by()))
    team_ids = set(Escalation.objects.filter(team__isnull=False).values_list("team_id", flat=True).distinct())
    return {
        "levels": [(level.value, level.label) for level in LEVEL_ORDER],
        "rules": [(rule_id, rule_name(rule_id)) for rule_id in rule_ids],
        "teams": list(Team.objects.filter(pk__in=team_ids).order_by("name").values_list("pk", "name")),
    }


def rule_name(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return rule.name if rule else rule_id


@dataclass
class EscalationRow:
    escalation: Escalation
    rule_name: str
    child_label: str
    child_id: int | None  # set only when the user may open the child's record
    age_days: int
    can_act: bool
    steps: list

    @property
    def level_label(self) -> str:
        return Level(self.escalation.level).label


def _child_labels(user, escalations: list[Escalation]) -> dict[int, tuple[str, bool]]:
    ids = {e.child_id for e in escalations if e.child_id is not None}
    if not ids or names_hidden(user):
        return {}
    visible = Child.objects.filter(child_visibility_filter(user), pk__in=ids).values_list(
        "pk", "first_name", "last_name"
    )
    return {pk: f"{first} {last}" for pk, first, last in visible}


def _anonymous_label(escalation: Escalation) -> str:
    if escalation.child_id is None:
        return "No child matched yet" + (f" ({escalation.team.name})" if escalation.team else "")
    return f"A child in {escalation.team.name}" if escalation.team else "A child with no team"


def escalation_rows(user, escalations, *, today: dt.date, with_steps: bool = True) -> list[EscalationRow]:
    """Rows for a page of escalations: the child named only where the user may see the record."""
    queryset = escalations.select_related("team", "assigned_to", "acknowledged_by", "closed_by")
    if with_steps:
        queryset = queryset.prefetch_related(
            Prefetch("steps", queryset=EscalationStep.objects.select_related("assigned_to", "actor"))
        )
    escalations = list(queryset)
    names = _child_labels(user, escalations)
    rows = []
    for escalation in escalations:
        name = names.get(escalation.child_id)
        rows.append(
            EscalationRow(
                escalation=escalation,
                rule_name=rule_name(escalation.rule_id),
                child_label=name or _anonymous_label(escalation),
                child_id=escalation.child_id if name else None,
                age_days=(today - escalation.raised_on).days,
                can_act=can_act_on(user, escalation),
                steps=list(escalation.steps.all()) if with_steps else [],
            )
        )
    return rows


def paginate(queryset: QuerySet, page_number) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(page_number)
