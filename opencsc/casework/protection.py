"""Writes for the statutory casework: assessments, strategy discussions, section 47 enquiries, conferences,
protection plans, core groups, child-in-need plans and reviews, and closing the case.

Each service is one step: one transaction, a permission check, the rules (refusing impossible sequences with a
message naming the field), the audit event and the chronology entry. Nothing is half-saved: a refused step raises
before anything is written, or inside the transaction, which then rolls back.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.accounts.models import Role
from opencsc.audit.changes import record_change
from opencsc.audit.services import audit_event_record
from opencsc.casework import chronology_lines as lines
from opencsc.casework.models import (
    Assessment,
    AssessmentFactor,
    AssessmentOutcome,
    CategoryOfAbuse,
    ChildInNeedPlan,
    ChildInNeedReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    CoreGroupMeeting,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
)
from opencsc.casework.protection_selectors import referrals_awaiting_assessment
from opencsc.core.codes import ReasonForClosure
from opencsc.core.dates import long_date
from opencsc.core.event_dates import check_possible_date
from opencsc.frontdoor.models import Referral
from opencsc.people.models import Child

AUTHORISING_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR}
NO_FACTORS = AssessmentFactor.F21.value
AFTER_ASSESSMENT_REASONS = {ReasonForClosure.RC8.value, ReasonForClosure.RC9.value}
NO_CONFERENCE_OUTCOMES = {
    Section47Outcome.CONCERNS_SUBSTANTIATED_NO_ICPC.value,
    Section47Outcome.NOT_SUBSTANTIATED.value,
}


def _lock_child(actor, child: Child) -> Child:
    """Check the actor may change the child, and lock the child's row so two people recording the same step
    at once cannot both pass the checks."""
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot record casework for this child")
    return Child.objects.select_for_update().get(pk=child.pk)


def _check_date(
    errors: dict, field: str, value: dt.date | None, what: str, child: Child, *, required: bool = True
) -> bool:
    """Adds an error for a missing date, or one in the future or before the child's birth; True if the date is
    usable for further checks."""
    if value is None:
        if required:
            errors.setdefault(field, f"Enter the date {what}")
        return False
    return check_possible_date(errors, value, child=child, field=field, label=f"The date {what}")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _open_referral(child: Child) -> Referral | None:
    return child.referrals.filter(closed_on__isnull=True).order_by("-referral_date", "-id").first()


def _require_open_referral(child: Child, field: str) -> Referral:
    referral = _open_referral(child)
    if referral is None:
        raise ValidationError(
            {field: f"{child} has no open referral: casework is recorded within a referral (a CIN episode)"}
        )
    return referral


def _locked(model, record):
    return model.objects.select_for_update().get(pk=record.pk)


# Assessments ----------------------------------------------------------------------------------------------


def referral_assessment_problem(referral: Referral) -> str | None:
    """Why `referral` cannot take a new assessment (closed, or already answered by one), or None if it can."""
    when = long_date(referral.referral_date)
    if referral.closed_on is not None:
        return (
            f"The referral of {when} was closed on {long_date(referral.closed_on)}: an assessment answers an open "
            "referral"
        )
    authorised = referral.assessments.filter(authorised_on__isnull=False).order_by("-authorised_on").first()
    if authorised is not None:
        return (
            f"The referral of {when} was already assessed (authorised on {long_date(authorised.authorised_on)}): "
            "a new concern comes through the front door as a new referral"
        )
    if referral.assessments.filter(closed_on__isnull=True).exists():
        return f"The referral of {when} already has an assessment in progress"
    return None


def _referral_to_assess(child: Child, referral: Referral | None) -> Referral:
    """The referral a new assessment answers: the one given, or the child's only referral awaiting one."""
    if referral is None:
        waiting = referrals_awaiting_assessment(child)
        if len(waiting) > 1:
            raise ValidationError({"referral": "Choose the referral this assessment answers"})
        if waiting:
            return waiting[0]
        latest = _require_open_referral(child, "started_on")
        raise ValidationError({"referral": referral_assessment_problem(latest)})
    if referral.child_id != child.pk:
        raise ValidationError({"referral": f"This referral is not about {child}"})
    if problem := referral_assessment_problem(_locked(Referral, referral)):
        raise ValidationError({"referral": problem})
    return referral


