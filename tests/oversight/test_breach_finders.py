"""Each breach finder on hand-built cases across Easter 2026 (Good Friday 3 April, Easter Monday 6 April) and the
May Day bank holiday (Monday 4 May). Due dates are counted by hand here, not by the clock engine.

A breach exists from the day after the due date, even when that day is a weekend."""

import datetime as dt

import pytest

from opencsc.casework.models import ChildInNeedReview, CoreGroupMeeting, NoteStatus, Section47Outcome
from opencsc.core.models import ClockSetting, ClosureDay
from opencsc.frontdoor.models import ContactStatus
from opencsc.oversight.breaches import FINDERS, Breach, breach_finder, find_breaches

D = dt.date


def found(today: dt.date, rule_id: str) -> list[Breach]:
    return [b for b in find_breaches(today=today, rules=[rule_id]) if b.rule_id == rule_id]


def test_every_casework_clock_and_the_referral_decision_has_a_finder():
    assert set(FINDERS) >= {
        "referral_decision",
        "assessment",
        "icpc",
        "core_group_first",
        "core_group",
        "cp_review_first",
        "cp_review",
        "cp_visit",
        "cin_visit",
        "cin_review",
    }


def test_a_finder_must_name_a_known_clock():
    with pytest.raises(ValueError, match="No clock rule"):
        breach_finder("no_such_clock")


def test_referral_decision_late_from_the_day_after_it_was_due_even_a_saturday(cases, staff):
    child = cases.child()
    late = cases.contact(D(2026, 5, 1), children=[child])  # due Friday 1 May
    cases.contact(D(2026, 5, 1), status=ContactStatus.DECIDED)
    unmatched = cases.contact(D(2026, 4, 30))
    assert found(D(2026, 4, 30), "referral_decision") == []
    on_friday = found(D(2026, 5, 1), "referral_decision")
    assert [b.subject_key for b in on_friday] == [f"contact:{unmatched.pk}"]
    on_saturday = {b.subject_key: b for b in found(D(2026, 5, 2), "referral_decision")}
    assert set(on_saturday) == {f"contact:{late.pk}", f"contact:{unmatched.pk}"}
    breach = on_saturday[f"contact:{late.pk}"]
    assert breach.child_id == child.pk and breach.due_on == D(2026, 5, 1)
    assert breach.team_id == staff["front_door"].pk
    assert on_saturday[f"contact:{unmatched.pk}"].child_id is None
    assert late.reference in breach.explanation


def test_assessment_45_working_days_from_the_referral_skipping_easter_and_may_day(cases):
    child = cases.child()
    assessment = cases.assessment(child, D(2026, 3, 2))
    assert found(D(2026, 5, 7), "assessment") == []  # due Thursday 7 May, not 30 April
    [breach] = found(D(2026, 5, 8), "assessment")
    assert breach == Breach(
        "assessment", child.pk, f"assessment:{assessment.pk}", D(2026, 5, 7), breach.explanation
    )
    assert "Good Friday, Easter Monday and May Day skipped" in breach.explanation
    assessment.authorised_on = D(2026, 5, 8)
    assessment.save()
    assert found(D(2026, 5, 11), "assessment") == []


def test_a_closure_day_moves_the_assessment_due_date(cases):
    ClosureDay.objects.create(day=D(2026, 5, 5), reason="Council closure")
    cases.assessment(cases.child(), D(2026, 3, 2))
    assert found(D(2026, 5, 8), "assessment") == []
    assert [b.due_on for b in found(D(2026, 5, 9), "assessment")] == [D(2026, 5, 8)]


def test_icpc_15_working_days_from_the_strategy_discussion_over_easter(cases):
    child = cases.child()
    enquiry = cases.s47(child, D(2026, 3, 24))
    assert found(D(2026, 4, 16), "icpc") == []
    [breach] = found(D(2026, 4, 17), "icpc")
    assert (breach.subject_key, breach.due_on) == (f"s47:{enquiry.pk}", D(2026, 4, 16))
    cases.cp_plan(child, D(2026, 4, 17), section_47=enquiry)
    assert found(D(2026, 4, 20), "icpc") == []


def test_icpc_still_swept_after_the_enquiry_concludes_a_conference_is_needed(cases):
    child = cases.child()
    enquiry = cases.s47(child, D(2026, 3, 24))
    enquiry.completed_on, enquiry.outcome = D(2026, 4, 8), Section47Outcome.CONCERNS_SUBSTANTIATED_ICPC
    enquiry.save()
    [breach] = found(D(2026, 4, 17), "icpc")
    assert (breach.subject_key, breach.due_on) == (f"s47:{enquiry.pk}", D(2026, 4, 16))
    cases.cp_plan(child, D(2026, 4, 20), section_47=enquiry)
    assert found(D(2026, 4, 21), "icpc") == []


def test_first_core_group_10_working_days_from_the_icpc_late_on_the_saturday(cases):
    plan = cases.cp_plan(cases.child(), D(2026, 4, 23))
    assert found(D(2026, 5, 8), "core_group_first") == []  # due Friday 8 May (May Day skipped)
    [breach] = found(D(2026, 5, 9), "core_group_first")
    assert (breach.subject_key, breach.due_on) == (f"cp_plan:{plan.pk}", D(2026, 5, 8))
    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 5, 11))
    assert found(D(2026, 5, 12), "core_group_first") == []


