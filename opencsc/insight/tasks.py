"""Month-end figures computed in the background worker (`opencsc db_worker`), not in a leader's request
(opencsc.insight.figures, ADR 0018)."""

from django_tasks import task

from opencsc.insight.figures import figures_refresh, months_needing_refresh
from opencsc.insight.models import MonthToRefresh


@task()
def figures_refresh_marked_task() -> dict:
    """The months a change marked (queued when the change commits)."""
    months = sorted(set(MonthToRefresh.objects.values_list("month_end", flat=True)))
    figures_refresh(months)
    return {"months": [day.isoformat() for day in months]}


@task()
def figures_refresh_task() -> dict:
    """Every closed month not stored, marked or outdated: after the nightly sweep, the month just closed."""
    months = months_needing_refresh()
    figures_refresh(months)
    return {"months": [day.isoformat() for day in months]}
