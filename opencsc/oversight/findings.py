"""The overdue work the daily sweep found, stored by date, so that the leaders' dashboard reads one row for its
overdue-work panel instead of working out every clock of every child on each request (ADR 0032).

Rules:
- The sweep (`services.escalations_sweep`) stores what the breach finders (`breaches.FINDERS`, every clock) found
  on its date, in the same transaction as the escalations it raises, so the panel and the escalations never tell
  a different story about a day.
- A second sweep on the same day replaces that day's row: the row is what the day's last sweep found.
- The dashboard (`insight.dashboard.overdue_by_clock`) takes a day's stored findings when a sweep ran on that day,
  and says when. For a day with no sweep (before the service began sweeping, or today before the first sweep)
  it works the clocks out from the records as they are now, as it always did.
- An item done after the sweep still counts until the next sweep; the panel names the sweep's time, so a reader
  knows how fresh the figure is.

Edge cases: a contact not yet matched to a child is an item with no child (None), counted as an item but adding
no child. A sweep that found nothing stores an empty row, which still means "swept, nothing overdue". A sweep
skipped because another held its lock stores nothing.
"""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from opencsc.oversight.breaches import Breach, find_breaches
from opencsc.oversight.models import OverdueFindings


def overdue_findings_store(*, on: dt.date, breaches: Iterable[Breach]) -> OverdueFindings:
    """Store the child of each breach by clock as the findings of `on`, replacing any stored that day."""
    overdue: dict[str, list[int | None]] = {}
    for breach in breaches:
        overdue.setdefault(breach.rule_id, []).append(breach.child_id)
    findings, _ = OverdueFindings.objects.update_or_create(
        on=on, defaults={"overdue": overdue, "taken_at": timezone.now()}
    )
    return findings


def overdue_findings_refresh(*, on: dt.date) -> OverdueFindings:
    """Find and store the breaches of `on` without raising or climbing escalations (a back-fill of days the
    service did not sweep, or a benchmark preparing what the nightly sweep would have stored)."""
    return overdue_findings_store(on=on, breaches=find_breaches(today=on))


def overdue_findings_on(on: dt.date) -> OverdueFindings | None:
    """The findings the sweep stored for `on`, or None if it did not run that day."""
    return OverdueFindings.objects.filter(on=on).first()
