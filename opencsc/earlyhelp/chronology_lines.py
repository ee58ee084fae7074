"""The wording of the chronology lines of early help: an episode opening (with its lead professional), its
assessment started and completed, each team around the family review, the episode closing, and the two doors
(a step-up to the front door, a step-down from social care). One function per event kind, used by the services
(through `record_change`) and by the synthetic authority, so both write the same line. Episodes and the two
doors are significant; assessments and reviews are not.
"""

from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import ChronologyCategory
from opencsc.core.dates import long_date

FAMILY = ChronologyCategory.FAMILY


def lead_in_words(episode) -> str:
    role = f", {episode.lead_role}" if episode.lead_role else ""
    return f"{episode.lead_name}{role} ({episode.lead_organisation})"


def episode_opened(episode) -> ChronologyLine:
    how = "after a step-down from children's social care" if episode.stepped_down_from_id else ""
    how = how or f"({episode.get_started_by_display().lower()})"
    return ChronologyLine(
        episode.child,
        episode.started_on,
        FAMILY,
        f"Early help started {how}; lead professional {lead_in_words(episode)}",
        f"early-help-{episode.pk}",
    )


def episode_closed(episode) -> ChronologyLine:
    return ChronologyLine(
        episode.child,
        episode.ended_on,
        FAMILY,
        f"Early help ended: {episode.get_end_reason_display()}",
        f"early-help-{episode.pk}-ended",
    )


def assessment_started(assessment) -> ChronologyLine:
    return ChronologyLine(
        assessment.child,
        assessment.started_on,
        ChronologyCategory.ASSESSMENT,
        f"Early help assessment started by {assessment.organisation}",
        f"early-help-assessment-{assessment.pk}",
        is_significant=False,
    )


def assessment_completed(assessment) -> ChronologyLine:
    return ChronologyLine(
        assessment.child,
        assessment.completed_on,
        ChronologyCategory.ASSESSMENT,
        f"Early help assessment completed (started {long_date(assessment.started_on)})",
        f"early-help-assessment-{assessment.pk}-completed",
        is_significant=False,
    )


def family_review_held(review) -> ChronologyLine:
    return ChronologyLine(
        review.child,
        review.held_on,
        FAMILY,
        "Team around the family review held",
        f"early-help-review-{review.pk}",
        is_significant=False,
    )


def stepped_up(episode) -> ChronologyLine:
    contact = episode.stepped_up_contact
    return ChronologyLine(
        episode.child,
        episode.ended_on,
        ChronologyCategory.CONTACT,
        f"Stepped up from early help to children's social care (contact {contact.reference})",
        f"early-help-{episode.pk}-stepped-up",
    )
