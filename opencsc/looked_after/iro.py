"""The independent reviewing officer (IRO): who reviews each looked-after child, and the recommendations of the
reviews they chair.

The rules, with their sources:

- Every looked-after child has an IRO (Children Act 1989 s25A; IRO Handbook 2010: appointed within 5 working
  days of becoming looked after). A team manager, head of service or director who may change the child's record
  assigns one; assigning another ends the current assignment the day the next starts, so the history is kept.
  The IRO holds the IRO role, is active, and for a restricted record is named on it. An assignment starts on a
  day the child is looked after, never in the future, never before the current one started.
- The IRO reads the records of the children they review and changes none of them (s25B: they monitor the
  authority's performance, independent of the team); see `opencsc.accounts.access`.
- Each looked-after review is chaired by the child's IRO on the review's day (s25B(1)(b); CPPCR 2010 reg 36).
  A review with no IRO assigned that day (one held before IROs were recorded here) keeps the chair given.
- The chair records the review's recommendations, each with the date it is due by (IRO Handbook 2010 ch. 4:
  the record of the review sets out its recommendations, with timescales). The child's social worker (anyone
  who may change the record) answers each: accepted (still to do), done, or disagreed with the reason. A
  recommendation stays outstanding on the work views until it is done or disagreed with.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child, can_view_child
from opencsc.accounts.models import Role
from opencsc.audit.changes import record_change
from opencsc.core.dates import long_date
from opencsc.core.errors import ConcurrentEditError
from opencsc.core.event_dates import check_date_given
from opencsc.looked_after import chronology_lines as lines
from opencsc.looked_after.models import (
    CareReview,
    Episode,
    IroAssignment,
    RecommendationAnswer,
    ReviewRecommendation,
)
from opencsc.people.models import Child

IRO_ASSIGNING_ROLES = {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.DIRECTOR}
RECOMMENDATION_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 2000


def can_assign_iro(user, child: Child) -> bool:
    return user.role in IRO_ASSIGNING_ROLES and can_change_child(user, child)


def iro_on(child: Child, day: dt.date):
    """The child's IRO on `day` (an assignment ends the day the next starts), or None."""
    assignment = (
        IroAssignment.objects.filter(child=child, started_on__lte=day)
        .exclude(ended_on__lte=day)
        .select_related("iro")
        .order_by("-started_on", "-id")
        .first()
    )
    return assignment.iro if assignment else None


def current_iro_assignment(child: Child) -> IroAssignment | None:
    return IroAssignment.objects.filter(child=child, ended_on__isnull=True).select_related("iro").first()


def _looked_after_on(child: Child, day: dt.date) -> bool:
    return Episode.objects.filter(child=child, started_on__lte=day).exclude(ended_on__lt=day).exists()


def _iro_problem(iro, child: Child) -> str:
    if iro is None:
        return "Select the independent reviewing officer"
    if not iro.is_active or iro.role != Role.INDEPENDENT_REVIEWING_OFFICER:
        return f"{iro.display_name} is not an active independent reviewing officer"
    if child.is_restricted and not child.access_grants.filter(user=iro).exists():
        return f"This record is restricted: name {iro.display_name} on it before assigning them"
    return ""


@transaction.atomic
def iro_assign(*, actor, child: Child, iro, started_on: dt.date) -> IroAssignment:
    """Make `iro` the child's IRO from `started_on`, ending the current assignment that day."""
    if not can_assign_iro(actor, child):
        raise PermissionDenied("Only a manager who may change this child's record assigns the IRO")
    child = Child.objects.select_for_update().get(pk=child.pk)
    current = current_iro_assignment(child)
    errors: dict[str, str] = {}
    if problem := _iro_problem(iro, child):
        errors["iro"] = problem
    elif current is not None and current.iro_id == iro.pk:
        errors["iro"] = f"{iro.display_name} is already {child.full_name}'s IRO"
    check_date_given(errors, "started_on", started_on, "date the IRO starts", child)
    if started_on and "started_on" not in errors:
        if not _looked_after_on(child, started_on):
            errors["started_on"] = f"{child.full_name} was not looked after on {long_date(started_on)}"
        elif current is not None and started_on < current.started_on:
            errors["started_on"] = (
                f"The date the IRO starts must be on or after {long_date(current.started_on)}, "
                f"when {current.iro.display_name} started"
            )
    if errors:
        raise ValidationError(errors)
    if current is not None:
        current.ended_on = started_on
        current.save(update_fields=["ended_on", "updated_at"])
    assignment = IroAssignment.objects.create(child=child, iro=iro, started_on=started_on, assigned_by=actor)
    record_change(
        actor=actor,
        verb="care.iro_assigned",
        target=assignment,
        child=child,
        payload={
            "iro": iro.pk,
            "started_on": started_on.isoformat(),
            "ended": current.pk if current else None,
        },
        chronology=lines.iro_assigned(assignment),
    )
    return assignment


