"""The allegation clocks across weekends and bank holidays, the leaders' figures, and the sweep escalating a
missed initial consideration to the designated officer's team manager, naming no child. Today is frozen at
Wednesday 10 June 2026; spring bank holiday Monday 25 May 2026. Due dates are counted by hand."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencsc.allegations import services
from opencsc.allegations.selectors import allegation_clocks, allegation_figures, open_allegation_clocks
from opencsc.casework.work import ClockContext
from opencsc.core.clocks import due_date
from opencsc.oversight.breaches import FINDERS, SweepContext
from opencsc.oversight.models import Escalation
from opencsc.oversight.services import escalations_sweep

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_initial_consideration_is_due_the_next_working_day():
    assert due_date("lado_initial_consideration", D(2026, 6, 3)).due_on == D(2026, 6, 4)  # Wed -> Thu
    assert due_date("lado_initial_consideration", D(2026, 6, 5)).due_on == D(2026, 6, 8)  # Fri -> Mon
    friday_before_bank_holiday = due_date("lado_initial_consideration", D(2026, 5, 22))
    assert friday_before_bank_holiday.due_on == D(2026, 5, 26)
    assert friday_before_bank_holiday.explanation == (
        "1 working day from the allegation's receipt by the designated officer on 22 May 2026; "
        "Spring Bank Holiday skipped"
    )
    # Christmas Eve (Thursday) 2026: Christmas Day Friday and Boxing Day (substitute Monday 28th) skipped.
    assert due_date("lado_initial_consideration", D(2026, 12, 24)).due_on == D(2026, 12, 29)


def test_the_resolution_targets_are_calendar_months_from_receipt():
    assert due_date("lado_resolution_one_month", D(2026, 1, 31)).due_on == D(2026, 2, 28)
    assert due_date("lado_resolution_three_months", D(2026, 5, 22)).due_on == D(2026, 8, 22)
    assert due_date("lado_resolution", D(2024, 2, 29)).due_on == D(2025, 2, 28)


def test_an_open_allegation_shows_every_clock_and_a_considered_one_only_the_targets(
    officer, record_allegation
):
    fresh = record_allegation(D(2026, 6, 5))
    considered = record_allegation(D(2026, 5, 22))
    services.allegation_initial_consideration(
        actor=officer, allegation=considered, considered_on=D(2026, 5, 26), decision="employer"
    )
    fresh_clocks = {c.rule_id: c.due_on for c in allegation_clocks(fresh)}
    assert fresh_clocks == {
        "lado_initial_consideration": D(2026, 6, 8),
        "lado_resolution_one_month": D(2026, 7, 5),
        "lado_resolution_three_months": D(2026, 9, 5),
        "lado_resolution": D(2027, 6, 5),
    }
    assert {c.rule_id for c in allegation_clocks(considered)} == {
        "lado_resolution_one_month",
        "lado_resolution_three_months",
        "lado_resolution",
    }
    services.allegation_conclude(
        actor=officer, allegation=considered, concluded_on=D(2026, 6, 9), outcome="unsubstantiated"
    )
    assert allegation_clocks(considered) == []


def test_the_clocks_of_many_allegations_are_read_in_one_query(record_allegation):
    for day in range(1, 9):
        record_allegation(D(2026, 6, day))
    ctx = ClockContext()
    ctx.limit("lado_initial_consideration")
    for rule_id in ("lado_resolution_one_month", "lado_resolution_three_months", "lado_resolution"):
        ctx.limit(rule_id)
    with CaptureQueriesContext(connection) as queries:
        clocks = open_allegation_clocks(ctx)
    assert len(queries) == 1 and len(clocks) == 32


def test_the_sweep_escalates_a_late_consideration_to_the_designated_officers_manager(
    officer, lado_manager, record_allegation, child
):
    late = record_allegation(D(2026, 6, 5), child_ids=child.la_child_id)  # due Monday 8 June
    record_allegation(D(2026, 6, 9))  # due today: not late
    breaches = list(FINDERS["lado_initial_consideration"](SweepContext(today=D(2026, 6, 10))))
    assert [(b.subject_key, b.child_id) for b in breaches] == [
        (f"allegation:{late.pk}:lado_initial_consideration", None)
    ]
    escalations_sweep(today=D(2026, 6, 10))
    escalation = Escalation.objects.get(rule_id="lado_initial_consideration")
    assert escalation.assigned_to == lado_manager and escalation.child is None
    assert escalation.explanation == (
        "Record the initial consideration of an allegation: due 8 June 2026 (1 working day from the allegation's "
        "receipt by the designated officer on 5 June 2026)"
    )


def test_the_twelve_month_resolution_is_swept_but_the_monthly_targets_are_not(officer, record_allegation):
    old = record_allegation(D(2025, 6, 1))
    services.allegation_initial_consideration(
        actor=officer, allegation=old, considered_on=D(2025, 6, 2), decision="employer"
    )
    record_allegation(D(2026, 3, 2))  # past one and three months, not twelve; consideration late
    ctx = SweepContext(today=D(2026, 6, 10))
    assert [b.subject_key for b in FINDERS["lado_resolution"](ctx)] == [
        f"allegation:{old.pk}:lado_resolution"
    ]
    assert "lado_resolution_one_month" not in FINDERS and "lado_resolution_three_months" not in FINDERS


def test_the_leaders_figures_count_the_year(officer, record_allegation):
    quick = record_allegation(D(2026, 4, 1), sector="health")
    slow = record_allegation(D(2026, 4, 2), sector="education")
    record_allegation(D(2026, 3, 31), sector="sport")  # the year before
    services.allegation_initial_consideration(
        actor=officer, allegation=quick, considered_on=D(2026, 4, 2), decision="employer"
    )
    services.allegation_initial_consideration(  # Good Friday 3 April and Easter Monday 6 April skipped: due 7th
        actor=officer, allegation=slow, considered_on=D(2026, 4, 8), decision="strategy"
    )
    services.allegation_conclude(
        actor=officer, allegation=quick, concluded_on=D(2026, 4, 20), outcome="false"
    )
    services.allegation_conclude(
        actor=officer, allegation=slow, concluded_on=D(2026, 6, 9), outcome="substantiated"
    )
    figures = allegation_figures(2027, today=D(2026, 6, 10))
    assert figures.received == 2
    assert dict(figures.by_sector)["Health"] == 1 and dict(figures.by_sector)["Sport and leisure"] == 0
    assert figures.considered_in_time_rate == 50.0
    assert (figures.concluded, figures.within_one_month_rate, figures.within_three_months_rate) == (
        2,
        50.0,
        100.0,
    )
    assert figures.median_days == round((19 + 68) / 2)
    assert dict(figures.by_outcome)["Substantiated"] == 1
    assert figures.open_total == 1
    assert dict(figures.open_by_age)["One to three months"] == 1
