"""Early help reads: a child's episodes as they stood on a day (for the child's page and the front door's
history), and the clocks of every open episode, read in one query for any number of children (the child's page,
the breach finders and the work pages use the same function).

Clocks (rule ids in `core.clocks.RULES`, limits the authority's own, calendar the authority's):
- `early_help_assessment`: an open episode whose assessment is not completed runs from the episode's start;
- `early_help_review`: every open episode runs from the later of its start and its last team around the family
  review, so each missed review is its own clock (the start date names it).
Who sees what is decided before these are called: the child's page behind `child_record_view`, the sweep for
the whole authority.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Subquery

from opencsc.casework.work import ClockContext
from opencsc.core.clocks import DueDate
from opencsc.earlyhelp.models import EarlyHelpAssessment, EarlyHelpEpisode, TeamAroundFamilyReview

WHAT_IS_DUE = {
    "early_help_assessment": "Complete the early help assessment",
    "early_help_review": "Hold the team around the family review",
}


def early_help_episodes_of(child, *, on: dt.date) -> list[EarlyHelpEpisode]:
    """The child's episodes started by `on`, newest first, each with `assessment_shown` and `reviews_shown`
    (newest first) as they stood on `on`."""
    episodes = list(
        EarlyHelpEpisode.objects.filter(child=child, started_on__lte=on)
        .select_related("stepped_down_from", "stepped_up_contact")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=TeamAroundFamilyReview.objects.filter(held_on__lte=on).order_by("-held_on"),
                to_attr="reviews_shown",
            )
        )
    )
    assessments = {
        a.episode_id: a for a in EarlyHelpAssessment.objects.filter(child=child, started_on__lte=on)
    }
    for episode in episodes:
        assessment = assessments.get(episode.pk)
        if assessment and assessment.completed_on and assessment.completed_on > on:
            assessment.completed_on = None
        episode.assessment_shown = assessment
    return episodes


@dataclass(frozen=True)
class EarlyHelpClock:
    rule_id: str
    episode_id: int
    child_id: int
    start: dt.date
    due: DueDate
    today: dt.date

    @property
    def what(self) -> str:
        return WHAT_IS_DUE[self.rule_id]

    @property
    def due_on(self) -> dt.date:
        return self.due.due_on

    @property
    def is_overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return self.due.days_overdue(self.today)


def open_episode_clocks(ctx: ClockContext, *, child_ids=None, children=None) -> list[EarlyHelpClock]:
    """The running clocks of every episode open on `ctx.today` (or only those of `child_ids`, or of a work
    page's scope `children`, an `opencsc.casework.work.Scope` already narrowed to what the user may see):
    one query, whether the assessment is completed and the last review read with each episode."""
    today = ctx.today
    episodes = EarlyHelpEpisode.objects.filter(started_on__lte=today, ended_on__isnull=True)
    if child_ids is not None:
        episodes = episodes.filter(child_id__in=child_ids)
    if children is not None:
        episodes = episodes.filter(children.condition())
    completed = EarlyHelpAssessment.objects.filter(
        episode=OuterRef("pk"), completed_on__isnull=False, completed_on__lte=today
    )
    last_review = (
        TeamAroundFamilyReview.objects.filter(episode=OuterRef("pk"), held_on__lte=today)
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    rows = (
        episodes.annotate(assessed=Exists(completed), last_review_on=Subquery(last_review))
        .values_list("pk", "child_id", "started_on", "assessed", "last_review_on")
        .order_by("pk")
    )
    clocks = []
    for pk, child_id, started_on, assessed, last_review_on in rows:
        if not assessed:
            due = ctx.due("early_help_assessment", started_on)
            clocks.append(EarlyHelpClock("early_help_assessment", pk, child_id, started_on, due, today))
        start = max(started_on, last_review_on or started_on)
        due = ctx.due("early_help_review", start)
        clocks.append(EarlyHelpClock("early_help_review", pk, child_id, start, due, today))
    return clocks


def child_early_help_clocks(child) -> list[EarlyHelpClock]:
    """The running early help clocks of one child (the child's record lists them with its other due dates)."""
    return open_episode_clocks(ClockContext(), child_ids=[child.pk])


@dataclass(frozen=True)
class ChildEarlyHelp:
    child: object
    episodes: list[EarlyHelpEpisode]
    clocks: list[EarlyHelpClock]

    @property
    def current(self) -> EarlyHelpEpisode | None:
        return next((e for e in self.episodes if e.ended_on is None), None)


def child_early_help(child, ctx: ClockContext | None = None) -> ChildEarlyHelp:
    ctx = ctx or ClockContext()
    return ChildEarlyHelp(
        child, early_help_episodes_of(child, on=ctx.today), open_episode_clocks(ctx, child_ids=[child.pk])
    )


def open_case_of(child):
    """The child's open social care case (CIN episode) that a step-down would close, if any."""
    from opencsc.frontdoor.models import Referral

    return (
        Referral.objects.filter(child=child, closed_on__isnull=True, is_nfa=False)
        .order_by("-referral_date", "-pk")
        .first()
    )
