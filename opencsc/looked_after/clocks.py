"""The looked-after child's clocks, every one from the one engine (`opencsc.core.clocks.due_date`) with the
authority's calendar, each with its explanation:

- visits (reg 28): 7 days after each placement starts, then 6 weeks after the last statutory visit while the
  placement is in its first year, then 3 months for a long-term placement (U1, U4) or still 6 weeks otherwise;
  a statutory visit is a final visit note about the child with the child seen, on or after the placement start,
  so every move restarts the clock;
- reviews (reg 33): 20 working days after becoming looked after, 3 months after the first, then 6 months;
- initial health assessment 20 working days after becoming looked after; review health assessments 6 months
  (under 5) or 12 months (5 and over) after the last assessment; dental check 12 months after the last (or
  after becoming looked after); SDQ yearly for ages 4 to 16;
- placement plan (reg 9) 5 working days after each placement starts, until the plan for that placement is
  agreed (`placement_plans.placement_plan_agree`);
- personal education plan 20 school days after becoming looked after (counted as working days: the
  authority's term dates are not held);
- return home interview 72 hours after the return from each missing or away episode, until it is done or
  declined.

The dental and SDQ yearly intervals have no rule in `core.clocks.RULES`; they are 12 calendar months by
`add_months`, explained in the same style.

The clocks are worked out from a `CareRecords` per child: its episodes, visits, reviews, checks and returns from
missing. `care_records` reads them for any number of children in a fixed number of queries per 900 children, so
the sweep and the dashboard cost the same few queries whether the authority looks after fifty children or five
thousand; the child's own page reads its one child the same way.
"""

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from opencsc.casework.models import CaseNote, NoteStatus, NoteType
from opencsc.core.clocks import RULES, due_date, effective_limit
from opencsc.core.dates import long_date
from opencsc.core.working_days import Calendar, add_months, anniversary, authority_calendar
from opencsc.looked_after.codes import SHORT_BREAK_STATUSES
from opencsc.looked_after.models import (
    CareReview,
    Episode,
    HealthAndEducationCheck,
    HealthCheckKind,
    MissingEpisode,
    PlacementPlanAgreement,
)
from opencsc.looked_after.selectors import current_placement, period_of_care_start
from opencsc.people.models import Child

SCHOOL_DAYS_NOTE = "school days counted as working days, as term dates are not held"
SDQ_AGES = (4, 16)
PEP_AGES = (3, 17)
IDS_PER_QUERY = 900  # SQLite's older limit on parameters in one statement


@dataclass
class CareRecords:
    """What one child's looked-after clocks are worked out from; every list is in date order."""

    episodes: list[Episode] = field(default_factory=list)
    statutory_visits: list[dt.date] = field(default_factory=list)
    reviews: list[dt.date] = field(default_factory=list)
    checks: dict[str, list[dt.date]] = field(default_factory=dict)
    returns_awaiting_interview: list[MissingEpisode] = field(default_factory=list)
    placement_plans_agreed: set[dt.date] = field(default_factory=set)  # the starts of placements with a plan

    def last_check(self, kinds: Iterable[str], since: dt.date | None = None) -> dt.date | None:
        days = [day for kind in kinds for day in self.checks.get(kind, ()) if since is None or day >= since]
        return max(days, default=None)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for at in range(0, len(ids), IDS_PER_QUERY):
        yield ids[at : at + IDS_PER_QUERY]


def care_records(child_ids: Iterable[int]) -> dict[int, CareRecords]:
    """The records behind the clocks of each child, six queries for every 900 children."""
    ids = sorted(set(child_ids))
    records = {child_id: CareRecords() for child_id in ids}
    for chunk in _chunks(ids):
        for episode in Episode.objects.filter(child_id__in=chunk).order_by("child_id", "started_on", "id"):
            records[episode.child_id].episodes.append(episode)
        visits = (
            CaseNote.children.through.objects.filter(
                child_id__in=chunk,
                casenote__note_type=NoteType.VISIT,
                casenote__status=NoteStatus.FINAL,
                casenote__child_seen=True,
            )
            .values_list("child_id", "casenote__event_on")
            .order_by("casenote__event_on")
        )
        for child_id, day in visits:
            records[child_id].statutory_visits.append(day)
        for child_id, day in (
            CareReview.objects.filter(child_id__in=chunk)
            .values_list("child_id", "held_on")
            .order_by("held_on")
        ):
            records[child_id].reviews.append(day)
        checks = (
            HealthAndEducationCheck.objects.filter(child_id__in=chunk, done_on__isnull=False)
            .values_list("child_id", "kind", "done_on")
            .order_by("done_on")
        )
        for child_id, kind, day in checks:
            records[child_id].checks.setdefault(kind, []).append(day)
        for missing in MissingEpisode.objects.filter(
            child_id__in=chunk,
            returned_at__isnull=False,
            interview_done_at__isnull=True,
            interview_declined=False,
        ).order_by("returned_at", "id"):
            records[missing.child_id].returns_awaiting_interview.append(missing)
        for child_id, started_on in PlacementPlanAgreement.objects.filter(child_id__in=chunk).values_list(
            "child_id", "placement_started_on"
        ):
            records[child_id].placement_plans_agreed.add(started_on)
    return records


