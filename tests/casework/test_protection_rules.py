"""The rules of the casework services: every impossible sequence is refused with a message naming the field, and
a refused step writes nothing (no record, no audit event, no chronology entry). Also the clock boundaries (the
45th and 46th working day, the 15th and 16th) and the visit clock restarting on a visit where the child was seen.

Today is frozen at Monday 11 May 2026 (after Easter: Good Friday 3 April, Easter Monday 6 April 2026; the early
May bank holiday is Monday 4 May, the spring bank holiday Monday 25 May). Due dates are counted by hand.
"""

import datetime as dt
from functools import partial
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework import protection
from opencsc.casework import protection_selectors as selectors
from opencsc.casework import services as casework_services
from opencsc.casework.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    CoreGroupMeeting,
    NoteType,
    Section47Enquiry,
    StrategyDiscussion,
)
from opencsc.core.models import ClockSetting
from opencsc.frontdoor.models import Referral
from opencsc.people import services as people_services
from opencsc.people.selectors import child_due_items
from tests.factories import assert_refused

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
D = dt.date
REFERRAL_DATE = D(2026, 3, 25)
ICPC_ON = D(2026, 4, 15)
COMPLETED_ON = D(2026, 5, 5)
ROW_MODELS = (
    Assessment,
    StrategyDiscussion,
    Section47Enquiry,
    ChildProtectionConference,
    ChildProtectionPlan,
    CoreGroupMeeting,
    ChildInNeedPlan,
    AuditEvent,
    ChronologyEntry,
)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def w(teams, make_user):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north)
    manager = make_user(Role.TEAM_MANAGER, north)
    child = people_services.child_create(
        actor=worker, team=north, first_name="Ben", last_name="Rules", date_of_birth=D(2014, 9, 9), sex="M"
    )
    referral = Referral.objects.create(
        child=child, referral_date=REFERRAL_DATE, source="3A", route="assessment", team=north
    )
    return type("World", (), {"worker": worker, "manager": manager, "child": child, "referral": referral})


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


_refused = partial(assert_refused, counts=_counts)


def _strategy(w, held_on=REFERRAL_DATE, **extra) -> Section47Enquiry:
    protection.strategy_discussion_record(
        actor=w.worker,
        child=w.child,
        held_on=held_on,
        attendees="LA, police, health",
        section_47_agreed=True,
        **extra,
    )
    return Section47Enquiry.objects.get(child=w.child, completed_on__isnull=True)


def _plan(w, icpc_on: dt.date = ICPC_ON) -> ChildProtectionPlan:
    enquiry = _strategy(w)
    protection.initial_conference_record(
        actor=w.worker, enquiry=enquiry, held_on=icpc_on, plan_decided=True, category="PHY"
    )
    return ChildProtectionPlan.objects.get(child=w.child)


def _submitted_assessment(w, completed_on: dt.date = COMPLETED_ON) -> Assessment:
    assessment = protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 3, 26))
    protection.assessment_record_factors(actor=w.worker, assessment=assessment, factors=["21"])
    protection.assessment_record_outcome(actor=w.worker, assessment=assessment, outcome="nfa")
    return protection.assessment_submit(actor=w.worker, assessment=assessment, completed_on=completed_on)


# Impossible sequences ---------------------------------------------------------------------------------------


def test_a_plan_cannot_start_before_its_conference(w):
    enquiry = _strategy(w)
    _refused(
        lambda: protection.initial_conference_record(
            actor=w.worker,
            enquiry=enquiry,
            held_on=D(2026, 4, 15),
            plan_decided=True,
            category="NEG",
            plan_started_on=D(2026, 4, 14),
        ),
        "plan_started_on",
        "A plan cannot start before the conference that made it, on 15 April 2026",
    )
    assert not ChildProtectionConference.objects.exists() and not ChildProtectionPlan.objects.exists()


