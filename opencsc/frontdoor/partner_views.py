"""The public partner referral form: no sign-in, so it guards itself against spam and floods, and shows a
confirmation only to the browser that sent the referral."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from opencsc.audit.context import client_ip
from opencsc.frontdoor.models import Contact
from opencsc.frontdoor.partner import (
    PartnerLimit,
    partner_address_limit_reached,
    partner_contact_for_confirmation,
    partner_referral_submit,
    partner_referrer_limit_reached,
    spam_trap_hit_record,
)
from opencsc.frontdoor.partner_forms import NO, YES, PartnerReferralForm
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation

SESSION_KEY = "partner_referrals"
SESSION_KEEP = 10


# Pages


def _remember(request, contact: Contact, *, danger: bool) -> None:
    remembered = dict(request.session.get(SESSION_KEY, {}))
    remembered[contact.reference] = {"danger": danger}
    request.session[SESSION_KEY] = dict(list(remembered.items())[-SESSION_KEEP:])


@never_cache
@creates_record
def refer(request):
    form = PartnerReferralForm(request.POST or None)
    if request.method == "POST":
        ip_address = client_ip(request)
        if partner_address_limit_reached(ip_address=ip_address):
            return _limited(request, form, PartnerLimit.ADDRESS)
        if form.is_spam:
            # Looks accepted to whatever filled the trap; nothing reaches the front door.
            spam_trap_hit_record()
            return render(
                request,
                "frontdoor/partner_done.html",
                {"reference": None, "danger": False, "front_door_phone": settings.FRONT_DOOR_PHONE},
            )
        if form.is_valid():
            if partner_referrer_limit_reached(referrer_email=form.cleaned_data["referrer_email"]):
                return _limited(request, form, PartnerLimit.REFERRER)
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


def _limited(request, form: PartnerReferralForm, limit: PartnerLimit):
    """Refused for now: say why, give the number to phone, and show what was typed so it can be copied."""
    if limit == PartnerLimit.REFERRER:
        heading = "Too many referrals sent from your email address"
        why = (
            f"We accept up to {settings.PARTNER_FORM_LIMIT_PER_EMAIL_PER_HOUR} online referrals an hour from one "
            "referrer, to protect the service from automated misuse. Colleagues can still send referrals from "
            "their own email addresses."
        )
    else:
        heading = "Too many referrals sent from this connection"
        why = (
            "We accept a limited number of online referrals from one internet connection each hour, to protect "
            "the service from automated misuse."
        )
    context = {"form": form, "heading": heading, "why": why, "front_door_phone": settings.FRONT_DOOR_PHONE}
    return render(request, "frontdoor/partner_limited.html", context, status=429)


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
            "front_door_phone": settings.FRONT_DOOR_PHONE,
        },
    )
