"""The data flow page, for the system administrator: whether the receiver is configured, the outbox (what waits,
what failed and why, when it is next tried), recent runs with the children held back, recent sends; and a button
that posts what waits now (in the background worker)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencsc.dataflow import selectors
from opencsc.dataflow.client import NotConfigured, receiver_from_settings
from opencsc.dataflow.tasks import dataflow_retry_task

ONLY_ADMINISTRATORS = "Only the system administrator manages the DfE data flow"


def _require_administrator(request) -> None:
    if not selectors.can_view_dataflow(request.user):
        raise PermissionDenied(ONLY_ADMINISTRATORS)


def _configuration() -> tuple[str | None, str | None]:
    try:
        return receiver_from_settings().children_url, None
    except NotConfigured as error:
        return None, str(error)


@login_required
def outbox(request):
    _require_administrator(request)
    children_url, not_configured = _configuration()
    context = {
        "children_url": children_url,
        "not_configured": not_configured,
        "counts": selectors.outbox_counts(),
        "unsent": selectors.unsent_sends(),
        "sent": selectors.recent_sends(),
        "runs": selectors.recent_runs(),
    }
    return render(request, "dataflow/outbox.html", context)


@require_POST
@login_required
def retry(request):
    _require_administrator(request)
    _, not_configured = _configuration()
    if not_configured:
        messages.error(request, f"{not_configured}. Nothing was sent.")
    elif not selectors.unsent_sends():
        messages.success(request, "Nothing is waiting to be sent")
    else:
        dataflow_retry_task.enqueue(actor_id=request.user.pk)
        messages.success(request, "Sending what waits now, oldest first: this page shows the outcome")
    return redirect("dataflow:outbox")
