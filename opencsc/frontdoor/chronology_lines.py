"""The wording of the front door's chronology lines: a contact about a child, and the referral it became.

One function per event kind, used by the front-door services (through `record_change`) and by the synthetic
authority, so both write the same line. A contact's line is dated the day it was received, in the authority's
time zone, and is routine (not significant); the referral's line is significant.
"""

from django.utils import timezone

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyCategory
from opencsc.frontdoor.models import Decision


def contact_received(contact, child) -> ChronologyLine:
    return ChronologyLine(
        child,
        timezone.localtime(contact.received_at).date(),
        ChronologyCategory.CONTACT,
        f"Contact from {contact.get_source_display()} ({contact.reference})",
        f"contact-{contact.pk}",
        is_significant=False,
    )


def referral_received(referral) -> ChronologyLine:
    """The referral's line names the contact's source and the decision that routed it."""
    contact = referral.contact
    return ChronologyLine(
        referral.child,
        referral.referral_date,
        ChronologyCategory.CONTACT,
        f"Referral from {contact.get_source_display()}: {Decision(referral.route).label}",
        f"referral-{referral.pk}",
    )