def review_chair_problem(child: Child, held_on: dt.date, chair) -> tuple[object, str]:
    """The chair of a review on `held_on`: the child's IRO that day. Returns (chair, problem)."""
    iro = iro_on(child, held_on)
    if iro is None:
        if chair is None:
            return None, "Assign the child's independent reviewing officer, or select who chaired the review"
        return chair, ""
    if chair is not None and chair.pk != iro.pk:
        return chair, f"The review is chaired by the child's IRO on that day, {iro.display_name}"
    return iro, ""


def _text_problem(text: str, what: str, limit: int) -> str:
    if not text.strip():
        return f"Enter the {what}"
    if len(text) > limit:
        return f"Too long: the most the {what} can hold is {limit:,} characters"
    return ""


@transaction.atomic
def review_recommendation_add(
    *, actor, review: CareReview, text: str, due_on: dt.date
) -> ReviewRecommendation:
    """A recommendation of the review, made by the IRO who chaired it."""
    child = Child.objects.select_for_update().get(pk=review.child_id)
    if review.reviewing_officer_id != actor.pk or not can_view_child(actor, child):
        raise PermissionDenied("Only the IRO who chaired this review records its recommendations")
    errors: dict[str, str] = {}
    if problem := _text_problem(text, "recommendation", RECOMMENDATION_MAX_LENGTH):
        errors["text"] = problem
    if due_on is None:
        errors["due_on"] = "Enter the date the recommendation is due by"
    elif due_on < review.held_on:
        errors["due_on"] = f"The due date must be on or after the review on {long_date(review.held_on)}"
    if errors:
        raise ValidationError(errors)
    recommendation = ReviewRecommendation.objects.create(
        review=review, text=text.strip(), due_on=due_on, made_by=actor
    )
    record_change(
        actor=actor,
        verb="care.review_recommendation_made",
        target=recommendation,
        child=child,
        payload={"review": review.pk, "due_on": due_on.isoformat()},
        chronology=lines.recommendation_made(recommendation),
    )
    return recommendation


@transaction.atomic
def review_recommendation_answer(
    *, actor, recommendation: ReviewRecommendation, answer: str, reason: str = "", version: int | None = None
) -> ReviewRecommendation:
    """The social worker's answer: accepted, done, or disagreed with the reason. `version` is the one the form
    was opened at; a later answer by someone else is refused."""
    recommendation = ReviewRecommendation.objects.select_for_update().get(pk=recommendation.pk)
    child = Child.objects.get(pk=recommendation.review.child_id)
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot change this child's record")
    if version is not None and version != recommendation.version:
        raise ConcurrentEditError("recommendation")
    errors: dict[str, str] = {}
    if answer not in RecommendationAnswer.values:
        errors["answer"] = "Select whether the recommendation is accepted, done or disagreed with"
    elif not recommendation.is_outstanding:
        errors["answer"] = f"This recommendation was already answered: {recommendation.get_answer_display()}"
    elif answer == RecommendationAnswer.ACCEPTED and recommendation.answer == RecommendationAnswer.ACCEPTED:
        errors["answer"] = "This recommendation is already accepted: answer done or disagreed"
    if answer == RecommendationAnswer.DISAGREED:
        if problem := _text_problem(reason, "reason for disagreeing", REASON_MAX_LENGTH):
            errors["reason"] = problem
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Too long: the most the reason can hold is {REASON_MAX_LENGTH:,} characters"
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    recommendation.answer = answer
    recommendation.reason = reason.strip()
    recommendation.answered_on = today
    recommendation.answered_by = actor
    recommendation.version += 1
    recommendation.save()
    record_change(
        actor=actor,
        verb="care.review_recommendation_answered",
        target=recommendation,
        child=child,
        payload={"answer": answer, "version": recommendation.version},
        chronology=lines.recommendation_answered(recommendation),
    )
    return recommendation
