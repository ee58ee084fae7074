"""The daily sweep as a background task (django-tasks), so it can be enqueued and run by `opencsc db_worker`."""

import datetime as dt

from django_tasks import task

from opencsc.oversight.services import escalations_sweep


@task()
def sweep_task(date: str | None = None) -> dict:
    """Run the escalation sweep for `date` (YYYY-MM-DD, default today), then queue the month-end figures of any
    month not yet stored (the month just closed: ADR 0018); returns the summary counts."""
    from opencsc.insight.tasks import figures_refresh_task

    today = dt.date.fromisoformat(date) if date else None
    summary = escalations_sweep(today=today).as_dict()
    figures_refresh_task.enqueue()
    return summary
