import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from opencsc.audit.models import AccessKind
from opencsc.audit.services import record_access_log
from opencsc.core.clocks import due_date
from opencsc.core.working_days import authority_calendar
from opencsc.frontdoor import demand, selectors, services
from opencsc.frontdoor.forms import (
    ContactForm,
    DecisionForm,
    PartnerCheckForm,
    PartnerCheckResponseForm,
    TriageForm,
)
from opencsc.frontdoor.models import ContactChild, ContactStatus, PartnerCheck
from opencsc.people import services as people_services
from opencsc.people.models import Child
from opencsc.ui.form_tokens import creates_record
from opencsc.ui.govuk_forms import error_summary, field_errors_from_validation

CONTACT_ABOUT_A_RESTRICTED_RECORD = (
    "This contact is about a restricted record: only the people named on that record can work it"
)


def _require_front_door(request) -> None:
    if not selectors.can_work_front_door(request.user):
        raise PermissionDenied("Only front-door staff, their managers and heads of service work contacts")


@login_required
def queue(request):
    _require_front_door(request)
    page_number = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    queue = selectors.front_door_queue(user=request.user, page=page_number)
    selectors.log_subjects_named(
        user=request.user, shown=[s for row in queue.rows for s in row.subjects], path=request.get_full_path()
    )
    context = {
        "queue": queue,
        "counts": selectors.open_contact_count_by_status(),
        "demand_alerts_open": demand.demand_alerts_open(),
    }
    return render(request, "frontdoor/queue.html", context)


