"""The wording of the chronology lines of casework events: allocation, case notes, assessments, strategy
discussions and section 47 enquiries, conferences, protection plans, core groups, child in need plans and
reviews, and closing the case.

One function per event kind, used by the service that records the event (through `record_change`) and by the
synthetic authority for the events it generates, so both write the same line. A function takes the record as it
stands once the event is recorded; where the line is dated otherwise (the day something was recorded), the day
is an argument. Routine steps (allocation, the child seen, factors and outcome recorded, core groups, child in
need reviews) are not significant: the chronology's significant view leaves them out.
"""

import datetime as dt

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import (
    AssessmentOutcome,
    CategoryOfAbuse,
    ChronologyCategory,
    NoteType,
    Section47Outcome,
)
from opencsc.core.codes import ReasonForClosure

ASSESSMENT = ChronologyCategory.ASSESSMENT
PROTECTION = ChronologyCategory.PROTECTION


def allocated(allocation) -> ChronologyLine:
    worker = allocation.worker
    return ChronologyLine(
        allocation.child,
        allocation.started_on,
        ChronologyCategory.ALLOCATION,
        f"Allocated to {worker.display_name} ({allocation.team})",
        f"allocation-{allocation.pk}",
        is_significant=False,
    )


def note_summary(note) -> str:
    summary = f"{note.get_note_type_display()}: {note.title}"
    if note.note_type == NoteType.VISIT:
        seen = "child seen" if note.child_seen else "child not seen"
        if note.child_seen:
            seen += ", seen alone" if note.child_seen_alone else ", not seen alone"
        summary += f" ({seen})"
    return summary


def note_belongs_on_chronology(note) -> bool:
    """A final note is on the chronology if it is significant or a visit (a visit's 'seen' outcome)."""
    return note.is_significant or note.note_type == NoteType.VISIT


def note_finalised(note, child) -> ChronologyLine:
    return ChronologyLine(
        child,
        note.event_on,
        ChronologyCategory.CASE_NOTE,
        note_summary(note),
        f"note-{note.pk}",
        is_significant=note.is_significant,
    )


# Assessments -----------------------------------------------------------------------------------------------


def assessment_started(assessment) -> ChronologyLine:
    return ChronologyLine(
        assessment.child,
        assessment.started_on,
        ASSESSMENT,
        "Child and family assessment started",
        f"assessment-{assessment.pk}-started",
    )


def assessment_child_seen(assessment, seen_on: dt.date) -> ChronologyLine:
    return ChronologyLine(
        assessment.child,
        seen_on,
        ASSESSMENT,
        "Child seen for the assessment",
        f"assessment-{assessment.pk}-seen-{seen_on.isoformat()}",
        is_significant=False,
    )


def assessment_factors(assessment, recorded_on: dt.date) -> ChronologyLine:
    factors = assessment.factors
    return ChronologyLine(
        assessment.child,
        recorded_on,
        ASSESSMENT,
        f"Assessment factors recorded: {', '.join(factors)}",
        f"assessment-{assessment.pk}-factors-{'-'.join(factors)}",
        is_significant=False,
    )


def assessment_outcome(assessment, recorded_on: dt.date) -> ChronologyLine:
    return ChronologyLine(
        assessment.child,
        recorded_on,
        ASSESSMENT,
        f"Assessment outcome recorded: {AssessmentOutcome(assessment.outcome).label}",
        f"assessment-{assessment.pk}-outcome-{assessment.outcome}",
        is_significant=False,
    )


def assessment_submitted(assessment) -> ChronologyLine:
    return ChronologyLine(
        assessment.child,
        assessment.completed_on,
        ASSESSMENT,
        "Assessment completed and sent for authorisation",
        f"assessment-{assessment.pk}-submitted",
    )


def assessment_authorised(assessment) -> ChronologyLine:
    summary = f"Assessment authorised by {assessment.authorised_by.display_name}: {assessment.get_outcome_display()}"
    if assessment.outcome != AssessmentOutcome.SUPPORT_REQUIRED:
        summary += " (the case can now be closed)"
    return ChronologyLine(
        assessment.child,
        assessment.authorised_on,
        ASSESSMENT,
        summary,
        f"assessment-{assessment.pk}-authorised",
    )


