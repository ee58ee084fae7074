"""Statutory casework for each referral: assessments, strategy discussions and section 47 enquiries, conferences,
protection and child-in-need plans with their core groups and reviews, and closing the case.

`plan_episode` decides the dates once for a household's referral (every child in it shares them); the writer
turns them into rows per child with the chronology entries the services write. Timeliness follows national
patterns: most assessments are authorised within 45 working days and about one in six later; most initial
conferences are held within 15 working days of the strategy discussion and about one in five later; some review
conferences slip; some plans last two years or more.
"""

import datetime as dt
from dataclasses import dataclass, field

from opencsc.casework import chronology_lines as lines
from opencsc.casework.chronology import ChronologyLine
from opencsc.casework.models import (
    Assessment,
    AssessmentFactor,
    CategoryOfAbuse,
    ChildInNeedPlan,
    ChildInNeedReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    ConferenceKind,
    CoreGroupMeeting,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
)
from opencsc.core.codes import PrimaryNeed, ReasonForClosure
from opencsc.core.working_days import ENGLAND, add_months
from opencsc.synthetic.randomness import Weighted
from opencsc.synthetic.timestamps import at, stamp

CATEGORY = Weighted(
    {
        CategoryOfAbuse.NEGLECT: 0.5,
        CategoryOfAbuse.EMOTIONAL: 0.33,
        CategoryOfAbuse.PHYSICAL: 0.08,
        CategoryOfAbuse.SEXUAL: 0.04,
        CategoryOfAbuse.MULTIPLE: 0.05,
    }
)
PRIMARY_NEED = Weighted(
    {
        PrimaryNeed.N1: 0.52,
        PrimaryNeed.N5: 0.17,
        PrimaryNeed.N4: 0.09,
        PrimaryNeed.N2: 0.06,
        PrimaryNeed.N3: 0.05,
        PrimaryNeed.N6: 0.04,
        PrimaryNeed.N8: 0.03,
        PrimaryNeed.N7: 0.01,
        PrimaryNeed.N9: 0.02,
        PrimaryNeed.N0: 0.01,
    }
)
FACTORS = Weighted(
    {
        "3B": 0.16,
        "3A": 0.12,
        "4B": 0.16,
        "16A": 0.10,
        "17A": 0.09,
        "2B": 0.06,
        "1B": 0.05,
        "18C": 0.04,
        "4A": 0.05,
        "14A": 0.02,
        "10A": 0.02,
        "11A": 0.015,
        "24A": 0.015,
        "15A": 0.02,
        "6B": 0.02,
        "5B": 0.01,
        "3C": 0.01,
        "19C": 0.01,
        "18B": 0.005,
        "13A": 0.005,
        "7A": 0.005,
        "20": 0.03,
    }
)
FACTOR_ORDER = {code: index for index, code in enumerate(AssessmentFactor.values)}
STRATEGY_ATTENDEES = "Social worker, team manager, police (CAIT), health (named nurse)"
CHAIRS = ("Independent chair: J. Morgan", "Independent chair: A. Patel", "Independent chair: S. Clarke")
CAL = ENGLAND


def wd(day: dt.date, count: int) -> dt.date:
    return CAL.add_working_days(day, count)


@dataclass
class AssessmentDates:
    started_on: dt.date
    seen_on: dt.date | None
    completed_on: dt.date | None
    authorised_on: dt.date | None
    outcome: str
    no_factors: bool = False


@dataclass
class ProtectionDates:
    strategy_on: dt.date
    section_47: bool
    s47_completed_on: dt.date | None = None
    s47_outcome: str = ""
    icpc_on: dt.date | None = None
    plan_decided: bool = False
    category: str = ""
    latest_category: str = ""
    previous_plans: int = 0
    plan_ended_on: dt.date | None = None
    reviews: list[tuple[dt.date, bool]] = field(default_factory=list)  # (held on, plan continues)
    core_groups: list[dt.date] = field(default_factory=list)


@dataclass
class EpisodePlan:
    """One referral for the children of a household, and what followed it."""

    day: dt.date
    route: str  # a frontdoor Decision: assessment or strategy
    is_nfa: bool = False
    primary_need: str = ""
    assessment: AssessmentDates | None = None
    protection: ProtectionDates | None = None
    cin: tuple[dt.date, dt.date | None] | None = None
    cin_reviews: list[dt.date] = field(default_factory=list)
    closed_on: dt.date | None = None
    closure_reason: str = ""
    main: bool = False

    @property
    def ends_on(self) -> dt.date | None:
        return self.closed_on

    def last_event(self) -> dt.date:
        days = [self.day]
        if self.assessment and self.assessment.authorised_on:
            days.append(self.assessment.authorised_on)
        if self.protection:
            days += [d for d in (self.protection.s47_completed_on, self.protection.plan_ended_on) if d]
        if self.cin and self.cin[1]:
            days.append(self.cin[1])
        return max(days)


