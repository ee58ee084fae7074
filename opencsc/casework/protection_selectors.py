"""Reads for the statutory casework: the child's open records, every open clock with its explanation, and how
each recorded step stood against its clock (for example 'held on working day 12 of 15: on time').

Every due date comes from `opencsc.core.clocks.due_date` with the authority's calendar and local limits.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from opencsc.casework.models import (
    Assessment,
    CaseNote,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    NoteStatus,
    NoteType,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
)
from opencsc.core.clocks import RULES, Unit, due_date, effective_limit
from opencsc.core.dates import long_date
from opencsc.core.working_days import Calendar, authority_calendar
from opencsc.frontdoor.models import Referral
from opencsc.people.models import Child

NO_CONFERENCE_OUTCOMES = (Section47Outcome.CONCERNS_SUBSTANTIATED_NO_ICPC, Section47Outcome.NOT_SUBSTANTIATED)
WHAT = {
    "assessment": "Complete the assessment",
    "icpc": "Hold the initial child protection conference",
    "core_group_first": "Hold the first core group",
    "core_group": "Hold the next core group",
    "cp_review_first": "Hold the first review conference",
    "cp_review": "Hold the review conference",
    "cp_visit": "Visit and see the child (child protection)",
    "cin_visit": "Visit and see the child (child in need)",
    "cin_review": "Review the child in need plan",
}


@dataclass(frozen=True)
class Clock:
    """One clock: when it started, when it is due and why, and (once the step is done) whether it was on time."""

    rule_id: str
    what: str
    start: dt.date
    due_on: dt.date
    explanation: str
    limit: int
    done_on: dt.date | None = None
    standing: str = ""

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()

    @property
    def on_time(self) -> bool | None:
        return None if self.done_on is None else self.done_on <= self.due_on


def clock_for(
    rule_id: str,
    start: dt.date,
    *,
    done_on: dt.date | None = None,
    calendar: Calendar | None = None,
    today: dt.date | None = None,
    what: str | None = None,
) -> Clock:
    """The clock `rule_id` from `start`, with its standing: the step's day against the limit once done, or
    today's day while it runs."""
    rule = RULES[rule_id]
    calendar = calendar if calendar is not None else authority_calendar()
    today = today or timezone.localdate()
    limit = effective_limit(rule)
    due = due_date(rule_id, start, calendar=calendar, limit=limit)
    unit = Unit(rule.unit).label
    if rule.unit in (Unit.WORKING_DAYS, Unit.SCHOOL_DAYS):
        if done_on is not None:
            day = calendar.working_days_between(start, done_on)
            verdict = "on time" if done_on <= due.due else f"late by {day - limit} {unit}"
            standing = f"Done on working day {day} of {limit}: {verdict}"
        else:
            day = calendar.working_days_between(start, today)
            if today <= due.due:
                standing = f"Today is working day {day} of {limit}"
            else:
                standing = f"Overdue: today is working day {day} of {limit}"
    elif done_on is not None:
        late = (done_on - due.due).days
        verdict = "on time" if late <= 0 else f"late by {late} day{'s' if late != 1 else ''}"
        standing = f"Done on {long_date(done_on)}, due by {long_date(due.due)}: {verdict}"
    else:
        left = (due.due - today).days
        if left >= 0:
            standing = f"{left} day{'s' if left != 1 else ''} left"
        else:
            standing = f"Overdue by {-left} day{'s' if left != -1 else ''}"
    return Clock(
        rule_id=rule_id,
        what=what or WHAT.get(rule_id, rule.name),
        start=start,
        due_on=due.due,
        explanation=due.explanation,
        limit=limit,
        done_on=done_on,
        standing=standing,
    )


# The child's open records ---------------------------------------------------------------------------------


def open_referral(child: Child) -> Referral | None:
    return child.referrals.filter(closed_on__isnull=True).order_by("-referral_date", "-id").first()


def referrals_awaiting_assessment(child: Child) -> list[Referral]:
    """The child's open referrals that no assessment has answered yet (none authorised, none in progress):
    the only referrals a new assessment may belong to, latest first."""
    answered = Assessment.objects.filter(
        Q(authorised_on__isnull=False) | Q(closed_on__isnull=True), referral=OuterRef("pk")
    )
    return list(
        child.referrals.filter(closed_on__isnull=True)
        .exclude(Exists(answered))
        .order_by("-referral_date", "-id")
    )


