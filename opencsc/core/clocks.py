"""Every statutory and local timescale, in one table, and the one engine that turns a start into a due date.

A due date can always explain itself: "45 working days from the referral on 3 March 2026; Good Friday and
Easter Monday skipped". Where the law leaves the limit to the authority (`local=True`), the limit here is the
default and a ClockSetting row overrides it.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models

from opencsc.core.dates import long_date
from opencsc.core.working_days import ENGLAND, Calendar, add_months


class Unit(models.TextChoices):
    WORKING_DAYS = "working_days", "working days"
    SCHOOL_DAYS = "school_days", "school days"
    CALENDAR_DAYS = "calendar_days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    HOURS = "hours", "hours"


@dataclass(frozen=True)
class ClockRule:
    id: str
    name: str
    starts_at: str
    stops_at: str
    unit: Unit
    limit: int
    source: str
    local: bool = False


RULES: dict[str, ClockRule] = {
    rule.id: rule
    for rule in (
        ClockRule(
            "referral_decision",
            "Referral decision",
            "the contact",
            "a decision is recorded",
            Unit.WORKING_DAYS,
            1,
            "Working Together to Safeguard Children 2023",
        ),
        ClockRule(
            "assessment",
            "Child and family assessment",
            "the referral",
            "the assessment is authorised",
            Unit.WORKING_DAYS,
            45,
            "Working Together to Safeguard Children 2023",
        ),
        ClockRule(
            "icpc",
            "Initial child protection conference",
            "the strategy discussion",
            "the conference is held",
            Unit.WORKING_DAYS,
            15,
            "Working Together to Safeguard Children 2023",
        ),
        ClockRule(
            "core_group_first",
            "First core group",
            "the initial conference",
            "the core group meets",
            Unit.WORKING_DAYS,
            10,
            "Working Together to Safeguard Children 2023",
        ),
        ClockRule(
            "core_group",
            "Core group meeting",
            "the last core group",
            "the core group meets",
            Unit.WORKING_DAYS,
            20,
            "Working Together to Safeguard Children 2023 (core groups meet regularly; the frequency is local)",
            local=True,
        ),
        ClockRule(
            "cp_review_first",
            "First child protection review conference",
            "the initial conference",
            "the review is held",
            Unit.MONTHS,
            3,
            "Working Together to Safeguard Children 2023",
        ),
        ClockRule(
            "cp_review",
            "Child protection review conference",
            "the previous review",
            "the review is held",
            Unit.MONTHS,
            6,
            "Working Together to Safeguard Children 2023",
        ),
        ClockRule(
            "cp_visit",
            "Child protection visit",
            "the plan start or the last visit",
            "the child is seen",
            Unit.WORKING_DAYS,
            10,
            "Local procedure",
            local=True,
        ),
        ClockRule(
            "cin_visit",
            "Child in need visit",
            "the plan start or the last visit",
            "the child is seen",
            Unit.WORKING_DAYS,
            20,
            "Local procedure",
            local=True,
        ),
        ClockRule(
            "cin_review",
            "Child in need plan review",
            "the plan start or the last review",
            "the plan is reviewed",
            Unit.MONTHS,
            3,
            "Local procedure (Working Together 2023 leaves the frequency to the authority)",
            local=True,
        ),
        ClockRule(
            "cla_visit_first",
            "First visit in a placement",
            "the placement",
            "the child is visited",
            Unit.CALENDAR_DAYS,
            7,
            "Care Planning, Placement and Case Review Regulations 2010, reg 28",
        ),
        ClockRule(
            "cla_visit",
            "Looked-after visit (first year of placement)",
            "the last visit",
            "the child is visited",
            Unit.WEEKS,
            6,
            "Care Planning, Placement and Case Review Regulations 2010, reg 28",
        ),
        ClockRule(
            "cla_visit_long_term",
            "Looked-after visit (long-term placement after a year)",
            "the last visit",
            "the child is visited",
            Unit.MONTHS,
            3,
            "Care Planning, Placement and Case Review Regulations 2010, reg 28",
        ),
        ClockRule(
            "placement_plan",
            "Placement plan",
            "the placement",
            "the placement plan is agreed",
            Unit.WORKING_DAYS,
            5,
            "Care Planning, Placement and Case Review Regulations 2010, reg 9(2)",
        ),
        ClockRule(
            "cla_review_first",
            "First looked-after review",
            "becoming looked after",
            "the review is held",
            Unit.WORKING_DAYS,
            20,
            "Care Planning, Placement and Case Review Regulations 2010, reg 33",
        ),
        ClockRule(
            "cla_review_second",
            "Second looked-after review",
            "the first review",
            "the review is held",
            Unit.MONTHS,
            3,
            "Care Planning, Placement and Case Review Regulations 2010, reg 33",
        ),
        ClockRule(
            "cla_review",
            "Looked-after review",
            "the previous review",
            "the review is held",
            Unit.MONTHS,
            6,
            "Care Planning, Placement and Case Review Regulations 2010, reg 33",
        ),
        ClockRule(
            "health_assessment_initial",
            "Initial health assessment",
            "becoming looked after",
            "the assessment is done",
            Unit.WORKING_DAYS,
            20,
            "Promoting the health and well-being of looked-after children, 2015",
        ),
        ClockRule(
            "health_review_under_5",
            "Health assessment review (under 5)",
            "the last assessment",
            "the review is done",
            Unit.MONTHS,
            6,
            "Promoting the health and well-being of looked-after children, 2015",
        ),
        ClockRule(
            "health_review",
            "Health assessment review (5 and over)",
            "the last assessment",
            "the review is done",
            Unit.MONTHS,
            12,
            "Promoting the health and well-being of looked-after children, 2015",
        ),
        ClockRule(
            "pep",
            "Personal education plan",
            "becoming looked after",
            "the plan is in place",
            Unit.SCHOOL_DAYS,
            20,
            "Promoting the education of looked-after children, 2018",
        ),
        ClockRule(
            "return_home_interview",
            "Return home interview",
            "the return from missing",
            "the interview is done",
            Unit.HOURS,
            72,
            "Children who run away or go missing from home or care, 2014",
        ),
        ClockRule(
            "pathway_plan_review",
            "Pathway plan review",
            "the last plan",
            "the plan is reviewed",
            Unit.MONTHS,
            6,
            "Care Leavers (England) Regulations 2010",
        ),
        ClockRule(
            "iro_recommendation",
            "IRO recommendation",
            "the date the IRO set",
            "the recommendation is done or disagreed with",
            Unit.CALENDAR_DAYS,
            0,
            "Set on each recommendation (IRO Handbook 2010)",
        ),
        ClockRule(
            "alert_review",
            "Alert review",
            "the alert being raised",
            "the alert is reviewed",
            Unit.CALENDAR_DAYS,
            0,
            "Set on each alert",
            local=True,
        ),
        # Pre-proceedings and care proceedings (opencsc.legal) --------------------------------------------------
        ClockRule(
            "plo_letter",
            "Letter before proceedings",
            "the legal gateway meeting",
            "the letter is sent",
            Unit.WORKING_DAYS,
            5,
            "Local procedure under the Public Law Outline (Practice Direction 12A; Public Law Working Group best "
            "practice guidance, 2023)",
            local=True,
        ),
        ClockRule(
            "plo_meeting",
            "Pre-proceedings meeting",
            "the letter before proceedings",
            "the meeting is held",
            Unit.WORKING_DAYS,
            10,
            "Local procedure under the Public Law Outline (Public Law Working Group best practice guidance, 2023)",
            local=True,
        ),
        ClockRule(
            "plo_decision",
            "Pre-proceedings decision",
            "the start of pre-proceedings",
            "pre-proceedings end or proceedings are issued",
            Unit.WEEKS,
            16,
            "Public Law Working Group best practice guidance, 2023 (pre-proceedings normally within 16 weeks)",
            local=True,
        ),
        ClockRule(
            "case_management_hearing",
            "Case management hearing",
            "the issue of proceedings",
            "the hearing is held",
            Unit.CALENDAR_DAYS,
            18,
            "Family Procedure Rules 2010, Practice Direction 12A (Public Law Outline), stage 2: by day 18",
        ),
        ClockRule(
            "care_proceedings",
            "Care proceedings (26-week timetable)",
            "the issue of proceedings",
            "the proceedings are concluded",
            Unit.WEEKS,
            26,
            "Children Act 1989 s32(1)(a), as amended by the Children and Families Act 2014 s14; extensions of up "
            "to 8 weeks each under s32(5) to (8)",
        ),
        ClockRule(
            "hearing_outcome",
            "Hearing outcome",
            "the hearing",
            "the outcome is recorded",
            Unit.WORKING_DAYS,
            1,
            "Local procedure (the outcome and any orders are on the record the next working day)",
            local=True,
        ),
        # Early help (opencsc/earlyhelp): timescales the authority sets under Working Together 2023, chapter 1.
        ClockRule(
            "early_help_assessment",
            "Early help assessment",
            "the early help episode",
            "the assessment is completed",
            Unit.WORKING_DAYS,
            30,
            "Working Together to Safeguard Children 2023, ch. 1 (the early help assessment's timescale is local)",
            local=True,
        ),
        ClockRule(
            "early_help_review",
            "Team around the family review",
            "the early help episode or the last review",
            "the team around the family meets",
            Unit.WEEKS,
            6,
            "Working Together to Safeguard Children 2023, ch. 1 (the review frequency is local)",
            local=True,
        ),
        # Child exploitation and the National Referral Mechanism (opencsc/exploitation, ADR 0038).
        ClockRule(
            "exploitation_screening_review",
            "Exploitation screening review",
            "the last screening that found a risk",
            "the child is screened again",
            Unit.MONTHS,
            3,
            "Child exploitation: Working Together to Safeguard Children 2023, ch. 3 (the review frequency of "
            "the screening tool is set by the local safeguarding partnership)",
            local=True,
        ),
        ClockRule(
            "nrm_reasonable_grounds",
            "NRM reasonable grounds decision",
            "the referral to the National Referral Mechanism",
            "the competent authority's reasonable grounds decision is recorded",
            Unit.WORKING_DAYS,
            5,
            "Modern Slavery: Statutory Guidance for England and Wales (under s49 Modern Slavery Act 2015), "
            "Home Office: a reasonable grounds decision within 5 working days of referral where possible",
        ),
        ClockRule(
            "nrm_conclusive_grounds",
            "NRM conclusive grounds decision",
            "the positive reasonable grounds decision",
            "the competent authority's conclusive grounds decision is recorded",
            Unit.CALENDAR_DAYS,
            45,
            "Modern Slavery Act 2015 s50A (a recovery period of at least 30 days) and the statutory guidance "
            "(no deadline for the conclusive grounds decision): the day the authority chases it is local "
            "(ADR 0038)",
            local=True,
        ),
        # Allegations against people who work with children (opencsc/allegations, ADR 0037).
        ClockRule(
            "lado_initial_consideration",
            "Initial consideration of an allegation",
            "the allegation's receipt by the designated officer",
            "the initial consideration is recorded",
            Unit.WORKING_DAYS,
            1,
            "Working Together to Safeguard Children 2023, ch. 2, and Keeping Children Safe in Education, Part 4 "
            "(allegations reported to and considered by the designated officer within one working day)",
        ),
        ClockRule(
            "lado_resolution_one_month",
            "Allegation resolved (80% target)",
            "the allegation's receipt",
            "the outcome is recorded",
            Unit.MONTHS,
            1,
            "Keeping Children Safe in Education, Part 4 target timescales: 80% of cases resolved within one month",
        ),
        ClockRule(
            "lado_resolution_three_months",
            "Allegation resolved (90% target)",
            "the allegation's receipt",
            "the outcome is recorded",
            Unit.MONTHS,
            3,
            "Keeping Children Safe in Education, Part 4 target timescales: 90% within three months",
        ),
        ClockRule(
            "lado_resolution",
            "Allegation resolved (all but exceptional cases)",
            "the allegation's receipt",
            "the outcome is recorded",
            Unit.MONTHS,
            12,
            "Keeping Children Safe in Education, Part 4 target timescales: all but the most exceptional cases "
            "within twelve months",
        ),
        # Private fostering (opencsc/privatefostering): the Children (Private Arrangements for Fostering)
        # Regulations 2005; the assessment's decision has no national timescale, so its limit is local.
        ClockRule(
            "private_fostering_first_visit",
            "Private fostering: first visit",
            "the notification",
            "an officer visits the child and the carer",
            Unit.WORKING_DAYS,
            7,
            "Children (Private Arrangements for Fostering) Regulations 2005, reg 4(1) and reg 7(1)",
        ),
        ClockRule(
            "private_fostering_decision",
            "Private fostering: suitability decision",
            "the notification",
            "the decision on the arrangement is recorded",
            Unit.WORKING_DAYS,
            42,
            "Local procedure (Children Act 1989 s67, s69 and Sch 8 para 6 set no timescale for the decision)",
            local=True,
        ),
        ClockRule(
            "private_fostering_visit_first_year",
            "Private fostering: visit in the first year",
            "the start of the arrangement or the last visit",
            "an officer visits the child",
            Unit.WEEKS,
            6,
            "Children (Private Arrangements for Fostering) Regulations 2005, reg 8(1)(a)",
        ),
        ClockRule(
            "private_fostering_visit",
            "Private fostering: visit after the first year",
            "the last visit",
            "an officer visits the child",
            Unit.WEEKS,
            12,
            "Children (Private Arrangements for Fostering) Regulations 2005, reg 8(1)(b)",
        ),
    )
}


@dataclass(frozen=True)
class DueDate:
    rule: ClockRule
    start: dt.date | dt.datetime
    due: dt.date | dt.datetime
    limit: int
    explanation: str

    @property
    def due_on(self) -> dt.date:
        return self.due.date() if isinstance(self.due, dt.datetime) else self.due

    def days_overdue(self, today: dt.date) -> int:
        return max(0, (today - self.due_on).days)


def _skipped_text(calendar: Calendar, start: dt.date, due: dt.date) -> str:
    skipped = calendar.skipped_days(start, due)
    if not skipped:
        return ""
    names = [name for _, name in skipped]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"; {listed} skipped"


def effective_limit(rule: ClockRule) -> int:
    """The authority's own limit for a local rule, or the national default."""
    if not rule.local:
        return rule.limit
    from opencsc.core.models import ClockSetting

    setting = ClockSetting.objects.filter(rule_id=rule.id).values_list("limit", flat=True).first()
    return setting if setting is not None else rule.limit