# Planning -------------------------------------------------------------------------------------------------


def _assessment(rng, start_from: dt.date, last_day: dt.date, outcome: str) -> AssessmentDates:
    started = wd(start_from, rng.choice((0, 0, 0, 1, 1, 2, 3))) if rng.random() < 0.9 else start_from
    started = min(started, last_day)
    late = rng.random() < 0.17
    length = rng.randint(46, 80) if late else rng.randint(10, 45)
    authorised = wd(started, length)
    completed = max(started, authorised - dt.timedelta(days=rng.choice((0, 0, 1, 2, 3, 6))))
    seen = min(started + dt.timedelta(days=rng.randint(0, 6)), completed)
    if authorised > last_day:
        authorised = None
        if completed > last_day:
            completed = None
        if seen > last_day:
            seen = None
    return AssessmentDates(
        started, seen, completed, authorised, outcome, no_factors=outcome == "nfa" and rng.random() < 0.4
    )


def _cp_timeline(rng, p: ProtectionDates, target_end: dt.date | None, last_day: dt.date) -> None:
    """Reviews every 3 then 6 months (some late), core groups every 4 to 6 weeks; the plan ends at the first
    review on or after `target_end` (None: still open at the end of the history)."""
    start = p.icpc_on
    day = wd(start, rng.randint(5, 10) if rng.random() < 0.88 else rng.randint(11, 20))
    review_due = add_months(start, 3)
    review = _held(rng, review_due)
    end = None
    while day <= last_day:
        if day >= review:
            if review > last_day or (review_due <= last_day and rng.random() < 0.03):
                break  # not held yet: a due or overdue review
            ends = target_end is not None and review >= target_end
            p.reviews.append((review, not ends))
            if ends:
                end = review
                break
            review_due = add_months(review, 6)
            review = _held(rng, review_due)
            continue
        p.core_groups.append(day)
        day += dt.timedelta(days=rng.randint(28, 42))
    if end is None and target_end is not None:
        # The plan must end within the case: a last review brought forward if need be.
        held = [day for day, _ in p.reviews]
        end = min(last_day, max([target_end, start + dt.timedelta(days=1), *held]))
        if held and end == held[-1]:
            p.reviews[-1] = (end, False)
        else:
            p.reviews.append((end, False))
        p.core_groups = [day for day in p.core_groups if day <= end]
    p.plan_ended_on = end
    if rng.random() < 0.15:
        p.latest_category = CATEGORY.draw(rng)


def _held(rng, due: dt.date) -> dt.date:
    if rng.random() < 0.12:
        return due + dt.timedelta(days=rng.randint(1, 30))
    return due - dt.timedelta(days=rng.randint(0, 14))


def _plan_length(rng) -> int:
    draw = rng.random()
    if draw < 0.25:
        return rng.randint(90, 180)
    if draw < 0.65:
        return rng.randint(181, 365)
    if draw < 0.9:
        return rng.randint(366, 700)
    return rng.randint(731, 1000)


