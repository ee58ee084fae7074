import re

from django.db.models import Prefetch, QuerySet

from opencsc.casework.models import Allocation, CaseNote, ChronologyEntry, NoteStatus
from opencsc.people.models import Child


def my_allocated_children(*, user, limit: int = 200) -> list[Child]:
    return list(
        Child.objects.filter(allocations__worker=user, allocations__ended_on__isnull=True).order_by(
            "last_name_key", "first_name_key"
        )[:limit]
    )


def current_allocation(child: Child) -> Allocation | None:
    return child.allocations.filter(ended_on__isnull=True).select_related("worker", "team").first()


def allocation_history(child: Child) -> QuerySet[Allocation]:
    return child.allocations.select_related("worker", "team").order_by("started_on", "id")


def drafts_for(*, user) -> QuerySet[CaseNote]:
    return CaseNote.objects.filter(author=user, status=NoteStatus.DRAFT).prefetch_related("children")


def notes_for_child(child: Child, *, user) -> QuerySet[CaseNote]:
    """Final notes about the child, plus the user's own drafts (other people's drafts are private)."""
    from django.db.models import Q

    return (
        CaseNote.objects.filter(children=child)
        .filter(Q(status=NoteStatus.FINAL) | Q(author=user))
        .select_related("author")
        .prefetch_related(Prefetch("children", queryset=Child.objects.only("id", "first_name", "last_name")))
        .order_by("-event_on", "-id")
    )


def chronology_for(child: Child, *, significant_only: bool = False) -> QuerySet[ChronologyEntry]:
    entries = child.chronology.select_related("recorded_by")
    return entries.filter(is_significant=True) if significant_only else entries


NOTE_SHARED_WITH_RESTRICTED = "This note is also about a restricted record, so it cannot be shown to you"


def notes_shown_to(notes, *, user, path: str) -> list[CaseNote]:
    """The notes, each marked `withheld` if it is also about a child the user may not open: such a note is
    listed as one about a restricted record, without its title, and the refusal is logged against that child."""
    from opencsc.people.selectors import child_ids_user_may_open, log_children_named

    notes = list(notes)
    child_ids = {child.pk for note in notes for child in note.children.all()}
    may_open = child_ids_user_may_open(user, child_ids)
    for note in notes:
        note.withheld = any(child.pk not in may_open for child in note.children.all())
        note.shown_children = [child for child in note.children.all() if child.pk in may_open]
    log_children_named(user=user, shown_ids=[], withheld_ids=child_ids - may_open, path=path)
    return notes


NOTE_SOURCE_KEY = re.compile(r"^note-(\d+)$")


def chronology_shown_to(entries, *, user, path: str) -> list[ChronologyEntry]:
    """The entries, each written from a case note also about a child the user may not open marked `withheld`
    (its summary carries the note's title), and the refusal logged against that child."""
    from opencsc.people.selectors import child_ids_user_may_open, log_children_named

    entries = list(entries)
    note_ids = {
        int(match.group(1)) for entry in entries if (match := NOTE_SOURCE_KEY.match(entry.source_key or ""))
    }
    links = list(
        CaseNote.children.through.objects.filter(casenote_id__in=note_ids).values_list(
            "casenote_id", "child_id"
        )
    )
    may_open = child_ids_user_may_open(user, [child_id for _, child_id in links])
    hiding = {note_id for note_id, child_id in links if child_id not in may_open}
    for entry in entries:
        match = NOTE_SOURCE_KEY.match(entry.source_key or "")
        entry.withheld = bool(match) and int(match.group(1)) in hiding
    withheld = {child_id for _, child_id in links if child_id not in may_open}
    log_children_named(user=user, shown_ids=[], withheld_ids=withheld, path=path)
    return entries


def note_get_for(*, user, note_id: int, path: str, change: bool = False) -> CaseNote:
    """A note the user may read: a draft only by its author; a final note by anyone who can see every one of
    its children (a note shared with a child the user may not open is refused). With `change=True` the user must also be able to change every child's record. Each child's
    record access (or refusal) is logged."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from opencsc.accounts.access import can_change_child, can_view_child
    from opencsc.audit.models import AccessKind
    from opencsc.audit.services import record_access_log

    note = CaseNote.objects.select_related("author").filter(pk=note_id).first()
    if note is None:
        raise Http404("No note with that ID")
    children = list(note.children.all())
    visible = [child for child in children if can_view_child(user, child)]
    if not visible or (not note.is_final and note.author_id != user.pk):
        for child in children:
            record_access_log(user=user, child=child, kind=AccessKind.REFUSED, path=path)
        raise PermissionDenied("You do not have access to this note")
    if len(visible) < len(children):
        # One text about several children: reading it would show the others' names and words.
        for child in children:
            if child not in visible:
                record_access_log(user=user, child=child, kind=AccessKind.REFUSED, path=path)
        raise PermissionDenied(NOTE_SHARED_WITH_RESTRICTED)
    if change and not all(can_change_child(user, child) for child in children):
        for child in visible:
            record_access_log(user=user, child=child, kind=AccessKind.REFUSED, path=path)
        raise PermissionDenied("You can read this note but not change it")
    for child in visible:
        record_access_log(user=user, child=child, kind=AccessKind.VIEW, path=path)
    note.visible_children = visible
    return note


def sibling_choices(*, user, child: Child) -> list[Child]:
    """The child and the brothers and sisters the user may record against."""
    from opencsc.accounts.access import can_change_child
    from opencsc.people.models import SIBLING_TYPES

    siblings = (
        Child.objects.filter(related_to__child=child, related_to__kind__in=SIBLING_TYPES)
        .distinct()
        .order_by("date_of_birth")
    )
    return [child, *[sibling for sibling in siblings if can_change_child(user, sibling)]]
