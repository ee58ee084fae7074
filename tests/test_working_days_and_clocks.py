import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencsc.core.clocks import RULES, due_date, effective_limit
from opencsc.core.models import ClockSetting, ClosureDay
from opencsc.core.working_days import ENGLAND, Calendar, add_months, anniversary, authority_calendar

dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=400)


@given(dates, counts)
def test_counting_back_the_days_added_gives_the_same_number(start, n):
    assert ENGLAND.working_days_between(start, ENGLAND.add_working_days(start, n)) == n


@given(dates, st.integers(min_value=1, max_value=400))
def test_the_nth_working_day_is_a_working_day_and_the_day_before_counts_one_less(start, n):
    due = ENGLAND.add_working_days(start, n)
    assert ENGLAND.is_working_day(due)
    assert ENGLAND.working_days_between(start, due - dt.timedelta(days=1)) == n - 1


@given(dates, dates)
def test_counting_is_antisymmetric(a, b):
    assert ENGLAND.working_days_between(a, b) == -ENGLAND.working_days_between(b, a)


@given(dates, counts, counts)
def test_adding_in_two_steps_equals_adding_at_once(start, m, n):
    assert ENGLAND.add_working_days(ENGLAND.add_working_days(start, m), n) == ENGLAND.add_working_days(
        start, m + n
    )


@given(dates)
def test_a_week_of_calendar_days_never_holds_more_than_five_working_days(start):
    assert ENGLAND.working_days_between(start, start + dt.timedelta(days=7)) <= 5


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (dt.date(2026, 11, 20), 1, dt.date(2026, 11, 23)),  # Friday -> Monday
        (dt.date(2026, 11, 21), 1, dt.date(2026, 11, 23)),  # Saturday -> Monday
        (dt.date(2026, 12, 24), 1, dt.date(2026, 12, 29)),  # Christmas, Boxing Day observed on Monday 28th
        (dt.date(2026, 4, 2), 1, dt.date(2026, 4, 7)),  # Good Friday 3 April, Easter Monday 6 April
        (dt.date(2023, 5, 5), 1, dt.date(2023, 5, 9)),  # the Coronation bank holiday, Monday 8 May 2023
        (dt.date(2022, 9, 16), 1, dt.date(2022, 9, 20)),  # the State Funeral, Monday 19 September 2022
        (dt.date(2024, 2, 28), 1, dt.date(2024, 2, 29)),  # a leap day is a working day
    ],
)
def test_known_working_days(start, n, expected):
    assert ENGLAND.add_working_days(start, n) == expected


def test_the_45th_working_day_from_a_referral_over_easter():
    due = due_date("assessment", dt.date(2026, 3, 3))
    assert due.due == dt.date(2026, 5, 8)
    assert due.explanation == (
        "45 working days from the referral on 3 March 2026; Good Friday, Easter Monday and May Day skipped"
    )
    assert ENGLAND.working_days_between(dt.date(2026, 3, 3), dt.date(2026, 5, 8)) == 45
    assert ENGLAND.working_days_between(dt.date(2026, 3, 3), dt.date(2026, 5, 11)) == 46


def test_the_15th_working_day_for_an_initial_conference():
    due = due_date("icpc", dt.date(2026, 12, 18))
    # 18 December 2026 is a Friday; Christmas Day and Boxing Day (observed 28th) and New Year's Day are skipped.
    assert due.due == dt.date(2027, 1, 13)
    assert "Christmas Day" in due.explanation and "New Year" in due.explanation


def test_decision_clock_over_a_weekend_and_a_bank_holiday():
    assert due_date("referral_decision", dt.date(2026, 5, 1)).due == dt.date(2026, 5, 5)  # Fri, May Day Mon