def referral_closed(referral) -> ChronologyLine:
    return ChronologyLine(
        referral.child,
        referral.closed_on,
        ChronologyCategory.CONTACT,
        f"Case closed: {ReasonForClosure(referral.closure_reason).label}",
        f"referral-{referral.pk}-closed",
    )


# Strategy discussions, enquiries, conferences and protection plans --------------------------------------------


def strategy_discussion(discussion) -> ChronologyLine:
    outcome = "section 47 enquiry agreed" if discussion.section_47_agreed else "no section 47 enquiry"
    return ChronologyLine(
        discussion.child,
        discussion.held_on,
        PROTECTION,
        f"Strategy discussion: {outcome}",
        f"strategy-{discussion.pk}",
    )


def section_47_started(enquiry) -> ChronologyLine:
    return ChronologyLine(
        enquiry.child,
        enquiry.started_on,
        PROTECTION,
        "Section 47 enquiry started",
        f"s47-{enquiry.pk}-started",
    )


def section_47_completed(enquiry) -> ChronologyLine:
    return ChronologyLine(
        enquiry.child,
        enquiry.completed_on,
        PROTECTION,
        f"Section 47 enquiry completed: {Section47Outcome(enquiry.outcome).label}",
        f"s47-{enquiry.pk}-completed",
    )


def initial_conference(conference) -> ChronologyLine:
    if conference.plan_decided:
        decided = f"plan made, {CategoryOfAbuse(conference.category).label.lower()}"
    else:
        decided = "no plan"
    return ChronologyLine(
        conference.child,
        conference.held_on,
        PROTECTION,
        f"Initial child protection conference: {decided}",
        f"conference-{conference.pk}",
    )


def review_conference(conference) -> ChronologyLine:
    """The review's line, from the plan as the review left it (continuing under its latest category, or
    ended)."""
    if conference.plan_decided:
        result = f"plan continues, {conference.plan.get_latest_category_display().lower()}"
    else:
        result = "plan ended"
    return ChronologyLine(
        conference.child,
        conference.held_on,
        PROTECTION,
        f"Review child protection conference: {result}",
        f"conference-{conference.pk}",
    )


def protection_plan_started(plan) -> ChronologyLine:
    return ChronologyLine(
        plan.child,
        plan.started_on,
        PROTECTION,
        f"Child protection plan started: {CategoryOfAbuse(plan.initial_category).label.lower()}",
        f"cp-plan-{plan.pk}-started",
    )


def protection_plan_ended(plan) -> ChronologyLine:
    return ChronologyLine(
        plan.child, plan.ended_on, PROTECTION, "Child protection plan ended", f"cp-plan-{plan.pk}-ended"
    )


def core_group(meeting) -> ChronologyLine:
    return ChronologyLine(
        meeting.plan.child,
        meeting.held_on,
        PROTECTION,
        "Core group meeting",
        f"core-group-{meeting.pk}",
        is_significant=False,
    )


# Child in need plans ---------------------------------------------------------------------------------------


def cin_plan_started(plan) -> ChronologyLine:
    return ChronologyLine(
        plan.child,
        plan.started_on,
        ChronologyCategory.OTHER,
        "Child in need plan started",
        f"cin-plan-{plan.pk}-started",
    )


def cin_review(review) -> ChronologyLine:
    return ChronologyLine(
        review.plan.child,
        review.held_on,
        ChronologyCategory.OTHER,
        "Child in need plan reviewed",
        f"cin-review-{review.pk}",
        is_significant=False,
    )


def cin_plan_ended(plan) -> ChronologyLine:
    return ChronologyLine(
        plan.child,
        plan.ended_on,
        ChronologyCategory.OTHER,
        "Child in need plan ended",
        f"cin-plan-{plan.pk}-ended",
    )
