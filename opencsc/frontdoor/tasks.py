"""The front door's emails as background tasks (django-tasks), retried while the mail server is away: to
referrers (the reference, the decision) and to the head of service (a demand alert).

In production the tasks are rows in the database queue, written in the same transaction as the contact or the
decision that causes them, and sent by `opencsc db_worker`: a referral is saved and its reference shown whatever
the mail server does, and an email is never lost because the process stopped between the two. A send that fails
(connection refused, timeout, the server refusing) is tried again later, at growing intervals, up to
EMAIL_ATTEMPTS times; the last failure is left in the queue as a failed task for an operator to see."""

import datetime as dt
import logging
import smtplib

from django.utils import timezone
from django_tasks import task

from opencsc.api import lookups
from opencsc.frontdoor import notifications

logger = logging.getLogger(__name__)

EMAIL_ATTEMPTS = 6
# Waits before attempts 2, 3, ...: about a day of trying in all.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
    dt.timedelta(hours=16),
)
SENDERS = {
    notifications.ACKNOWLEDGEMENT: notifications.acknowledge_referrer,
    notifications.DECISION: notifications.tell_referrer_decision,
    notifications.DEMAND_ALERT: notifications.tell_head_of_service_demand_alert,
    lookups.PARTNER_LOOKUP: lookups.tell_worker_of_lookup,  # a partner system's CP-IS lookup (opencsc/api)
}
MAIL_FAILURES = (smtplib.SMTPException, OSError)


@task()
def email_send(kind: str, object_id: int, attempt: int = 1) -> str:
    """Send one email (`kind` of SENDERS, about the contact or alert `object_id`); on a mail failure, queue the
    next attempt. Returns what happened."""
    try:
        sent = SENDERS[kind](object_id)
    except MAIL_FAILURES as error:
        if attempt >= EMAIL_ATTEMPTS:
            logger.error("Email %s about %s failed %s times: %s", kind, object_id, attempt, error)
            raise
        logger.warning(
            "Email %s about %s failed (attempt %s of %s): %s; trying again",
            kind,
            object_id,
            attempt,
            EMAIL_ATTEMPTS,
            error,
        )
        email_retry(kind=kind, object_id=object_id, attempt=attempt + 1)
        return f"failed attempt {attempt}, retry queued"
    return "sent" if sent else "already sent"


def email_retry(*, kind: str, object_id: int, attempt: int) -> None:
    queued = email_send
    if queued.get_backend().supports_defer:
        queued = queued.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 2])
    queued.enqueue(kind=kind, object_id=object_id, attempt=attempt)