@transaction.atomic
def assessment_start(
    *, actor, child: Child, referral: Referral | None = None, started_on: dt.date | None = None
) -> Assessment:
    """Start a child and family assessment answering `referral` (by default the child's one open referral that
    no assessment has answered). A closed referral, or one already assessed, is refused: its clock ran long ago."""
    child = _lock_child(actor, child)
    started_on = started_on or timezone.localdate()
    current = child.assessments.filter(authorised_on__isnull=True, closed_on__isnull=True).first()
    if current:
        raise ValidationError(
            {
                "started_on": f"{child} already has an assessment in progress, started on {long_date(current.started_on)}"
            }
        )
    referral = _referral_to_assess(child, referral)
    errors: dict = {}
    valid = _check_date(errors, "started_on", started_on, "the assessment started", child)
    if valid and started_on < referral.referral_date:
        errors["started_on"] = (
            f"The assessment cannot start before the referral on {long_date(referral.referral_date)}"
        )
    _raise(errors)
    assessment = Assessment.objects.create(
        child=child, referral=referral, worker=actor, started_on=started_on
    )
    record_change(
        actor=actor,
        verb="assessment.started",
        target=assessment,
        child=child,
        chronology=lines.assessment_started(assessment),
    )
    return assessment


def _lock_open_assessment(actor, assessment: Assessment) -> Assessment:
    _lock_child(actor, assessment.child)
    assessment = _locked(Assessment, assessment)
    if assessment.authorised_on is not None:
        raise ValidationError(
            f"This assessment was authorised on {long_date(assessment.authorised_on)}: it is final"
        )
    if assessment.closed_on is not None:
        raise ValidationError(f"This assessment was closed on {long_date(assessment.closed_on)}")
    return assessment


@transaction.atomic
def assessment_record_child_seen(*, actor, assessment: Assessment, seen_on: dt.date | None) -> Assessment:
    assessment = _lock_open_assessment(actor, assessment)
    errors: dict = {}
    if _check_date(errors, "seen_on", seen_on, "the child was seen", assessment.child):
        if seen_on < assessment.started_on:
            errors["seen_on"] = (
                f"The date the child was seen must be on or after the assessment started, "
                f"{long_date(assessment.started_on)}"
            )
        elif assessment.completed_on and seen_on > assessment.completed_on:
            errors["seen_on"] = (
                f"The date the child was seen must be on or before the assessment was completed, "
                f"{long_date(assessment.completed_on)}"
            )
    _raise(errors)
    assessment.child_seen_on = seen_on
    assessment.save(update_fields=["child_seen_on", "updated_at"])
    record_change(
        actor=actor,
        verb="assessment.child_seen",
        target=assessment,
        child=assessment.child,
        payload={"seen_on": seen_on.isoformat()},
        chronology=lines.assessment_child_seen(assessment, seen_on),
    )
    return assessment


@transaction.atomic
def assessment_record_factors(*, actor, assessment: Assessment, factors: list[str]) -> Assessment:
    """The factors identified (DfE codes). '21 No factors identified' cannot be combined with others."""
    assessment = _lock_open_assessment(actor, assessment)
    codes = list(dict.fromkeys(factors))
    known = set(AssessmentFactor.values)
    if not codes:
        raise ValidationError({"factors": "Select the factors identified, or '21 No factors identified'"})
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError({"factors": f"Not a DfE assessment factor code: {', '.join(unknown)}"})
    if NO_FACTORS in codes and len(codes) > 1:
        raise ValidationError(
            {
                "factors": "'21 No factors identified' cannot be selected with other factors: untick one or the other"
            }
        )
    ordered = [code for code in AssessmentFactor.values if code in codes]
    assessment.factors = ordered
    assessment.save(update_fields=["factors", "updated_at"])
    record_change(
        actor=actor,
        verb="assessment.factors",
        target=assessment,
        child=assessment.child,
        payload={"factors": ordered},
        chronology=lines.assessment_factors(assessment, timezone.localdate()),
    )
    return assessment


