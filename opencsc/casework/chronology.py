"""The child's chronology: domain events add themselves here; workers add manual entries.

A service's line is a `ChronologyLine`, made by the wording function of its event kind (the `chronology_lines`
module of each app) and written with the change's audit event by `opencsc.audit.changes.record_change`. The
synthetic authority builds its bulk-inserted entries from the same lines (`ChronologyLine.entry`), so a generated
chronology reads exactly as one the services wrote. Only this module constructs `ChronologyEntry` rows
(tests/test_chronology_lines.py holds that).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from opencsc.casework.models import ChronologyEntry
from opencsc.core.event_dates import require_possible_date

SUMMARY_MAX_CHARACTERS = 500
SOURCE_KEY_MAX_CHARACTERS = 80


@dataclass(frozen=True)
class ChronologyLine:
    """One system line of a child's chronology: what happened, when, under which heading, and the key of the
    event that wrote it (one line per key and child, so writing it twice changes nothing)."""

    child: object
    occurred_on: dt.date
    category: str
    summary: str
    source_key: str
    is_significant: bool = True

    def entry(self, *, recorded_by) -> ChronologyEntry:
        """The unsaved entry (the synthetic authority bulk-inserts these)."""
        return ChronologyEntry(
            child=self.child,
            occurred_on=self.occurred_on,
            category=self.category,
            summary=self.summary[:SUMMARY_MAX_CHARACTERS],
            is_significant=self.is_significant,
            source_key=self.source_key[:SOURCE_KEY_MAX_CHARACTERS],
            recorded_by=recorded_by,
        )


def chronology_write_line(line: ChronologyLine, *, recorded_by) -> ChronologyEntry:
    """Write a service's line inside its transaction (through `record_change`). Idempotent per source key."""
    entry = line.entry(recorded_by=recorded_by)
    written, _ = ChronologyEntry.objects.get_or_create(
        child=line.child,
        source_key=entry.source_key,
        defaults={
            "occurred_on": entry.occurred_on,
            "category": entry.category,
            "summary": entry.summary,
            "is_significant": entry.is_significant,
            "recorded_by": recorded_by,
        },
    )
    return written


def chronology_record_event(
    *,
    child,
    occurred_on: dt.date,
    category: str,
    summary: str,
    source_key: str,
    significant: bool = True,
    actor=None,
) -> ChronologyEntry:
    """A line given field by field (services write theirs through `record_change`). Idempotent per
    source_key."""
    line = ChronologyLine(child, occurred_on, category, summary, source_key, significant)
    return chronology_write_line(line, recorded_by=actor)


@transaction.atomic
def chronology_add_manual(
    *, actor, child, occurred_on: dt.date, category: str, summary: str
) -> ChronologyEntry:
    from opencsc.accounts.access import can_change_child
    from opencsc.audit.services import audit_event_record

    if not can_change_child(actor, child):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You cannot add to this child's chronology")
    require_possible_date(occurred_on, child=child, field="occurred_on", label="The date of the event")
    entry = ChronologyEntry.objects.create(
        child=child,
        occurred_on=occurred_on,
        category=category,
        summary=summary,
        is_significant=True,
        is_manual=True,
        recorded_by=actor,
    )
    audit_event_record(actor=actor, verb="chronology.added", target=entry, child=child)
    return entry
