"""Reads and writes for the public partner referral form, following the services' rules (keyword-only, one
transaction). The form has no signed-in actor, so it guards itself against floods.

Why two limits: a hospital, a police station or a school trust sends every referral from one internet address
(their network's), so a low per-address limit refused the sixth honest referral of an hour from a busy A&E. The
per-address ceiling is therefore high (PARTNER_FORM_LIMIT_PER_HOUR, 60 by default): it only stops a flood. What
a person meets is the per-referrer limit (PARTNER_FORM_LIMIT_PER_EMAIL_PER_HOUR, 10 by default), counted on the
work email address they give: one officer sending more than that in an hour is better served by a phone call,
and colleagues behind the same address each have their own allowance. Both are counted in the database over the
last hour, so every app process sees the same numbers."""

import datetime as dt
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from opencsc.frontdoor import services
from opencsc.frontdoor.models import Channel, Contact, PartnerSubmission, Rag, SpamTrapDay
from opencsc.frontdoor.partner_forms import AGENCY_SOURCE, YES

FLOOD_WINDOW = dt.timedelta(hours=1)


class PartnerLimit(StrEnum):
    ADDRESS = "address"
    REFERRER = "referrer"


def _accepted_last_hour():
    return PartnerSubmission.objects.filter(accepted=True, at__gte=timezone.now() - FLOOD_WINDOW)


def partner_submissions_recent(*, ip_address: str | None) -> int:
    """Accepted submissions from one address in the last hour."""
    return _accepted_last_hour().filter(ip_address=ip_address).count()


def partner_submissions_recent_from_referrer(*, referrer_email: str) -> int:
    """Accepted submissions in the last hour whose referrer gave this email address (in any letter case)."""
    return _accepted_last_hour().filter(contact__referrer_email__iexact=referrer_email.strip()).count()


def partner_address_limit_reached(*, ip_address: str | None) -> bool:
    return partner_submissions_recent(ip_address=ip_address) >= settings.PARTNER_FORM_LIMIT_PER_HOUR


def partner_referrer_limit_reached(*, referrer_email: str) -> bool:
    sent = partner_submissions_recent_from_referrer(referrer_email=referrer_email)
    return sent >= settings.PARTNER_FORM_LIMIT_PER_EMAIL_PER_HOUR


def partner_contact_for_confirmation(*, reference: str) -> Contact | None:
    return Contact.objects.filter(reference=reference, channel=Channel.PARTNER_FORM).first()


@transaction.atomic
def spam_trap_hit_record() -> None:
    """Count a submission that filled the spam trap against today: one row a day however many arrive, and
    concurrent hits each counted (the increment is done by the database)."""
    today = timezone.localdate()
    SpamTrapDay.objects.get_or_create(day=today)
    SpamTrapDay.objects.filter(day=today).update(hits=F("hits") + 1)


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