@transaction.atomic
def assessment_record_outcome(*, actor, assessment: Assessment, outcome: str) -> Assessment:
    assessment = _lock_open_assessment(actor, assessment)
    if outcome not in AssessmentOutcome.values:
        raise ValidationError({"outcome": "Select the outcome of the assessment"})
    assessment.outcome = outcome
    assessment.save(update_fields=["outcome", "updated_at"])
    record_change(
        actor=actor,
        verb="assessment.outcome",
        target=assessment,
        child=assessment.child,
        payload={"outcome": outcome},
        chronology=lines.assessment_outcome(assessment, timezone.localdate()),
    )
    return assessment


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment, completed_on: dt.date | None) -> Assessment:
    """The worker has finished the assessment and sends it for a manager's authorisation."""
    assessment = _lock_open_assessment(actor, assessment)
    errors: dict = {}
    if assessment.completed_on:
        errors["completed_on"] = (
            f"This assessment was already submitted on {long_date(assessment.completed_on)}"
        )
    if _check_date(errors, "completed_on", completed_on, "the assessment was completed", assessment.child):
        if completed_on < assessment.started_on:
            errors["completed_on"] = (
                f"The assessment cannot be completed before it started on {long_date(assessment.started_on)}"
            )
        elif assessment.child_seen_on and completed_on < assessment.child_seen_on:
            errors["completed_on"] = (
                f"The assessment cannot be completed before the child was seen on "
                f"{long_date(assessment.child_seen_on)}"
            )
    if not assessment.factors:
        errors["factors"] = "Record the factors identified before submitting the assessment"
    if not assessment.outcome:
        errors["outcome"] = "Record the outcome before submitting the assessment"
    _raise(errors)
    assessment.completed_on = completed_on
    assessment.save(update_fields=["completed_on", "updated_at"])
    record_change(
        actor=actor,
        verb="assessment.submitted",
        target=assessment,
        child=assessment.child,
        chronology=lines.assessment_submitted(assessment),
    )
    return assessment


@transaction.atomic
def assessment_authorise(*, actor, assessment: Assessment, authorised_on: dt.date | None) -> Assessment:
    """A manager signs off a submitted assessment; this stops the 45-working-day clock."""
    if actor.role not in AUTHORISING_ROLES:
        raise PermissionDenied("Only a team manager, head of service or director can authorise an assessment")
    assessment = _lock_open_assessment(actor, assessment)
    errors: dict = {}
    if not assessment.completed_on:
        raise ValidationError(
            {"authorised_on": "The assessment has not been submitted: the worker submits it first"}
        )
    if _check_date(errors, "authorised_on", authorised_on, "of authorisation", assessment.child):
        if authorised_on < assessment.started_on:
            errors["authorised_on"] = (
                f"The assessment cannot be authorised before it started on {long_date(assessment.started_on)}"
            )
        elif authorised_on < assessment.completed_on:
            errors["authorised_on"] = (
                f"The assessment cannot be authorised before it was completed on "
                f"{long_date(assessment.completed_on)}"
            )
    _raise(errors)
    assessment.authorised_on = authorised_on
    assessment.authorised_by = actor
    assessment.save(update_fields=["authorised_on", "authorised_by", "updated_at"])
    record_change(
        actor=actor,
        verb="assessment.authorised",
        target=assessment,
        child=assessment.child,
        payload={"outcome": assessment.outcome},
        chronology=lines.assessment_authorised(assessment),
    )
    return assessment


# Closing the case -----------------------------------------------------------------------------------------


