"""The wording of the chronology lines of a looked-after child's care: each episode (becoming looked after, a
change of legal status, a move, care ending), reviews and their IRO, recommendations, placement plans, missing
episodes, health and education checks, adoption, and care leavers' contacts and pathway plan reviews.

One function per event kind, used by the looked-after services (through `record_change`) and by the synthetic
authority, so both write the same line. Episodes, reviews, missing episodes, adoption and pathway plan reviews
are significant; routine checks, care leaver contacts and recommendations are not.
"""

import datetime as dt

from django.utils import timezone

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyCategory
from opencsc.core.dates import long_date
from opencsc.looked_after.codes import ReasonPlacementChange
from opencsc.looked_after.models import HealthCheckKind

CARE = ChronologyCategory.CARE


def placement_summary(episode) -> str:
    """The placement in a line: its type, the carer, and where it is (distance from home, in or out of the
    authority, or unknown)."""
    where = episode.placement_postcode
    if episode.distance_miles is not None:
        where += f", {episode.distance_miles} miles from home"
    if episode.placement_inside_authority is not None:
        where += ", inside the authority" if episode.placement_inside_authority else ", outside the authority"
    else:
        where += ", location unknown"
    carer = f" with {episode.carer_name}" if episode.carer_name else ""
    return f"{episode.get_placement_type_display()}{carer} ({where})"


def care_started(episode) -> ChronologyLine:
    return _episode_line(
        episode, f"Became looked after ({episode.get_legal_status_display()}): {placement_summary(episode)}"
    )


def legal_status_changed(episode, previous_status: str) -> ChronologyLine:
    return _episode_line(
        episode,
        f"Legal status changed from {previous_status} to {episode.legal_status} "
        f"({episode.get_legal_status_display()})",
    )


def placement_moved(episode, reason_placement_changed: str) -> ChronologyLine:
    """`reason_placement_changed`: the code the previous episode ended with (blank if none was given)."""
    reason = (
        f" ({ReasonPlacementChange(reason_placement_changed).label.lower()})"
        if reason_placement_changed
        else ""
    )
    return _episode_line(episode, f"Moved placement{reason}: {placement_summary(episode)}")


def _episode_line(episode, summary: str) -> ChronologyLine:
    return ChronologyLine(episode.child, episode.started_on, CARE, summary, f"episode-{episode.pk}")


def care_ended(episode) -> ChronologyLine:
    return ChronologyLine(
        episode.child,
        episode.ended_on,
        CARE,
        f"Stopped being looked after: {episode.get_reason_ceased_display()}",
        f"episode-ended-{episode.pk}",
    )


def care_review(review) -> ChronologyLine:
    return ChronologyLine(
        review.child,
        review.held_on,
        CARE,
        f"Looked-after review held, chaired by {review.reviewing_officer.display_name} ({review.participation})",
        f"care-review-{review.pk}",
    )


def iro_assigned(assignment) -> ChronologyLine:
    return ChronologyLine(
        assignment.child,
        assignment.started_on,
        CARE,
        f"Independent reviewing officer: {assignment.iro.display_name}",
        f"iro-assignment-{assignment.pk}",
    )


def recommendation_made(recommendation) -> ChronologyLine:
    review = recommendation.review
    return ChronologyLine(
        review.child,
        review.held_on,
        CARE,
        f"IRO recommendation from the review on {long_date(review.held_on)}, "
        f"due {long_date(recommendation.due_on)}",
        f"review-recommendation-{recommendation.pk}",
        is_significant=False,
    )


def recommendation_answered(recommendation) -> ChronologyLine:
    review = recommendation.review
    return ChronologyLine(
        review.child,
        recommendation.answered_on,
        CARE,
        f"IRO recommendation (review on {long_date(review.held_on)}): "
        f"{recommendation.get_answer_display().lower()}",
        f"review-recommendation-{recommendation.pk}-answer-{recommendation.version}",
        is_significant=False,
    )


def placement_plan_agreed(agreement) -> ChronologyLine:
    return ChronologyLine(
        agreement.child,
        agreement.agreed_on,
        CARE,
        f"Placement plan agreed for the placement from {long_date(agreement.placement_started_on)}",
        f"placement-plan-{agreement.pk}",
    )


def missing_summary(episode) -> str:
    when = timezone.localtime(episode.started_at)
    text = f"{episode.get_kind_display()} from {when:%H:%M} on {long_date(when.date())}"
    if episode.returned_at:
        back = timezone.localtime(episode.returned_at)
        text += f", returned {back:%H:%M} on {long_date(back.date())}"
    return text


def missing_started(episode) -> ChronologyLine:
    return ChronologyLine(
        episode.child,
        timezone.localtime(episode.started_at).date(),
        CARE,
        missing_summary(episode),
        f"missing-{episode.pk}",
    )


def missing_returned(episode) -> ChronologyLine:
    return ChronologyLine(
        episode.child,
        timezone.localtime(episode.returned_at).date(),
        CARE,
        missing_summary(episode),
        f"missing-returned-{episode.pk}",
    )


def care_check(check) -> ChronologyLine:
    """A health assessment, dental check, SDQ (with its score) or personal education plan."""
    is_pep = check.kind == HealthCheckKind.PERSONAL_EDUCATION_PLAN
    score = f" (score {check.sdq_score})" if check.sdq_score is not None else ""
    return ChronologyLine(
        check.child,
        check.done_on,
        ChronologyCategory.EDUCATION if is_pep else ChronologyCategory.HEALTH,
        check.get_kind_display() + score,
        f"care-check-{check.pk}",
        is_significant=False,
    )


def adoption_milestone(plan, milestone: str) -> ChronologyLine:
    """`milestone`: the field of the step reached (decided_on, placement_order_on, matched_on, ...)."""
    from opencsc.looked_after.adoption import WORDS  # adoption's services import this module

    on: dt.date = getattr(plan, milestone)
    return ChronologyLine(
        plan.child, on, CARE, f"Adoption: {WORDS[milestone]}", f"adoption-{plan.pk}-{milestone}"
    )


def adoption_ceased(plan) -> ChronologyLine:
    return ChronologyLine(
        plan.child,
        plan.ceased_on,
        CARE,
        f"Adoption no longer the plan: {plan.get_reason_ceased_display()}",
        f"adoption-{plan.pk}-ceased",
    )


def care_leaver_contact(contact) -> ChronologyLine:
    return ChronologyLine(
        contact.child,
        contact.contacted_on,
        CARE,
        f"Care leaver contact: {contact.get_in_touch_display()}",
        f"care-leaver-contact-{contact.pk}",
        is_significant=False,
    )


def pathway_plan_reviewed(review) -> ChronologyLine:
    return ChronologyLine(
        review.child, review.reviewed_on, CARE, "Pathway plan reviewed", f"pathway-plan-review-{review.pk}"
    )
