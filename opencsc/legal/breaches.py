"""Breach finders for the clocks of pre-proceedings and care proceedings (`opencsc.legal.clocks`), registered
with the sweep's registry: each overdue clock is a breach escalated up the child's team's chain like any other.

Subject keys: `pre_proceedings:<id>:letter`, `pre_proceedings:<id>:meeting`, `pre_proceedings:<id>` (the
16-week decision), `proceedings:<id>:cmh`, `proceedings:<id>:<due date>` (the 26-week timetable: an extension
moves the due date, so the old breach resolves and a later miss is a new one) and `hearing:<id>`. Each finder
makes the fixed few queries of `legal_clocks` for its one rule, whatever the number of children.
"""

from opencsc.core.dates import long_date
from opencsc.legal.clocks import LEGAL_RULES, legal_clocks
from opencsc.oversight.breaches import Breach, SweepContext, breach_finder


def _legal_breaches(ctx: SweepContext, rule_id: str) -> list[Breach]:
    return [
        Breach(
            rule_id=rule_id,
            child_id=clock.child_id,
            subject_key=clock.subject_key,
            due_on=clock.due_on,
            explanation=f"{clock.what}: due {long_date(clock.due_on)} ({clock.explanation})",
        )
        for clock in legal_clocks(rules={rule_id}, calendar=ctx.clocks.calendar)
        if clock.is_overdue(ctx.today)
    ]


def _register(rule_id: str) -> None:
    breach_finder(rule_id)(lambda ctx: _legal_breaches(ctx, rule_id))


for _rule_id in LEGAL_RULES:
    _register(_rule_id)
