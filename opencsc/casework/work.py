"""Due work in bulk: every open clock for a set of children, each due date from the one clock engine.

`due_work(children, ctx)` takes the children in scope (a queryset or a `Scope`, already narrowed to what the
user may see) and returns one `WorkItem` per open clock. It runs a fixed number of queries whatever the number of
children: the children in scope (when they are few enough to list), assessments, enquiries, protection plans
(with the last review and whether a core group has met in the same query), child-in-need plans, every
child's last visit by one grouped aggregate, the looked-after placements and IRO recommendations, early help
episodes (one), pre-proceedings, proceedings and hearings (one each), and exploitation screenings (two) and NRM
referrals (one). Each due date
comes from `opencsc.core.clocks.due_date` with the authority's calendar, so it matches every other page and
explains itself; results are memoised per (rule, start, calendar, limit), because many children share a start
date.

Clocks covered (rule ids from `core.clocks.RULES`):

- `assessment`: an open assessment (not authorised, not closed); 45 working days from its referral's date, or
  from the assessment's start if it has no referral.
- `icpc`: a section 47 enquiry whose initial conference is still to be held (open, or concluded 'conference
  needed'; `protection_selectors.enquiries_awaiting_conference`, the one definition); 15 working days from the
  strategy discussion that started it (from the enquiry's start if none is linked).
- `core_group_first`: an open child protection plan with no core group meeting; 10 working days from the
  initial conference (the plan's start if no conference is linked).
- `core_group`: an open child protection plan whose core group has met; the authority's frequency (ClockSetting,
  default 20 working days) from the latest core group.
- `cp_review_first` / `cp_review`: an open plan; 3 months from the initial conference until a review is held,
  then 6 months from the latest review.
- `cp_visit`: an open plan; the authority's limit (ClockSetting, default 10 working days) from the later of
  the plan's start and the last final visit note recording the child as seen.
- `cin_visit`: the same for an open child-in-need plan, when the child has no open protection plan (whose
  more frequent visits then apply).
- `cin_review`: an open child-in-need plan, when the child has no open protection plan (whose conferences then
  review it); the authority's frequency (ClockSetting, default 3 months) from the plan's start or its last review.
- `placement_plan` (looked after, reg 9): the child's current placement, not on short breaks, whose plan has not
  been agreed; 5 working days from the placement's start.
- `iro_recommendation`: a recommendation of a looked-after review not yet answered, or accepted and not yet
  done; due on the date the IRO set (a rule whose limit is 0 days from that date).
- `early_help_assessment`, `early_help_review`: each open early help episode's clocks, exactly as
  `opencsc.earlyhelp.selectors.open_episode_clocks` gives them to the child's early help page and the sweep.
- the pre-proceedings and proceedings clocks (`opencsc.legal.clocks.LEGAL_RULES`: letter before proceedings,
  pre-proceedings meeting and decision, case management hearing, the 26-week timetable with its extensions, each
  hearing's outcome), exactly as `opencsc.legal.clocks.legal_clocks` gives them to the child's proceedings page
  and the sweep; the timetable's due date counts the extensions granted, so it comes from there, not from a
  fresh start.

- the exploitation clocks (`opencsc.exploitation.clocks.EXPLOITATION_RULES`: a screening's review, the NRM
  reasonable and conclusive grounds decisions), exactly as `exploitation_clocks` gives them to the child's
  exploitation page and the sweep.
- the private fostering clocks (first visit, suitability decision, reg 8 visits), exactly as
  `opencsc.privatefostering.selectors.open_arrangement_clocks` gives them to the child's private fostering page
  and the sweep.

The early help, legal, exploitation and private fostering clocks are escalated by their own apps' breach
finders, so the sweep's casework finders read only `WORK_RULE_IDS`; the work pages list and count all of
`ALL_WORK_RULE_IDS`.

Lateness is counted in working days: `working_days` is positive while an item is due (working days left until
the due date) and negative once it is overdue (working days since). An item is overdue from the day after its
due date, even if that day is a weekend (it is then "overdue by 0 working days").
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from opencsc.accounts.access import child_visibility_filter
from opencsc.casework.models import (
    Allocation,
    Assessment,
    CaseNote,
    ChildInNeedPlan,
    ChildInNeedReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    CoreGroupMeeting,
    NoteStatus,
    NoteType,
)
from opencsc.casework.protection_selectors import enquiries_awaiting_conference
from opencsc.core.clocks import RULES, ClockRule, DueDate, due_date, effective_limit
from opencsc.core.dates import long_date
from opencsc.core.working_days import Calendar, authority_calendar
from opencsc.exploitation.clocks import EXPLOITATION_RULES, ExploitationClock, exploitation_clocks
from opencsc.legal.clocks import LEGAL_RULES, LegalClock, legal_clocks
from opencsc.looked_after.codes import SHORT_BREAK_STATUSES
from opencsc.looked_after.models import (
    Episode,
    PlacementPlanAgreement,
    RecommendationAnswer,
    ReviewRecommendation,
)
from opencsc.looked_after.selectors import current_placement
from opencsc.people.models import Child

DUE_SOON_WORKING_DAYS = 5

# The clocks this module computes, in the order they are offered as a filter.
WORK_RULE_IDS = (
    "assessment",
    "icpc",
    "core_group_first",
    "core_group",
    "cp_review_first",
    "cp_review",
    "cp_visit",
    "cin_visit",
    "cin_review",
)
# The looked-after items the work views show beside them: each placement plan not yet agreed (reg 9) and each
# IRO recommendation still outstanding.
CARE_WORK_RULE_IDS = ("placement_plan", "iro_recommendation")
# Early help and proceedings: the same clocks as those apps' pages, escalated by those apps' breach finders.
EARLY_HELP_WORK_RULE_IDS = ("early_help_assessment", "early_help_review")
LEGAL_WORK_RULE_IDS = LEGAL_RULES
PRIVATE_FOSTERING_WORK_RULE_IDS = (
    "private_fostering_first_visit",
    "private_fostering_decision",
    "private_fostering_visit_first_year",
    "private_fostering_visit",
)
ALL_WORK_RULE_IDS = WORK_RULE_IDS + CARE_WORK_RULE_IDS + EARLY_HELP_WORK_RULE_IDS + LEGAL_WORK_RULE_IDS
ALL_WORK_RULE_IDS += (
    EXPLOITATION_RULES  # a screening's review and the NRM decisions, escalated by their finders
)
ALL_WORK_RULE_IDS += PRIVATE_FOSTERING_WORK_RULE_IDS  # the first visit, decision and reg 8 visits, likewise
WHAT_IS_DUE = {
    "assessment": "Complete the assessment",
    "icpc": "Hold the initial child protection conference",
    "core_group_first": "Hold the first core group",
    "core_group": "Hold the next core group",
    "cp_review_first": "Hold the first review conference",
    "cp_review": "Hold the review conference",
    "cp_visit": "Visit and see the child (child protection)",
    "cin_visit": "Visit and see the child (child in need)",
    "cin_review": "Review the child in need plan",
    "placement_plan": "Agree the placement plan",
    "iro_recommendation": "Answer the IRO's recommendation",
}


class Lateness:
    DUE_SOON = "due_soon"
    OVERDUE_1_5 = "overdue_1_5"
    OVERDUE_6_20 = "overdue_6_20"
    OVERDUE_21_PLUS = "overdue_21_plus"

    choices = (
        (DUE_SOON, f"Due in the next {DUE_SOON_WORKING_DAYS} working days"),
        (OVERDUE_1_5, "Overdue by up to 5 working days"),
        (OVERDUE_6_20, "Overdue by 6 to 20 working days"),
        (OVERDUE_21_PLUS, "Overdue by more than 20 working days"),
    )
    labels = dict(choices)


@lru_cache(maxsize=200_000)
def _memoised_due(rule_id: str, start: dt.date, calendar: Calendar, limit: int) -> DueDate:
    return due_date(rule_id, start, calendar=calendar, limit=limit)


class WorkingDayIndex:
    """Running counts of working days over a span of dates, so the working days between any two dates in it
    cost a subtraction. Agrees with Calendar.working_days_between (tested)."""

    def __init__(self, calendar: Calendar):
        self.calendar = calendar
        self.first: dt.date | None = None
        self.counts: list[int] = []  # counts[i]: working days after `first` up to and including first + i

    def _working(self, day: dt.date) -> int:
        return 1 if self.calendar.is_working_day(day) else 0

    def _cover(self, day: dt.date) -> None:
        if self.first is None:
            self.first, self.counts = day, [0]
            return
        if day < self.first:
            gap = (self.first - day).days
            prefix, running = [0], 0
            for offset in range(1, gap + 1):
                running += self._working(day + dt.timedelta(days=offset))
                prefix.append(running)
            self.counts = prefix[:-1] + [count + running for count in self.counts]
            self.first = day
            return
        last = self.first + dt.timedelta(days=len(self.counts) - 1)
        while last < day:
            last += dt.timedelta(days=1)
            self.counts.append(self.counts[-1] + self._working(last))

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative if `end` is before `start`."""
        self._cover(start)
        self._cover(end)
        return self.counts[(end - self.first).days] - self.counts[(start - self.first).days]