def test_a_plan_needs_a_category(w):
    enquiry = _strategy(w)
    _refused(
        lambda: protection.initial_conference_record(
            actor=w.worker, enquiry=enquiry, held_on=D(2026, 4, 15), plan_decided=True
        ),
        "category",
        "Select the category of abuse",
    )


def test_authorisation_cannot_be_before_the_start_or_the_completion(w):
    assessment = _submitted_assessment(w)
    _refused(
        lambda: protection.assessment_authorise(
            actor=w.manager, assessment=assessment, authorised_on=D(2026, 3, 25)
        ),
        "authorised_on",
        "The assessment cannot be authorised before it started on 26 March 2026",
    )
    _refused(
        lambda: protection.assessment_authorise(
            actor=w.manager, assessment=assessment, authorised_on=D(2026, 5, 4)
        ),
        "authorised_on",
        "The assessment cannot be authorised before it was completed on 5 May 2026",
    )
    _refused(
        lambda: protection.assessment_authorise(
            actor=w.manager, assessment=assessment, authorised_on=D(2026, 5, 12)
        ),
        "authorised_on",
        "The date of authorisation must be today or in the past",
    )
    assessment.refresh_from_db()
    assert assessment.authorised_on is None


def test_only_managers_authorise(w):
    assessment = _submitted_assessment(w)
    before = _counts()
    with pytest.raises(PermissionDenied):
        protection.assessment_authorise(actor=w.worker, assessment=assessment, authorised_on=D(2026, 5, 6))
    assert _counts() == before
    protection.assessment_authorise(actor=w.manager, assessment=assessment, authorised_on=D(2026, 5, 6))
    assessment.refresh_from_db()
    assert assessment.authorised_by == w.manager and not assessment.is_open


def test_an_assessment_needs_an_open_referral(w):
    Referral.objects.filter(pk=w.referral.pk).update(closed_on=D(2026, 4, 1), closure_reason="RC7")
    _refused(
        lambda: protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 4, 2)),
        "started_on",
        "has no open referral",
    )


def _assessed_referral_a_year_ago(w) -> Referral:
    """The world's referral, moved back a year and answered by an assessment authorised long ago; the case
    stays open (a child in need plan would keep it so)."""
    Referral.objects.filter(pk=w.referral.pk).update(referral_date=D(2025, 5, 6))
    w.referral.refresh_from_db()
    Assessment.objects.create(
        child=w.child,
        referral=w.referral,
        started_on=D(2025, 5, 7),
        completed_on=D(2025, 6, 20),
        authorised_on=D(2025, 6, 24),
        outcome="nfa",
        factors=["21"],
    )
    return w.referral


def test_an_assessment_is_refused_on_a_referral_already_assessed(w):
    referral = _assessed_referral_a_year_ago(w)
    expected = "The referral of 6 May 2025 was already assessed (authorised on 24 June 2025)"
    _refused(lambda: protection.assessment_start(actor=w.worker, child=w.child), "referral", expected)
    _refused(
        lambda: protection.assessment_start(actor=w.worker, child=w.child, referral=referral),
        "referral",
        expected,
    )


def test_an_assessment_is_refused_on_a_closed_referral(w):
    older = Referral.objects.create(
        child=w.child, referral_date=D(2025, 1, 6), source="3A", route="assessment", closed_on=D(2025, 2, 3)
    )
    _refused(
        lambda: protection.assessment_start(actor=w.worker, child=w.child, referral=older),
        "referral",
        "The referral of 6 January 2025 was closed on 3 February 2025",
    )


def test_an_assessment_is_refused_on_another_childs_referral(w):
    other = people_services.child_create(
        actor=w.worker, first_name="Cal", last_name="Other", date_of_birth=D(2015, 1, 1), sex="M"
    )
    _refused(
        lambda: protection.assessment_start(actor=w.worker, child=other, referral=w.referral),
        "referral",
        "This referral is not about Cal Other",
    )


