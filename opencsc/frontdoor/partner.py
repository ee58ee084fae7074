"""Reads and writes for the public partner referral form, following the services' rules (keyword-only, one
transaction). The form has no signed-in actor, so it guards itself against floods by address."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from opencsc.frontdoor import services
from opencsc.frontdoor.models import Channel, Contact, PartnerSubmission, Rag
from opencsc.frontdoor.partner_forms import AGENCY_SOURCE, YES

FLOOD_WINDOW = dt.timedelta(hours=1)


def partner_submissions_recent(*, ip_address: str | None) -> int:
    """Accepted submissions from one address in the last hour, counted in the database so that every app
    process sees the same number."""
    return PartnerSubmission.objects.filter(
        ip_address=ip_address, accepted=True, at__gte=timezone.now() - FLOOD_WINDOW
    ).count()


def partner_contact_for_confirmation(*, reference: str) -> Contact | None:
    return Contact.objects.filter(reference=reference, channel=Channel.PARTNER_FORM).first()


@transaction.atomic
def partner_submission_record_spam(*, ip_address: str | None) -> PartnerSubmission:
    return PartnerSubmission.objects.create(ip_address=ip_address, accepted=False)


@transaction.atomic
def partner_referral_submit(*, ip_address: str | None, data: dict) -> Contact:
    """Record the referral as a contact in the front-door queue, and the submission against its address,
    together or not at all. The referrer's acknowledgement email goes once this commits."""
    contact = services.contact_record(
        actor=None,
        channel=Channel.PARTNER_FORM,
        source=AGENCY_SOURCE[data["agency_type"]],
        concerns=_concerns_text(data),
        received_at=timezone.now(),
        children=[
            {
                "given_first_name": child["first_name"],
                "given_last_name": child["last_name"],
                "given_date_of_birth": child["date_of_birth"],
                "given_address": child["address"],
                "given_postcode": child["postcode"],
            }
            for child in data["children"]
        ],
        referrer_name=data["referrer_name"],
        referrer_role=data["referrer_role"],
        referrer_organisation=data["referrer_organisation"],
        referrer_email=data["referrer_email"],
        referrer_phone=data["referrer_phone"],
        parents_aware=_parents_aware_text(data),
    )
    if data["immediate_danger"] == YES:
        # The referrer says a child is in danger now: the contact goes to the top of the queue untriaged.
        Contact.objects.filter(pk=contact.pk).update(rag=Rag.RED)
        contact.rag = Rag.RED
    PartnerSubmission.objects.create(ip_address=ip_address, accepted=True, contact=contact)
    return contact


def _parents_aware_text(data: dict) -> str:
    if data["parents_aware"] == YES:
        return "Yes"
    return f"No: {data['parents_not_aware_reason'].strip()}"


def _concerns_text(data: dict) -> str:
    """The concerns as the front door reads them, with what the form asked that the contact has no field for."""
    parts = []
    if data["immediate_danger"] == YES:
        parts.append("The referrer said a child is in immediate danger. The form told them to call 999 now.")
    parts.append(data["concerns"])
    facts = [f"Do the parents or carers know about this referral? {_parents_aware_text(data)}"]
    consent = "Yes" if data["consent"] == YES else f"No: {data['no_consent_reason'].strip()}"
    facts.append(f"Have the parents or carers agreed to this referral? {consent}")
    for child in data["children"]:
        if child["age_note"]:
            name = f"{child['first_name']} {child['last_name']}".strip()
            facts.append(f"Approximate age of {name}: {child['age_note']}")
    parts.append("\n".join(facts))
    return "\n\n".join(parts)
