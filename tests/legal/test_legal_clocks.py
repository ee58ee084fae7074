"""The clocks of pre-proceedings and proceedings across weekends and bank holidays, and the sweep escalating a
missed step. Today is frozen at Monday 11 May 2026 (tests/legal/conftest.py); Early May bank holiday Monday
4 May 2026, spring bank holiday Monday 25 May 2026. Due dates are counted by hand."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencsc.core.clocks import due_date
from opencsc.core.models import ClockSetting
from opencsc.legal import services
from opencsc.legal.clocks import LEGAL_RULES, legal_clocks, timetable_week
from opencsc.oversight.breaches import FINDERS, find_breaches
from opencsc.oversight.models import Escalation
from opencsc.oversight.services import escalations_sweep
from opencsc.people import services as people_services

pytestmark = pytest.mark.django_db
D = dt.date


def _clocks(child) -> dict[str, object]:
    return {clock.rule_id: clock for clock in legal_clocks(child_ids=[child.pk])}


def test_every_legal_clock_has_a_finder():
    assert set(LEGAL_RULES) <= set(FINDERS)


def test_the_letter_clock_skips_the_weekend_and_the_early_may_bank_holiday():
    # Thursday 30 April: Fri 1 May (1), Tue 5 (2), Wed 6 (3), Thu 7 (4), Fri 8 (5).
    due = due_date("plo_letter", D(2026, 4, 30))
    assert due.due_on == D(2026, 5, 8)
    assert due.explanation == (
        "5 working days from the legal gateway meeting on 30 April 2026; May Day skipped"
    )


def test_the_meeting_clock_is_local_and_counts_working_days():
    # Friday 22 May + 10 working days: Tue 26 May (1; 25th is the spring bank holiday) ... Fri 5 June (9), Mon 8.
    assert due_date("plo_meeting", D(2026, 5, 22)).due_on == D(2026, 6, 8)
    assert due_date("plo_meeting", D(2026, 5, 22), limit=5).due_on == D(2026, 6, 1)


def test_the_hearing_outcome_is_due_the_next_working_day():
    assert due_date("hearing_outcome", D(2026, 5, 22)).due_on == D(2026, 5, 26)  # Fri, then bank holiday Mon
    assert due_date("hearing_outcome", D(2026, 5, 8)).due_on == D(2026, 5, 11)


def test_the_timetable_counts_calendar_weeks_and_days_whatever_the_holidays():
    assert due_date("care_proceedings", D(2025, 12, 24)).due_on == D(
        2026, 6, 24
    )  # 182 days, Christmas included
    assert due_date("case_management_hearing", D(2026, 4, 2)).due_on == D(2026, 4, 20)  # Easter inside
    assert due_date("plo_decision", D(2026, 1, 5)).due_on == D(2026, 4, 27)
    assert [
        timetable_week(D(2026, 1, 5), day) for day in (D(2026, 1, 5), D(2026, 1, 11), D(2026, 1, 12))
    ] == [
        1,
        1,
        2,
    ]
    assert timetable_week(D(2026, 1, 5), D(2026, 1, 5) + dt.timedelta(weeks=26)) == 27


def test_an_extension_moves_the_26_week_due_date_and_says_so(worker, child):
    services.proceedings_issue(actor=worker, child=child, issued_on=D(2025, 10, 6))
    assert _clocks(child)["care_proceedings"].due_on == D(2026, 4, 6)
    services.proceedings_extend(
        actor=worker,
        child=child,
        granted_on=D(2026, 3, 30),
        weeks=8,
        reason="Parenting assessment not finished",
    )
    clock = _clocks(child)["care_proceedings"]
    assert clock.due_on == D(2026, 6, 1)
    assert clock.explanation == (
        "34 weeks from the issue of proceedings on 6 October 2025 (26 weeks and extensions of 8 weeks)"
    )


def test_each_step_stops_its_clock_and_starts_the_next(worker, child):
    services.gateway_meeting_record(
        actor=worker, child=child, held_on=D(2026, 4, 30), decision="pre_proceedings"
    )
    assert set(_clocks(child)) == {"plo_letter", "plo_decision"}
    services.pre_proceedings_letter_record(actor=worker, child=child, sent_on=D(2026, 5, 5))
    clocks = _clocks(child)
    assert set(clocks) == {"plo_meeting", "plo_decision"}
    assert clocks["plo_meeting"].due_on == D(2026, 5, 19)
    services.proceedings_issue(actor=worker, child=child, issued_on=D(2026, 5, 8))
    assert set(_clocks(child)) == {"case_management_hearing", "care_proceedings"}
    hearing = services.hearing_list(actor=worker, child=child, kind="cmh", listed_for=D(2026, 5, 11))
    assert _clocks(child)["hearing_outcome"].due_on == D(2026, 5, 12)
    services.hearing_outcome_record(actor=worker, child=child, hearing=hearing, outcome="Directions given")
    assert set(_clocks(child)) == {"care_proceedings"}


def test_the_sweep_escalates_a_letter_not_sent_and_a_timetable_run_out(worker, child):
    ClockSetting.objects.create(rule_id="plo_letter", limit=3)
    services.gateway_meeting_record(actor=worker, child=child, held_on=D(2026, 4, 30), decision="issue")
    services.proceedings_issue(actor=worker, child=child, issued_on=D(2025, 11, 3))  # 26 weeks: 4 May 2026
    other = people_services.child_create(
        actor=worker,
        team=child.responsible_team,
        first_name="Sam",
        last_name="Other",
        date_of_birth=D(2015, 3, 3),
        sex="M",
    )
    services.gateway_meeting_record(
        actor=worker, child=other, held_on=D(2026, 4, 30), decision="pre_proceedings"
    )
    [late] = find_breaches(today=D(2026, 5, 12), rules=["care_proceedings"])
    assert (late.child_id, late.due_on) == (child.pk, D(2026, 5, 4))
    assert late.explanation.startswith("Conclude the care proceedings: due 4 May 2026")
    [letter] = find_breaches(today=D(2026, 5, 12), rules=["plo_letter"])
    assert (letter.child_id, letter.due_on) == (other.pk, D(2026, 5, 6))  # local limit of 3 working days
    escalations_sweep(today=D(2026, 5, 11))
    assert set(Escalation.objects.values_list("rule_id", "child_id")) >= {
        ("care_proceedings", child.pk),
        ("case_management_hearing", child.pk),
        ("plo_letter", other.pk),
    }


def test_the_legal_clocks_cost_the_same_queries_for_any_number_of_children(worker, child):
    def issue_for(n: int) -> None:
        for i in range(n):
            kid = people_services.child_create(
                actor=worker,
                team=child.responsible_team,
                first_name=f"K{i}",
                last_name="Many",
                date_of_birth=D(2015, 1, 1),
                sex="F",
            )
            services.proceedings_issue(actor=worker, child=kid, issued_on=D(2026, 1, 5))
            services.hearing_list(actor=worker, child=kid, kind="cmh", listed_for=D(2026, 1, 20))
            services.gateway_meeting_record(
                actor=worker, child=kid, held_on=D(2026, 1, 5), decision="not_met"
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            legal_clocks()
        return len(captured)

    issue_for(1)
    one = queries()
    issue_for(6)
    assert queries() == one
