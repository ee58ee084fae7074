"""Early help services: every write about an episode, its assessment, its team around the family reviews and
the two doors to children's social care. Each is keyword-only, checks that the actor may change the child,
runs in one transaction with the child's row locked, and writes its audit event and chronology line through
`record_change`.

Rules (each refusal names its field):
- a child has at most one open episode; a new one starts no earlier than the end of the last;
- the lead professional is named with their organisation, and can be reached: an email or a phone number;
- the assessment, reviews and closing fall within the episode (on or after its start, on or before its end),
  never in the future nor before the child's birth; an assessment completes on or after it started; one
  review a day;
- an episode closes on or after its last recorded event; "stepped up" is not chosen by hand: only a step-up
  closes an episode that way;
- a step-up closes the episode and sends a contact to the front door (source 5D, early help, from the lead
  professional), linked to the episode so the front door sees the early help history;
- a step-down closes the CIN episode (`casework.protection.referral_close`: RC9 after an assessment with no
  plan, RC7 otherwise, with its own rules) and opens an early help episode the same day, linked to it.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.audit.changes import record_change
from opencsc.core.codes import ReasonForClosure, ReferralSource
from opencsc.core.dates import long_date
from opencsc.core.event_dates import check_date_given
from opencsc.earlyhelp import chronology_lines as lines
from opencsc.earlyhelp.models import (
    EarlyHelpAssessment,
    EarlyHelpEpisode,
    EpisodeEnd,
    EpisodeStart,
    LeadOrganisation,
    TeamAroundFamilyReview,
)
from opencsc.frontdoor.models import Channel, Contact, Referral
from opencsc.people.models import Child

STEP_DOWN_REASONS = (ReasonForClosure.RC9.value, ReasonForClosure.RC7.value)
CLOSING_REASONS = [choice for choice in EpisodeEnd.values if choice != EpisodeEnd.STEPPED_UP]


def _lock_child(actor, child: Child) -> Child:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot record early help for this child")
    return Child.objects.select_for_update().get(pk=child.pk)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _open_episode(episode: EarlyHelpEpisode) -> EarlyHelpEpisode:
    episode = EarlyHelpEpisode.objects.select_for_update().get(pk=episode.pk)
    if episode.ended_on:
        raise ValidationError(f"This early help episode ended on {long_date(episode.ended_on)}")
    return episode


def _check_within(errors: dict, field: str, day, what: str, episode: EarlyHelpEpisode, child: Child) -> bool:
    check_date_given(errors, field, day, what, child)
    if field in errors:
        return False
    if day < episode.started_on:
        errors[field] = f"The {what} cannot be before early help started on {long_date(episode.started_on)}"
    elif episode.ended_on and day > episode.ended_on:
        errors[field] = f"The {what} cannot be after early help ended on {long_date(episode.ended_on)}"
    return field not in errors


def _check_lead(errors: dict, lead: dict) -> None:
    if not lead.get("lead_name", "").strip():
        errors["lead_name"] = "Enter the lead professional's name"
    if lead.get("lead_organisation_kind") not in LeadOrganisation.values:
        errors["lead_organisation_kind"] = "Select the kind of organisation the lead professional works for"
    if not lead.get("lead_organisation", "").strip():
        errors["lead_organisation"] = "Enter the organisation the lead professional works for"
    if not lead.get("lead_email", "").strip() and not lead.get("lead_phone", "").strip():
        errors["lead_phone"] = "Enter an email address or a phone number for the lead professional"


def _check_new_episode(errors: dict, child: Child, started_on) -> None:
    check_date_given(errors, "started_on", started_on, "date early help started", child)
    current = child.early_help_episodes.filter(ended_on__isnull=True).first()
    if current:
        errors["started_on"] = (
            f"{child} already has early help open since {long_date(current.started_on)}: close it first"
        )
        return
    last = child.early_help_episodes.order_by("-ended_on").values_list("ended_on", flat=True).first()
    if "started_on" not in errors and last and started_on < last:
        errors["started_on"] = f"Early help cannot start before the last episode ended on {long_date(last)}"


def _create_episode(actor, child: Child, started_on, started_by: str, stepped_down_from, lead: dict):
    episode = EarlyHelpEpisode.objects.create(
        child=child,
        started_on=started_on,
        started_by=started_by,
        stepped_down_from=stepped_down_from,
        recorded_by=actor,
        lead_name=lead["lead_name"].strip(),
        lead_role=lead.get("lead_role", "").strip(),
        lead_organisation_kind=lead["lead_organisation_kind"],
        lead_organisation=lead["lead_organisation"].strip(),
        lead_email=lead.get("lead_email", "").strip(),
        lead_phone=lead.get("lead_phone", "").strip(),
    )
    record_change(
        actor=actor,
        verb="early_help.opened",
        target=episode,
        child=child,
        payload={"on": started_on.isoformat(), "by": started_by, "lead": episode.lead_organisation},
        chronology=lines.episode_opened(episode),
    )
    return episode


@transaction.atomic
def early_help_episode_open(
    *,
    actor,
    child: Child,
    started_on: dt.date | None,
    started_by: str = EpisodeStart.REQUEST,
    lead_name: str,
    lead_organisation_kind: str,
    lead_organisation: str,
    lead_role: str = "",
    lead_email: str = "",
    lead_phone: str = "",
) -> EarlyHelpEpisode:
    """Open an early help episode with its lead professional."""
    child = _lock_child(actor, child)
    errors: dict = {}
    if started_by not in (EpisodeStart.REQUEST, EpisodeStart.FRONT_DOOR):
        errors["started_by"] = "Select how early help was asked for"
    _check_new_episode(errors, child, started_on)
    lead = {
        "lead_name": lead_name,
        "lead_role": lead_role,
        "lead_organisation_kind": lead_organisation_kind,
        "lead_organisation": lead_organisation,
        "lead_email": lead_email,
        "lead_phone": lead_phone,
    }
    _check_lead(errors, lead)
    _raise(errors)
    return _create_episode(actor, child, started_on, started_by, None, lead)


@transaction.atomic
def early_help_assessment_start(
    *, actor, episode: EarlyHelpEpisode, started_on: dt.date | None, organisation: str
) -> EarlyHelpAssessment:
    """Record that the episode's early help assessment started, and who is completing it."""
    child = _lock_child(actor, episode.child)
    episode = _open_episode(episode)
    errors: dict = {}
    if EarlyHelpAssessment.objects.filter(episode=episode).exists():
        errors["started_on"] = "This episode's assessment is already recorded"
    else:
        _check_within(errors, "started_on", started_on, "date the assessment started", episode, child)
    if not organisation.strip():
        errors["organisation"] = "Enter the organisation completing the assessment"
    _raise(errors)
    assessment = EarlyHelpAssessment.objects.create(
        episode=episode, child=child, started_on=started_on, organisation=organisation.strip()
    )
    record_change(
        actor=actor,
        verb="early_help.assessment_started",
        target=assessment,
        child=child,
        payload={"on": started_on.isoformat(), "organisation": assessment.organisation},
        chronology=lines.assessment_started(assessment),
    )
    return assessment