@dataclass(frozen=True)
class CareClock:
    rule_id: str
    what: str
    start: dt.date | dt.datetime
    due: dt.date | dt.datetime
    explanation: str

    @property
    def due_on(self) -> dt.date:
        if isinstance(self.due, dt.datetime):
            return timezone.localtime(self.due).date()
        return self.due

    @property
    def has_time(self) -> bool:
        return isinstance(self.due, dt.datetime)

    @property
    def is_overdue(self) -> bool:
        if isinstance(self.due, dt.datetime):
            return self.due < timezone.now()
        return self.due < timezone.localdate()

    @property
    def standing(self) -> str:
        if isinstance(self.due, dt.datetime):
            hours = (self.due - timezone.now()).total_seconds() / 3600
            if hours >= 0:
                return f"{int(hours)} hour{'s' if int(hours) != 1 else ''} left"
            return f"Overdue by {int(-hours)} hour{'s' if int(-hours) != 1 else ''}"
        left = (self.due - timezone.localdate()).days
        if left >= 0:
            return f"{left} day{'s' if left != 1 else ''} left"
        return f"Overdue by {-left} day{'s' if left != -1 else ''}"


def _clock(rule_id: str, start, calendar: Calendar, *, what: str = "", note: str = "") -> CareClock:
    rule = RULES[rule_id]
    due = due_date(rule_id, start, calendar=calendar, limit=effective_limit(rule))
    explanation = due.explanation + (f" ({note})" if note else "")
    return CareClock(rule_id, what or rule.name, start, due.due, explanation)


def _yearly(rule_id: str, what: str, start: dt.date, from_what: str) -> CareClock:
    return CareClock(
        rule_id, what, start, add_months(start, 12), f"12 months from {from_what} on {long_date(start)}"
    )


def _age_on(child: Child, day: dt.date) -> int | None:
    born = child.date_of_birth
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def last_statutory_visit(records: CareRecords, since: dt.date) -> dt.date | None:
    """The latest final visit note with the child seen on or after `since`."""
    visits = records.statutory_visits
    if not visits or visits[-1] < since:
        return None
    return visits[-1]


def placement_plan_clock(records: CareRecords, placement, calendar: Calendar) -> CareClock | None:
    """Reg 9: agreed within 5 working days of the placement's start, unless agreed already."""
    if placement.started_on in records.placement_plans_agreed:
        return None
    return _clock("placement_plan", placement.started_on, calendar, what="Agree the placement plan")


def visit_clock(records: CareRecords, placement, calendar: Calendar) -> CareClock:
    start = placement.started_on
    last = last_statutory_visit(records, start)
    if last is None:
        return _clock("cla_visit_first", start, calendar, what="Visit the child in the new placement")
    first_year_ends = anniversary(start, 1)
    if last < first_year_ends:
        return _clock(
            "cla_visit",
            last,
            calendar,
            what="Visit the child",
            note=f"placement from {long_date(start)} is in its first year",
        )
    if placement.is_long_term:
        return _clock(
            "cla_visit_long_term",
            last,
            calendar,
            what="Visit the child",
            note=f"long-term placement ({placement.last.placement_type}) more than a year old",
        )
    return _clock(
        "cla_visit",
        last,
        calendar,
        what="Visit the child",
        note=f"placement ({placement.last.placement_type}) is not long-term",
    )


def review_clock(records: CareRecords, period_start: dt.date, calendar: Calendar) -> CareClock:
    held = records.reviews[bisect.bisect_left(records.reviews, period_start) :]
    if not held:
        return _clock("cla_review_first", period_start, calendar, what="Hold the first looked-after review")
    if len(held) == 1:
        return _clock("cla_review_second", held[0], calendar, what="Hold the second looked-after review")
    return _clock("cla_review", held[-1], calendar, what="Hold the looked-after review")


