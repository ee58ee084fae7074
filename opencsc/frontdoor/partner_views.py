"""The public partner referral form: no sign-in, so it guards itself against spam and floods, and shows a
confirmation only to the browser that sent the referral."""

import datetime as dt
import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from opencsc.audit.context import client_ip
from opencsc.frontdoor import services
from opencsc.frontdoor.models import Channel, Contact, PartnerSubmission
from opencsc.frontdoor.partner_forms import AGENCY_SOURCE, NO, YES, PartnerReferralForm
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation

SESSION_KEY = "partner_referrals"
SESSION_KEEP = 10
FLOOD_WINDOW = dt.timedelta(hours=1)


# Reads and writes for the public form. They sit here, beside the only page that uses them, and follow the
# services' rules (keyword-only, one transaction).


def _address(request) -> str | None:
    raw = client_ip(request)
    try:
        return str(ipaddress.ip_address(raw)) if raw else None
    except ValueError:
        return None


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


# Pages


def _remember(request, contact: Contact, *, danger: bool) -> None:
    remembered = dict(request.session.get(SESSION_KEY, {}))
    remembered[contact.reference] = {"danger": danger}
    request.session[SESSION_KEY] = dict(list(remembered.items())[-SESSION_KEEP:])


@never_cache
def refer(request):
    form = PartnerReferralForm(request.POST or None)
    if request.method == "POST":
        ip_address = _address(request)
        if partner_submissions_recent(ip_address=ip_address) >= settings.PARTNER_FORM_LIMIT_PER_HOUR:
            return render(
                request,
                "frontdoor/partner_limited.html",
                {"form": form, "front_door_phone": getattr(settings, "FRONT_DOOR_PHONE", "")},
                status=429,
            )
        if form.is_spam:
            # Looks accepted to whatever filled the trap; nothing reaches the front door.
            partner_submission_record_spam(ip_address=ip_address)
            return render(request, "frontdoor/partner_done.html", {"reference": None, "danger": False})
        if form.is_valid():
            try:
                contact = partner_referral_submit(ip_address=ip_address, data=form.cleaned_data)
            except ValidationError as error:
                field_errors_from_validation(form, error)
            else:
                _remember(request, contact, danger=form.cleaned_data["immediate_danger"] == YES)
                return redirect("partner:done", reference=contact.reference)
    return render(
        request,
        "frontdoor/partner_form.html",
        {"form": form, "error_summary_params": error_summary(form), "YES": YES, "NO": NO},
    )


@never_cache
def done(request, reference: str):
    remembered = request.session.get(SESSION_KEY, {})
    # Only the browser that sent the referral sees this page, so references cannot be tried one by one.
    if reference not in remembered:
        raise Http404("No referral with that reference was sent from this browser")
    contact = partner_contact_for_confirmation(reference=reference)
    if contact is None:
        raise Http404("No referral with that reference")
    return render(
        request,
        "frontdoor/partner_done.html",
        {
            "reference": contact.reference,
            "decision_due_on": contact.decision_due_on,
            "referrer_email": contact.referrer_email,
            "danger": remembered[reference].get("danger", False),
        },
    )
