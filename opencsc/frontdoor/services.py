"""Writes at the front door: recording contacts, triage, partner checks, decisions and referrals."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.models import Role
from opencsc.audit.changes import record_change
from opencsc.audit.services import audit_event_record
from opencsc.casework.models import Assessment
from opencsc.core.clocks import due_date
from opencsc.core.dates import long_date
from opencsc.core.event_dates import require_possible_date
from opencsc.core.working_days import authority_calendar
from opencsc.frontdoor import chronology_lines as lines
from opencsc.frontdoor import notifications
from opencsc.frontdoor.models import (
    REFERRAL_DECISIONS,
    Contact,
    ContactChild,
    ContactStatus,
    Decision,
    PartnerCheck,
    Referral,
)
from opencsc.people.models import Child

FRONT_DOOR_ROLES = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE}
DECIDING_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.SOCIAL_WORKER}


def _require_front_door(actor) -> None:
    from opencsc.frontdoor.selectors import can_work_front_door

    if not can_work_front_door(actor):
        raise PermissionDenied("Only front-door staff and managers work contacts")


def decision_due_for(received_at: dt.datetime) -> dt.date:
    return due_date(
        "referral_decision", timezone.localtime(received_at).date(), calendar=authority_calendar()
    ).due


@transaction.atomic
def contact_record(
    *,
    actor,
    channel: str,
    source: str,
    concerns: str,
    children: list,
    received_at: dt.datetime | None = None,
    **referrer,
) -> Contact:
    """Record a contact. `children` holds Child records and/or dicts of what the referrer gave
    (given_first_name, given_last_name, given_date_of_birth, given_address, given_postcode).
    `actor` is None for the public partner form."""
    if actor is not None:
        _require_front_door(actor)
    received_at = received_at or timezone.now()
    if not children:
        raise ValidationError({"children": "Name at least one child the contact is about"})
    for subject in children:
        _require_received_after_birth(received_at, subject)
    contact = Contact.objects.create(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",
        received_at=received_at,
        channel=channel,
        source=source,
        concerns=concerns,
        decision_due_on=decision_due_for(received_at),
        recorded_by=actor,
        **referrer,
    )
    # The reference comes from the row's own id, so two contacts arriving at once never share one.
    contact.reference = f"FD{timezone.localtime(received_at):%y}-{contact.pk:06d}"
    contact.save(update_fields=["reference"])
    on_record = []
    for subject in children:
        if isinstance(subject, dict):
            ContactChild.objects.create(contact=contact, **subject)
        else:
            ContactChild.objects.create(contact=contact, child=subject)
            on_record.append(lines.contact_received(contact, subject))
    record_change(
        actor=actor,
        verb="contact.recorded",
        target=contact,
        payload={"source": source},
        chronology=on_record,
        attributed=False,
    )
    if contact.referrer_email:
        notifications.email_queue(kind=notifications.ACKNOWLEDGEMENT, object_id=contact.pk)
    return contact


def _require_received_after_birth(received_at: dt.datetime, subject) -> None:
    """The contact cannot be dated in the future, nor before the birth of a child on the system it is about
    (a child the referrer only describes has no record, and so no date of birth, yet)."""
    child = subject if isinstance(subject, Child) else Child(first_name="the child", date_of_birth=None)
    require_possible_date(
        received_at, child=child, field="received_on", label="The date and time the contact was received"
    )


@transaction.atomic
def contact_match_child(*, actor, subject: ContactChild, child) -> ContactChild:
    """Link a child named in a contact to their record (found by search, or just created)."""
    _require_front_door(actor)
    if subject.contact.status == ContactStatus.DECIDED:
        raise ValidationError("The contact has been decided; its children can no longer be changed")
    if subject.contact.subjects.filter(child=child).exclude(pk=subject.pk).exists():
        raise ValidationError({"child": f"{child} is already linked to this contact"})
    received_on = timezone.localtime(subject.contact.received_at).date()
    require_possible_date(
        received_on,
        child=child,
        field="child",
        label=f"The contact, received on {long_date(received_on)},",
    )
    subject.child = child
    subject.save(update_fields=["child"])
    record_change(
        actor=actor,
        verb="contact.child_matched",
        target=subject.contact,
        child=child,
        chronology=lines.contact_received(subject.contact, child),
        attributed=False,
    )
    return subject


@transaction.atomic
def contact_triage(*, actor, contact: Contact, rag: str) -> Contact:
    _require_front_door(actor)
    if contact.status == ContactStatus.DECIDED:
        raise ValidationError("The contact has already been decided")
    contact.rag = rag
    contact.triaged_at = timezone.now()
    contact.triaged_by = actor
    contact.status = ContactStatus.AWAITING_DECISION
    contact.save(update_fields=["rag", "triaged_at", "triaged_by", "status", "updated_at"])
    audit_event_record(actor=actor, verb="contact.triaged", target=contact, payload={"rag": rag})
    return contact


@transaction.atomic
def partner_check_request(*, actor, contact: Contact, agency: str) -> PartnerCheck:
    _require_front_door(actor)
    check = PartnerCheck.objects.create(
        contact=contact, agency=agency, requested_by=actor, requested_at=timezone.now()
    )
    audit_event_record(actor=actor, verb="partner_check.requested", target=check, payload={"agency": agency})
    return check


@transaction.atomic
def partner_check_record_response(*, actor, check: PartnerCheck, response: str) -> PartnerCheck:
    _require_front_door(actor)
    if not response.strip():
        raise ValidationError({"response": "Enter what the agency said"})
    check.response = response
    check.responded_at = timezone.now()
    check.save(update_fields=["response", "responded_at", "updated_at"])
    audit_event_record(actor=actor, verb="partner_check.answered", target=check)
    return check


@transaction.atomic
def contact_decide(*, actor, contact: Contact, decision: str, reason: str, team=None) -> list[Referral]:
    """Decide what happens next. A referral decision creates a referral for each child (and, for an
    assessment, starts the assessment), routed to `team` for allocation."""
    _require_front_door(actor)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.status == ContactStatus.DECIDED:
        raise ValidationError("Someone else has already decided this contact")
    if not reason.strip():
        raise ValidationError({"decision_reason": "Enter the reason for the decision"})
    subjects = list(locked.subjects.select_related("child"))
    referrals = []
    if decision in REFERRAL_DECISIONS:
        if any(subject.child is None for subject in subjects):
            raise ValidationError("Match every child to a record before referring to children's social care")
        if team is None:
            raise ValidationError({"team": "Choose the team the referral goes to"})
        referrals = [_refer(actor, locked, subject.child, decision, team) for subject in subjects]
    now = timezone.now()
    locked.decision, locked.decision_reason = decision, reason
    locked.decided_at, locked.decided_by, locked.status = now, actor, ContactStatus.DECIDED
    locked.save(
        update_fields=["decision", "decision_reason", "decided_at", "decided_by", "status", "updated_at"]
    )
    contact.refresh_from_db()
    audit_event_record(actor=actor, verb="contact.decided", target=locked, payload={"decision": decision})
    if locked.referrer_email:
        notifications.email_queue(kind=notifications.DECISION, object_id=locked.pk)
    return referrals


def _refer(actor, contact: Contact, child, decision: str, team) -> Referral:
    referral_date = timezone.localtime(contact.received_at).date()
    if Referral.objects.filter(child=child, referral_date=referral_date).exists():
        raise ValidationError(f"{child} already has a referral dated {referral_date:%-d %B %Y}")
    referral = Referral.objects.create(
        child=child,
        contact=contact,
        referral_date=referral_date,
        source=contact.source,
        route=decision,
        team=team,
    )
    if child.responsible_team_id is None or not child.allocations.filter(ended_on__isnull=True).exists():
        child.responsible_team = team
        child.save(update_fields=["responsible_team", "updated_at"])
    if decision == Decision.ASSESSMENT:
        Assessment.objects.create(child=child, referral=referral, started_on=timezone.localdate())
    record_change(
        actor=actor,
        verb="referral.created",
        target=referral,
        child=child,
        chronology=lines.referral_received(referral),
    )
    return referral