@transaction.atomic
def referral_close(*, actor, referral: Referral, closed_on: dt.date | None, reason: str) -> Referral:
    """Close the case (the CIN episode). Refused while an assessment, enquiry or plan is open. RC8 and RC9 are
    for a case closed after an assessment (and no plan); RC1 to RC7 for any other ending."""
    child = _lock_child(actor, referral.child)
    referral = _locked(Referral, referral)
    errors: dict = {}
    if referral.closed_on:
        raise ValidationError(f"This case was already closed on {long_date(referral.closed_on)}")
    if reason not in ReasonForClosure.values:
        errors["reason"] = "Select the reason the case is closing"
    open_work = [
        (child.assessments.filter(authorised_on__isnull=True, closed_on__isnull=True), "an assessment"),
        (child.section_47s.filter(completed_on__isnull=True), "a section 47 enquiry"),
        (child.protection_plans.filter(ended_on__isnull=True), "a child protection plan"),
        (child.cin_plans.filter(ended_on__isnull=True), "a child in need plan"),
    ]
    still_open = [what for records, what in open_work if records.exists()]
    if still_open:
        errors["reason"] = (
            f"The case cannot close while {child} has {' and '.join(still_open)} open: "
            "complete or end it first"
        )
    authorised = referral.assessments.filter(authorised_on__isnull=False)
    had_plan = referral.protection_plans.exists() or referral.cin_plans.exists()
    if reason in AFTER_ASSESSMENT_REASONS and not errors.get("reason"):
        if not authorised.exists():
            errors["reason"] = (
                f"{ReasonForClosure(reason).label} needs an authorised assessment in this referral: "
                "choose one of RC1 to RC7"
            )
        elif had_plan:
            errors["reason"] = (
                f"{ReasonForClosure(reason).label} is for a case closed after its assessment; "
                "this case had a plan, so choose one of RC1 to RC7"
            )
    if _check_date(errors, "closed_on", closed_on, "the case closed", child):
        latest = _latest_event_in(referral)
        if closed_on < referral.referral_date:
            errors["closed_on"] = (
                f"The case cannot close before the referral on {long_date(referral.referral_date)}"
            )
        elif latest and closed_on < latest[0]:
            errors["closed_on"] = f"The case cannot close before {latest[1]} on {long_date(latest[0])}"
    _raise(errors)
    referral.closed_on = closed_on
    referral.closure_reason = reason
    referral.save(update_fields=["closed_on", "closure_reason", "updated_at"])
    record_change(
        actor=actor,
        verb="referral.closed",
        target=referral,
        child=child,
        payload={"reason": reason},
        chronology=lines.referral_closed(referral),
    )
    return referral


def _latest_event_in(referral: Referral) -> tuple[dt.date, str] | None:
    events = []
    for day in referral.assessments.values_list("authorised_on", flat=True):
        if day:
            events.append((day, "the assessment was authorised"))
    for day in referral.protection_plans.values_list("ended_on", flat=True):
        if day:
            events.append((day, "the protection plan ended"))
    for day in referral.cin_plans.values_list("ended_on", flat=True):
        if day:
            events.append((day, "the child in need plan ended"))
    for day in referral.section_47s.values_list("completed_on", flat=True):
        if day:
            events.append((day, "the section 47 enquiry was completed"))
    return max(events) if events else None


# Strategy discussions and section 47 enquiries ------------------------------------------------------------


