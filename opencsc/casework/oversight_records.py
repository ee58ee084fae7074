"""Management oversight: manager sign-offs and supervision recorded against each child discussed, and the
children with open statutory work whom no manager has looked at lately.

Definitions:

- A *manager sign-off* is a final case note of type `management_oversight` written by a team manager, head of
  service or director about the child.
- A *supervision record* is a final case note of type `supervision` written by one of those managers; it is
  linked to every child discussed (the note's children), so one note covers a worker's whole supervision.
- A child *lacks management oversight in the last N working days* if they have open statutory work
  (`casework.statutory.has_open_statutory_work`) and their latest sign-off or supervision note is dated more
  than N working days before today (working days after the note's date up to and including today), or they
  have none. The author's role is read as it is now.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from opencsc.accounts.models import Role, User
from opencsc.casework.models import Allocation, CaseNote, NoteStatus, NoteType
from opencsc.casework.services import note_finalise, note_save_draft
from opencsc.casework.statutory import OPEN_WORK_KINDS, statutory_work_started
from opencsc.casework.work import (
    LISTED_CHILDREN_LIMIT,
    ClockContext,
    service_children,
    team_children,
    visible_children,
)
from opencsc.people.models import Child

OVERSIGHT_ROLES = (Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR)
SERVICE_WIDE_OVERSIGHT_ROLES = (Role.HEAD_OF_SERVICE, Role.DIRECTOR)
OVERSIGHT_NOTE_TYPES = (NoteType.SUPERVISION, NoteType.MANAGEMENT_OVERSIGHT)
DEFAULT_OVERSIGHT_DAYS = 20
MAX_OVERSIGHT_DAYS = 260


def _oversight_links() -> QuerySet:
    """Links between final manager oversight notes and their children, latest first."""
    return CaseNote.children.through.objects.filter(
        casenote__status=NoteStatus.FINAL,
        casenote__note_type__in=OVERSIGHT_NOTE_TYPES,
        casenote__author__role__in=OVERSIGHT_ROLES,
    ).order_by("-casenote__event_on", "-casenote_id")


def _open_statutory_work() -> Q:
    """The same children as statutory.has_open_statutory_work (the same registry of open work kinds), written
    as IN-subqueries, which a database answers far faster than one EXISTS per child over a whole authority."""
    condition = Q(pk__in=[])
    for kind in OPEN_WORK_KINDS:
        if kind.is_statutory:
            condition |= Q(pk__in=kind.open_records().order_by().values("child_id"))
    return condition


def oversight_scope(user, *, team=None) -> QuerySet[Child]:
    """The children whose oversight `user` answers for: a team manager's team; everyone (or one team) for a
    head of service or director. Always within what the user may see."""
    if user.role == Role.TEAM_MANAGER:
        if user.team_id is None:
            return Child.objects.none()
        return team_children(user, user.team)
    if user.role in SERVICE_WIDE_OVERSIGHT_ROLES:
        if team is not None:
            return team_children(user, team)
        return service_children(user).queryset()
    return Child.objects.none()


@dataclass(frozen=True)
class Lacking:
    child_id: int
    last_on: dt.date | None


def children_lacking_oversight(user, ctx: ClockContext, *, days: int, team=None) -> list[Lacking]:
    """Children with open statutory work and no oversight note within the last `days` working days, those
    never overseen first, then the longest since. Two queries: the children, and each one's latest oversight
    date by aggregate."""
    since = ctx.date_working_days_before_today(days)
    candidates = oversight_scope(user, team=team).filter(_open_statutory_work()).order_by().values("pk")
    ids = list(candidates.values_list("pk", flat=True))
    # A team's children are looked up by list (through the index); a whole service's by the same subquery.
    children = Q(child_id__in=ids) if len(ids) <= LISTED_CHILDREN_LIMIT else Q(child_id__in=candidates)
    latest = dict(
        _oversight_links()
        .order_by()
        .filter(children)
        .values("child_id")
        .annotate(last_on=Max("casenote__event_on"))
        .values_list("child_id", "last_on")
    )
    lacking = [
        Lacking(child_id, latest.get(child_id))
        for child_id in ids
        if latest.get(child_id) is None or latest[child_id] < since
    ]
    lacking.sort(key=lambda row: (row.last_on is not None, row.last_on or dt.date.min, row.child_id))
    return lacking


@dataclass
class OversightRow:
    child: Child
    last_on: dt.date | None
    last_note: CaseNote | None
    working_days_since: int | None
    work_started_on: dt.date | None
    worker: User | None
    team: object | None


def describe_rows(lacking: list[Lacking], ctx: ClockContext) -> list[OversightRow]:
    """The child, who last gave oversight, the worker and team, and when the open work began, for one page."""
    ids = [row.child_id for row in lacking]
    children = Child.objects.filter(pk__in=ids).select_related("responsible_team").in_bulk()
    notes: dict[int, CaseNote] = {}
    for link in _oversight_links().filter(child_id__in=ids).select_related("casenote__author"):
        notes.setdefault(link.child_id, link.casenote)
    allocations = {
        allocation.child_id: allocation
        for allocation in Allocation.objects.filter(child_id__in=ids, ended_on__isnull=True)
        .select_related("worker", "team")
        .order_by()
    }
    started = statutory_work_started(ids)
    rows = []
    for row in lacking:
        child, allocation = children[row.child_id], allocations.get(row.child_id)
        rows.append(
            OversightRow(
                child=child,
                last_on=row.last_on,
                last_note=notes.get(row.child_id),
                working_days_since=ctx.working_days_between(row.last_on, ctx.today) if row.last_on else None,
                work_started_on=started.get(row.child_id),
                worker=allocation.worker if allocation else None,
                team=allocation.team if allocation else child.responsible_team,
            )
        )
    return rows


def supervision_candidates(user, worker) -> list[Child]:
    """The worker's allocated children that the manager may record a note about."""
    from opencsc.accounts.access import can_change_child

    allocated = Allocation.objects.filter(worker=worker, ended_on__isnull=True).values("child_id")
    children = visible_children(user).filter(pk__in=allocated).order_by("last_name", "first_name", "pk")
    return [child for child in children if can_change_child(user, child)]


@transaction.atomic
def oversight_note_record(
    *,
    actor,
    children: list[Child],
    event_on: dt.date,
    title: str,
    body: str,
    note_type: str = NoteType.SUPERVISION,
) -> CaseNote:
    """Record one final supervision or sign-off note about several children (every child discussed)."""
    if actor.role not in OVERSIGHT_ROLES:
        raise PermissionDenied("Only team managers, heads of service and the director record oversight")
    if note_type not in OVERSIGHT_NOTE_TYPES:
        raise PermissionDenied("Only supervision and management oversight notes are recorded here")
    fields = {"note_type": note_type, "title": title, "body": body, "event_on": event_on}
    note = note_save_draft(actor=actor, children=children, **fields)
    return note_finalise(actor=actor, note=note, children=children, expected_version=note.version, **fields)