@dataclass(frozen=True)
class _Clock:
    rule: ClockRule
    due_on: dt.date
    explanation: str
    working_days: int
    is_overdue: bool
    lateness: str | None


def _lateness(working_days: int, is_overdue: bool) -> str | None:
    if not is_overdue:
        return Lateness.DUE_SOON if working_days <= DUE_SOON_WORKING_DAYS else None
    late = max(0, -working_days)
    if late <= 5:
        return Lateness.OVERDUE_1_5
    return Lateness.OVERDUE_6_20 if late <= 20 else Lateness.OVERDUE_21_PLUS


class ClockContext:
    """Today, the authority's calendar and local limits, read once per request."""

    def __init__(self, *, today: dt.date | None = None, calendar: Calendar | None = None):
        self.today = today or timezone.localdate()
        self.calendar = calendar if calendar is not None else authority_calendar()
        self._limits: dict[str, int] = {}
        self._clocks: dict[tuple[str, dt.date], _Clock] = {}
        self.index = WorkingDayIndex(self.calendar)

    def limit(self, rule_id: str) -> int:
        if rule_id not in self._limits:
            self._limits[rule_id] = effective_limit(RULES[rule_id])
        return self._limits[rule_id]

    def due(self, rule_id: str, start: dt.date) -> DueDate:
        return _memoised_due(rule_id, start, self.calendar, self.limit(rule_id))

    def clock(self, rule_id: str, start: dt.date) -> "_Clock":
        """The due date and today's standing of the clock `rule_id` started on `start` (memoised: many
        children share a start date)."""
        key = (rule_id, start)
        found = self._clocks.get(key)
        if found is None:
            due = self.due(rule_id, start)
            working_days = self.working_days_between(self.today, due.due_on)
            is_overdue = due.due_on < self.today
            found = self._clocks[key] = _Clock(
                due.rule,
                due.due_on,
                due.explanation,
                working_days,
                is_overdue,
                _lateness(working_days, is_overdue),
            )
        return found

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        return self.index.between(start, end)

    def date_working_days_before_today(self, days: int) -> dt.date:
        """The earliest date d with at most `days` working days after d up to and including today."""
        day, counted = self.today, 0
        while True:
            step = counted + (1 if self.calendar.is_working_day(day) else 0)
            if step > days:
                return day
            counted = step
            day -= dt.timedelta(days=1)