@login_required
@creates_record
def contact_new(request):
    _require_front_door(request)
    now = timezone.localtime()
    form = ContactForm(
        request.POST or None, initial={"received_on": now.date(), "received_time": now.strftime("%H:%M")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received_at = timezone.make_aware(dt.datetime.combine(data["received_on"], data["received_time"]))
        referrer = {
            key: data[key]
            for key in (
                "referrer_name",
                "referrer_role",
                "referrer_organisation",
                "referrer_email",
                "referrer_phone",
                "parents_aware",
            )
        }
        try:
            contact = services.contact_record(
                actor=request.user,
                channel=data["channel"],
                source=data["source"],
                concerns=data["concerns"],
                children=data["children"],
                received_at=received_at,
                **referrer,
            )
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, f"Contact {contact.reference} recorded")
            return redirect("frontdoor:contact", contact_id=contact.pk)
    return render(
        request, "frontdoor/contact_new.html", {"form": form, "error_summary_params": error_summary(form)}
    )


def _contact_page(request, contact, **forms):
    received_on = timezone.localtime(contact.received_at).date()
    subjects = selectors.subjects_shown_to(request.user, list(contact.subjects.all()))
    for shown in subjects:
        if shown.child is not None:
            record_access_log(user=request.user, child=shown.child, kind=AccessKind.VIEW, path=request.path)
        elif shown.withheld:
            record_access_log(
                user=request.user, child=shown.subject.child, kind=AccessKind.REFUSED, path=request.path
            )
    context = {
        "contact": contact,
        "subjects": subjects,
        "withheld": any(shown.withheld for shown in subjects),
        "histories": {
            s.subject.pk: selectors.child_history_at(s.child, on=received_on, excluding_contact=contact)
            for s in subjects
            if s.child is not None
        },
        "candidates": {
            s.subject.pk: selectors.match_candidates(s.subject) for s in subjects if s.subject.child is None
        },
        "clock": due_date("referral_decision", received_on, calendar=authority_calendar()),
        "late": selectors.decision_was_late(contact),
        "waited": selectors.contact_waited(contact),
        "working_days_late": selectors.working_days_late(
            contact.decision_due_on, timezone.localdate(), authority_calendar()
        ),
        "is_open": contact.status != ContactStatus.DECIDED,
        "triage_form": forms.get("triage_form") or TriageForm(initial={"rag": contact.rag}),
        "check_form": forms.get("check_form") or PartnerCheckForm(),
        "response_form": forms.get("response_form"),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "today": timezone.localdate(),
    }
    context["error_summary_params"] = error_summary(*[f for f in forms.values() if f is not None])
    return render(request, "frontdoor/contact.html", context)


@login_required
def contact_detail(request, contact_id: int):
    _require_front_door(request)
    contact = _get_contact(contact_id)
    return _contact_page(request, contact)


def _get_contact(contact_id: int):
    from django.http import Http404

    from opencsc.frontdoor.models import Contact

    try:
        return selectors.contact_for_front_door(contact_id)
    except Contact.DoesNotExist as missing:
        raise Http404("No contact with that ID") from missing


def _refuse_if_about_a_restricted_record(request, contact) -> None:
    shown = selectors.subjects_shown_to(request.user, list(contact.subjects.all()))
    withheld = [s.subject.child for s in shown if s.withheld]
    for child in withheld:
        record_access_log(user=request.user, child=child, kind=AccessKind.REFUSED, path=request.path)
    if withheld:
        raise PermissionDenied(CONTACT_ABOUT_A_RESTRICTED_RECORD)


def _post_action(request, contact_id, form_class, form_name, act, success):
    _require_front_door(request)
    contact = _get_contact(contact_id)
    _refuse_if_about_a_restricted_record(request, contact)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(contact, form.cleaned_data)
        except ValidationError as error:
            field_errors_from_validation(form, error)
        else:
            messages.success(request, success)
            return redirect("frontdoor:contact", contact_id=contact.pk)
    return _contact_page(request, contact, **{form_name: form})


@require_POST
@login_required
def contact_triage(request, contact_id: int):
    return _post_action(
        request,
        contact_id,
        TriageForm,
        "triage_form",
        lambda contact, data: services.contact_triage(actor=request.user, contact=contact, rag=data["rag"]),
        "Priority recorded",
    )


@require_POST
@login_required
@creates_record
def contact_check(request, contact_id: int):
    return _post_action(
        request,
        contact_id,
        PartnerCheckForm,
        "check_form",
        lambda contact, data: services.partner_check_request(
            actor=request.user, contact=contact, agency=data["agency"]
        ),
        "Check requested",
    )


@require_POST
@login_required
def contact_check_response(request, contact_id: int):
    def act(contact, data):
        check = get_object_or_404(PartnerCheck, pk=data["check_id"], contact=contact)
        services.partner_check_record_response(actor=request.user, check=check, response=data["response"])

    return _post_action(
        request, contact_id, PartnerCheckResponseForm, "response_form", act, "Response recorded"
    )


@require_POST
@login_required
@creates_record
def contact_decide(request, contact_id: int):
    def act(contact, data):
        referrals = services.contact_decide(
            actor=request.user,
            contact=contact,
            decision=data["decision"],
            reason=data["decision_reason"],
            team=data["team"],
        )
        if referrals:
            messages.info(request, f"{len(referrals)} referral(s) sent to {data['team']} for allocation")

    return _post_action(request, contact_id, DecisionForm, "decision_form", act, "Decision recorded")


@require_POST
@login_required
@creates_record
def subject_match(request, contact_id: int, subject_id: int):
    _require_front_door(request)
    subject = get_object_or_404(ContactChild, pk=subject_id, contact_id=contact_id)
    _refuse_if_about_a_restricted_record(request, subject.contact)
    try:
        with transaction.atomic():  # a child record made for a match that is then refused is not kept
            if request.POST.get("create") == "1":
                child = _create_child_from(request.user, subject)
            else:
                child = get_object_or_404(Child, pk=request.POST.get("child_id"), is_restricted=False)
            services.contact_match_child(actor=request.user, subject=subject, child=child)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Linked to {child.full_name} ({child.la_child_id})")
    return redirect("frontdoor:contact", contact_id=contact_id)


def _create_child_from(actor, subject: ContactChild) -> Child:
    if not subject.given_date_of_birth:
        raise ValidationError(
            "Record the child's date of birth before creating a record: add it on the child's record"
        )
    return people_services.child_create(
        actor=actor,
        first_name=subject.given_first_name or "Unknown",
        last_name=subject.given_last_name,
        date_of_birth=subject.given_date_of_birth,
        sex="U",
    )
