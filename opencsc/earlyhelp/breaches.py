"""Early help breach finders (registered with the sweep by `opencsc.oversight.breaches`): an open episode whose
assessment is not completed, or whose team around the family has not reviewed it, by the due date the child's
early help page shows (`selectors.open_episode_clocks`, one query whatever the number of children). The
subject key names the episode and, for reviews, the day the clock started, so each missed review is its own
breach and is resolved once the review is recorded.
"""

from opencsc.core.dates import long_date
from opencsc.earlyhelp.selectors import open_episode_clocks
from opencsc.oversight.breaches import Breach, SweepContext, breach_finder


def _breaches(ctx: SweepContext, rule_id: str) -> list[Breach]:
    if not hasattr(ctx, "early_help_clocks"):
        ctx.early_help_clocks = [c for c in open_episode_clocks(ctx.clocks) if c.is_overdue]
    return [
        Breach(
            rule_id=rule_id,
            child_id=clock.child_id,
            subject_key=f"early_help:{clock.episode_id}:{rule_id}:{clock.start.isoformat()}",
            due_on=clock.due_on,
            explanation=f"{clock.what}: due {long_date(clock.due_on)} ({clock.due.explanation})",
        )
        for clock in ctx.early_help_clocks
        if clock.rule_id == rule_id
    ]


@breach_finder("early_help_assessment")
def early_help_assessment_breaches(ctx: SweepContext) -> list[Breach]:
    return _breaches(ctx, "early_help_assessment")


@breach_finder("early_help_review")
def early_help_review_breaches(ctx: SweepContext) -> list[Breach]:
    return _breaches(ctx, "early_help_review")
