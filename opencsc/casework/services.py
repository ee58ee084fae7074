"""Writes for allocation and case notes."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.accounts.models import Role
from opencsc.audit.changes import record_change
from opencsc.audit.services import audit_event_record
from opencsc.casework import chronology_lines as lines
from opencsc.casework.caseload import ALLOCATABLE_ROLES
from opencsc.casework.models import (
    Allocation,
    CaseNote,
    CaseNoteAmendment,
    NoteStatus,
    NoteType,
)
from opencsc.core.errors import ConcurrentEditError
from opencsc.core.event_dates import check_possible_date, require_possible_date
from opencsc.core.text_limits import NOTE_MAX_CHARACTERS, too_long

ALLOCATING_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR}
NOTE_CONTENT_FIELDS = (
    "note_type",
    "title",
    "body",
    "event_on",
    "event_time",
    "child_seen",
    "child_seen_alone",
    "bedroom_seen",
    "not_seen_alone_reason",
    "is_significant",
)
SEEN_FIELDS = ("child_seen", "child_seen_alone", "bedroom_seen")


@transaction.atomic
def allocation_create(*, actor, child, worker, started_on: dt.date, reason: str = "") -> Allocation:
    """Allocate a child to a worker, ending any current allocation the day before."""
    if actor.role not in ALLOCATING_ROLES:
        raise PermissionDenied("Only managers can allocate work")
    if worker.team_id is None:
        raise ValidationError({"worker": "The worker must belong to a team"})
    if worker.role not in ALLOCATABLE_ROLES:
        raise ValidationError(
            {"worker": f"{worker.display_name} is not a social worker: only social workers hold cases"}
        )
    require_possible_date(started_on, child=child, field="started_on", label="The date the allocation starts")
    current = child.allocations.filter(ended_on__isnull=True).first()
    if current:
        if current.worker_id == worker.pk:
            raise ValidationError({"worker": f"{child} is already allocated to {worker.display_name}"})
        if not reason:
            raise ValidationError({"reason": "Enter the reason for reallocating"})
        current.ended_on = max(started_on, current.started_on)
        current.end_reason = reason
        current.save(update_fields=["ended_on", "end_reason", "updated_at"])
    allocation = Allocation.objects.create(
        child=child, worker=worker, team=worker.team, started_on=started_on
    )
    child.responsible_team = worker.team
    child.save(update_fields=["responsible_team", "updated_at"])
    record_change(
        actor=actor,
        verb="allocation.created",
        target=allocation,
        child=child,
        payload={"worker": worker.username},
        chronology=lines.allocated(allocation),
    )
    return allocation


def _check_note(*, children, fields: dict, finalising: bool) -> None:
    errors: dict[str, str] = {}
    if not children:
        errors["children"] = "Choose at least one child the note is about"
    for child in children:
        check_possible_date(
            errors, fields.get("event_on"), child=child, field="event_on", label="The date of the event"
        )
    if finalising:
        for required, message in (
            ("title", "Enter a title"),
            ("body", "Enter what happened"),
            ("event_on", "Enter the date of the event"),
        ):
            if not fields.get(required):
                errors.setdefault(required, message)
        if fields.get("note_type") == NoteType.VISIT and fields.get("child_seen") is None:
            errors["child_seen"] = "Say whether the child was seen"
    body = fields.get("body") or ""
    if len(body) > NOTE_MAX_CHARACTERS:
        errors["body"] = too_long("a note", NOTE_MAX_CHARACTERS, len(body))
    if fields.get("child_seen") is False and (fields.get("child_seen_alone") or fields.get("bedroom_seen")):
        errors["child_seen_alone"] = "A child who was not seen cannot have been seen alone"
    seen_but_not_alone = fields.get("child_seen") and fields.get("child_seen_alone") is False
    if finalising and seen_but_not_alone and not fields.get("not_seen_alone_reason"):
        errors["not_seen_alone_reason"] = "Enter why the child was not seen alone"
    if errors:
        raise ValidationError(errors)


def _require_children_access(actor, children) -> None:
    for child in children:
        if not can_change_child(actor, child):
            raise PermissionDenied(f"You cannot record notes for {child}")


def _note_snapshot(note: CaseNote) -> dict:
    return {field: _json_value(getattr(note, field)) for field in NOTE_CONTENT_FIELDS}


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date | dt.time) else value


def _apply_fields(note: CaseNote, fields: dict) -> None:
    for field in NOTE_CONTENT_FIELDS:
        if field in fields:
            value = fields[field]
            if field == "event_on" and value is None:
                continue  # a draft with the date left blank keeps the date it has (today when new)
            setattr(
                note,
                field,
                "" if value is None and field in ("title", "body", "not_seen_alone_reason") else value,
            )
    if note.note_type != NoteType.VISIT:
        for field in SEEN_FIELDS:
            setattr(note, field, None)


@transaction.atomic
def note_save_draft(
    *, actor, children, note: CaseNote | None = None, expected_version: int | None = None, **fields
) -> CaseNote:
    """Create or update a draft. Called by autosave, so it accepts an incomplete note."""
    _require_children_access(actor, children)
    _check_note(children=children, fields=fields, finalising=False)
    if note is None:
        note = CaseNote(
            author=actor, status=NoteStatus.DRAFT, event_on=fields.get("event_on") or timezone.localdate()
        )
        _apply_fields(note, fields)
        note.title = note.title or "Untitled draft"
        note.save()
        note.children.set(children)
        audit_event_record(actor=actor, verb="note.drafted", target=note, child=children[0])
        return note
    _require_own_draft(actor, note)
    _apply_fields(note, fields)
    _save_with_version(note, expected_version)
    note.children.set(children)
    return note


def _require_own_draft(actor, note: CaseNote) -> None:
    if note.is_final:
        raise ValidationError("This note is final: record an amendment with a reason instead")
    if note.author_id != actor.pk:
        raise PermissionDenied("Only the author can edit a draft note")


def _save_with_version(note: CaseNote, expected_version: int | None) -> None:
    """Save, refusing if another save happened since expected_version was read."""
    if expected_version is not None:
        current = CaseNote.objects.filter(pk=note.pk).values_list("version", flat=True).first()
        if current != expected_version:
            raise ConcurrentEditError("note")
    note.version = F("version") + 1
    note.save()
    note.refresh_from_db(fields=["version"])


@transaction.atomic
def note_finalise(
    *, actor, note: CaseNote, children, expected_version: int | None = None, **fields
) -> CaseNote:
    """Make a note final and read-only; visits write their 'seen' outcome to each child's chronology."""
    _require_children_access(actor, children)
    _require_own_draft(actor, note)
    merged = {**_note_snapshot(note), **fields}
    merged["event_on"] = fields.get("event_on", note.event_on)
    _check_note(children=children, fields=merged, finalising=True)
    _apply_fields(note, fields)
    note.status = NoteStatus.FINAL
    note.finalised_at = timezone.now()
    _save_with_version(note, expected_version)
    note.children.set(children)
    on_chronology = lines.note_belongs_on_chronology(note)
    for child in children:
        line = lines.note_finalised(note, child) if on_chronology else ()
        record_change(actor=actor, verb="note.finalised", target=note, child=child, chronology=line)
    return note


@transaction.atomic
def note_amend(*, actor, note: CaseNote, reason: str, expected_version: int, **fields) -> CaseNoteAmendment:
    """Change a final note. The text before the change is kept with the reason and who changed it."""
    children = list(note.children.all())
    _require_children_access(actor, children)
    if not note.is_final:
        raise ValidationError("A draft is edited directly; only final notes are amended")
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the amendment"})
    before = _note_snapshot(note)
    merged = {**before, **fields}
    merged["event_on"] = fields.get("event_on", note.event_on)
    _check_note(children=children, fields=merged, finalising=True)
    _apply_fields(note, fields)
    changed = [field for field, value in _note_snapshot(note).items() if before[field] != value]
    if not changed:
        raise ValidationError("Nothing has changed: edit the note before saving an amendment")
    _save_with_version(note, expected_version)
    amendment = CaseNoteAmendment.objects.create(
        note=note,
        revision=note.amendments.count() + 1,
        reason=reason.strip(),
        previous=before,
        changed_fields=changed,
        amended_by=actor,
    )
    for child in children:
        audit_event_record(
            actor=actor,
            verb="note.amended",
            target=note,
            child=child,
            payload={"fields": changed, "reason": reason},
        )
    return amendment
