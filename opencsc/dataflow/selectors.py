"""Reads for the data flow page and the command: the outbox and the runs. Only the system administrator sees
them (records of children sent to the DfE, named by la_child_id only)."""

from opencsc.accounts.models import Role
from opencsc.dataflow.models import DataflowRun, DataflowSend

RECENT = 20


def can_view_dataflow(user) -> bool:
    return user.is_authenticated and user.role == Role.ADMINISTRATOR


def outbox_counts() -> dict[str, int]:
    counts = dict.fromkeys(DataflowSend.Status.values, 0)
    for status in DataflowSend.Status.values:
        counts[status] = DataflowSend.objects.filter(status=status).count()
    return counts


def unsent_sends() -> list[DataflowSend]:
    unsent = (DataflowSend.Status.PENDING, DataflowSend.Status.FAILED)
    return list(DataflowSend.objects.filter(status__in=unsent).defer("records").order_by("pk"))


def recent_sends(limit: int = RECENT) -> list[DataflowSend]:
    return list(
        DataflowSend.objects.filter(status=DataflowSend.Status.SENT).defer("records").order_by("-pk")[:limit]
    )


def recent_runs(limit: int = RECENT) -> list[DataflowRun]:
    return list(DataflowRun.objects.order_by("-pk")[:limit])