def plan_episode(
    sim, *, day: dt.date, kind: str, is_open: bool, deadline: dt.date, team_kind: str = ""
) -> EpisodePlan:
    """`kind`: 'nfa' (no further action at referral), 'short' (assessment, then closed), 'cin' (assessment and a
    child in need plan), 'cp' (strategy, enquiry, conference and a protection plan), 'assess' (assessment
    with support: looked after or care leavers), 'open_assessment' (the assessment team's newest work).
    `deadline`: the last day the episode may close (ignored when `is_open`)."""
    rng = sim.rng
    last_day = sim.last_day
    episode = EpisodePlan(day=day, route="assessment", main=kind not in ("nfa", "short"))
    if kind == "nfa":
        episode.is_nfa = True
        episode.closed_on = min(day + dt.timedelta(days=rng.choice((0, 0, 0, 1, 2))), last_day)
        episode.closure_reason = ReasonForClosure.RC7
        return episode
    episode.primary_need = PrimaryNeed.N2 if team_kind == "disabled_children" else PRIMARY_NEED.draw(rng)
    strategy = kind == "cp" or rng.random() < (0.33 if kind != "short" else 0.12)
    if strategy:
        episode.route = "strategy"
        held = wd(day, rng.choice((0, 0, 1, 1, 2))) if CAL.is_working_day(day) else wd(day, 1)
        held = min(held, last_day)
        p = ProtectionDates(strategy_on=held, section_47=kind == "cp" or rng.random() < 0.9)
        episode.protection = p
        if kind == "cp":
            episode.primary_need = PrimaryNeed.N1
            late = rng.random() < 0.2
            icpc = wd(held, rng.randint(16, 30) if late else rng.randint(6, 15))
            if icpc <= last_day:
                p.icpc_on = p.s47_completed_on = icpc
                p.s47_outcome = Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC
                p.plan_decided = rng.random() < 0.85
                if p.plan_decided:
                    p.category = p.latest_category = CATEGORY.draw(rng)
                    p.previous_plans = 0 if rng.random() < 0.77 else rng.choice((1, 1, 1, 1, 2, 2, 3))
        elif p.section_47:
            done = wd(held, rng.randint(5, 15))
            if done <= last_day:
                p.s47_completed_on = done
                p.s47_outcome = rng.choice(
                    (Section47Outcome.NOT_SUBSTANTIATED, Section47Outcome.NOT_SUBSTANTIATED, "no_icpc")
                )
    outcome = {"short": rng.choice(("nfa", "nfa", "early_help", "early_help", "nfa"))}.get(kind, "support")
    episode.assessment = _assessment(rng, day, last_day, outcome)
    if episode.protection and episode.protection.section_47:
        # After an enquiry the case closes RC7 (rule 2990), and "no factors" with RC7 is a DfE query (8873Q).
        episode.assessment.no_factors = False
    if kind == "short" and episode.assessment.authorised_on is None and not is_open:
        return episode  # too recent to have finished: not closed, so the front door keeps it as a contact
    p = episode.protection
    end_cap = None if is_open else deadline
    plan_start = None
    if p and p.plan_decided:
        target = p.icpc_on + dt.timedelta(days=_plan_length(rng))
        if end_cap is not None:
            target = min(target, end_cap - dt.timedelta(days=30))
        elif rng.random() < 0.45:
            target = None  # open plans: many run on
        _cp_timeline(rng, p, target, min(last_day, end_cap or last_day))
        if p.plan_ended_on and end_cap is not None and p.plan_ended_on > end_cap - dt.timedelta(days=3):
            end_cap = p.plan_ended_on + dt.timedelta(days=3)
        if p.plan_ended_on and rng.random() < 0.55:
            plan_start = p.plan_ended_on  # stepped down to a child in need plan
    elif kind in ("cin", "cp") and episode.assessment.authorised_on:
        plan_start = episode.assessment.authorised_on + dt.timedelta(days=rng.randint(0, 7))
    if plan_start and plan_start <= last_day:
        length = rng.randint(60, 540)
        plan_end = plan_start + dt.timedelta(days=length)
        if end_cap is not None:
            plan_end = max(plan_start, min(plan_end, end_cap - dt.timedelta(days=2)))
        elif is_open and rng.random() < 0.7 or plan_end > last_day:
            plan_end = None
        episode.cin = (plan_start, plan_end)
        review = plan_start + dt.timedelta(days=rng.randint(70, 100))
        while review <= (plan_end or last_day) and review <= last_day:
            episode.cin_reviews.append(review)
            review += dt.timedelta(days=rng.randint(75, 110))
    if is_open:
        return episode
    closed = max(episode.last_event(), episode.assessment.authorised_on if episode.assessment else day)
    if episode.assessment and episode.assessment.authorised_on is None:
        return episode  # the assessment is still going: the case cannot close yet
    if p and p.section_47 and p.s47_completed_on is None:
        return episode
    closed = min(closed + dt.timedelta(days=rng.randint(0, 10)), last_day)
    episode.closed_on = closed
    # RC8/RC9 mean "closed after assessment": an enquiry, conference or plan on the episode rules them out
    # (DfE rule 2990).
    went_beyond_assessment = episode.cin is not None or (
        p is not None and (p.section_47 or p.icpc_on is not None or p.plan_decided)
    )
    if not went_beyond_assessment and episode.assessment and outcome in ("nfa", "early_help"):
        episode.closure_reason = ReasonForClosure.RC8 if outcome == "nfa" else ReasonForClosure.RC9
    else:
        draw = rng.random()
        episode.closure_reason = (
            ReasonForClosure.RC5
            if draw < 0.06
            else ReasonForClosure.RC3
            if draw < 0.08
            else ReasonForClosure.RC7
        )
    return episode