@transaction.atomic
def strategy_discussion_record(
    *,
    actor,
    child: Child,
    held_on: dt.date | None,
    section_47_agreed: bool | None,
    attendees: str = "",
    summary: str = "",
    section_47_started_on: dt.date | None = None,
) -> StrategyDiscussion:
    """Record a strategy discussion; if it agreed a section 47 enquiry, start the enquiry (on the day of the
    discussion unless another date is given). The initial conference clock runs from this discussion."""
    child = _lock_child(actor, child)
    referral = _require_open_referral(child, "held_on")
    errors: dict = {}
    if section_47_agreed is None:
        errors["section_47_agreed"] = "Say whether a section 47 enquiry was agreed"
    if not attendees.strip():
        errors["attendees"] = "Enter who took part (at least the local authority, police and health)"
    valid = _check_date(errors, "held_on", held_on, "of the strategy discussion", child)
    if valid and held_on < referral.referral_date:
        errors["held_on"] = (
            f"The strategy discussion cannot be before the referral on {long_date(referral.referral_date)}"
        )
    if section_47_agreed:
        current = child.section_47s.filter(completed_on__isnull=True).first()
        if current:
            errors["section_47_agreed"] = (
                f"{child} already has a section 47 enquiry open since {long_date(current.started_on)}: "
                "record its outcome before starting another"
            )
        start_valid = section_47_started_on is not None and _check_date(
            errors, "section_47_started_on", section_47_started_on, "the enquiry started", child
        )
        if start_valid and held_on and section_47_started_on < held_on:
            errors["section_47_started_on"] = (
                f"The section 47 enquiry cannot start before the strategy discussion on {long_date(held_on)}"
            )
    elif section_47_started_on:
        errors["section_47_started_on"] = "Leave the start of the enquiry blank when no enquiry was agreed"
    _raise(errors)
    discussion = StrategyDiscussion.objects.create(
        child=child,
        referral=referral,
        held_on=held_on,
        attendees=attendees.strip(),
        section_47_agreed=section_47_agreed,
        summary=summary,
        recorded_by=actor,
    )
    record_change(
        actor=actor,
        verb="strategy_discussion.recorded",
        target=discussion,
        child=child,
        payload={"section_47_agreed": section_47_agreed},
        chronology=lines.strategy_discussion(discussion),
    )
    if section_47_agreed:
        started_on = section_47_started_on or held_on
        enquiry = Section47Enquiry.objects.create(
            child=child, referral=referral, strategy_discussion=discussion, started_on=started_on
        )
        record_change(
            actor=actor,
            verb="section_47.started",
            target=enquiry,
            child=child,
            chronology=lines.section_47_started(enquiry),
        )
    return discussion


@transaction.atomic
def section_47_complete(
    *, actor, enquiry: Section47Enquiry, completed_on: dt.date | None, outcome: str
) -> Section47Enquiry:
    """The enquiry's outcome. 'Conference needed' keeps the initial conference clock running; the other
    outcomes stop it."""
    _lock_child(actor, enquiry.child)
    enquiry = _locked(Section47Enquiry, enquiry)
    errors: dict = {}
    if enquiry.completed_on:
        raise ValidationError(f"This enquiry was completed on {long_date(enquiry.completed_on)}")
    if outcome not in Section47Outcome.values:
        errors["outcome"] = "Select the outcome of the enquiry"
    valid = _check_date(errors, "completed_on", completed_on, "the enquiry was completed", enquiry.child)
    if valid and completed_on < enquiry.started_on:
        errors["completed_on"] = (
            f"The enquiry cannot be completed before it started on {long_date(enquiry.started_on)}"
        )
    _raise(errors)
    enquiry.completed_on = completed_on
    enquiry.outcome = outcome
    enquiry.icpc_not_required = outcome in NO_CONFERENCE_OUTCOMES
    enquiry.save(update_fields=["completed_on", "outcome", "icpc_not_required", "updated_at"])
    record_change(
        actor=actor,
        verb="section_47.completed",
        target=enquiry,
        child=enquiry.child,
        payload={"outcome": outcome},
        chronology=lines.section_47_completed(enquiry),
    )
    return enquiry


# Conferences and protection plans -------------------------------------------------------------------------