def health_clocks(
    child: Child, records: CareRecords, period_start: dt.date, calendar: Calendar, today: dt.date
) -> list[CareClock]:
    clocks = []
    initial = records.last_check([HealthCheckKind.INITIAL_HEALTH_ASSESSMENT], period_start)
    if initial is None:
        clocks.append(
            _clock("health_assessment_initial", period_start, calendar, what="Initial health assessment")
        )
    else:
        last = records.last_check(
            [HealthCheckKind.INITIAL_HEALTH_ASSESSMENT, HealthCheckKind.REVIEW_HEALTH_ASSESSMENT]
        )
        age = _age_on(child, last)
        rule = "health_review_under_5" if age is not None and age < 5 else "health_review"
        clocks.append(_clock(rule, last, calendar, what="Review health assessment"))
    dental = records.last_check([HealthCheckKind.DENTAL])
    if dental is not None:
        clocks.append(_yearly("dental", "Dental check", dental, "the last dental check"))
    else:
        clocks.append(
            _yearly(
                "dental", "Dental check", period_start, "becoming looked after (no dental check recorded)"
            )
        )
    age_now = _age_on(child, today)
    if age_now is not None and SDQ_AGES[0] <= age_now <= SDQ_AGES[1]:
        sdq = records.last_check([HealthCheckKind.SDQ])
        if sdq is not None:
            clocks.append(_yearly("sdq", "Strengths and difficulties questionnaire", sdq, "the last SDQ"))
        else:
            fourth = anniversary(child.date_of_birth, SDQ_AGES[0])
            start, what = (
                (period_start, "becoming looked after")
                if period_start >= fourth
                else (fourth, "the 4th birthday")
            )
            clocks.append(_yearly("sdq", "Strengths and difficulties questionnaire", start, what))
    return clocks


def pep_clock(
    child: Child, records: CareRecords, period_start: dt.date, calendar: Calendar, today: dt.date
) -> CareClock | None:
    age = _age_on(child, today)
    if age is None or not PEP_AGES[0] <= age <= PEP_AGES[1]:
        return None
    if records.last_check([HealthCheckKind.PERSONAL_EDUCATION_PLAN], period_start) is not None:
        return None
    return _clock(
        "pep", period_start, calendar, what="Personal education plan in place", note=SCHOOL_DAYS_NOTE
    )


def return_interview_clocks(records: CareRecords, calendar: Calendar) -> list[CareClock]:
    clocks = []
    for missing in records.returns_awaiting_interview:
        clock = _clock(
            "return_home_interview",
            timezone.localtime(missing.returned_at),
            calendar,
            what=f"Return home interview ({missing.get_kind_display().lower()})",
        )
        due = timezone.localtime(clock.due)
        explanation = f"Due by {due:%H:%M} on {long_date(due.date())}: {clock.explanation}"
        if missing.interview_offered_at:
            offered = timezone.localtime(missing.interview_offered_at)
            explanation += f"; offered at {offered:%H:%M} on {long_date(offered.date())}"
        else:
            explanation += "; not yet offered"
        clocks.append(CareClock(clock.rule_id, clock.what, clock.start, clock.due, explanation))
    return clocks


def child_care_clocks(
    child: Child,
    *,
    today: dt.date | None = None,
    records: CareRecords | None = None,
    calendar: Calendar | None = None,
) -> list[CareClock]:
    """Every looked-after clock running for the child, soonest first. The care clocks run while the child is
    looked after (not on short breaks, which have their own regulations); return home interviews are due
    after any return, looked after or not. Pass `records` (from `care_records`) and `calendar` when working
    out many children."""
    today = today or timezone.localdate()
    calendar = calendar or authority_calendar()
    records = records if records is not None else care_records([child.pk])[child.pk]
    clocks: list[CareClock] = []
    placement = current_placement(records.episodes)
    if placement is not None and placement.last.legal_status not in SHORT_BREAK_STATUSES:
        period_start = period_of_care_start(records.episodes)
        clocks.append(visit_clock(records, placement, calendar))
        if (plan := placement_plan_clock(records, placement, calendar)) is not None:
            clocks.append(plan)
        clocks.append(review_clock(records, period_start, calendar))
        clocks.extend(health_clocks(child, records, period_start, calendar, today))
        pep = pep_clock(child, records, period_start, calendar, today)
        if pep is not None:
            clocks.append(pep)
    clocks.extend(return_interview_clocks(records, calendar))
    return sorted(clocks, key=lambda clock: clock.due_on)


def care_clocks_of(children: Iterable[Child], *, today: dt.date) -> Iterable[tuple[Child, list[CareClock]]]:
    """Each child with its looked-after clocks, read set-based: the same clocks as `child_care_clocks`."""
    children = list(children)
    records = care_records(child.pk for child in children)
    calendar = authority_calendar()
    for child in children:
        yield child, child_care_clocks(child, today=today, records=records[child.pk], calendar=calendar)
