"""The daily sweep finds late looked-after clocks, the same ones the child's care page shows, and escalates them."""

import datetime as dt

import pytest

from opencsc.accounts.models import Role
from opencsc.insight.dashboard import dashboard_for, panel_children
from opencsc.oversight.breaches import CARE_RULES, FINDERS, find_breaches
from opencsc.oversight.models import Escalation
from opencsc.oversight.services import escalations_sweep
from tests.looked_after.conftest import TODAY, record_visit

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