# Writing --------------------------------------------------------------------------------------------------


class ProtectionWriter:
    """Writes the casework of each referral already written by the front-door writer."""

    def __init__(self, sim, workforce):
        self.sim = sim
        self.workforce = workforce

    def write(self, items: list[tuple]) -> None:
        """`items`: (episode, referral row, child plan, worker, manager) for every child referral."""
        rng = self.sim.rng
        chronology: list[ChronologyEntry] = []
        assessments, discussions = [], []
        for episode, referral, child, worker, manager in items:
            a = episode.assessment
            if a:
                factors = (
                    ["21"]
                    if a.no_factors
                    else sorted(
                        {FACTORS.draw(rng) for _ in range(rng.choice((1, 2, 2, 3, 4)))}, key=FACTOR_ORDER.get
                    )
                )
                row = Assessment(
                    child=child.record,
                    referral=referral,
                    worker=worker,
                    started_on=a.started_on,
                    child_seen_on=a.seen_on,
                    factors=factors if a.completed_on else [],
                    outcome=a.outcome if a.completed_on else "",
                    completed_on=a.completed_on,
                    authorised_on=a.authorised_on,
                    authorised_by=manager if a.authorised_on else None,
                    version=2 if a.completed_on else 1,
                )
                assessments.append(
                    (
                        stamp(
                            row,
                            at(a.started_on, 10),
                            at(a.authorised_on or a.completed_on or a.started_on, 15),
                        ),
                        episode,
                    )
                )
            p = episode.protection
            if p:
                row = StrategyDiscussion(
                    child=child.record,
                    referral=referral,
                    held_on=p.strategy_on,
                    attendees=STRATEGY_ATTENDEES,
                    section_47_agreed=p.section_47,
                    summary="Information shared by police and health; threshold for enquiries considered.",
                    recorded_by=worker,
                )
                discussions.append(
                    (stamp(row, at(p.strategy_on, 16)), episode, referral, child, worker, manager)
                )
        Assessment.objects.bulk_create([row for row, _ in assessments], batch_size=1000)
        StrategyDiscussion.objects.bulk_create([row for row, *_ in discussions], batch_size=1000)
        for row, _episode in assessments:
            self._assessment_chronology(chronology, row)
        enquiries = []
        for row, episode, referral, _child, worker, manager in discussions:
            chronology.append(_entry(lines.strategy_discussion(row), worker))
            p = episode.protection
            if p.section_47:
                enquiry = Section47Enquiry(
                    child=row.child,
                    referral=referral,
                    strategy_discussion=row,
                    started_on=row.held_on,
                    completed_on=p.s47_completed_on,
                    outcome=p.s47_outcome,
                    icpc_not_required=bool(p.s47_completed_on) and p.icpc_on is None,
                )
                enquiries.append(
                    (
                        stamp(
                            enquiry, at(row.held_on, 16, 30), at(p.s47_completed_on or row.held_on, 16, 30)
                        ),
                        episode,
                        referral,
                        worker,
                        manager,
                    )
                )
        Section47Enquiry.objects.bulk_create([e for e, *_ in enquiries], batch_size=1000)
        conferences = []
        for enquiry, episode, referral, worker, _manager in enquiries:
            chronology.append(_entry(lines.section_47_started(enquiry), worker))
            p = episode.protection
            if enquiry.completed_on and p.icpc_on is None:
                chronology.append(_entry(lines.section_47_completed(enquiry), worker))
            if p.icpc_on:
                conference = ChildProtectionConference(
                    child=enquiry.child,
                    kind=ConferenceKind.INITIAL,
                    section_47=enquiry,
                    held_on=p.icpc_on,
                    plan_decided=p.plan_decided,
                    category=p.category if p.plan_decided else "",
                    chair=rng.choice(CHAIRS),
                )
                conferences.append((stamp(conference, at(p.icpc_on, 15)), episode, referral, worker))
        ChildProtectionConference.objects.bulk_create([c for c, *_ in conferences], batch_size=1000)
        plans = []
        for conference, episode, referral, worker in conferences:
            p = episode.protection
            chronology.append(_entry(lines.initial_conference(conference), worker))
            if p.plan_decided:
                plan = ChildProtectionPlan(
                    child=conference.child,
                    referral=referral,
                    initial_conference=conference,
                    started_on=conference.held_on,
                    ended_on=p.plan_ended_on,
                    initial_category=p.category,
                    latest_category=p.latest_category or p.category,
                    previous_plans=p.previous_plans,
                )
                plans.append(
                    (
                        stamp(
                            plan,
                            at(conference.held_on, 15, 30),
                            at(p.plan_ended_on or conference.held_on, 15, 30),
                        ),
                        episode,
                        conference,
                        worker,
                    )
                )
        ChildProtectionPlan.objects.bulk_create([plan for plan, *_ in plans], batch_size=1000)
        initial_links, reviews, core_groups = [], [], []
        for plan, episode, conference, worker in plans:
            conference.plan = plan
            initial_links.append(conference)
            chronology.append(_entry(lines.protection_plan_started(plan), worker))
            for held_on, continues in episode.protection.reviews:
                review = ChildProtectionConference(
                    child=plan.child,
                    kind=ConferenceKind.REVIEW,
                    plan=plan,
                    held_on=held_on,
                    plan_decided=continues,
                    category=plan.latest_category if continues else "",
                    chair=rng.choice(CHAIRS),
                )
                reviews.append((stamp(review, at(held_on, 15)), worker, continues))
            for held_on in episode.protection.core_groups:
                core_groups.append(
                    (stamp(CoreGroupMeeting(plan=plan, held_on=held_on), at(held_on, 14)), worker)
                )
        ChildProtectionConference.objects.bulk_update(initial_links, ["plan"], batch_size=1000)
        ChildProtectionConference.objects.bulk_create([r for r, *_ in reviews], batch_size=1000)
        CoreGroupMeeting.objects.bulk_create([c for c, _ in core_groups], batch_size=1000)
        for review, worker, _continues in reviews:
            chronology.append(_entry(lines.review_conference(review), worker))
        for meeting, worker in core_groups:
            chronology.append(_entry(lines.core_group(meeting), worker))
        cin_plans = []
        for episode, referral, child, worker, _manager in items:
            if episode.cin:
                start, end = episode.cin
                plan = ChildInNeedPlan(child=child.record, referral=referral, started_on=start, ended_on=end)
                cin_plans.append((stamp(plan, at(start, 14), at(end or start, 14)), episode, worker))
        ChildInNeedPlan.objects.bulk_create([plan for plan, *_ in cin_plans], batch_size=1000)
        cin_reviews = []
        for plan, episode, worker in cin_plans:
            chronology.append(_entry(lines.cin_plan_started(plan), worker))
            if plan.ended_on:
                chronology.append(_entry(lines.cin_plan_ended(plan), worker))
            for held_on in episode.cin_reviews:
                cin_reviews.append(
                    (stamp(ChildInNeedReview(plan=plan, held_on=held_on), at(held_on, 14)), worker)
                )
        ChildInNeedReview.objects.bulk_create([r for r, _ in cin_reviews], batch_size=1000)
        for review, worker in cin_reviews:
            chronology.append(_entry(lines.cin_review(review), worker))
        ChronologyEntry.objects.bulk_create(chronology, batch_size=2000)
        counts = {
            "assessments": len(assessments),
            "strategy discussions": len(discussions),
            "section 47 enquiries": len(enquiries),
            "protection conferences": len(conferences) + len(reviews),
            "protection plans": len(plans),
            "core group meetings": len(core_groups),
            "child in need plans": len(cin_plans),
            "child in need reviews": len(cin_reviews),
            "chronology entries": len(chronology),
        }
        for what, how_many in counts.items():
            self.sim.count(what, how_many)

    def _assessment_chronology(self, chronology: list, row: Assessment) -> None:
        """The lines the assessment services would have written, in the order they write them."""
        worker = row.worker
        chronology.append(_entry(lines.assessment_started(row), worker))
        if row.child_seen_on:
            chronology.append(_entry(lines.assessment_child_seen(row, row.child_seen_on), worker))
        if row.completed_on:
            for line in (
                lines.assessment_factors(row, row.completed_on),
                lines.assessment_outcome(row, row.completed_on),
                lines.assessment_submitted(row),
            ):
                chronology.append(_entry(line, worker))
        if row.authorised_on:
            chronology.append(_entry(lines.assessment_authorised(row), row.authorised_by))


def _entry(line: ChronologyLine, actor) -> ChronologyEntry:
    """A service's line as the synthetic authority bulk-inserts it, stamped at the end of its day."""
    return stamp(line.entry(recorded_by=actor), at(line.occurred_on, 17, 30))