@transaction.atomic
def initial_conference_record(
    *,
    actor,
    enquiry: Section47Enquiry,
    held_on: dt.date | None,
    plan_decided: bool | None,
    category: str = "",
    chair: str = "",
    previous_plans: int | None = None,
    plan_started_on: dt.date | None = None,
) -> ChildProtectionConference:
    """The initial child protection conference for an enquiry. If it decides on a plan, the plan starts on the
    day of the conference, counting the child's earlier plans (or a higher count given from elsewhere)."""
    child = _lock_child(actor, enquiry.child)
    enquiry = _locked(Section47Enquiry, enquiry)
    errors: dict = {}
    if ChildProtectionConference.objects.filter(section_47=enquiry, kind=ConferenceKind.INITIAL).exists():
        raise ValidationError({"held_on": "This enquiry already has an initial conference"})
    if enquiry.icpc_not_required or enquiry.outcome in NO_CONFERENCE_OUTCOMES:
        raise ValidationError(
            {"held_on": f"The enquiry's outcome was '{enquiry.get_outcome_display()}': no conference is due"}
        )
    if plan_decided is None:
        errors["plan_decided"] = "Say whether the conference decided on a child protection plan"
    if plan_decided:
        if category not in CategoryOfAbuse.values:
            errors["category"] = "Select the category of abuse for the plan"
        if child.protection_plans.filter(ended_on__isnull=True).exists():
            errors["plan_decided"] = f"{child} is already on a child protection plan"
        if previous_plans is not None and previous_plans < 0:
            errors["previous_plans"] = "The number of previous plans must be 0 or more"
    elif category:
        errors["category"] = "Leave the category blank when no plan was decided"
    discussion = enquiry.strategy_discussion
    check_possible_date(
        errors, plan_started_on, child=child, field="plan_started_on", label="The date the plan started"
    )
    if _check_date(errors, "held_on", held_on, "of the conference", child):
        if discussion and held_on < discussion.held_on:
            errors["held_on"] = (
                f"The conference cannot be before the strategy discussion on {long_date(discussion.held_on)}"
            )
        elif held_on < enquiry.started_on:
            errors["held_on"] = (
                f"The conference cannot be before the section 47 enquiry started on {long_date(enquiry.started_on)}"
            )
    if (
        plan_decided
        and held_on
        and plan_started_on
        and plan_started_on != held_on
        and "held_on" not in errors
        and "plan_started_on" not in errors
    ):
        if plan_started_on < held_on:
            errors["plan_started_on"] = (
                f"A plan cannot start before the conference that made it, on {long_date(held_on)}"
            )
        else:
            errors["plan_started_on"] = (
                f"A plan starts on the day of the conference that made it, {long_date(held_on)}"
            )
    _raise(errors)
    conference = ChildProtectionConference.objects.create(
        child=child,
        kind=ConferenceKind.INITIAL,
        section_47=enquiry,
        held_on=held_on,
        plan_decided=plan_decided,
        category=category if plan_decided else "",
        chair=chair.strip(),
    )
    if enquiry.completed_on is None:
        # The enquiry concludes at its conference.
        enquiry.completed_on = held_on
        enquiry.outcome = enquiry.outcome or Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC
        enquiry.save(update_fields=["completed_on", "outcome", "updated_at"])
    record_change(
        actor=actor,
        verb="conference.initial",
        target=conference,
        child=child,
        payload={"plan_decided": plan_decided, "category": category},
        chronology=lines.initial_conference(conference),
    )
    if plan_decided:
        earlier = child.protection_plans.count()
        plan = ChildProtectionPlan.objects.create(
            child=child,
            referral=enquiry.referral,
            initial_conference=conference,
            started_on=held_on,
            initial_category=category,
            latest_category=category,
            previous_plans=max(earlier, previous_plans or 0),
        )
        conference.plan = plan
        conference.save(update_fields=["plan", "updated_at"])
        record_change(
            actor=actor,
            verb="protection_plan.started",
            target=plan,
            child=child,
            chronology=lines.protection_plan_started(plan),
        )
    return conference


CHAIR_MAX_CHARACTERS = 200


@transaction.atomic
def conference_record_chair(
    *, actor, conference: ChildProtectionConference, chair: str
) -> ChildProtectionConference:
    """Who chaired a conference, from its record (the conference document names the chair)."""
    _lock_child(actor, conference.child)
    conference = _locked(ChildProtectionConference, conference)
    chair = (chair or "").strip()
    if not chair:
        raise ValidationError({"chair": "Enter who chaired the conference"})
    if len(chair) > CHAIR_MAX_CHARACTERS:
        raise ValidationError(
            {"chair": f"Too long: the most a chair's name can hold is {CHAIR_MAX_CHARACTERS}"}
        )
    if chair != conference.chair:
        conference.chair = chair
        conference.save(update_fields=["chair", "updated_at"])
        audit_event_record(
            actor=actor, verb="conference.chair_recorded", target=conference, child=conference.child
        )
    return conference


