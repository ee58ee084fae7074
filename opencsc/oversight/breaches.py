"""Breach finders: every open item whose due date has passed, one finder per clock, in a registry.

A breach is an item still not done whose due date (from `opencsc.core.clocks`, with the authority's calendar and
local limits) is before the sweep date. Each finder is set-based: a fixed number of queries whatever the number of
children. The casework clocks come from the bulk due-work selector (`opencsc.casework.work.due_work`) that the
work pages use, so a breach here is exactly an item those pages show as overdue; it is computed once per sweep and
shared by the casework finders.

Definitions (rule ids from `core.clocks.RULES`):

- `referral_decision`: a contact not yet decided whose `decision_due_on` (set by the front door from the clock
  when the contact arrived) is before the sweep date. The child is the first child matched to a record on the
  contact, or none if no child is matched yet; the escalation belongs to the front-door team.
- `assessment`: an open assessment not authorised within 45 working days of its referral's date.
- `icpc`: a section 47 enquiry whose initial conference is still to be held (open, or concluded 'conference
  needed'), not marked as needing none, 15 working days after the strategy discussion that started it.
- `core_group_first`: an open protection plan with no core group 10 working days after the initial conference.
- `core_group`: an open protection plan whose core group has not met again within the authority's frequency
  (default 20 working days) of its last meeting.
- `cp_review_first` / `cp_review`: an open plan without a review 3 months after the initial conference, or
  without a further review 6 months after the latest review.
- `cp_visit` / `cin_visit`: an open protection plan (child-in-need plan, when the child is not also on a
  protection plan) whose child has not been seen on a final visit note within the local limit of working days
  from the later of the plan's start and the last such visit.
- `cin_review`: an open child-in-need plan (the child not on a protection plan) not reviewed within the authority's
  frequency (default 3 months) of its start or its last review.

The subject key names the late item and, for clocks that restart (visits and later reviews), the date the clock
started, so each missed visit is its own breach: `cp_visit` on plan 45 last seen on 2 March is
`cp_plan:45:2026-03-02`; once the child is seen, that breach is resolved, and a later missed visit is a new one.

- the looked-after clocks (`CARE_RULES`: visits, placement plans, reviews, health assessments, personal education plan, return home
  interviews): each overdue clock that `opencsc.looked_after.clocks.child_care_clocks` gives a child looked after
  on the sweep date, or a child back from a missing episode in the last `RECENT_RETURN_DAYS`, the same clocks the
  child's care page shows, read for all the children at once. The subject key names the child, the clock and the
  day it started, so a missed visit after a move is a new breach.

To add a clock, write a function taking a `SweepContext` and returning breaches, and register it with
`@breach_finder("rule_id")`.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from opencsc.accounts.models import Team, TeamKind
from opencsc.casework.work import WHAT_IS_DUE, WORK_RULE_IDS, ClockContext, Scope, WorkItem, due_work
from opencsc.core.clocks import RULES
from opencsc.core.dates import long_date
from opencsc.frontdoor.models import Contact, ContactChild, ContactStatus
from opencsc.looked_after.clocks import CareClock, care_clocks_of
from opencsc.people.models import Child

CARE_RULES = (
    "cla_visit_first",
    "cla_visit",
    "cla_visit_long_term",
    "placement_plan",
    "cla_review_first",
    "cla_review_second",
    "cla_review",
    "health_assessment_initial",
    "health_review_under_5",
    "health_review",
    "pep",
    "return_home_interview",
)
RECENT_RETURN_DAYS = 30


@dataclass(frozen=True)
class Breach:
    rule_id: str
    child_id: int | None
    subject_key: str
    due_on: dt.date
    explanation: str
    team_id: int | None = None  # the team answerable when it is not the child's (the front door for contacts)


class SweepContext:
    """The sweep date, the clock context (calendar and local limits read once) and the casework items, computed
    once and shared by the finders."""

    def __init__(self, *, today: dt.date):
        self.today = today
        self.clocks = ClockContext(today=today)
        self._casework: dict[str, list[WorkItem]] | None = None
        self._care: dict[str, list[tuple[int, CareClock]]] | None = None

    def overdue_casework(self, rule_id: str) -> list[WorkItem]:
        if self._casework is None:
            self._casework = {}
            for item in due_work(Scope(), self.clocks, rules=set(WORK_RULE_IDS)):
                if item.is_overdue:
                    self._casework.setdefault(item.rule.id, []).append(item)
        return self._casework.get(rule_id, [])

    def overdue_care(self, rule_id: str) -> list[tuple[int, CareClock]]:
        if self._care is None:
            self._care = {}
            for child, clocks in care_clocks_of(_children_with_care_clocks(self.today), today=self.today):
                for clock in clocks:
                    if clock.due_on < self.today:
                        self._care.setdefault(clock.rule_id, []).append((child.pk, clock))
        return self._care.get(rule_id, [])


def _children_with_care_clocks(today: dt.date):
    recently_back = today - dt.timedelta(days=RECENT_RETURN_DAYS)
    looked_after = Q(care_episodes__started_on__lte=today) & (
        Q(care_episodes__ended_on__isnull=True) | Q(care_episodes__ended_on__gt=today)
    )
    return (
        Child.objects.filter(looked_after | Q(missing_episodes__returned_at__date__gte=recently_back))
        .distinct()
        .order_by("pk")
    )


Finder = Callable[[SweepContext], Iterable[Breach]]
FINDERS: dict[str, Finder] = {}


def breach_finder(rule_id: str) -> Callable[[Finder], Finder]:
    if rule_id not in RULES:
        raise ValueError(f"No clock rule {rule_id!r} in core.clocks.RULES")

    def register(function: Finder) -> Finder:
        FINDERS[rule_id] = function
        return function

    return register


def _casework_breaches(ctx: SweepContext, rule_id: str, subject: Callable[[WorkItem], str]) -> list[Breach]:
    return [
        Breach(
            rule_id=rule_id,
            child_id=item.child_id,
            subject_key=subject(item),
            due_on=item.due_on,
            explanation=f"{WHAT_IS_DUE[rule_id]}: due {long_date(item.due_on)} ({item.explanation})",
        )
        for item in ctx.overdue_casework(rule_id)
    ]


@breach_finder("referral_decision")
def referral_decision_breaches(ctx: SweepContext) -> list[Breach]:
    first_child = Subquery(
        ContactChild.objects.filter(contact=OuterRef("pk"), child__isnull=False)
        .order_by("id")
        .values("child_id")[:1]
    )
    front_door = (
        Team.objects.filter(kind=TeamKind.FRONT_DOOR).order_by("id").values_list("id", flat=True).first()
    )
    rows = (
        Contact.objects.exclude(status=ContactStatus.DECIDED)
        .filter(decision_due_on__lt=ctx.today)
        .annotate(first_child_id=first_child)
        .values_list("pk", "reference", "decision_due_on", "first_child_id")
        .order_by()
    )
    return [
        Breach(
            rule_id="referral_decision",
            child_id=child_id,
            subject_key=f"contact:{pk}",
            due_on=due_on,
            explanation=f"Decide contact {reference}: due {long_date(due_on)}",
            team_id=front_door,
        )
        for pk, reference, due_on, child_id in rows
    ]


@breach_finder("assessment")
def assessment_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(ctx, "assessment", lambda item: f"assessment:{item.record_id}")


@breach_finder("icpc")
def icpc_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(ctx, "icpc", lambda item: f"s47:{item.record_id}")


@breach_finder("core_group_first")
def core_group_first_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(ctx, "core_group_first", lambda item: f"cp_plan:{item.record_id}")


@breach_finder("core_group")
def core_group_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(
        ctx, "core_group", lambda item: f"cp_plan:{item.record_id}:core_group:{item.start.isoformat()}"
    )


@breach_finder("cp_review_first")
def cp_review_first_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(ctx, "cp_review_first", lambda item: f"cp_plan:{item.record_id}")


@breach_finder("cp_review")
def cp_review_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(
        ctx, "cp_review", lambda item: f"cp_plan:{item.record_id}:{item.start.isoformat()}"
    )


@breach_finder("cp_visit")
def cp_visit_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(
        ctx, "cp_visit", lambda item: f"cp_plan:{item.record_id}:{item.start.isoformat()}"
    )


@breach_finder("cin_visit")
def cin_visit_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(
        ctx, "cin_visit", lambda item: f"cin_plan:{item.record_id}:{item.start.isoformat()}"
    )


@breach_finder("cin_review")
def cin_review_breaches(ctx: SweepContext) -> list[Breach]:
    return _casework_breaches(
        ctx, "cin_review", lambda item: f"cin_plan:{item.record_id}:review:{item.start.isoformat()}"
    )


def _care_breaches(ctx: SweepContext, rule_id: str) -> list[Breach]:
    return [
        Breach(
            rule_id=rule_id,
            child_id=child_id,
            subject_key=f"care:{child_id}:{rule_id}:{clock.start.isoformat()[:16]}",
            due_on=clock.due_on,
            explanation=f"{clock.what}: due {long_date(clock.due_on)} ({clock.explanation})",
        )
        for child_id, clock in ctx.overdue_care(rule_id)
    ]


def _register_care_finder(rule_id: str) -> None:
    breach_finder(rule_id)(lambda ctx: _care_breaches(ctx, rule_id))


for _rule_id in CARE_RULES:
    _register_care_finder(_rule_id)


def find_breaches(*, today: dt.date, rules: Iterable[str] | None = None) -> list[Breach]:
    """Every breach on `today` from every registered finder (or only `rules`)."""
    ctx = SweepContext(today=today)
    wanted = FINDERS if rules is None else {rule_id: FINDERS[rule_id] for rule_id in rules}
    breaches: list[Breach] = []
    for finder in wanted.values():
        breaches.extend(finder(ctx))
    return breaches


# Each area's own finders register themselves on import (after the registry above exists).
from opencsc.allegations import breaches as _allegation_breaches  # noqa: E402, F401
from opencsc.earlyhelp import breaches as _early_help_breaches  # noqa: E402, F401
from opencsc.exploitation import breaches as _exploitation_breaches  # noqa: E402, F401
from opencsc.legal import breaches as _legal_breaches  # noqa: E402, F401
from opencsc.privatefostering import breaches as _private_fostering_breaches  # noqa: E402, F401