@dataclass
class WorkItem:
    child_id: int
    rule: ClockRule
    start: dt.date
    due_on: dt.date
    explanation: str
    working_days: int  # until due if >= 0; overdue by -working_days if the item is overdue
    is_overdue: bool
    lateness: str | None  # one of Lateness, or None if neither overdue nor due soon
    record_id: int
    task: str = ""  # what is due, when the clock's own app words it (a hearing's outcome names the hearing)
    # Filled by attach_people for the rows shown.
    child: Child | None = None
    worker: object | None = None
    team: object | None = None

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def what(self) -> str:
        return self.task or WHAT_IS_DUE[self.rule.id]

    @property
    def working_days_overdue(self) -> int:
        return max(0, -self.working_days) if self.is_overdue else 0

    @property
    def working_days_until_due(self) -> int:
        return 0 if self.is_overdue else self.working_days


def _item(ctx: ClockContext, rule_id: str, child_id: int, start: dt.date, record_id: int) -> WorkItem:
    clock = ctx.clock(rule_id, start)
    return WorkItem(
        child_id=child_id,
        rule=clock.rule,
        start=start,
        due_on=clock.due_on,
        explanation=clock.explanation,
        working_days=clock.working_days,
        is_overdue=clock.is_overdue,
        lateness=clock.lateness,
        record_id=record_id,
    )