@transaction.atomic
def early_help_assessment_complete(
    *, actor, episode: EarlyHelpEpisode, completed_on: dt.date | None
) -> EarlyHelpAssessment:
    """Record that the episode's early help assessment is complete."""
    child = _lock_child(actor, episode.child)
    episode = _open_episode(episode)
    assessment = EarlyHelpAssessment.objects.select_for_update().filter(episode=episode).first()
    errors: dict = {}
    if assessment is None:
        errors["completed_on"] = "Record that the assessment started before completing it"
    elif assessment.completed_on:
        errors["completed_on"] = f"The assessment was completed on {long_date(assessment.completed_on)}"
    elif (
        _check_within(
            errors, "completed_on", completed_on, "date the assessment was completed", episode, child
        )
        and completed_on < assessment.started_on
    ):
        errors["completed_on"] = (
            f"The assessment cannot be completed before it started on {long_date(assessment.started_on)}"
        )
    _raise(errors)
    assessment.completed_on = completed_on
    assessment.save(update_fields=["completed_on", "updated_at"])
    record_change(
        actor=actor,
        verb="early_help.assessment_completed",
        target=assessment,
        child=child,
        payload={"on": completed_on.isoformat()},
        chronology=lines.assessment_completed(assessment),
    )
    return assessment


@transaction.atomic
def family_review_record(
    *, actor, episode: EarlyHelpEpisode, held_on: dt.date | None, summary: str = ""
) -> TeamAroundFamilyReview:
    """Record a team around the family review; the next is due at the authority's frequency after it."""
    child = _lock_child(actor, episode.child)
    episode = _open_episode(episode)
    errors: dict = {}
    if (
        _check_within(errors, "held_on", held_on, "date of the review", episode, child)
        and episode.reviews.filter(held_on=held_on).exists()
    ):
        errors["held_on"] = f"A review on {long_date(held_on)} is already recorded"
    _raise(errors)
    review = TeamAroundFamilyReview.objects.create(
        episode=episode, child=child, held_on=held_on, summary=summary.strip()
    )
    record_change(
        actor=actor,
        verb="early_help.review_held",
        target=review,
        child=child,
        payload={"on": held_on.isoformat()},
        chronology=lines.family_review_held(review),
    )
    return review


def _latest_event(episode: EarlyHelpEpisode) -> tuple[dt.date, str]:
    events = [(episode.started_on, "early help started")]
    assessment = EarlyHelpAssessment.objects.filter(episode=episode).first()
    if assessment:
        events.append((assessment.started_on, "the assessment started"))
        if assessment.completed_on:
            events.append((assessment.completed_on, "the assessment was completed"))
    events.extend((day, "the last review") for day in episode.reviews.values_list("held_on", flat=True))
    return max(events)


