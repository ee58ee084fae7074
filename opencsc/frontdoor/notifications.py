"""Emails to referrers. Sent after the transaction commits, through Django's configured email backend
(console in the demo, SMTP in production)."""

from django.conf import settings
from django.core.mail import send_mail

from opencsc.frontdoor.models import Contact, Decision

DECISION_WORDING = {
    Decision.NO_FURTHER_ACTION: "children's social care will take no further action on this contact.",
    Decision.ADVICE: "children's social care has given advice and information.",
    Decision.EARLY_HELP: "the family will be offered early help.",
    Decision.ASSESSMENT: "children's social care will assess the child's needs.",
    Decision.STRATEGY_DISCUSSION: "a strategy discussion will be held with partner agencies.",
}


def acknowledge_referrer(contact_id: int) -> None:
    contact = Contact.objects.get(pk=contact_id)
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
    Contact.objects.filter(pk=contact_id).update(referrer_acknowledged_at=_now())


def tell_referrer_decision(contact_id: int) -> None:
    contact = Contact.objects.get(pk=contact_id)
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
    Contact.objects.filter(pk=contact_id).update(referrer_told_decision_at=_now())


def _on_phone() -> str:
    return f" on {settings.FRONT_DOOR_PHONE}" if settings.FRONT_DOOR_PHONE else ""


def _now():
    from django.utils import timezone

    return timezone.now()
