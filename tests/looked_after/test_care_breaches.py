"""The daily sweep finds late looked-after clocks, the same ones the child's care page shows, and escalates them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencsc.accounts.models import Role
from opencsc.insight.dashboard import dashboard_for, overdue_by_clock, overdue_work, panel_children
from opencsc.looked_after import services
from opencsc.oversight.breaches import CARE_RULES, FINDERS, find_breaches
from opencsc.oversight.models import Escalation, OverdueFindings
from opencsc.oversight.services import escalations_sweep
from opencsc.people import services as people_services
from tests.looked_after.conftest import LONDON, TODAY, placement, record_visit

pytestmark = pytest.mark.django_db
D = dt.date


def test_every_care_clock_with_a_rule_has_a_finder():
    assert set(CARE_RULES) <= set(FINDERS)


def test_a_first_visit_not_made_is_a_breach_from_the_day_after_it_was_due(start_care, child):
    start_care(on=D(2026, 3, 25))  # first visit due 1 April
    assert find_breaches(today=D(2026, 4, 1), rules=["cla_visit_first"]) == []
    [breach] = find_breaches(today=D(2026, 4, 2), rules=["cla_visit_first"])
    assert (breach.child_id, breach.due_on) == (child.pk, D(2026, 4, 1))
    assert breach.subject_key == f"care:{child.pk}:cla_visit_first:2026-03-25"
    assert breach.explanation.startswith("Visit the child in the new placement: due 1 April 2026")


def test_a_visit_stops_the_breach_and_the_next_clock_runs(start_care, worker, child):
    start_care(on=D(2026, 3, 25))
    record_visit(worker, child, D(2026, 3, 30))
    assert find_breaches(today=TODAY, rules=["cla_visit_first", "cla_visit"]) == []  # next due 11 May


def test_the_sweep_escalates_a_late_looked_after_review(start_care, child):
    start_care(on=D(2026, 3, 25))  # first review due 20 working days later, 23 April
    escalations_sweep(today=TODAY)
    rules = set(Escalation.objects.filter(child=child).values_list("rule_id", flat=True))
    assert {"cla_visit_first", "cla_review_first"} <= rules


def test_the_dashboard_counts_late_looked_after_work_by_clock(start_care, child, make_user):
    start_care(on=D(2026, 3, 25))
    board = dashboard_for(on=TODAY, user=make_user(Role.DIRECTOR))
    overdue = {row.key: row.count for row in board.panel("overdue").rows}
    assert overdue["cla_visit_first"] == 1 and overdue["cla_review_first"] == 1
    assert "cla_visit" not in overdue  # a looked-after clock is listed only when something on it is late
    assert panel_children("overdue", "cla_visit_first", TODAY)[1] == {child.pk}


def _looked_after_child_with_a_history(worker, officer, number: int):
    """A child in care since 2025 with a visit, a review, a health assessment and a return from missing."""
    child = people_services.child_create(
        actor=worker,
        team=worker.team,
        first_name=f"Child{number}",
        last_name="Placed",
        date_of_birth=D(2014, 1, 1 + number),
        sex="M",
    )
    services.episode_start_care(
        actor=worker,
        child=child,
        started_on=D(2025, 6, 2),
        legal_status="C2",
        category_of_need="N1",
        **placement(),
    )
    record_visit(worker, child, D(2026, 1, 5))
    services.care_review_record(
        actor=worker, child=child, held_on=D(2025, 6, 30), participation="PN1", reviewing_officer=officer
    )
    services.care_check_record(actor=worker, child=child, kind="initial_health", done_on=D(2025, 6, 20))
    services.missing_episode_record(
        actor=worker,
        child=child,
        kind="M",
        started_at=dt.datetime(2026, 5, 1, 22, 0, tzinfo=LONDON),
        returned_at=dt.datetime(2026, 5, 2, 9, 30, tzinfo=LONDON),
    )
    return child


def _queries_for_overdue_work() -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        overdue = overdue_by_clock(TODAY)
    return len(queries), overdue


def test_the_dashboards_overdue_work_costs_the_same_queries_for_any_number_of_looked_after_children(
    worker, make_user, teams
):
    officer = make_user(Role.SOCIAL_WORKER, teams["south"])
    for number in range(2):
        _looked_after_child_with_a_history(worker, officer, number)
    queries_for_two, overdue = _queries_for_overdue_work()
    assert len(overdue["cla_review_second"][1]) == 2 and len(overdue["return_home_interview"][1]) == 2

    for number in range(2, 8):
        _looked_after_child_with_a_history(worker, officer, number)
    queries_for_eight, overdue = _queries_for_overdue_work()
    assert len(overdue["cla_review_second"][1]) == 8 and len(overdue["return_home_interview"][1]) == 8
    assert queries_for_eight == queries_for_two


def _overdue_panel(director) -> tuple[dict[str, int], str]:
    panel = dashboard_for(on=TODAY, user=director).panel("overdue")
    return {row.key: row.count for row in panel.rows}, panel.note


def test_the_dashboard_reads_what_the_days_sweep_found_until_the_next_sweep(
    start_care, worker, child, make_user
):
    director = make_user(Role.DIRECTOR)
    start_care(on=D(2026, 3, 25))
    live, note = _overdue_panel(director)
    assert live["cla_visit_first"] == 1 and "no sweep ran" in note

    escalations_sweep(today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        swept = overdue_work(TODAY)
    assert len(queries) == 1  # one stored row, whatever the number of children
    assert {rule: len(children) for rule, (_, children) in swept.by_clock.items()} == live

    record_visit(worker, child, TODAY)  # done after the sweep: still counted, and the panel says since when
    counts, note = _overdue_panel(director)
    assert counts == live and note.startswith("Found by the daily sweep at ")
    assert panel_children("overdue", "cla_visit_first", TODAY)[1] == {child.pk}

    escalations_sweep(today=TODAY)  # the day's second sweep replaces what the first stored
    counts, _ = _overdue_panel(director)
    assert "cla_visit_first" not in counts and counts["cla_review_first"] == 1
    assert OverdueFindings.objects.filter(on=TODAY).count() == 1


def test_a_day_not_swept_is_worked_out_from_the_records(start_care, child, make_user):
    start_care(on=D(2026, 3, 25))
    escalations_sweep(today=TODAY - dt.timedelta(days=1))
    assert overdue_work(TODAY).swept_at is None
    assert overdue_work(TODAY).by_clock == overdue_by_clock(TODAY)
    assert overdue_work(TODAY - dt.timedelta(days=1)).swept_at is not None