def open_assessment(child: Child) -> Assessment | None:
    return (
        child.assessments.filter(authorised_on__isnull=True, closed_on__isnull=True)
        .select_related("referral")
        .first()
    )


def open_section_47(child: Child) -> Section47Enquiry | None:
    return child.section_47s.filter(completed_on__isnull=True).select_related("strategy_discussion").first()


def enquiries_awaiting_conference(condition: Q | None = None) -> QuerySet[Section47Enquiry]:
    """The section 47 enquiries whose initial conference is still to be held: open, or completed with 'initial
    conference needed', not marked as needing none, with no initial conference recorded. The 15 working days run
    until the conference (Working Together to Safeguard Children 2023, chapter 4), whatever the enquiry's own
    state. The one definition of the `icpc` clock's open items: the child's pages, the work views, the overdue
    counts and the sweep all read it, so they agree. `condition` narrows it (a Q on `child`)."""
    # An uncorrelated NOT IN: computed once, whatever the planner thinks of the foreign key.
    conferenced = ChildProtectionConference.objects.filter(
        kind=ConferenceKind.INITIAL, section_47__isnull=False
    ).values("section_47_id")
    return (
        Section47Enquiry.objects.filter(condition or Q(), icpc_not_required=False)
        .exclude(outcome__in=NO_CONFERENCE_OUTCOMES)
        .exclude(pk__in=conferenced)
    )


def section_47_awaiting_conference(child: Child) -> Section47Enquiry | None:
    """The enquiry whose initial conference is still to be held (open, or completed with 'conference needed')."""
    return (
        enquiries_awaiting_conference(Q(child=child))
        .select_related("strategy_discussion")
        .order_by("-started_on", "-id")
        .first()
    )


def open_protection_plan(child: Child) -> ChildProtectionPlan | None:
    return child.protection_plans.filter(ended_on__isnull=True).select_related("initial_conference").first()


def open_cin_plan(child: Child) -> ChildInNeedPlan | None:
    return child.cin_plans.filter(ended_on__isnull=True).first()


def _icpc_start(enquiry: Section47Enquiry) -> dt.date:
    discussion = enquiry.strategy_discussion
    return discussion.held_on if discussion else enquiry.started_on


def _last_seen_on(child: Child) -> dt.date | None:
    return CaseNote.objects.filter(
        children=child, note_type=NoteType.VISIT, status=NoteStatus.FINAL, child_seen=True
    ).aggregate(last=Max("event_on"))["last"]


def assessment_clock(assessment: Assessment, calendar: Calendar | None = None) -> Clock:
    start = assessment.referral.referral_date if assessment.referral else assessment.started_on
    return clock_for("assessment", start, done_on=assessment.authorised_on, calendar=calendar)


def icpc_clock(enquiry: Section47Enquiry, done_on=None, calendar: Calendar | None = None) -> Clock:
    return clock_for("icpc", _icpc_start(enquiry), done_on=done_on, calendar=calendar)


def _icpc_date(plan: ChildProtectionPlan) -> dt.date:
    return plan.initial_conference.held_on if plan.initial_conference else plan.started_on


def plan_review_clock(plan: ChildProtectionPlan, calendar: Calendar | None = None) -> Clock:
    last = plan.reviews.filter(kind=ConferenceKind.REVIEW).aggregate(last=Max("held_on"))["last"]
    if last:
        return clock_for("cp_review", last, calendar=calendar)
    return clock_for("cp_review_first", _icpc_date(plan), calendar=calendar)


def core_group_clock(plan: ChildProtectionPlan, calendar: Calendar | None = None) -> Clock:
    first = plan.core_groups.order_by("held_on").values_list("held_on", flat=True).first()
    return clock_for("core_group_first", _icpc_date(plan), done_on=first, calendar=calendar)