def _check_after_latest_event(
    errors: dict, field: str, day, what: str, episode: EarlyHelpEpisode, child: Child, too_early: str
) -> None:
    """The date is given and possible, and not before the episode's last recorded event ("`too_early` the last
    review on 14 April 2026")."""
    check_date_given(errors, field, day, what, child)
    if field not in errors:
        latest, event = _latest_event(episode)
        if day < latest:
            errors[field] = f"{too_early} {event} on {long_date(latest)}"


def _close(actor, episode: EarlyHelpEpisode, child: Child, errors: dict, ended_on, end_reason: str) -> None:
    _check_after_latest_event(
        errors, "ended_on", ended_on, "date early help ended", episode, child, "Early help cannot end before"
    )
    _raise(errors)
    episode.ended_on = ended_on
    episode.end_reason = end_reason
    episode.save(update_fields=["ended_on", "end_reason", "stepped_up_contact", "updated_at"])
    record_change(
        actor=actor,
        verb="early_help.closed",
        target=episode,
        child=child,
        payload={"on": ended_on.isoformat(), "reason": end_reason},
        chronology=lines.episode_closed(episode),
    )


@transaction.atomic
def early_help_episode_close(
    *, actor, episode: EarlyHelpEpisode, ended_on: dt.date | None, end_reason: str
) -> EarlyHelpEpisode:
    """Close an episode with its outcome (a step-up has its own service)."""
    child = _lock_child(actor, episode.child)
    episode = _open_episode(episode)
    errors: dict = {}
    if end_reason not in CLOSING_REASONS:
        errors["end_reason"] = "Select why early help is ending (a step-up is recorded with 'Step up')"
    _close(actor, episode, child, errors, ended_on, end_reason)
    return episode


def _received_at(day: dt.date) -> dt.datetime:
    now = timezone.localtime()
    if day == now.date():
        return now
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def early_help_step_up(
    *, actor, episode: EarlyHelpEpisode, stepped_up_on: dt.date | None, concerns: str
) -> Contact:
    """Step the child up to children's social care: a contact to the front door from the lead professional,
    linked to the episode, which closes as stepped up that day."""
    from opencsc.frontdoor.services import contact_record

    child = _lock_child(actor, episode.child)
    episode = _open_episode(episode)
    errors: dict = {}
    if not concerns.strip():
        errors["concerns"] = "Say what has changed and why early help is no longer enough"
    _check_after_latest_event(
        errors,
        "stepped_up_on",
        stepped_up_on,
        "date of the step-up",
        episode,
        child,
        "The step-up cannot be before",
    )
    _raise(errors)
    contact = contact_record(
        actor=None,
        channel=Channel.EARLY_HELP,
        source=ReferralSource.EARLY_HELP,
        concerns=concerns.strip(),
        children=[child],
        received_at=_received_at(stepped_up_on),
        referrer_name=episode.lead_name,
        referrer_role=episode.lead_role or "Early help lead professional",
        referrer_organisation=episode.lead_organisation,
        referrer_email=episode.lead_email,
        referrer_phone=episode.lead_phone,
    )
    contact.recorded_by = actor
    contact.save(update_fields=["recorded_by"])
    episode.stepped_up_contact = contact
    _close(actor, episode, child, {}, stepped_up_on, EpisodeEnd.STEPPED_UP)
    record_change(
        actor=actor,
        verb="early_help.stepped_up",
        target=episode,
        child=child,
        payload={"contact": contact.reference},
        chronology=lines.stepped_up(episode),
    )
    return contact


@transaction.atomic
def early_help_step_down(
    *,
    actor,
    referral: Referral,
    closed_on: dt.date | None,
    reason: str,
    lead_name: str,
    lead_organisation_kind: str,
    lead_organisation: str,
    lead_role: str = "",
    lead_email: str = "",
    lead_phone: str = "",
) -> EarlyHelpEpisode:
    """Close the case (the CIN episode) to early help and open the early help episode the same day."""
    from opencsc.casework.protection import referral_close

    child = _lock_child(actor, referral.child)
    errors: dict = {}
    if reason not in STEP_DOWN_REASONS:
        errors["reason"] = "Select RC9 (closed after assessment) or RC7 (services ceased)"
    lead = {
        "lead_name": lead_name,
        "lead_role": lead_role,
        "lead_organisation_kind": lead_organisation_kind,
        "lead_organisation": lead_organisation,
        "lead_email": lead_email,
        "lead_phone": lead_phone,
    }
    _check_lead(errors, lead)
    if closed_on is not None:
        _check_new_episode(errors, child, closed_on)
        if "started_on" in errors:
            errors["closed_on"] = errors.pop("started_on")
    try:
        referral_close(actor=actor, referral=referral, closed_on=closed_on, reason=reason or "RC9")
    except ValidationError as refused:
        refusals = refused.message_dict if hasattr(refused, "error_dict") else {"closed_on": refused.messages}
        for field, messages in refusals.items():
            errors.setdefault(field if field != "__all__" else "closed_on", messages[0])
    _raise(errors)
    return _create_episode(actor, child, closed_on, EpisodeStart.STEP_DOWN, referral, lead)