def _legal_item(ctx: ClockContext, clock: LegalClock | ExploitationClock) -> WorkItem:
    """An item whose due date its app's clocks worked out (the timetable of proceedings moves with extensions)."""
    working_days = ctx.working_days_between(ctx.today, clock.due_on)
    is_overdue = clock.due_on < ctx.today
    return WorkItem(
        child_id=clock.child_id,
        rule=RULES[clock.rule_id],
        start=clock.start,
        due_on=clock.due_on,
        explanation=clock.explanation,
        working_days=working_days,
        is_overdue=is_overdue,
        lateness=_lateness(working_days, is_overdue),
        record_id=clock.record_id,
        task=clock.what,
    )


def _last_seen_on_visits(child_ids: set[int], scope: "Scope", rules: set[str]) -> dict[int, dt.date]:
    """Each child's last final visit note recording them as seen, for the children on an open plan whose
    visits are wanted (`child_ids`): one grouped query. A few hundred children are looked up by list, through
    the index; a whole service's by the plans again, as subqueries."""
    if not child_ids:
        return {}
    if len(child_ids) <= LISTED_CHILDREN_LIMIT:
        children = Q(child_id__in=sorted(child_ids))
    else:
        condition = scope.condition()
        children = Q(pk__in=[])
        if "cp_visit" in rules:
            on_cp = ChildProtectionPlan.objects.filter(condition, ended_on__isnull=True)
            children |= Q(child_id__in=on_cp.values("child_id"))
        if "cin_visit" in rules:
            on_cin = ChildInNeedPlan.objects.filter(condition, ended_on__isnull=True)
            children |= Q(child_id__in=on_cin.values("child_id"))
    return dict(
        CaseNote.children.through.objects.filter(
            children,
            casenote__note_type=NoteType.VISIT,
            casenote__status=NoteStatus.FINAL,
            casenote__child_seen=True,
        )
        .values("child_id")
        .annotate(last_seen_on=Max("casenote__event_on"))
        .values_list("child_id", "last_seen_on")
        .order_by()
    )


def _assessment_items(ctx, scope, rules) -> list[WorkItem]:
    if "assessment" not in rules:
        return []
    rows = (
        Assessment.objects.filter(scope, authorised_on__isnull=True, closed_on__isnull=True)
        .values_list("pk", "child_id", "started_on", "referral__referral_date")
        .order_by()
    )
    return [
        _item(ctx, "assessment", child_id, referred or started, pk)
        for pk, child_id, started, referred in rows
    ]


def _icpc_items(ctx, scope, rules) -> list[WorkItem]:
    if "icpc" not in rules:
        return []
    rows = (
        enquiries_awaiting_conference(scope)
        .values_list("pk", "child_id", "started_on", "strategy_discussion__held_on")
        .order_by()
    )
    return [_item(ctx, "icpc", child_id, strategy or started, pk) for pk, child_id, started, strategy in rows]


