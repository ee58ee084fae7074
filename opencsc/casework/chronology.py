"""The child's chronology: domain events add themselves here; workers add manual entries."""

import datetime as dt

from django.db import transaction

from opencsc.casework.models import ChronologyEntry
from opencsc.core.event_dates import require_possible_date


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
    """Called by other services inside their transaction. Idempotent per source_key."""
    entry, _ = ChronologyEntry.objects.get_or_create(
        child=child,
        source_key=source_key,
        defaults={
            "occurred_on": occurred_on,
            "category": category,
            "summary": summary[:500],
            "is_significant": significant,
            "recorded_by": actor,
        },
    )
    return entry


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