def test_month_clocks_keep_the_day_or_fall_back_to_the_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert anniversary(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert anniversary(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert anniversary(dt.date(2024, 10, 15), 1) == dt.date(2025, 10, 15)


def test_cp_review_clocks_count_calendar_months_from_a_leap_day():
    assert due_date("cp_review_first", dt.date(2024, 2, 29)).due == dt.date(2024, 5, 29)
    assert due_date("cp_review", dt.date(2024, 8, 31)).due == dt.date(2025, 2, 28)


def test_return_home_interview_counts_72_hours_across_a_clock_change():
    returned = dt.datetime(2026, 3, 28, 18, 30, tzinfo=dt.UTC)  # British Summer Time starts 29 March 2026
    due = due_date("return_home_interview", returned)
    assert due.due - returned == dt.timedelta(hours=72)
    with pytest.raises(TypeError):
        due_date("return_home_interview", dt.date(2026, 3, 28))


def test_looked_after_visit_clocks():
    placed = dt.date(2026, 6, 1)
    assert due_date("cla_visit_first", placed).due == dt.date(2026, 6, 8)
    assert due_date("cla_visit", dt.date(2026, 6, 5)).due == dt.date(2026, 7, 17)
    assert due_date("cla_review_first", placed).due == dt.date(2026, 6, 29)


def test_every_rule_computes_a_due_date_that_is_not_before_its_start():
    start = dt.datetime(2026, 2, 27, 9, 0, tzinfo=dt.UTC)
    for rule_id, rule in RULES.items():
        due = due_date(rule_id, start if rule.unit == "hours" else start.date())
        assert due.due_on >= start.date(), rule_id
        assert due.explanation.startswith(str(due.limit)), rule_id


@pytest.mark.django_db
def test_the_authority_closure_days_are_skipped_and_explained():
    ClosureDay.objects.create(day=dt.date(2026, 12, 29), reason="Council closure")
    calendar = authority_calendar()
    assert calendar.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 30)
    assert (
        "Council closure"
        in due_date("referral_decision", dt.date(2026, 12, 24), calendar=calendar).explanation
    )
    assert Calendar().add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 29)


@pytest.mark.django_db
def test_a_local_rule_takes_the_authority_setting_and_a_national_rule_does_not():
    assert effective_limit(RULES["cp_visit"]) == 10
    ClockSetting.objects.create(rule_id="cp_visit", limit=15)
    ClockSetting.objects.create(rule_id="assessment", limit=60)
    assert effective_limit(RULES["cp_visit"]) == 15
    assert effective_limit(RULES["assessment"]) == 45


def test_core_group_clocks_over_a_bank_holiday_and_christmas():
    first = due_date("core_group_first", dt.date(2026, 5, 1))  # a Friday conference; May Day on Monday
    assert first.due == dt.date(2026, 5, 18) and "May Day skipped" in first.explanation
    following = due_date("core_group", dt.date(2026, 12, 11))  # 20 working days by default
    assert following.due == dt.date(2027, 1, 13)
    assert following.explanation.startswith("20 working days from the last core group on 11 December 2026")
    assert "Christmas Day" in following.explanation and "New Year" in following.explanation
    assert due_date("core_group", dt.date(2026, 5, 8), limit=10).due == dt.date(2026, 5, 22)  # Fri to Fri


def test_child_in_need_reviews_count_calendar_months_whatever_the_weekday():
    assert due_date("cin_review", dt.date(2026, 11, 30)).due == dt.date(2027, 2, 28)  # a Sunday: not moved
    assert due_date("cin_review", dt.date(2026, 3, 2)).explanation == (
        "3 months from the plan start or the last review on 2 March 2026"
    )


@pytest.mark.django_db
def test_the_authority_sets_how_often_core_groups_meet_and_child_in_need_plans_are_reviewed():
    assert RULES["core_group"].local and RULES["cin_review"].local
    assert effective_limit(RULES["core_group"]) == 20 and effective_limit(RULES["cin_review"]) == 3
    ClockSetting.objects.create(rule_id="core_group", limit=30)
    ClockSetting.objects.create(rule_id="cin_review", limit=2)
    assert effective_limit(RULES["core_group"]) == 30 and effective_limit(RULES["cin_review"]) == 2