def test_an_assessment_belongs_to_the_new_referral_not_the_assessed_one(w):
    _assessed_referral_a_year_ago(w)
    new = Referral.objects.create(child=w.child, referral_date=D(2026, 5, 5), source="2A", route="assessment")
    assessment = protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 5, 6))
    assert assessment.referral == new
    assert selectors.assessment_clock(assessment).standing == "Today is working day 4 of 45"


def test_with_several_referrals_awaiting_an_assessment_the_worker_chooses(w):
    earlier = Referral.objects.create(
        child=w.child, referral_date=D(2026, 3, 2), source="2A", route="assessment"
    )
    assert selectors.referrals_awaiting_assessment(w.child) == [w.referral, earlier]
    _refused(
        lambda: protection.assessment_start(actor=w.worker, child=w.child),
        "referral",
        "Choose the referral this assessment answers",
    )
    assessment = protection.assessment_start(
        actor=w.worker, child=w.child, referral=earlier, started_on=D(2026, 3, 3)
    )
    assert assessment.referral == earlier
    assert selectors.referrals_awaiting_assessment(w.child) == [w.referral]


def test_a_conference_cannot_be_before_the_enquiry_or_the_strategy_discussion(w):
    enquiry = _strategy(w, section_47_started_on=D(2026, 3, 27))
    _refused(
        lambda: protection.initial_conference_record(
            actor=w.worker, enquiry=enquiry, held_on=D(2026, 3, 26), plan_decided=False
        ),
        "held_on",
        "The conference cannot be before the section 47 enquiry started on 27 March 2026",
    )
    _refused(
        lambda: protection.initial_conference_record(
            actor=w.worker, enquiry=enquiry, held_on=D(2026, 3, 24), plan_decided=False
        ),
        "held_on",
        "The conference cannot be before the strategy discussion on 25 March 2026",
    )


def test_an_enquiry_cannot_start_before_its_strategy_discussion(w):
    _refused(
        lambda: _strategy(w, section_47_started_on=D(2026, 3, 24)),
        "section_47_started_on",
        "The section 47 enquiry cannot start before the strategy discussion on 25 March 2026",
    )
    assert not StrategyDiscussion.objects.exists()


def _nothing(w):
    return None


FUTURE_STEPS = {
    "assessment start": (
        _nothing,
        lambda w, _, day: protection.assessment_start(actor=w.worker, child=w.child, started_on=day),
        "started_on",
    ),
    "strategy discussion": (_nothing, lambda w, _, day: _strategy(w, held_on=day), "held_on"),
    "enquiry start": (
        _nothing,
        lambda w, _, day: _strategy(w, section_47_started_on=day),
        "section_47_started_on",
    ),
    "enquiry outcome": (
        _strategy,
        lambda w, enquiry, day: protection.section_47_complete(
            actor=w.worker, enquiry=enquiry, completed_on=day, outcome="not_substantiated"
        ),
        "completed_on",
    ),
    "initial conference": (
        _strategy,
        lambda w, enquiry, day: protection.initial_conference_record(
            actor=w.worker, enquiry=enquiry, held_on=day, plan_decided=False
        ),
        "held_on",
    ),
    "core group": (
        _plan,
        lambda w, plan, day: protection.core_group_record(actor=w.worker, plan=plan, held_on=day),
        "held_on",
    ),
    "review conference": (
        _plan,
        lambda w, plan, day: protection.review_conference_record(
            actor=w.worker, plan=plan, held_on=day, plan_continues=True
        ),
        "held_on",
    ),
    "plan end": (
        _plan,
        lambda w, plan, day: protection.protection_plan_end(actor=w.worker, plan=plan, ended_on=day),
        "ended_on",
    ),
    "child seen": (
        lambda w: protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 3, 26)),
        lambda w, assessment, day: protection.assessment_record_child_seen(
            actor=w.worker, assessment=assessment, seen_on=day
        ),
        "seen_on",
    ),
    "assessment submit": (
        lambda w: protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 3, 26)),
        lambda w, assessment, day: protection.assessment_submit(
            actor=w.worker, assessment=assessment, completed_on=day
        ),
        "completed_on",
    ),
    "case closure": (
        _nothing,
        lambda w, _, day: protection.referral_close(
            actor=w.worker, referral=w.referral, closed_on=day, reason="RC7"
        ),
        "closed_on",
    ),
}


