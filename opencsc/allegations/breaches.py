"""Allegation breach finders (registered with the sweep by `opencsc.oversight.breaches`): an allegation not
initially considered within one working day of receipt, and one with no outcome twelve months after receipt, by
the due dates the allegation's page shows (`selectors.open_allegation_clocks`, one query whatever the number of
allegations).

The breach names no child and no person: it belongs to the designated officer's team (`team_id`), so the sweep
raises it to that team's manager and climbs from there (ADR 0037). Its explanation gives what is due and the date
the allegation was received, not its reference: the chain above the team (and the improvement board, which
watches it) learns that an allegation is late, not which. With no designated officer's team, it goes to the head
of service.
"""

from opencsc.accounts.models import Team, TeamKind
from opencsc.allegations.selectors import SWEPT_RULES, open_allegation_clocks
from opencsc.core.dates import long_date
from opencsc.oversight.breaches import Breach, SweepContext, breach_finder


def _designated_officer_team_id() -> int | None:
    teams = Team.objects.filter(kind=TeamKind.DESIGNATED_OFFICER).order_by("id")
    return teams.values_list("id", flat=True).first()


def _breaches(ctx: SweepContext, rule_id: str) -> list[Breach]:
    if not hasattr(ctx, "allegation_clocks"):
        clocks = open_allegation_clocks(ctx.clocks, rules=SWEPT_RULES)
        ctx.allegation_clocks = [clock for clock in clocks if clock.is_overdue]
        ctx.designated_officer_team_id = _designated_officer_team_id()
    return [
        Breach(
            rule_id=rule_id,
            child_id=None,
            subject_key=f"allegation:{clock.allegation_id}:{rule_id}",
            due_on=clock.due_on,
            explanation=f"{clock.what}: due {long_date(clock.due_on)} ({clock.due.explanation})",
            team_id=ctx.designated_officer_team_id,
        )
        for clock in ctx.allegation_clocks
        if clock.rule_id == rule_id
    ]


@breach_finder("lado_initial_consideration")
def initial_consideration_breaches(ctx: SweepContext) -> list[Breach]:
    return _breaches(ctx, "lado_initial_consideration")


@breach_finder("lado_resolution")
def resolution_breaches(ctx: SweepContext) -> list[Breach]:
    return _breaches(ctx, "lado_resolution")
