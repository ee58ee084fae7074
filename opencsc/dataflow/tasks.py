"""The data flow in the background worker (`opencsc db_worker`): a scheduled send, and a retry of what waits
(asked for on the data flow page, attributed to the administrator who asked).
Both log what they did; a failure stays in the outbox and shows on the data flow page."""

from django_tasks import task

from opencsc.accounts.models import User
from opencsc.dataflow.services import dataflow_deliver, dataflow_queue
from opencsc.dataflow.source import ssd_source_tables


@task()
def dataflow_send_task(mode: str = "changes") -> dict:
    run = dataflow_queue(actor=None, mode=mode, tables=ssd_source_tables())
    delivery = dataflow_deliver(actor=None)
    return {
        "run": run.pk,
        "sent": [s.pk for s in delivery.sent],
        "failed": getattr(delivery.failed, "pk", None),
    }


@task()
def dataflow_retry_task(actor_id: int | None = None) -> dict:
    actor = User.objects.get(pk=actor_id) if actor_id else None
    delivery = dataflow_deliver(actor=actor, retry_now=True)
    return {"sent": [s.pk for s in delivery.sent], "failed": getattr(delivery.failed, "pk", None)}