def _lock_open_plan(actor, plan: ChildProtectionPlan) -> ChildProtectionPlan:
    _lock_child(actor, plan.child)
    plan = _locked(ChildProtectionPlan, plan)
    if plan.ended_on:
        raise ValidationError(f"This plan ended on {long_date(plan.ended_on)}")
    return plan


def _last_conference(plan: ChildProtectionPlan) -> dt.date:
    last = plan.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
    return max(filter(None, (plan.started_on, last)))


@transaction.atomic
def core_group_record(*, actor, plan: ChildProtectionPlan, held_on: dt.date | None) -> CoreGroupMeeting:
    plan = _lock_open_plan(actor, plan)
    errors: dict = {}
    if _check_date(errors, "held_on", held_on, "of the core group", plan.child) and held_on < plan.started_on:
        errors["held_on"] = (
            f"A core group cannot meet before the plan started on {long_date(plan.started_on)}"
        )
    _raise(errors)
    meeting = CoreGroupMeeting.objects.create(plan=plan, held_on=held_on)
    record_change(
        actor=actor,
        verb="core_group.recorded",
        target=meeting,
        child=plan.child,
        chronology=lines.core_group(meeting),
    )
    return meeting


@transaction.atomic
def review_conference_record(
    *,
    actor,
    plan: ChildProtectionPlan,
    held_on: dt.date | None,
    plan_continues: bool | None,
    category: str = "",
    chair: str = "",
) -> ChildProtectionConference:
    """A review conference: the plan continues (perhaps under a new category) or ends on the day."""
    plan = _lock_open_plan(actor, plan)
    errors: dict = {}
    if plan_continues is None:
        errors["plan_continues"] = "Say whether the plan continues"
    if category and category not in CategoryOfAbuse.values:
        errors["category"] = "Select a category of abuse"
    if category and plan_continues is False:
        errors["category"] = "Leave the category blank when the plan ends"
    if _check_date(errors, "held_on", held_on, "of the review conference", plan.child):
        last = _last_conference(plan)
        if held_on <= last:
            errors["held_on"] = (
                f"A review conference must be after the plan's last conference on {long_date(last)}"
            )
    _raise(errors)
    conference = ChildProtectionConference.objects.create(
        child=plan.child,
        kind=ConferenceKind.REVIEW,
        plan=plan,
        held_on=held_on,
        plan_decided=plan_continues,
        category=category or (plan.latest_category if plan_continues else ""),
        chair=chair.strip(),
    )
    changed = []
    if plan_continues and category and category != plan.latest_category:
        plan.latest_category = category
        changed.append("latest_category")
    if not plan_continues:
        plan.ended_on = held_on
        changed.append("ended_on")
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
    record_change(
        actor=actor,
        verb="conference.review",
        target=conference,
        child=plan.child,
        payload={"plan_continues": plan_continues, "category": plan.latest_category},
        chronology=lines.review_conference(conference),
    )
    return conference


@transaction.atomic
def protection_plan_end(*, actor, plan: ChildProtectionPlan, ended_on: dt.date | None) -> ChildProtectionPlan:
    """End a plan outside a review conference (for example, the family moved to another authority)."""
    plan = _lock_open_plan(actor, plan)
    errors: dict = {}
    if _check_date(errors, "ended_on", ended_on, "the plan ended", plan.child):
        last = _last_conference(plan)
        if ended_on < last:
            errors["ended_on"] = f"The plan cannot end before its last conference on {long_date(last)}"
    _raise(errors)
    plan.ended_on = ended_on
    plan.save(update_fields=["ended_on", "updated_at"])
    record_change(
        actor=actor,
        verb="protection_plan.ended",
        target=plan,
        child=plan.child,
        chronology=lines.protection_plan_ended(plan),
    )
    return plan


