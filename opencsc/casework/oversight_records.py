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
from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from opencsc.accounts.models import Role, User
from opencsc.casework.models import Allocation, CaseNote, NoteStatus, NoteType
from opencsc.casework.services import note_finalise, note_save_draft
from opencsc.casework.statutory import has_open_statutory_work, statutory_work_started
from opencsc.casework.work import ClockContext, team_children, visible_children
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


def with_last_oversight(children: QuerySet[Child]) -> QuerySet[Child]:
    latest = _oversight_links().filter(child_id=OuterRef("pk"))
    return children.annotate(
        last_oversight_on=Subquery(latest.values("casenote__event_on")[:1]),
        last_oversight_note_id=Subquery(latest.values("casenote_id")[:1]),
    )


def oversight_scope(user, *, team=None) -> QuerySet[Child]:
    """The children whose oversight `user` answers for: a team manager's team; everyone (or one team) for a
    head of service or director. Always within what the user may see."""
    if user.role == Role.TEAM_MANAGER:
        if user.team_id is None:
            return Child.objects.none()
        return team_children(user, user.team)
    if user.role in SERVICE_WIDE_OVERSIGHT_ROLES:
        return team_children(user, team) if team is not None else visible_children(user)
    return Child.objects.none()


def children_lacking_oversight(user, ctx: ClockContext, *, days: int, team=None) -> QuerySet[Child]:
    """Children with open statutory work and no oversight note within the last `days` working days, those
    never overseen first, then the longest since."""
    since = ctx.date_working_days_before_today(days)
    return (
        with_last_oversight(oversight_scope(user, team=team).filter(has_open_statutory_work()))
        .filter(Q(last_oversight_on__isnull=True) | Q(last_oversight_on__lt=since))
        .order_by(F("last_oversight_on").asc(nulls_first=True), "last_name", "first_name", "pk")
    )


@dataclass
class OversightRow:
    child: Child
    last_on: dt.date | None
    last_note: CaseNote | None
    working_days_since: int | None
    work_started_on: dt.date | None
    worker: User | None
    team: object | None


def describe_rows(children: list[Child], ctx: ClockContext) -> list[OversightRow]:
    """Who last gave oversight, the worker and team, and when the open work began, for one page of children."""
    ids = [child.pk for child in children]
    notes = CaseNote.objects.filter(pk__in=[c.last_oversight_note_id for c in children]).select_related(
        "author"
    )
    notes = {note.pk: note for note in notes}
    allocations = {
        allocation.child_id: allocation
        for allocation in Allocation.objects.filter(child_id__in=ids, ended_on__isnull=True)
        .select_related("worker", "team")
        .order_by()
    }
    started = statutory_work_started(ids)
    rows = []
    for child in children:
        allocation = allocations.get(child.pk)
        last_on = child.last_oversight_on
        rows.append(
            OversightRow(
                child=child,
                last_on=last_on,
                last_note=notes.get(child.last_oversight_note_id),
                working_days_since=ctx.working_days_between(last_on, ctx.today) if last_on else None,
                work_started_on=started.get(child.pk),
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
