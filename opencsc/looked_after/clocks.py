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
- personal education plan 20 school days after becoming looked after (counted as working days: the
  authority's term dates are not held);
- return home interview 72 hours after the return from each missing or away episode, until it is done or
  declined.

The dental and SDQ yearly intervals have no rule in `core.clocks.RULES`; they are 12 calendar months by
`add_months`, explained in the same style.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from opencsc.casework.models import CaseNote, NoteStatus, NoteType
from opencsc.core.clocks import RULES, due_date, effective_limit
from opencsc.core.working_days import Calendar, add_months, anniversary, authority_calendar
from opencsc.looked_after.codes import SHORT_BREAK_STATUSES
from opencsc.looked_after.models import CareReview, HealthAndEducationCheck, HealthCheckKind, MissingEpisode
from opencsc.looked_after.selectors import child_episodes, current_placement, period_of_care_start
from opencsc.people.models import Child

SCHOOL_DAYS_NOTE = "school days counted as working days, as term dates are not held"
SDQ_AGES = (4, 16)
PEP_AGES = (3, 17)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


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
        rule_id, what, start, add_months(start, 12), f"12 months from {from_what} on {_day(start)}"
    )


def _age_on(child: Child, day: dt.date) -> int | None:
    born = child.date_of_birth
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def last_statutory_visit(child: Child, since: dt.date) -> dt.date | None:
    return CaseNote.objects.filter(
        children=child,
        note_type=NoteType.VISIT,
        status=NoteStatus.FINAL,
        child_seen=True,
        event_on__gte=since,
    ).aggregate(last=Max("event_on"))["last"]


def visit_clock(child: Child, placement, calendar: Calendar) -> CareClock:
    start = placement.started_on
    last = last_statutory_visit(child, start)
    if last is None:
        return _clock("cla_visit_first", start, calendar, what="Visit the child in the new placement")
    first_year_ends = anniversary(start, 1)
    if last < first_year_ends:
        return _clock(
            "cla_visit",
            last,
            calendar,
            what="Visit the child",
            note=f"placement from {_day(start)} is in its first year",
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


def review_clock(child: Child, period_start: dt.date, calendar: Calendar) -> CareClock:
    held = list(
        CareReview.objects.filter(child=child, held_on__gte=period_start)
        .order_by("held_on")
        .values_list("held_on", flat=True)
    )
    if not held:
        return _clock("cla_review_first", period_start, calendar, what="Hold the first looked-after review")
    if len(held) == 1:
        return _clock("cla_review_second", held[0], calendar, what="Hold the second looked-after review")
    return _clock("cla_review", held[-1], calendar, what="Hold the looked-after review")


def _checks(child: Child, kinds, since: dt.date | None = None):
    checks = HealthAndEducationCheck.objects.filter(child=child, kind__in=kinds)
    if since is not None:
        checks = checks.filter(done_on__gte=since)
    return checks.aggregate(last=Max("done_on"))["last"]


def health_clocks(child: Child, period_start: dt.date, calendar: Calendar, today: dt.date) -> list[CareClock]:
    clocks = []
    initial = _checks(child, [HealthCheckKind.INITIAL_HEALTH_ASSESSMENT], period_start)
    if initial is None:
        clocks.append(
            _clock("health_assessment_initial", period_start, calendar, what="Initial health assessment")
        )
    else:
        last = _checks(
            child, [HealthCheckKind.INITIAL_HEALTH_ASSESSMENT, HealthCheckKind.REVIEW_HEALTH_ASSESSMENT]
        )
        age = _age_on(child, last)
        rule = "health_review_under_5" if age is not None and age < 5 else "health_review"
        clocks.append(_clock(rule, last, calendar, what="Review health assessment"))
    dental = _checks(child, [HealthCheckKind.DENTAL])
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
        sdq = _checks(child, [HealthCheckKind.SDQ])
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


def pep_clock(child: Child, period_start: dt.date, calendar: Calendar, today: dt.date) -> CareClock | None:
    age = _age_on(child, today)
    if age is None or not PEP_AGES[0] <= age <= PEP_AGES[1]:
        return None
    if _checks(child, [HealthCheckKind.PERSONAL_EDUCATION_PLAN], period_start) is not None:
        return None
    return _clock(
        "pep", period_start, calendar, what="Personal education plan in place", note=SCHOOL_DAYS_NOTE
    )


def return_interview_clocks(child: Child, calendar: Calendar) -> list[CareClock]:
    clocks = []
    for missing in MissingEpisode.objects.filter(
        child=child, returned_at__isnull=False, interview_done_at__isnull=True, interview_declined=False
    ).order_by("returned_at"):
        clock = _clock(
            "return_home_interview",
            timezone.localtime(missing.returned_at),
            calendar,
            what=f"Return home interview ({missing.get_kind_display().lower()})",
        )
        due = timezone.localtime(clock.due)
        explanation = f"Due by {due:%H:%M} on {_day(due.date())}: {clock.explanation}"
        if missing.interview_offered_at:
            offered = timezone.localtime(missing.interview_offered_at)
            explanation += f"; offered at {offered:%H:%M} on {_day(offered.date())}"
        else:
            explanation += "; not yet offered"
        clocks.append(CareClock(clock.rule_id, clock.what, clock.start, clock.due, explanation))
    return clocks


def child_care_clocks(child: Child, *, episodes=None, today: dt.date | None = None) -> list[CareClock]:
    """Every looked-after clock running for the child, soonest first. The care clocks run while the child is
    looked after (not on short breaks, which have their own regulations); return home interviews are due
    after any return, looked after or not."""
    today = today or timezone.localdate()
    calendar = authority_calendar()
    episodes = child_episodes(child) if episodes is None else episodes
    clocks: list[CareClock] = []
    placement = current_placement(episodes)
    if placement is not None and placement.last.legal_status not in SHORT_BREAK_STATUSES:
        period_start = period_of_care_start(episodes)
        clocks.append(visit_clock(child, placement, calendar))
        clocks.append(review_clock(child, period_start, calendar))
        clocks.extend(health_clocks(child, period_start, calendar, today))
        pep = pep_clock(child, period_start, calendar, today)
        if pep is not None:
            clocks.append(pep)
    clocks.extend(return_interview_clocks(child, calendar))
    return sorted(clocks, key=lambda clock: clock.due_on)