def due_date(
    rule_id: str, start: dt.date | dt.datetime, *, calendar: Calendar = ENGLAND, limit: int | None = None
) -> DueDate:
    """When the clock `rule_id`, started at `start`, runs out, with the reason in words."""
    rule = RULES[rule_id]
    limit = rule.limit if limit is None else limit
    if rule.unit == Unit.HOURS:
        if not isinstance(start, dt.datetime):
            raise TypeError(f"{rule.name} counts hours, so it needs a date and time to start from")
        due = start + dt.timedelta(hours=limit)
        explanation = f"{limit} hours from {rule.starts_at} at {start:%H:%M} on {long_date(start.date())}"
        return DueDate(rule, start, due, limit, explanation)
    start_day = start.date() if isinstance(start, dt.datetime) else start
    skipped = ""
    if rule.unit in (Unit.WORKING_DAYS, Unit.SCHOOL_DAYS):
        due = calendar.add_working_days(start_day, limit)
        skipped = _skipped_text(calendar, start_day, due)
    elif rule.unit == Unit.CALENDAR_DAYS:
        due = start_day + dt.timedelta(days=limit)
    elif rule.unit == Unit.WEEKS:
        due = start_day + dt.timedelta(weeks=limit)
    else:
        due = add_months(start_day, limit)
    unit_text = Unit(rule.unit).label
    if limit == 1:
        unit_text = unit_text.removesuffix("s")
    explanation = f"{limit} {unit_text} from {rule.starts_at} on {long_date(start_day)}{skipped}"
    return DueDate(rule, start, due, limit, explanation)