@pytest.mark.parametrize("name", list(FUTURE_STEPS))
def test_dates_in_the_future_are_refused_everywhere(w, name):
    setup, step, field = FUTURE_STEPS[name]
    record = setup(w)
    _refused(lambda: step(w, record, D(2026, 5, 12)), field, "must be today or in the past")


def test_no_factors_must_be_alone(w):
    assessment = protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 3, 26))
    _refused(
        lambda: protection.assessment_record_factors(
            actor=w.worker, assessment=assessment, factors=["21", "16A"]
        ),
        "factors",
        "'21 No factors identified' cannot be selected with other factors",
    )
    _refused(
        lambda: protection.assessment_record_factors(actor=w.worker, assessment=assessment, factors=["99Z"]),
        "factors",
        "Not a DfE assessment factor code: 99Z",
    )
    protection.assessment_record_factors(actor=w.worker, assessment=assessment, factors=["16A", "3B", "16A"])
    assessment.refresh_from_db()
    assert assessment.factors == ["3B", "16A"]


def test_the_case_cannot_close_while_a_plan_is_open(w):
    _plan(w)
    _refused(
        lambda: protection.referral_close(
            actor=w.worker, referral=w.referral, closed_on=D(2026, 5, 8), reason="RC7"
        ),
        "reason",
        "The case cannot close while Ben Rules has a child protection plan open",
    )
    w.referral.refresh_from_db()
    assert w.referral.closed_on is None


def test_closing_after_an_assessment_uses_rc8_or_rc9_only_after_an_authorised_assessment(w):
    _refused(
        lambda: protection.referral_close(
            actor=w.worker, referral=w.referral, closed_on=D(2026, 5, 8), reason="RC8"
        ),
        "reason",
        "needs an authorised assessment in this referral",
    )
    assessment = _submitted_assessment(w)
    _refused(
        lambda: protection.referral_close(
            actor=w.worker, referral=w.referral, closed_on=D(2026, 5, 8), reason="RC8"
        ),
        "reason",
        "has an assessment open",
    )
    protection.assessment_authorise(actor=w.manager, assessment=assessment, authorised_on=D(2026, 5, 6))
    _refused(
        lambda: protection.referral_close(
            actor=w.worker, referral=w.referral, closed_on=D(2026, 5, 5), reason="RC8"
        ),
        "closed_on",
        "The case cannot close before the assessment was authorised on 6 May 2026",
    )
    protection.referral_close(actor=w.worker, referral=w.referral, closed_on=D(2026, 5, 8), reason="RC8")
    w.referral.refresh_from_db()
    assert w.referral.closed_on == D(2026, 5, 8) and w.referral.closure_reason == "RC8"
    assert ChronologyEntry.objects.filter(child=w.child, summary__startswith="Case closed").exists()
    assert AuditEvent.objects.filter(verb="referral.closed", child=w.child).exists()


def test_a_child_in_need_plan_needs_an_authorised_assessment_finding_support(w):
    _refused(
        lambda: protection.cin_plan_start(actor=w.worker, child=w.child, started_on=D(2026, 5, 8)),
        "started_on",
        "after an authorised assessment whose outcome is that support is required",
    )
    assessment = protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 3, 26))
    protection.assessment_record_factors(actor=w.worker, assessment=assessment, factors=["4B"])
    protection.assessment_record_outcome(actor=w.worker, assessment=assessment, outcome="support")
    protection.assessment_submit(actor=w.worker, assessment=assessment, completed_on=D(2026, 5, 1))
    protection.assessment_authorise(actor=w.manager, assessment=assessment, authorised_on=D(2026, 5, 5))
    _refused(
        lambda: protection.cin_plan_start(actor=w.worker, child=w.child, started_on=D(2026, 5, 4)),
        "started_on",
        "The plan cannot start before the assessment was authorised on 5 May 2026",
    )
    plan = protection.cin_plan_start(actor=w.worker, child=w.child, started_on=D(2026, 5, 6))
    protection.cin_review_record(actor=w.worker, plan=plan, held_on=D(2026, 5, 8))
    _refused(
        lambda: protection.cin_review_record(actor=w.worker, plan=plan, held_on=D(2026, 5, 8)),
        "held_on",
        "A review must be after the plan's last review on 8 May 2026",
    )


