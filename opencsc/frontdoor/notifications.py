"""The front door's emails (to referrers, and a demand alert to the head of service), sent as background tasks (`opencsc/frontdoor/tasks.py`) through Django's configured email
backend (console in the demo, SMTP in production). A failure to send never reaches the person who made the
referral or the decision: the task is retried, and the contact shows whether the email has gone."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from opencsc.frontdoor.models import Contact, Decision

ACKNOWLEDGEMENT = "acknowledgement"
DECISION = "decision"
DEMAND_ALERT = "demand_alert"
DECISION_WORDING = {
    Decision.NO_FURTHER_ACTION: "children's social care will take no further action on this contact.",
    Decision.ADVICE: "children's social care has given advice and information.",
    Decision.EARLY_HELP: "the family will be offered early help.",
    Decision.ASSESSMENT: "children's social care will assess the child's needs.",
    Decision.STRATEGY_DISCUSSION: "a strategy discussion will be held with partner agencies.",
}


def email_queue(*, kind: str, object_id: int) -> None:
    """Queue an email (a kind of `tasks.SENDERS`), from inside the transaction that makes it due.

    A queue that keeps its tasks in the database takes the task in that same transaction, so the email and the
    contact are saved together or not at all. A backend that runs tasks at once (the tests' own) waits for the
    commit, so nothing is sent about a change that was rolled back."""
    from opencsc.frontdoor.tasks import email_send

    if email_send.get_backend().supports_defer:
        email_send.enqueue(kind=kind, object_id=object_id)
    else:
        transaction.on_commit(lambda: email_send.enqueue(kind=kind, object_id=object_id))


def acknowledge_referrer(contact_id: int) -> bool:
    """Send the reference to the referrer, once. False if it had already gone."""
    contact = Contact.objects.get(pk=contact_id)
    if contact.referrer_acknowledged_at is not None:
        return False
    send_mail(
        subject=f"Referral received: reference {contact.reference}",
        message=(
            f"Thank you for your referral to {settings.AUTHORITY_NAME} children's social care.\n\n"
            f"Your reference is {contact.reference}. A decision on what happens next is due by "
            f"{contact.decision_due_on:%-d %B %Y}; we will email you when it is made.\n\n"
            f"To add to your referral, call the front door team{_on_phone()} and quote the reference. "
            "If a child is in immediate danger, call 999."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[contact.referrer_email],
    )
    Contact.objects.filter(pk=contact_id).update(referrer_acknowledged_at=timezone.now())
    return True


def tell_referrer_decision(contact_id: int) -> bool:
    """Tell the referrer the decision, once. False if they had already been told."""
    contact = Contact.objects.get(pk=contact_id)
    if contact.referrer_told_decision_at is not None:
        return False
    send_mail(
        subject=f"Decision on referral {contact.reference}",
        message=(
            f"We have decided what happens next on your referral {contact.reference}: "
            f"{DECISION_WORDING[Decision(contact.decision)]}\n\n"
            f"For more information, call the front door team{_on_phone()} and quote the reference."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[contact.referrer_email],
    )
    Contact.objects.filter(pk=contact_id).update(referrer_told_decision_at=timezone.now())
    return True


def tell_head_of_service_demand_alert(alert_id: int) -> bool:
    """Tell the head of service the alert was raised to. False if there is nobody with an address to tell."""
    from opencsc.core.codes import SourceGroup
    from opencsc.frontdoor.demand import alert_explanation
    from opencsc.frontdoor.models import DemandAlert

    alert = DemandAlert.objects.select_related("raised_to").get(pk=alert_id)
    if alert.raised_to is None or not alert.raised_to.email:
        return False
    send_mail(
        subject=f"Demand alert: {SourceGroup(alert.source_group).label} contacts well above last year",
        message=(
            f"{alert_explanation(alert)}.\n\n"
            "Please record what is being done about it on the demand page of the front door."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[alert.raised_to.email],
    )
    return True


def _on_phone() -> str:
    return f" on {settings.FRONT_DOOR_PHONE}" if settings.FRONT_DOOR_PHONE else ""