def _open_protection_plans(scope, rules) -> list[dict]:
    if not rules & {"core_group_first", "core_group", "cp_review_first", "cp_review", "cp_visit"}:
        return []
    last_review = Subquery(
        ChildProtectionConference.objects.filter(plan=OuterRef("pk"), kind=ConferenceKind.REVIEW)
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    plans = ChildProtectionPlan.objects.filter(scope, ended_on__isnull=True).annotate(
        icpc_on=F("initial_conference__held_on"),
        last_core_group_on=Subquery(
            CoreGroupMeeting.objects.filter(plan=OuterRef("pk")).order_by("-held_on").values("held_on")[:1]
        ),
        last_review_on=last_review,
    )
    fields = ("id", "child_id", "started_on", "icpc_on", "last_core_group_on", "last_review_on")
    return list(plans.values(*fields).order_by())


def _protection_plan_items(ctx, plans, wanted, last_seen) -> list[WorkItem]:
    items = []
    for plan in plans:
        pk, child_id, started = plan["id"], plan["child_id"], plan["started_on"]
        icpc_on = plan["icpc_on"] or started
        last_core_group = plan["last_core_group_on"]
        if "core_group_first" in wanted and last_core_group is None:
            items.append(_item(ctx, "core_group_first", child_id, icpc_on, pk))
        if "core_group" in wanted and last_core_group is not None:
            items.append(_item(ctx, "core_group", child_id, last_core_group, pk))
        if plan["last_review_on"]:
            if "cp_review" in wanted:
                items.append(_item(ctx, "cp_review", child_id, plan["last_review_on"], pk))
        elif "cp_review_first" in wanted:
            items.append(_item(ctx, "cp_review_first", child_id, icpc_on, pk))
        if "cp_visit" in wanted:
            start = max(filter(None, (started, last_seen.get(child_id))))
            items.append(_item(ctx, "cp_visit", child_id, start, pk))
    return items


def _open_cin_plans(scope, rules) -> list[tuple[int, int, dt.date, dt.date | None]]:
    if not rules & {"cin_visit", "cin_review"}:
        return []
    on_protection_plan = ChildProtectionPlan.objects.filter(ended_on__isnull=True).values("child_id")
    last_review = Subquery(
        ChildInNeedReview.objects.filter(plan=OuterRef("pk")).order_by("-held_on").values("held_on")[:1]
    )
    return list(
        ChildInNeedPlan.objects.filter(scope, ended_on__isnull=True)
        .exclude(child_id__in=on_protection_plan)
        .annotate(last_review_on=last_review)
        .values_list("pk", "child_id", "started_on", "last_review_on")
        .order_by()
    )


def _cin_plan_items(ctx, rows, wanted, last_seen) -> list[WorkItem]:
    items = []
    for pk, child_id, started, last_review in rows:
        if "cin_visit" in wanted:
            items.append(
                _item(ctx, "cin_visit", child_id, max(filter(None, (started, last_seen.get(child_id)))), pk)
            )
        if "cin_review" in wanted:
            items.append(_item(ctx, "cin_review", child_id, last_review or started, pk))
    return items


def _placement_plan_items(ctx, scope, rules) -> list[WorkItem]:
    """The current placement of each child in scope looked after (not on short breaks) whose plan is not agreed:
    two queries (the episodes of children with an open one, and the agreements)."""
    if "placement_plan" not in rules:
        return []
    open_children = Episode.objects.filter(scope, ended_on__isnull=True).exclude(
        legal_status__in=SHORT_BREAK_STATUSES
    )
    episodes: dict[int, list[Episode]] = {}
    for episode in Episode.objects.filter(child_id__in=open_children.values("child_id")).order_by(
        "child_id", "started_on", "id"
    ):
        episodes.setdefault(episode.child_id, []).append(episode)
    agreed = set(
        PlacementPlanAgreement.objects.filter(child_id__in=list(episodes)).values_list(
            "child_id", "placement_started_on"
        )
    )
    items = []
    for child_id, history in episodes.items():
        placement = current_placement(history)
        if placement is not None and (child_id, placement.started_on) not in agreed:
            items.append(_item(ctx, "placement_plan", child_id, placement.started_on, placement.first.pk))
    return items


def _recommendation_items(ctx, listed: "Scope", rules) -> list[WorkItem]:
    """Each outstanding IRO recommendation (unanswered, or accepted and not done), due on the date the IRO set."""
    if "iro_recommendation" not in rules:
        return []
    rows = (
        ReviewRecommendation.objects.filter(
            listed.condition("review__child"), answer__in=["", RecommendationAnswer.ACCEPTED]
        )
        .values_list("pk", "review__child_id", "due_on", "review__held_on")
        .order_by()
    )
    items = []
    for pk, child_id, due_on, held_on in rows:
        item = _item(ctx, "iro_recommendation", child_id, due_on, pk)
        item.explanation = f"due by {long_date(due_on)}, set at the review on {long_date(held_on)}"
        items.append(item)
    return items


def _early_help_items(ctx, listed: "Scope", rules) -> list[WorkItem]:
    """Each open early help episode's assessment and review clocks (one query)."""
    wanted = rules & set(EARLY_HELP_WORK_RULE_IDS)
    if not wanted:
        return []
    # Imported here: the early help selectors are built on this module's ClockContext.
    from opencsc.earlyhelp.selectors import open_episode_clocks

    items = []
    for clock in open_episode_clocks(ctx, children=listed):
        if clock.rule_id in wanted:
            item = _item(ctx, clock.rule_id, clock.child_id, clock.start, clock.episode_id)
            item.task = clock.what
            items.append(item)
    return items


def _private_fostering_items(ctx, listed: "Scope", rules) -> list[WorkItem]:
    """Each open private fostering arrangement's first visit, decision and reg 8 visit clocks (one query)."""
    wanted = rules & set(PRIVATE_FOSTERING_WORK_RULE_IDS)
    if not wanted:
        return []
    # Imported here: the private fostering selectors are built on this module's ClockContext.
    from opencsc.privatefostering.selectors import open_arrangement_clocks

    items = []
    for clock in open_arrangement_clocks(ctx, children=listed):
        if clock.rule_id in wanted:
            item = _item(ctx, clock.rule_id, clock.child_id, clock.start, clock.arrangement_id)
            item.task = clock.what
            items.append(item)
    return items


def _legal_items(ctx, listed: "Scope", rules) -> list[WorkItem]:
    """Each open pre-proceedings' and proceedings' clocks and each hearing's outcome (one query per kind)."""
    wanted = rules & set(LEGAL_WORK_RULE_IDS)
    if not wanted:
        return []
    clocks = legal_clocks(children=listed, rules=wanted, calendar=ctx.calendar, limit_of=ctx.limit)
    return [_legal_item(ctx, clock) for clock in clocks]


def _exploitation_items(ctx, listed: "Scope", rules) -> list[WorkItem]:
    """Each screening's review and each NRM decision awaited (three queries)."""
    wanted = rules & set(EXPLOITATION_RULES)
    if not wanted:
        return []
    clocks = exploitation_clocks(children=listed, rules=wanted, calendar=ctx.calendar, limit_of=ctx.limit)
    return [_legal_item(ctx, clock) for clock in clocks]


LISTED_CHILDREN_LIMIT = 2000


@dataclass(frozen=True)
class Scope:
    """The children a page covers, always within what the user may see: either `children` (a narrow set, such
    as a caseload or a team), or everyone except the children the user may not see (`hidden_ids` when they are
    few enough to list, else the `hidden` queryset), which is far cheaper for a service-wide page, where the
    hidden children are a handful of restricted records."""

    children: QuerySet[Child] | None = None
    hidden: QuerySet[Child] | None = None
    hidden_ids: tuple[int, ...] | None = None
    child_ids: tuple[int, ...] | None = None  # `children`, read once and listed (see listed())

    def condition(self, field: str = "child") -> Q:
        condition = Q()
        if self.child_ids is not None:
            condition &= Q(**{f"{field}__in": self.child_ids})
        elif self.children is not None:
            condition &= Q(**{f"{field}__in": self.children.order_by().values("pk")})
        return condition & self._not_hidden(field)

    def listed(self) -> "Scope":
        """The same scope with a narrow set of children read once into a list, so that the visibility and
        team conditions are not worked out again in every query; unchanged if the set is large."""
        if self.children is None or self.child_ids is not None:
            return self
        ids = tuple(self.children.order_by().values_list("pk", flat=True)[: LISTED_CHILDREN_LIMIT + 1])
        if len(ids) > LISTED_CHILDREN_LIMIT:
            return self
        return Scope(children=self.children, hidden=self.hidden, hidden_ids=self.hidden_ids, child_ids=ids)

    def _not_hidden(self, field: str) -> Q:
        condition = Q()
        if self.hidden is not None:
            condition &= ~Q(**{f"{field}__in": self.hidden.order_by().values("pk")})
        if self.hidden_ids:
            condition &= ~Q(**{f"{field}__in": self.hidden_ids})
        return condition

    def queryset(self) -> QuerySet[Child]:
        children = self.children if self.children is not None else Child.objects.all()
        return children.filter(self._not_hidden("pk"))


def due_work(
    children: "QuerySet[Child] | Scope",
    ctx: ClockContext,
    *,
    rules: set[str] | None = None,
    lateness: str | None = None,
) -> list[WorkItem]:
    """Every open clock for `children` (a queryset or a Scope), most overdue first, then soonest due. `rules`
    limits which clocks are computed; `lateness` keeps only items in one lateness band."""
    wanted = set(ALL_WORK_RULE_IDS) if rules is None else set(rules) & set(ALL_WORK_RULE_IDS)
    listed = (children if isinstance(children, Scope) else Scope(children=children)).listed()
    scope = listed.condition()
    cp_plans, cin_plans = _open_protection_plans(scope, wanted), _open_cin_plans(scope, wanted)
    visited = {plan["child_id"] for plan in cp_plans} if "cp_visit" in wanted else set()
    if "cin_visit" in wanted:
        visited |= {child_id for _, child_id, _, _ in cin_plans}
    last_seen = _last_seen_on_visits(visited, listed, wanted)
    items = _assessment_items(ctx, scope, wanted) + _icpc_items(ctx, scope, wanted)
    items += _protection_plan_items(ctx, cp_plans, wanted, last_seen)
    items += _cin_plan_items(ctx, cin_plans, wanted, last_seen)
    items += _placement_plan_items(ctx, scope, wanted) + _recommendation_items(ctx, listed, wanted)
    items += _early_help_items(ctx, listed, wanted) + _legal_items(ctx, listed, wanted)
    items += _exploitation_items(ctx, listed, wanted)
    items += _private_fostering_items(ctx, listed, wanted)
    if lateness:
        items = [item for item in items if item.lateness == lateness]
    order = {rule_id: position for position, rule_id in enumerate(ALL_WORK_RULE_IDS)}
    items.sort(key=lambda item: (item.due_on, order[item.rule.id], item.child_id))
    return items


def latest_overdue_start(ctx: ClockContext, rule_id: str) -> dt.date:
    """The first start date whose clock `rule_id` is not yet overdue on ctx.today: a clock is overdue exactly
    when it started before this day, because a later start never gives an earlier due date (working days,
    weeks and months all move forward with the start)."""
    day = ctx.today
    while ctx.due(rule_id, day - dt.timedelta(days=1)).due_on >= ctx.today:
        day -= dt.timedelta(days=1)
    return day


def _seen_since(day: dt.date) -> Exists:
    """The plan's child has a final visit note recording them as seen on or after `day`."""
    return Exists(
        CaseNote.children.through.objects.filter(
            child_id=OuterRef("child_id"),
            casenote__note_type=NoteType.VISIT,
            casenote__status=NoteStatus.FINAL,
            casenote__child_seen=True,
            casenote__event_on__gte=day,
        )
    )


def overdue_children(ctx: ClockContext) -> dict[str, list[int]]:
    """For each clock, the child of each open item overdue on ctx.today, across the whole authority: the same
    items as `due_work(Scope(), ctx)` marks overdue (tested), without building every open item. Each clock's
    overdue items are those whose start falls before `latest_overdue_start`, so one query per clock fetches
    only the overdue ones."""
    before = {rule_id: latest_overdue_start(ctx, rule_id) for rule_id in WORK_RULE_IDS}
    queries = {
        "assessment": Assessment.objects.filter(authorised_on__isnull=True, closed_on__isnull=True)
        .annotate(start=Coalesce("referral__referral_date", "started_on"))
        .filter(start__lt=before["assessment"]),
        "icpc": enquiries_awaiting_conference()
        .annotate(start=Coalesce("strategy_discussion__held_on", "started_on"))
        .filter(start__lt=before["icpc"]),
    }
    open_plans = ChildProtectionPlan.objects.filter(ended_on__isnull=True).annotate(
        start=Coalesce("initial_conference__held_on", "started_on")
    )
    reviews = ChildProtectionConference.objects.filter(plan=OuterRef("pk"), kind=ConferenceKind.REVIEW)
    queries["core_group_first"] = open_plans.filter(
        ~Exists(CoreGroupMeeting.objects.filter(plan=OuterRef("pk"))), start__lt=before["core_group_first"]
    )
    core_groups = CoreGroupMeeting.objects.filter(plan=OuterRef("pk"))
    queries["core_group"] = open_plans.filter(
        Exists(core_groups), ~Exists(core_groups.filter(held_on__gte=before["core_group"]))
    )
    queries["cp_review_first"] = open_plans.filter(~Exists(reviews), start__lt=before["cp_review_first"])
    queries["cp_review"] = open_plans.filter(
        Exists(reviews), ~Exists(reviews.filter(held_on__gte=before["cp_review"]))
    )
    queries["cp_visit"] = open_plans.filter(
        ~_seen_since(before["cp_visit"]), started_on__lt=before["cp_visit"]
    )
    open_cin_plans = ChildInNeedPlan.objects.filter(ended_on__isnull=True).exclude(
        child_id__in=ChildProtectionPlan.objects.filter(ended_on__isnull=True).values("child_id")
    )
    queries["cin_visit"] = open_cin_plans.filter(
        ~_seen_since(before["cin_visit"]), started_on__lt=before["cin_visit"]
    )
    queries["cin_review"] = open_cin_plans.filter(
        ~Exists(ChildInNeedReview.objects.filter(plan=OuterRef("pk"), held_on__gte=before["cin_review"])),
        started_on__lt=before["cin_review"],
    )
    return {
        rule_id: list(queries[rule_id].order_by().values_list("child_id", flat=True))
        for rule_id in WORK_RULE_IDS
    }


def attach_people(items: list[WorkItem]) -> list[WorkItem]:
    """Fill in each item's child, allocated worker and team (two queries), for the rows on one page. The team
    is the allocation's team, or the child's responsible team if no one is allocated."""
    child_ids = {item.child_id for item in items}
    children = Child.objects.filter(pk__in=child_ids).select_related("responsible_team").in_bulk()
    allocations = {
        allocation.child_id: allocation
        for allocation in Allocation.objects.filter(child_id__in=child_ids, ended_on__isnull=True)
        .select_related("worker", "team")
        .order_by()
    }
    for item in items:
        item.child = children.get(item.child_id)
        allocation = allocations.get(item.child_id)
        item.worker = allocation.worker if allocation else None
        item.team = allocation.team if allocation else (item.child.responsible_team if item.child else None)
    return items


@dataclass(frozen=True)
class WorkSummary:
    items: int
    children: int
    overdue: int
    due_soon: int
    by_lateness: dict[str, int] = field(default_factory=dict)
    by_rule: dict[str, int] = field(default_factory=dict)


def summarise(items: list[WorkItem]) -> WorkSummary:
    by_lateness = Counter(item.lateness for item in items if item.lateness)
    return WorkSummary(
        items=len(items),
        children=len({item.child_id for item in items}),
        overdue=sum(1 for item in items if item.is_overdue),
        due_soon=by_lateness.get(Lateness.DUE_SOON, 0),
        by_lateness={key: by_lateness.get(key, 0) for key, _ in Lateness.choices},
        by_rule=dict(Counter(item.rule.id for item in items)),
    )


# Scopes: which children a page covers, always within what the user may see.


def visible_children(user) -> QuerySet[Child]:
    return Child.objects.filter(child_visibility_filter(user))


def caseload_children(user, worker) -> QuerySet[Child]:
    """Children allocated to `worker` now, that `user` may see."""
    allocated = Allocation.objects.filter(worker=worker, ended_on__isnull=True).values("child_id")
    return visible_children(user).filter(pk__in=allocated)


def team_children(user, team, *, worker=None, unallocated: bool = False) -> QuerySet[Child]:
    """Children the team holds: allocated to someone in it, or with it as responsible team and no one else's
    allocation. `worker` narrows to one worker's caseload; `unallocated` to children no one holds."""
    open_allocations = Allocation.objects.filter(ended_on__isnull=True)
    in_team = Q(pk__in=open_allocations.filter(team=team).values("child_id")) | (
        Q(responsible_team=team) & ~Q(pk__in=open_allocations.values("child_id"))
    )
    children = visible_children(user).filter(in_team)
    if worker is not None:
        children = children.filter(pk__in=open_allocations.filter(worker=worker).values("child_id"))
    elif unallocated:
        children = children.exclude(pk__in=open_allocations.values("child_id"))
    return children


def hidden_children(user) -> QuerySet[Child]:
    """The children `user` may not see: the complement of child_visibility_filter."""
    return Child.objects.exclude(child_visibility_filter(user))


HIDDEN_IDS_INLINE_LIMIT = 2000


def service_children(user, *, team=None) -> Scope:
    """Every child the user may see, or one team's. The children hidden from the user are read once and
    listed, when they are few, rather than worked out again in every query."""
    if team is not None:
        return Scope(children=team_children(user, team))
    hidden = hidden_children(user)
    ids = tuple(hidden.order_by().values_list("pk", flat=True)[: HIDDEN_IDS_INLINE_LIMIT + 1])
    if len(ids) > HIDDEN_IDS_INLINE_LIMIT:
        return Scope(hidden=hidden)
    return Scope(hidden_ids=ids)