def test_a_second_enquiry_while_one_is_open_is_refused(w):
    _strategy(w)
    _refused(
        lambda: _strategy(w, held_on=D(2026, 4, 1)), "section_47_agreed", "already has a section 47 enquiry"
    )


def test_a_review_must_follow_the_plans_last_conference_and_previous_plans_are_counted(w):
    plan = _plan(w)
    _refused(
        lambda: protection.review_conference_record(
            actor=w.worker, plan=plan, held_on=D(2026, 4, 15), plan_continues=True
        ),
        "held_on",
        "A review conference must be after the plan's last conference on 15 April 2026",
    )
    protection.review_conference_record(
        actor=w.worker, plan=plan, held_on=D(2026, 5, 1), plan_continues=False
    )
    # A second plan later in the same referral counts the first; a higher number from elsewhere wins.
    enquiry = _strategy(w, held_on=D(2026, 5, 4))
    protection.initial_conference_record(
        actor=w.worker,
        enquiry=enquiry,
        held_on=D(2026, 5, 7),
        plan_decided=True,
        category="SAB",
        previous_plans=3,
    )
    second = ChildProtectionPlan.objects.get(child=w.child, ended_on__isnull=True)
    assert second.previous_plans == 3
    enquiry.refresh_from_db()
    assert enquiry.completed_on == D(2026, 5, 7)


def test_a_user_who_cannot_change_the_child_records_nothing(w, make_user, teams):
    outsider = make_user(Role.SOCIAL_WORKER, teams["south"])
    before = _counts()
    with pytest.raises(PermissionDenied):
        protection.assessment_start(actor=outsider, child=w.child, started_on=D(2026, 3, 26))
    assert _counts() == before


# Clock boundaries -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorised_on, day, on_time",
    [
        # 45 working days from 25 March 2026 is Tuesday 2 June 2026 (Good Friday, Easter Monday, 4 May and 25 May
        # skipped); the 46th is Wednesday 3 June.
        (D(2026, 6, 2), 45, True),
        (D(2026, 6, 3), 46, False),
    ],
)
def test_the_45th_working_day_is_on_time_and_the_46th_is_late(w, authorised_on, day, on_time):
    with time_machine.travel(dt.datetime(2026, 6, 10, 12, tzinfo=LONDON), tick=False):
        assessment = _submitted_assessment(w, completed_on=authorised_on)
        assessment = protection.assessment_authorise(
            actor=w.manager, assessment=assessment, authorised_on=authorised_on
        )
        clock = selectors.assessment_clock(assessment)
    assert clock.due_on == D(2026, 6, 2)
    assert clock.on_time is on_time
    verdict = "on time" if on_time else "late by 1 working days"
    assert clock.standing == f"Done on working day {day} of 45: {verdict}"


@pytest.mark.parametrize(
    "held_on, day, on_time",
    [
        # 15 working days from Wednesday 25 March 2026 is Friday 17 April (Good Friday and Easter Monday
        # skipped); the 16th is Monday 20 April.
        (D(2026, 4, 17), 15, True),
        (D(2026, 4, 20), 16, False),
    ],
)
def test_the_15th_working_day_is_on_time_and_the_16th_is_late(w, held_on, day, on_time):
    enquiry = _strategy(w)
    assert selectors.icpc_clock(enquiry).explanation == (
        "15 working days from the strategy discussion on 25 March 2026; Good Friday and Easter Monday skipped"
    )
    protection.initial_conference_record(actor=w.worker, enquiry=enquiry, held_on=held_on, plan_decided=False)
    row = selectors.casework_summary(w.child).enquiries[0]
    assert row.clock.due_on == D(2026, 4, 17)
    assert row.clock.on_time is on_time
    assert row.clock.standing.startswith(f"Done on working day {day} of 15")