# Child in need plans --------------------------------------------------------------------------------------


@transaction.atomic
def cin_plan_start(*, actor, child: Child, started_on: dt.date | None) -> ChildInNeedPlan:
    """A child in need plan, after an authorised assessment that found support is needed (or when a
    protection plan in the same referral has ended and the child steps down to a child in need plan)."""
    child = _lock_child(actor, child)
    referral = _require_open_referral(child, "started_on")
    errors: dict = {}
    if child.cin_plans.filter(ended_on__isnull=True).exists():
        errors["started_on"] = f"{child} already has a child in need plan"
    assessment = (
        referral.assessments.filter(authorised_on__isnull=False, outcome=AssessmentOutcome.SUPPORT_REQUIRED)
        .order_by("-authorised_on")
        .first()
    )
    ended_plan = referral.protection_plans.filter(ended_on__isnull=False).order_by("-ended_on").first()
    if assessment is None and ended_plan is None:
        errors["started_on"] = (
            "A child in need plan starts after an authorised assessment whose outcome is that support is "
            "required: record and authorise the assessment first"
        )
    if (
        _check_date(errors, "started_on", started_on, "the plan started", child)
        and "started_on" not in errors
    ):
        earliest = min(
            day
            for day in (assessment and assessment.authorised_on, ended_plan and ended_plan.ended_on)
            if day
        )
        if started_on < earliest:
            what = "the assessment was authorised" if assessment else "the protection plan ended"
            errors["started_on"] = f"The plan cannot start before {what} on {long_date(earliest)}"
    _raise(errors)
    plan = ChildInNeedPlan.objects.create(child=child, referral=referral, started_on=started_on)
    record_change(
        actor=actor,
        verb="cin_plan.started",
        target=plan,
        child=child,
        chronology=lines.cin_plan_started(plan),
    )
    return plan


def _lock_open_cin_plan(actor, plan: ChildInNeedPlan) -> ChildInNeedPlan:
    _lock_child(actor, plan.child)
    plan = _locked(ChildInNeedPlan, plan)
    if plan.ended_on:
        raise ValidationError(f"This plan ended on {long_date(plan.ended_on)}")
    return plan


@transaction.atomic
def cin_review_record(*, actor, plan: ChildInNeedPlan, held_on: dt.date | None) -> ChildInNeedReview:
    plan = _lock_open_cin_plan(actor, plan)
    errors: dict = {}
    if _check_date(errors, "held_on", held_on, "of the review", plan.child):
        last = plan.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
        if held_on < plan.started_on:
            errors["held_on"] = f"A review cannot be before the plan started on {long_date(plan.started_on)}"
        elif last and held_on <= last:
            errors["held_on"] = f"A review must be after the plan's last review on {long_date(last)}"
    _raise(errors)
    review = ChildInNeedReview.objects.create(plan=plan, held_on=held_on)
    record_change(
        actor=actor,
        verb="cin_review.recorded",
        target=review,
        child=plan.child,
        chronology=lines.cin_review(review),
    )
    return review


@transaction.atomic
def cin_plan_end(*, actor, plan: ChildInNeedPlan, ended_on: dt.date | None) -> ChildInNeedPlan:
    plan = _lock_open_cin_plan(actor, plan)
    errors: dict = {}
    if _check_date(errors, "ended_on", ended_on, "the plan ended", plan.child):
        last = plan.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
        if ended_on < plan.started_on:
            errors["ended_on"] = f"The plan cannot end before it started on {long_date(plan.started_on)}"
        elif last and ended_on < last:
            errors["ended_on"] = f"The plan cannot end before its last review on {long_date(last)}"
    _raise(errors)
    plan.ended_on = ended_on
    plan.save(update_fields=["ended_on", "updated_at"])
    record_change(
        actor=actor,
        verb="cin_plan.ended",
        target=plan,
        child=plan.child,
        chronology=lines.cin_plan_ended(plan),
    )
    return plan