def child_open_clocks(child: Child) -> list[Clock]:
    """Every clock running on the child's casework, each from the clock engine with its explanation."""
    calendar = authority_calendar()
    clocks = []
    for assessment in child.assessments.filter(
        authorised_on__isnull=True, closed_on__isnull=True
    ).select_related("referral"):
        clocks.append(assessment_clock(assessment, calendar))
    enquiry = section_47_awaiting_conference(child)
    if enquiry is not None:
        clocks.append(icpc_clock(enquiry, calendar=calendar))
    last_seen = None
    plan = open_protection_plan(child)
    if plan is not None:
        core_group = core_group_clock(plan, calendar)
        if core_group.done_on is None:
            clocks.append(core_group)
        else:
            last = plan.core_groups.aggregate(last=Max("held_on"))["last"]
            clocks.append(clock_for("core_group", last, calendar=calendar))
        clocks.append(plan_review_clock(plan, calendar))
        last_seen = _last_seen_on(child)
        clocks.append(
            clock_for("cp_visit", max(filter(None, (plan.started_on, last_seen))), calendar=calendar)
        )
    cin_plan = open_cin_plan(child)
    if cin_plan is not None and plan is None:
        # A child on a protection plan is visited on that plan's (more frequent) timescale.
        last_seen = _last_seen_on(child)
        start = max(filter(None, (cin_plan.started_on, last_seen)))
        clocks.append(clock_for("cin_visit", start, calendar=calendar))
        last_review = cin_plan.reviews.aggregate(last=Max("held_on"))["last"]
        clocks.append(clock_for("cin_review", last_review or cin_plan.started_on, calendar=calendar))
    return sorted(clocks, key=lambda clock: clock.due_on)


# The casework page ----------------------------------------------------------------------------------------


@dataclass
class AssessmentRow:
    assessment: Assessment
    clock: Clock


@dataclass
class EnquiryRow:
    enquiry: Section47Enquiry
    conference: ChildProtectionConference | None
    clock: Clock | None


@dataclass
class PlanRow:
    plan: ChildProtectionPlan
    reviews: list[ChildProtectionConference]
    core_groups: list
    core_group_clock: Clock
    review_clock: Clock | None


@dataclass
class CaseworkSummary:
    referrals: list[Referral]
    assessments: list[AssessmentRow]
    strategy_discussions: list[StrategyDiscussion]
    enquiries: list[EnquiryRow]
    plans: list[PlanRow]
    cin_plans: list[ChildInNeedPlan]
    clocks: list[Clock] = field(default_factory=list)
    review_timeliness: dict[int, str] = field(default_factory=dict)


def casework_summary(child: Child) -> CaseworkSummary:
    """Everything recorded in the child's statutory casework, newest first, with each step's timeliness."""
    calendar = authority_calendar()
    assessments = [
        AssessmentRow(assessment, assessment_clock(assessment, calendar))
        for assessment in child.assessments.select_related("referral", "authorised_by")
    ]
    enquiries = []
    for enquiry in child.section_47s.select_related("strategy_discussion"):
        conference = enquiry.conferences.filter(kind=ConferenceKind.INITIAL).first()
        needs_conference = not enquiry.icpc_not_required and enquiry.outcome not in NO_CONFERENCE_OUTCOMES
        clock = (
            icpc_clock(enquiry, done_on=conference.held_on if conference else None, calendar=calendar)
            if needs_conference or conference
            else None
        )
        enquiries.append(EnquiryRow(enquiry, conference, clock))
    plans = []
    review_timeliness: dict[int, str] = {}
    for plan in child.protection_plans.select_related("initial_conference"):
        reviews = list(plan.reviews.filter(kind=ConferenceKind.REVIEW).order_by("held_on"))
        previous = _icpc_date(plan)
        for number, review in enumerate(reviews):
            rule = "cp_review_first" if number == 0 else "cp_review"
            review_timeliness[review.pk] = clock_for(
                rule, previous, done_on=review.held_on, calendar=calendar
            ).standing
            previous = review.held_on
        plans.append(
            PlanRow(
                plan=plan,
                reviews=reviews,
                core_groups=list(plan.core_groups.all()),
                core_group_clock=core_group_clock(plan, calendar),
                review_clock=plan_review_clock(plan, calendar) if plan.is_open else None,
            )
        )
    return CaseworkSummary(
        referrals=list(child.referrals.all()),
        assessments=assessments,
        strategy_discussions=list(child.strategy_discussions.all()),
        enquiries=enquiries,
        plans=plans,
        cin_plans=list(child.cin_plans.prefetch_related("reviews")),
        clocks=child_open_clocks(child),
        review_timeliness=review_timeliness,
    )