def test_later_core_groups_at_the_authoritys_frequency_each_missed_one_its_own_breach(cases):
    plan = cases.cp_plan(cases.child(), D(2026, 3, 23))
    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 4, 2))
    assert (
        found(D(2026, 5, 5), "core_group") == []
    )  # 20 working days: Tuesday 5 May (Easter, May Day skipped)
    [breach] = found(D(2026, 5, 6), "core_group")
    assert (breach.subject_key, breach.due_on) == (f"cp_plan:{plan.pk}:core_group:2026-04-02", D(2026, 5, 5))
    assert breach.explanation.startswith("Hold the next core group: due 5 May 2026 (20 working days from")
    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 5, 7))
    assert found(D(2026, 5, 8), "core_group") == []
    ClockSetting.objects.create(rule_id="core_group", limit=1)  # the authority meets far more often
    assert [b.due_on for b in found(D(2026, 5, 9), "core_group")] == [D(2026, 5, 8)]


def test_cin_review_three_months_from_the_plan_or_its_last_review(cases):
    child = cases.child()
    plan = cases.cin_plan(child, D(2026, 1, 31))
    assert found(D(2026, 4, 30), "cin_review") == []  # due 30 April (no 31st)
    [breach] = found(D(2026, 5, 1), "cin_review")
    assert (breach.child_id, breach.subject_key) == (child.pk, f"cin_plan:{plan.pk}:review:2026-01-31")
    ChildInNeedReview.objects.create(plan=plan, held_on=D(2026, 5, 1))
    assert found(D(2026, 5, 2), "cin_review") == []
    assert [b.due_on for b in found(D(2026, 8, 2), "cin_review")] == [D(2026, 8, 1)]


def test_first_review_3_months_from_the_icpc_then_6_months_from_the_last_review(cases):
    plan = cases.cp_plan(cases.child(), D(2026, 1, 30))
    assert found(D(2026, 4, 30), "cp_review_first") == []
    [first] = found(D(2026, 5, 1), "cp_review_first")
    assert (first.subject_key, first.due_on) == (f"cp_plan:{plan.pk}", D(2026, 4, 30))
    cases.review(plan, D(2026, 5, 1))
    assert found(D(2026, 5, 2), "cp_review_first") == []
    assert found(D(2026, 11, 1), "cp_review") == []
    [later] = found(D(2026, 11, 2), "cp_review")
    assert (later.subject_key, later.due_on) == (f"cp_plan:{plan.pk}:2026-05-01", D(2026, 11, 1))


def test_cp_visit_counts_from_the_last_final_visit_seeing_the_child(cases, staff):
    child = cases.child()
    plan = cases.cp_plan(child, D(2026, 3, 23))
    cases.visit(staff["worker"], child, D(2026, 4, 2))
    cases.visit(staff["worker"], child, D(2026, 4, 10), seen=False)  # not seen: does not count
    cases.visit(staff["worker"], child, D(2026, 4, 14), status=NoteStatus.DRAFT)  # draft: does not count
    assert found(D(2026, 4, 20), "cp_visit") == []  # due Monday 20 April (Good Friday, Easter Monday skipped)
    [breach] = found(D(2026, 4, 21), "cp_visit")
    assert (breach.subject_key, breach.due_on) == (f"cp_plan:{plan.pk}:2026-04-02", D(2026, 4, 20))


def test_cp_visit_uses_the_authoritys_own_limit(cases):
    ClockSetting.objects.create(rule_id="cp_visit", limit=5)
    cases.cp_plan(cases.child(), D(2026, 3, 23))
    assert found(D(2026, 3, 30), "cp_visit") == []
    assert [b.due_on for b in found(D(2026, 3, 31), "cp_visit")] == [D(2026, 3, 30)]


def test_cin_visit_20_working_days_and_not_for_a_child_also_on_a_protection_plan(cases):
    child = cases.child()
    plan = cases.cin_plan(child, D(2026, 4, 13))
    on_both = cases.child()
    cases.cin_plan(on_both, D(2026, 4, 13))
    cases.cp_plan(on_both, D(2026, 5, 11))
    assert found(D(2026, 5, 12), "cin_visit") == []
    [breach] = found(D(2026, 5, 13), "cin_visit")
    assert (breach.child_id, breach.subject_key, breach.due_on) == (
        child.pk,
        f"cin_plan:{plan.pk}:2026-04-13",
        D(2026, 5, 12),
    )


def test_ended_plans_have_no_breaches(cases):
    plan = cases.cp_plan(cases.child(), D(2026, 1, 5))
    plan.ended_on = D(2026, 2, 1)
    plan.save()
    cin = cases.cin_plan(cases.child(), D(2026, 1, 5))
    cin.ended_on = D(2026, 2, 1)
    cin.save()
    assert find_breaches(today=D(2026, 6, 1)) == []