def test_the_assessment_clock_on_the_child_page_on_its_last_day_and_after(w):
    protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 3, 26))
    with time_machine.travel(dt.datetime(2026, 6, 2, 12, tzinfo=LONDON), tick=False):
        (item,) = child_due_items(w.child)
        assert item.due_on == D(2026, 6, 2) and not item.is_overdue
    with time_machine.travel(dt.datetime(2026, 6, 3, 12, tzinfo=LONDON), tick=False):
        (item,) = child_due_items(w.child)
        assert item.is_overdue


# Visits -----------------------------------------------------------------------------------------------------


def _visit(w, on: dt.date, *, seen: bool, final: bool = True):
    fields = {
        "note_type": NoteType.VISIT,
        "title": "Home visit",
        "body": "Visited at home.",
        "event_on": on,
        "child_seen": seen,
        "child_seen_alone": True if seen else None,
    }
    note = casework_services.note_save_draft(actor=w.worker, children=[w.child], **fields)
    if final:
        casework_services.note_finalise(actor=w.worker, note=note, children=[w.child], **fields)


def _visit_due(child) -> dt.date:
    (item,) = [item for item in child_due_items(child) if item.what.startswith("Visit and see the child")]
    return item.due_on


def test_the_protection_visit_clock_restarts_on_a_seen_visit_and_uses_the_local_setting(w):
    _plan(w, icpc_on=D(2026, 4, 15))
    # 10 working days from the plan's start on 15 April -> 29 April 2026.
    assert _visit_due(w.child) == D(2026, 4, 29)
    # A visit where the child was not seen, or a draft, does not restart the clock.
    _visit(w, D(2026, 4, 28), seen=False)
    _visit(w, D(2026, 5, 6), seen=True, final=False)
    assert _visit_due(w.child) == D(2026, 4, 29)
    # A final visit on 5 May where the child was seen: 10 working days later is 19 May.
    _visit(w, D(2026, 5, 5), seen=True)
    assert _visit_due(w.child) == D(2026, 5, 19)
    # The authority visits every 15 working days instead: 27 May (the spring bank holiday on 25 May skipped).
    ClockSetting.objects.create(rule_id="cp_visit", limit=15)
    assert _visit_due(w.child) == D(2026, 5, 27)
    (item,) = [item for item in child_due_items(w.child) if item.what.startswith("Visit")]
    assert item.explanation == (
        "15 working days from the plan start or the last visit on 5 May 2026; Spring Bank Holiday skipped"
    )


def test_the_child_in_need_visit_clock_uses_its_own_setting(w):
    assessment = protection.assessment_start(actor=w.worker, child=w.child, started_on=D(2026, 3, 26))
    protection.assessment_record_factors(actor=w.worker, assessment=assessment, factors=["4B"])
    protection.assessment_record_outcome(actor=w.worker, assessment=assessment, outcome="support")
    protection.assessment_submit(actor=w.worker, assessment=assessment, completed_on=D(2026, 4, 20))
    protection.assessment_authorise(actor=w.manager, assessment=assessment, authorised_on=D(2026, 4, 21))
    protection.cin_plan_start(actor=w.worker, child=w.child, started_on=D(2026, 4, 22))
    # 20 working days from 22 April (4 May skipped) -> 21 May 2026.
    assert _visit_due(w.child) == D(2026, 5, 21)
    _visit(w, D(2026, 5, 1), seen=True)
    ClockSetting.objects.create(rule_id="cin_visit", limit=5)
    # 5 working days from Friday 1 May, Monday 4 May skipped -> Monday 11 May.
    assert _visit_due(w.child) == D(2026, 5, 11)
