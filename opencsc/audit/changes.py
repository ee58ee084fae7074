"""One change, recorded once: the audit event and, where the change belongs on the child's chronology, its
line, written together in the service's transaction (design.md, Habits: "every record change goes through one
helper"; ADR 0025).

Rules:
- The audit event is always written: who (`actor`), what (`verb`), which record (`target`), about which child.
- The chronology lines are those the event kind's wording function gives (`<app>/chronology_lines.py`), shared
  with the synthetic authority, so the wording of a line is written once. A line is written once per child and
  source key: recording the same event again adds no second line.
- Lines are attributed to the actor, except where the line stands for what someone outside the service said (a
  contact's line, `attributed=False`), as before.
- Both are written in one transaction: the caller's if it has one (services are atomic), else a new one; a
  failure of either leaves neither.
"""

from collections.abc import Iterable

from django.db import transaction

from opencsc.audit.models import AuditEvent
from opencsc.audit.services import audit_event_record
from opencsc.casework.chronology import ChronologyLine, chronology_write_line


@transaction.atomic(savepoint=False)
def record_change(
    *,
    actor,
    verb: str,
    target,
    child=None,
    payload: dict | None = None,
    chronology: ChronologyLine | Iterable[ChronologyLine] = (),
    attributed: bool = True,
) -> AuditEvent:
    """Write the audit event of a change and its chronology line(s), together."""
    event = audit_event_record(actor=actor, verb=verb, target=target, child=child, payload=payload)
    lines = (chronology,) if isinstance(chronology, ChronologyLine) else chronology
    for line in lines:
        chronology_write_line(line, recorded_by=actor if attributed else None)
    return event
