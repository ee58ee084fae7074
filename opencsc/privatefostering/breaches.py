"""Private fostering breach finders (registered with the sweep by `opencsc.oversight.breaches`): an open
arrangement whose first visit, decision or statutory visit is past the due date the child's private fostering
page shows (`selectors.open_arrangement_clocks`, one query whatever the number of children, shared by the four
finders). The subject key names the arrangement, the rule and the day the clock started, so each missed visit is
its own breach and is resolved once the visit is recorded.
"""

from opencsc.core.dates import long_date
from opencsc.oversight.breaches import Breach, SweepContext, breach_finder
from opencsc.privatefostering.selectors import open_arrangement_clocks


def _breaches(ctx: SweepContext, rule_id: str) -> list[Breach]:
    if not hasattr(ctx, "private_fostering_clocks"):
        ctx.private_fostering_clocks = [c for c in open_arrangement_clocks(ctx.clocks) if c.is_overdue]
    return [
        Breach(
            rule_id=rule_id,
            child_id=clock.child_id,
            subject_key=f"private_fostering:{clock.arrangement_id}:{rule_id}:{clock.start.isoformat()}",
            due_on=clock.due_on,
            explanation=f"{clock.what}: due {long_date(clock.due_on)} ({clock.due.explanation})",
        )
        for clock in ctx.private_fostering_clocks
        if clock.rule_id == rule_id
    ]


@breach_finder("private_fostering_first_visit")
def first_visit_breaches(ctx: SweepContext) -> list[Breach]:
    return _breaches(ctx, "private_fostering_first_visit")


@breach_finder("private_fostering_decision")
def decision_breaches(ctx: SweepContext) -> list[Breach]:
    return _breaches(ctx, "private_fostering_decision")


@breach_finder("private_fostering_visit_first_year")
def first_year_visit_breaches(ctx: SweepContext) -> list[Breach]:
    return _breaches(ctx, "private_fostering_visit_first_year")


@breach_finder("private_fostering_visit")
def visit_breaches(ctx: SweepContext) -> list[Breach]:
    return _breaches(ctx, "private_fostering_visit")
