"""KPI definitions (design.md) at every edge, on hand-built records."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from opencsc.accounts.models import Role, Team, TeamKind, User
from opencsc.casework.models import (
    Allocation,
    Assessment,
    ChildProtectionConference,
    ChildProtectionPlan,
    ConferenceKind,
    Section47Enquiry,
    StrategyDiscussion,
)
from opencsc.core.working_days import ENGLAND
from opencsc.frontdoor.models import Referral
from opencsc.insight.kpis import KPIS, ReportingYear, compute_kpis, rate
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child

Y = ReportingYear(2026)  # 1 April 2025 to 31 March 2026
D = dt.date
pytestmark = pytest.mark.django_db


def child(n: int = 1) -> Child:
    return Child.objects.create(
        la_child_id=f"K{n:05d}",
        first_name=f"Child{n}",
        last_name="Kpi",
        first_name_key=f"child{n}",
        last_name_key="kpi",
        date_of_birth=D(2014, 5, 1),
        sex="F",
    )


def referral(kid: Child, on: dt.date, **fields) -> Referral:
    return Referral.objects.create(child=kid, referral_date=on, source="6", route="assessment", **fields)


def kpi(kpi_id: str, year: ReportingYear = Y):
    return KPIS[kpi_id](year)


def test_rate_rounds_half_up_to_one_place_and_empty_is_null():
    assert rate(1, 3) == 33.3
    assert rate(2, 3) == 66.7
    assert rate(1, 8) == 12.5
    assert rate(1, 16) == 6.3  # 6.25 rounds half up
    assert rate(0, 0) is None


def test_referrals_count_the_reporting_year_inclusive():
    kid = child()
    for day in (D(2025, 3, 31), D(2025, 4, 1), D(2026, 3, 31), D(2026, 4, 1)):
        referral(kid, day)
    assert kpi("referrals").value == 2


def test_rereferral_window_starts_on_the_same_calendar_date_a_year_before():
    on_boundary, just_outside = child(1), child(2)
    referral(on_boundary, D(2024, 10, 15))
    referral(on_boundary, D(2025, 10, 15))  # exactly one year later: a re-referral
    referral(just_outside, D(2024, 10, 14))
    referral(just_outside, D(2025, 10, 15))  # one day more than a year: not a re-referral
    result = kpi("rereferral_rate_12m")
    assert (result.numerator, result.denominator, result.value) == (1, 2, 50.0)
    assert result.numerator_children == {on_boundary.pk}


def test_rereferral_windows_around_a_leap_day():
    year = ReportingYear(2025)  # 1 April 2024 to 31 March 2025
    a, b, c = child(1), child(2), child(3)
    referral(a, D(2024, 2, 29))
    referral(a, D(2025, 2, 28))  # window from 28 Feb 2024: the leap day is inside
    referral(b, D(2024, 2, 28))
    referral(b, D(2025, 3, 1))  # window from 1 Mar 2024: 28 Feb 2024 is outside
    referral(c, D(2024, 2, 29))
    referral(c, D(2025, 3, 1))  # window from 1 Mar 2024: the leap day is outside
    result = kpi("rereferral_rate_12m", year)
    assert result.numerator_children == {a.pk}
    assert (result.numerator, result.denominator, result.value) == (1, 3, 33.3)


def test_rereferral_window_of_a_leap_day_referral_starts_on_28_february():
    year = ReportingYear(2024)  # 1 April 2023 to 31 March 2024
    on_boundary, just_outside = child(1), child(2)
    referral(on_boundary, D(2023, 2, 28))
    referral(on_boundary, D(2024, 2, 29))  # a year before 29 February 2024 is 28 February 2023
    referral(just_outside, D(2023, 2, 27))
    referral(just_outside, D(2024, 2, 29))
    result = kpi("rereferral_rate_12m", year)
    assert result.numerator_children == {on_boundary.pk}
    assert (result.numerator, result.denominator) == (1, 2)


def test_nfa_rate_of_referrals_in_year():
    kid = child()
    referral(kid, D(2025, 5, 1), is_nfa=True)
    referral(kid, D(2025, 6, 1))
    referral(kid, D(2025, 7, 1))
    assert kpi("referral_nfa_rate").value == 33.3


def _assessment(kid, started, authorised):
    return Assessment.objects.create(child=kid, started_on=started, authorised_on=authorised)


def test_assessments_within_45_working_days_of_their_start():
    kid = child()
    # 3 March 2026 + 45 working days (Good Friday, Easter Monday and May Day skipped) is 8 May 2026 -> next year.
    _assessment(kid, D(2025, 6, 2), D(2025, 8, 1))  # 2 June 2025 + 45 WD = 4 August 2025 (25 Aug is later)
    _assessment(kid, D(2025, 6, 3), D(2025, 8, 5))  # the 45th working day after 3 June is 5 August
    _assessment(kid, D(2025, 6, 3), D(2025, 8, 6))  # the 46th
    _assessment(kid, D(2024, 6, 3), D(2025, 3, 31))  # authorised before the year: not counted
    result = kpi("assessments_within_45wd_rate")
    assert kpi("assessments_completed").value == 3
    assert (result.numerator, result.denominator) == (2, 3)


def test_the_45th_working_day_counts_a_bank_holiday_as_skipped():
    kid = child()
    # From Tuesday 1 July 2025 the 45th working day is 3 September, not 2 September: the Late Summer Bank
    # Holiday (25 August) is not a working day. The 46th is 4 September.
    assert ENGLAND.skipped_days(D(2025, 7, 1), D(2025, 9, 4)) == [
        (D(2025, 8, 25), "Late Summer Bank Holiday")
    ]
    assert ENGLAND.add_working_days(D(2025, 7, 1), 45) == D(2025, 9, 3)
    for authorised in (D(2025, 9, 2), D(2025, 9, 3), D(2025, 9, 4)):  # the 44th, 45th and 46th
        _assessment(kid, D(2025, 7, 1), authorised)
    result = kpi("assessments_within_45wd_rate")
    assert (result.numerator, result.denominator, result.value) == (2, 3, 66.7)


def test_icpc_within_15_working_days_of_the_section_47_start():
    kid = child()
    strategy = StrategyDiscussion.objects.create(child=kid, held_on=D(2025, 12, 17), section_47_agreed=True)
    s47 = Section47Enquiry.objects.create(child=kid, strategy_discussion=strategy, started_on=D(2025, 12, 18))
    # 18 Dec 2025 (Thu): 19, 22, 23, 24 (4), 25-26 holidays, 29, 30, 31 (7), 1 Jan holiday, 2 (8),
    # 5-9 (13), 12 (14), 13 (15), 14 (16)
    for held in (D(2026, 1, 13), D(2026, 1, 14)):
        ChildProtectionConference.objects.create(
            child=kid, kind=ConferenceKind.INITIAL, section_47=s47, held_on=held, plan_decided=True
        )
    ChildProtectionConference.objects.create(
        child=kid, kind=ConferenceKind.INITIAL, held_on=D(2026, 2, 1), plan_decided=False
    )  # no enquiry: counted as held, not timed
    result = kpi("icpc_within_15wd_rate")
    assert kpi("icpc_held").value == 3
    assert kpi("s47_started").value == 1
    assert (result.numerator, result.denominator) == (1, 2)


def _plan(kid, started, ended=None, previous=0):
    return ChildProtectionPlan.objects.create(
        child=kid,
        started_on=started,
        ended_on=ended,
        initial_category="NEG",
        latest_category="NEG",
        previous_plans=previous,
    )


def test_plans_of_exactly_two_years_count_as_two_years_or_more():
    a, b, c = child(1), child(2), child(3)
    _plan(a, D(2023, 6, 1), D(2025, 6, 1))  # exactly 2 years
    _plan(b, D(2023, 6, 2), D(2025, 6, 1))  # a day short
    _plan(c, D(2024, 2, 29), D(2026, 2, 28))  # second anniversary of a leap day is 28 February
    result = kpi("cpp_ended_2y_plus_rate")
    assert kpi("cpp_ended").value == 3
    assert result.numerator_children == {a.pk, c.pk}


def test_second_or_subsequent_plans_from_history_or_the_previous_count():
    a, b, c = child(1), child(2), child(3)
    _plan(a, D(2022, 1, 1), D(2022, 12, 1))
    _plan(a, D(2025, 5, 1))
    _plan(b, D(2025, 5, 1), previous=1)
    _plan(c, D(2025, 5, 1))
    result = kpi("cpp_second_or_subsequent_rate")
    assert kpi("cpp_started").value == 3
    assert result.numerator_children == {a.pk, b.pk} and result.value == 66.7


def test_snapshots_count_records_open_on_31_march():
    open_cin, closed_on_day, closed_after = child(1), child(2), child(3)
    referral(open_cin, D(2025, 1, 1))
    referral(closed_on_day, D(2025, 1, 1), closed_on=D(2026, 3, 31))
    referral(closed_after, D(2025, 1, 1), closed_on=D(2026, 4, 1))
    assert kpi("cin_at_year_end").numerator_children == {open_cin.pk, closed_after.pk}
    _plan(open_cin, D(2026, 3, 31))
    _plan(closed_on_day, D(2025, 1, 1), D(2026, 3, 31))
    assert kpi("cpp_at_year_end").numerator_children == {open_cin.pk}


def _episode(kid, start, end=None, rne="S", ls="C2", rec="", place="U6", home="HP19 8FF", placed="HP11 2JU"):
    return Episode.objects.create(
        child=kid,
        started_on=start,
        ended_on=end,
        reason_new_episode=rne,
        legal_status=ls,
        category_of_need="N1",
        placement_type=place,
        placement_provider="PR1",
        home_postcode=home,
        placement_postcode=placed,
        reason_ceased=rec or ("X1" if end else ""),
    )


def test_short_breaks_are_not_looked_after_at_year_end():
    care, short_break, short_breaks = child(1), child(2), child(3)
    _episode(care, D(2025, 1, 1))
    _episode(short_break, D(2025, 1, 1), ls="V3")
    _episode(short_breaks, D(2025, 1, 1), ls="V4")
    assert kpi("cla_at_year_end").numerator_children == {care.pk}
    # Nor do they count in the rates over looked-after children, or as statutory work needing a worker.
    for rate_id in ("cla_3plus_placements_rate", "cla_placed_outside_la_rate", "cla_placed_20mi_plus_rate"):
        assert kpi(rate_id).denominator_children == {care.pk}, rate_id
    assert kpi("unallocated_statutory").numerator_children == {care.pk}


def test_placements_in_the_year_count_a_short_move_and_its_return_as_two():
    kid = child()
    _episode(kid, D(2024, 6, 1), D(2025, 7, 1))  # open on 1 April: one
    _episode(kid, D(2025, 7, 1), D(2025, 7, 5), rne="P")  # a short move: two
    _episode(kid, D(2025, 7, 5), D(2025, 9, 1), rne="P")  # back again: three
    _episode(kid, D(2025, 9, 1), rne="L")  # legal status only: no new placement
    other = child(2)
    _episode(other, D(2025, 4, 1))  # starts on 1 April: one placement, not two
    _episode(child(3), D(2024, 1, 1), D(2025, 4, 1), rec="E4A")  # left care on 1 April: not looked after
    result = kpi("cla_3plus_placements_rate")
    assert (result.numerator, result.denominator) == (1, 2)
    assert result.numerator_children == {kid.pk}


def test_placement_location_rates_leave_unknown_postcodes_out_of_both_sides():
    inside, outside_far, unknown = child(1), child(2), child(3)
    _episode(inside, D(2025, 1, 1), placed="HP11 2JU")  # inside Buckinghamshire, 13.8 miles
    _episode(outside_far, D(2025, 1, 1), placed="CA1 1AA")  # Cumberland, 229.4 miles
    _episode(unknown, D(2025, 1, 1), placed="ZZ1 1ZZ")
    outside = kpi("cla_placed_outside_la_rate")
    far = kpi("cla_placed_20mi_plus_rate")
    assert (outside.numerator, outside.denominator, outside.value) == (1, 2, 50.0)
    assert (far.numerator, far.denominator, far.value) == (1, 2, 50.0)


def test_an_unknown_home_postcode_leaves_a_child_out_of_the_distance_rate_only():
    near, home_unknown, home_blank, placement_blank = child(1), child(2), child(3), child(4)
    _episode(near, D(2025, 1, 1), placed="HP11 2JU")
    _episode(home_unknown, D(2025, 1, 1), home="ZZ1 1ZZ", placed="CA1 1AA")
    _episode(home_blank, D(2025, 1, 1), home="", placed="CA1 1AA")
    _episode(placement_blank, D(2025, 1, 1), placed="")
    far = kpi("cla_placed_20mi_plus_rate")
    assert far.denominator_children == {near.pk} and far.value == 0.0
    # Inside or outside the authority needs only the placement postcode.
    outside = kpi("cla_placed_outside_la_rate")
    assert outside.denominator_children == {near.pk, home_unknown.pk, home_blank.pk}
    assert outside.numerator_children == {home_unknown.pk, home_blank.pk}
    assert kpi("cla_at_year_end").value == 4


def test_every_rate_with_an_empty_denominator_is_null_not_zero():
    referral(child(), D(2024, 5, 1))  # outside the year: nothing to divide by
    results = compute_kpis(2026)
    rates = [kpi_id for kpi_id in KPIS if "_rate" in kpi_id]
    assert len(rates) == 9
    for kpi_id in rates:
        assert results[kpi_id].value is None, kpi_id
        assert results[kpi_id].denominator == 0, kpi_id
    out = io.StringIO()
    call_command("kpis", "--year", "2026", "--json", stdout=out)
    assert all(json.loads(out.getvalue())["kpis"][kpi_id] is None for kpi_id in rates)


def test_unallocated_statutory_on_31_march():
    team = Team.objects.create(name="T", kind=TeamKind.ASSESSMENT)
    worker = User.objects.create_user("w", password="x" * 14, role=Role.SOCIAL_WORKER, team=team)
    waiting, allocated, worker_left, nothing_open = child(1), child(2), child(3), child(4)
    _assessment(waiting, D(2026, 3, 1), None)
    _assessment(allocated, D(2026, 3, 1), None)
    Allocation.objects.create(child=allocated, worker=worker, team=team, started_on=D(2026, 3, 2))
    _plan(worker_left, D(2025, 6, 1))
    Allocation.objects.create(
        child=worker_left, worker=worker, team=team, started_on=D(2025, 6, 1), ended_on=D(2026, 3, 31)
    )
    _assessment(nothing_open, D(2026, 1, 5), D(2026, 3, 20))
    assert kpi("unallocated_statutory").numerator_children == {waiting.pk, worker_left.pk}


def test_kpis_command_prints_every_id_as_json():
    referral(child(), D(2025, 5, 1))
    out = io.StringIO()
    call_command("kpis", "--year", "2026", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["year"] == 2026
    assert set(payload["kpis"]) == set(KPIS) and payload["kpis"]["referrals"] == 1
    assert payload["kpis"]["assessments_within_45wd_rate"] is None
    assert compute_kpis(2026)["referrals"].value == 1
