"""Private fostering services, clocks, breaches and figures (opencsc/privatefostering).

Today is frozen at Monday 11 May 2026, after Easter (Good Friday 3 April, Easter Monday 6 April) and the early
May bank holiday (Monday 4 May); the spring bank holiday is Monday 25 May. Due dates are counted by hand.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from opencsc.accounts.models import Role
from opencsc.audit.models import AuditEvent
from opencsc.casework.models import ChronologyEntry
from opencsc.casework.work import ClockContext, Scope, due_work
from opencsc.core.clocks import due_date
from opencsc.core.models import ClockSetting
from opencsc.oversight.breaches import find_breaches
from opencsc.oversight.models import Escalation
from opencsc.oversight.services import escalations_sweep
from opencsc.people import services as people_services
from opencsc.people.models import Child
from opencsc.people.selectors import child_due_items
from opencsc.privatefostering import figures, selectors, services
from opencsc.privatefostering.models import (
    ArrangementEnd,
    Decision,
    PrivateFosteringArrangement,
    PrivateFosteringVisit,
    VisitKind,
)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 5, 11, 12, 0, tzinfo=LONDON)
D = dt.date
NOTIFIED = D(2026, 4, 2)  # Thursday before Easter
BEGAN = D(2026, 3, 20)
ROW_MODELS = (PrivateFosteringArrangement, PrivateFosteringVisit, AuditEvent, ChronologyEntry)
NOTIFICATION = {
    "notified_by": "school",
    "notifier_name": "Ms Patel, Hill Street Primary School",
    "carer_name": "Grace Mensah",
    "carer_address": "4 Oak Road, Aylesbury HP19 8FF",
    "household": "Kofi Mensah (husband), Ama Mensah (14)",
}
PF_RULES = [
    "private_fostering_first_visit",
    "private_fostering_decision",
    "private_fostering_visit_first_year",
    "private_fostering_visit",
]


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def w(teams, make_user):
    north = teams["north"]
    worker = make_user(Role.SOCIAL_WORKER, north)
    child = people_services.child_create(
        actor=worker, team=north, first_name="Kwame", last_name="Owusu", date_of_birth=D(2013, 2, 2), sex="M"
    )
    return type("World", (), {"worker": worker, "child": child, "north": north})


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


def _refused(call, field: str, text: str) -> None:
    """The call is refused with `text` on `field`, and nothing at all is written."""
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        call()
    messages = refused.value.message_dict.get(field, [])
    assert any(text in message for message in messages), refused.value.message_dict
    assert _counts() == before


def _notify(w, *, child=None, notified_on=NOTIFIED, starts_on=BEGAN, **overrides):
    return services.private_fostering_notify(
        actor=w.worker,
        child=child or w.child,
        notified_on=notified_on,
        starts_on=starts_on,
        **{**NOTIFICATION, **overrides},
    )


def _visit(w, arrangement, on, **overrides):
    return services.private_fostering_visit_record(
        actor=w.worker, arrangement=arrangement, visited_on=on, seen_alone=True, **overrides
    )


def _clocks(child) -> dict[str, selectors.PrivateFosteringClock]:
    return {c.rule_id: c for c in selectors.child_private_fostering(child).clocks}


def test_a_late_notification_is_recorded_as_late_with_its_chronology_line_and_audit(w):
    arrangement = _notify(w)
    assert arrangement.notified_late and arrangement.deemed_start == NOTIFIED
    line = ChronologyEntry.objects.get(child=w.child, source_key=f"private-fostering-{arrangement.pk}")
    assert line.occurred_on == NOTIFIED and line.is_significant
    assert line.summary == (
        "Private fostering arrangement with Grace Mensah notified by Ms Patel, Hill Street Primary School "
        "(school or college); notified late: it began on 20 March 2026"
    )
    assert AuditEvent.objects.get(verb="private_fostering.notified").payload["late"] is True


def test_a_proposed_arrangement_is_not_late(w):
    arrangement = _notify(w, notified_on=D(2026, 5, 1), starts_on=D(2026, 6, 15), notified_by="carer")
    assert not arrangement.notified_late and arrangement.deemed_start == D(2026, 6, 15)
    line = ChronologyEntry.objects.get(source_key=f"private-fostering-{arrangement.pk}")
    assert line.summary.endswith("proposed to begin on 15 June 2026")


def test_bad_notifications_are_refused_on_the_right_field(w, teams):
    _refused(
        lambda: _notify(w, notified_on=None), "notified_on", "Enter the date the notification was received"
    )
    _refused(lambda: _notify(w, notified_on=D(2026, 5, 12)), "notified_on", "must be today or in the past")
    _refused(lambda: _notify(w, notified_on=D(2013, 1, 1)), "notified_on", "date of birth, 2 February 2013")
    _refused(lambda: _notify(w, notified_by="neighbour"), "notified_by", "Select who notified")
    _refused(
        lambda: _notify(w, notifier_name=" "), "notifier_name", "Enter the name of the person who notified"
    )
    _refused(lambda: _notify(w, carer_name=""), "carer_name", "Enter the private foster carer's name")
    _refused(lambda: _notify(w, carer_address=" "), "carer_address", "Enter the address")
    _refused(lambda: _notify(w, starts_on=None), "starts_on", "Enter the date the arrangement began")
    _refused(lambda: _notify(w, starts_on=D(2012, 5, 1)), "starts_on", "date of birth, 2 February 2013")
    _refused(lambda: _notify(w, starts_on=D(2027, 4, 3)), "starts_on", "within a year of its notification")
    _notify(w)
    _refused(lambda: _notify(w, notified_on=D(2026, 5, 1)), "notified_on", "already has a private fostering")


def test_only_a_child_under_16_or_a_disabled_child_under_18_is_privately_fostered(w, teams):
    older = people_services.child_create(
        actor=w.worker,
        team=w.north,
        first_name="Ama",
        last_name="Boateng",
        date_of_birth=D(2010, 1, 5),
        sex="F",
    )
    _refused(lambda: _notify(w, child=older), "starts_on", "Ama is 16 on 2 April 2026")
    assert _notify(w, child=older, child_is_disabled=True).child_is_disabled


def test_a_looked_after_child_is_not_privately_fostered(worker, child, start_care):
    start_care(on=D(2026, 3, 25))
    world = type("World", (), {"worker": worker, "child": child})
    _refused(lambda: _notify(world, child=child), "starts_on", "is looked after on 2 April 2026")


def test_someone_who_cannot_change_the_child_is_refused(w, make_user, teams):
    stranger = make_user(Role.SOCIAL_WORKER, teams["south"])
    with pytest.raises(PermissionDenied):
        services.private_fostering_notify(
            actor=stranger, child=w.child, notified_on=NOTIFIED, starts_on=NOTIFIED, **NOTIFICATION
        )
    assert not PrivateFosteringArrangement.objects.exists()


def test_visits_the_decision_and_the_end_follow_the_arrangement(w):
    arrangement = _notify(w)
    _refused(
        lambda: _visit(w, arrangement, D(2026, 4, 1)), "visited_on", "before the notification on 2 April"
    )
    _refused(lambda: _visit(w, arrangement, D(2026, 5, 12)), "visited_on", "today or in the past")
    decide = {
        "actor": w.worker,
        "arrangement": arrangement,
        "decided_on": D(2026, 4, 20),
        "decision": Decision.SUITABLE,
    }
    _refused(lambda: services.private_fostering_decide(**decide), "decided_on", "Record the first visit")
    first = _visit(w, arrangement, D(2026, 4, 14))
    assert first.kind == VisitKind.FIRST
    _refused(
        lambda: _visit(w, arrangement, D(2026, 4, 14)), "visited_on", "A visit on 14 April 2026 is already"
    )
    assert _visit(w, arrangement, D(2026, 4, 28), on_request=True).kind == VisitKind.REQUESTED
    _refused(
        lambda: services.private_fostering_decide(**{**decide, "decided_on": D(2026, 4, 13)}),
        "decided_on",
        "before the first visit on 14 April 2026",
    )
    _refused(
        lambda: services.private_fostering_decide(
            **{**decide, "decision": Decision.SUITABLE_WITH_REQUIREMENTS}
        ),
        "decision_detail",
        "Say what the requirements are",
    )
    _refused(
        lambda: services.private_fostering_decide(**{**decide, "decision": "maybe"}),
        "decision",
        "Select the decision",
    )
    services.private_fostering_decide(
        **{
            **decide,
            "decision": Decision.SUITABLE_WITH_REQUIREMENTS,
            "decision_detail": "A bed of his own by June",
        }
    )
    _refused(
        lambda: services.private_fostering_decide(**decide), "decided_on", "The decision was recorded on"
    )
    end = {"actor": w.worker, "arrangement": arrangement, "ended_on": D(2026, 5, 8)}
    _refused(
        lambda: services.private_fostering_end(
            **{**end, "ended_on": D(2026, 4, 27)}, end_reason="returned_home"
        ),
        "ended_on",
        "before the last visit on 28 April 2026",
    )
    _refused(
        lambda: services.private_fostering_end(**end, end_reason="prohibited"), "end_reason", "No prohibition"
    )
    _refused(
        lambda: services.private_fostering_end(**end, end_reason="never_started"), "end_reason", "began on"
    )
    _refused(lambda: services.private_fostering_end(**end, end_reason=""), "end_reason", "Select why")
    services.private_fostering_end(**end, end_reason=ArrangementEnd.RETURNED_HOME)
    assert ChronologyEntry.objects.get(source_key=f"private-fostering-{arrangement.pk}-ended").summary == (
        "Private fostering arrangement with Grace Mensah ended: Returned to a parent or person with parental "
        "responsibility"
    )
    assert ChronologyEntry.objects.get(source_key=f"private-fostering-{arrangement.pk}-decided").summary == (
        "Private fostering arrangement assessed: Suitable with requirements (Sch 8 para 6): A bed of his own by June"
    )
    with pytest.raises(ValidationError):
        _visit(w, arrangement, D(2026, 5, 9))
    _refused(
        lambda: _notify(w, notified_on=D(2026, 5, 7)), "notified_on", "before the last arrangement ended"
    )


def test_a_proposed_arrangement_that_never_began_ends_as_not_going_ahead(w):
    arrangement = _notify(w, notified_on=D(2026, 4, 20), starts_on=D(2026, 6, 1))
    end = {"actor": w.worker, "arrangement": arrangement, "ended_on": D(2026, 5, 1)}
    _refused(
        lambda: services.private_fostering_end(**end, end_reason="returned_home"), "end_reason", "did not go"
    )
    services.private_fostering_end(**end, end_reason=ArrangementEnd.NEVER_STARTED)


def test_private_fostering_clocks_count_working_days_and_weeks_across_weekends_and_bank_holidays():
    # 7 working days from Thursday 2 April 2026: Good Friday and Easter Monday skipped.
    assert due_date("private_fostering_first_visit", D(2026, 4, 2)).due == D(2026, 4, 15)
    # From Friday 1 May: the early May bank holiday skipped.
    assert due_date("private_fostering_first_visit", D(2026, 5, 1)).due == D(2026, 5, 13)
    # From a Saturday the count starts on Monday.
    assert due_date("private_fostering_first_visit", D(2026, 5, 9)).due == D(2026, 5, 19)
    # From Monday 22 December 2025: Christmas Day, Boxing Day, New Year's Day and the weekends skipped.
    assert due_date("private_fostering_first_visit", D(2025, 12, 22)).due == D(2026, 1, 5)
    # Reg 8 visits are calendar weeks: a visit due on a bank holiday is due that day.
    assert due_date("private_fostering_visit_first_year", D(2026, 4, 13)).due == D(2026, 5, 25)
    assert due_date("private_fostering_visit", D(2026, 3, 2)).due == D(2026, 5, 25)
    # The decision: 42 working days (local) from Thursday 2 April 2026, Easter, 4 May and 25 May skipped.
    assert due_date("private_fostering_decision", D(2026, 4, 2)).due == D(2026, 6, 5)


def test_the_clocks_run_from_the_notification_then_from_each_visit(w):
    arrangement = _notify(w)
    clocks = _clocks(w.child)
    assert set(clocks) == {"private_fostering_first_visit", "private_fostering_decision"}
    assert clocks["private_fostering_first_visit"].due_on == D(2026, 4, 15)
    assert clocks["private_fostering_first_visit"].is_overdue
    on_the_record = {item.what: item.due_on for item in child_due_items(w.child)}
    assert on_the_record["Visit the child and the private foster carer for the first time"] == D(2026, 4, 15)
    _visit(w, arrangement, D(2026, 4, 9))
    clocks = _clocks(w.child)
    assert set(clocks) == {"private_fostering_decision", "private_fostering_visit_first_year"}
    assert clocks["private_fostering_visit_first_year"].due_on == D(2026, 5, 21)  # six weeks from 9 April
    services.private_fostering_decide(
        actor=w.worker, arrangement=arrangement, decided_on=D(2026, 4, 30), decision=Decision.SUITABLE
    )
    _visit(w, arrangement, D(2026, 5, 8))
    clocks = _clocks(w.child)
    assert set(clocks) == {"private_fostering_visit_first_year"}
    assert clocks["private_fostering_visit_first_year"].due_on == D(2026, 6, 19)


def test_a_proposed_arrangement_has_no_visit_clock_until_it_begins(w):
    arrangement = _notify(w, notified_on=D(2026, 4, 20), starts_on=D(2026, 6, 1), notified_by="parent")
    _visit(w, arrangement, D(2026, 4, 24))
    assert set(_clocks(w.child)) == {"private_fostering_decision"}
    with time_machine.travel(dt.datetime(2026, 6, 2, 12, 0, tzinfo=LONDON), tick=False):
        clocks = _clocks(w.child)
    assert clocks["private_fostering_visit_first_year"].start == D(2026, 6, 1)
    assert clocks["private_fostering_visit_first_year"].due_on == D(2026, 7, 13)


def test_after_the_first_year_visits_are_twelve_weekly(w):
    arrangement = _notify(w, notified_on=D(2025, 3, 3), starts_on=D(2025, 3, 3))
    _visit(w, arrangement, D(2025, 3, 7))
    _visit(w, arrangement, D(2026, 3, 2))  # still the first year (it began 3 March 2025)
    assert _clocks(w.child)["private_fostering_visit_first_year"].due_on == D(2026, 4, 13)
    _visit(w, arrangement, D(2026, 3, 3))  # the first anniversary: the second year
    [visit_clock] = [c for c in _clocks(w.child).values() if c.rule_id.startswith("private_fostering_visit")]
    assert visit_clock.rule_id == "private_fostering_visit" and visit_clock.due_on == D(2026, 5, 26)


def test_the_authority_sets_the_decision_timescale(w):
    _notify(w)
    ClockSetting.objects.create(rule_id="private_fostering_decision", limit=20)
    [decision] = [
        c
        for c in selectors.open_arrangement_clocks(ClockContext())
        if c.rule_id == "private_fostering_decision"
    ]
    assert "20 working days" in decision.due.explanation and decision.due_on == D(2026, 5, 5)


def test_a_missed_visit_is_a_breach_and_the_sweep_escalates_it(w):
    arrangement = _notify(w, notified_on=D(2026, 3, 2), starts_on=D(2026, 3, 2))
    _visit(w, arrangement, D(2026, 3, 5))  # the next due Thursday 16 April, late from the 17th
    services.private_fostering_decide(
        actor=w.worker, arrangement=arrangement, decided_on=D(2026, 3, 20), decision=Decision.SUITABLE
    )
    [breach] = find_breaches(today=D(2026, 5, 11), rules=PF_RULES)
    assert breach.rule_id == "private_fostering_visit_first_year" and breach.due_on == D(2026, 4, 16)
    assert (
        breach.subject_key
        == f"private_fostering:{arrangement.pk}:private_fostering_visit_first_year:2026-03-05"
    )
    assert (
        "Visit the privately fostered child (first year: every six weeks): due 16 April 2026"
        in breach.explanation
    )
    escalations_sweep(today=D(2026, 5, 11))
    assert Escalation.objects.get(rule_id="private_fostering_visit_first_year").child_id == w.child.pk
    _visit(w, arrangement, D(2026, 5, 11))
    assert find_breaches(today=D(2026, 5, 11), rules=PF_RULES) == []


def test_the_breach_finders_make_a_fixed_number_of_queries(w, django_assert_max_num_queries):
    for number in range(6):
        child = people_services.child_create(
            actor=w.worker,
            team=w.north,
            first_name=f"C{number}",
            last_name="Q",
            date_of_birth=D(2015, 1, 1),
            sex="M",
        )
        _notify(w, child=child, notified_on=D(2026, 3, 2), starts_on=D(2026, 3, 2))
    with django_assert_max_num_queries(6):
        breaches = find_breaches(today=D(2026, 5, 11), rules=PF_RULES)
    assert len(breaches) == 12  # each child: the first visit and the decision


def test_leaders_figures_count_notifications_first_visits_and_overdue_visits(w, teams, make_user):
    ours = _notify(w, notified_on=D(2025, 6, 2), starts_on=D(2025, 5, 1))  # late; due 11 June
    _visit(w, ours, D(2025, 6, 9))  # in time; the next visit was due 21 July 2025 and never made
    other = people_services.child_create(
        actor=w.worker,
        team=teams["south"],
        first_name="Hidden",
        last_name="Else",
        date_of_birth=D(2014, 1, 1),
        sex="F",
    )
    head = make_user(Role.HEAD_OF_SERVICE, None)
    theirs = services.private_fostering_notify(
        actor=head, child=other, notified_on=D(2025, 9, 1), starts_on=D(2025, 10, 1), **NOTIFICATION
    )  # first visit due 10 September 2025
    services.private_fostering_visit_record(
        actor=head, arrangement=theirs, visited_on=D(2025, 9, 15), seen_alone=True
    )
    services.private_fostering_end(
        actor=head, arrangement=theirs, ended_on=D(2026, 1, 10), end_reason=ArrangementEnd.RETURNED_HOME
    )
    year = figures.private_fostering_figures(2026)
    assert {key: year.count(key) for key in figures.NAMES} == {
        "notified": 2,
        "notified_late": 1,
        "open_at_end": 1,
        "first_visit_in_time": 1,
        "first_visit_late": 1,
        "visits_overdue": 1,
    }
    rows = figures.drill_rows(w.worker, year, "notified")
    assert sorted((r.arrangement.child.first_name, r.may_open) for r in rows) == [
        ("Hidden", False),
        ("Kwame", True),
    ]
    assert [r.arrangement.pk for r in figures.drill_rows(w.worker, year, "visits_overdue")] == [ours.pk]
    assert figures.private_fostering_figures(2025).count("notified") == 0


def test_the_work_pages_list_the_private_fostering_clocks(w, teams, make_user):
    arrangement = _notify(w)
    _visit(w, arrangement, D(2026, 4, 9))
    hidden = people_services.child_create(
        actor=w.worker, team=w.north, first_name="Hid", last_name="Den", date_of_birth=D(2014, 1, 1), sex="F"
    )
    _notify(w, child=hidden)
    scope = Scope(children=Child.objects.filter(responsible_team=w.north), hidden_ids=(hidden.pk,))
    items = {(i.child_id, i.rule.id): i for i in due_work(scope, ClockContext())}
    visit = items[w.child.pk, "private_fostering_visit_first_year"]
    assert visit.due_on == D(2026, 5, 21) and visit.task.startswith("Visit the privately fostered child")
    assert items[w.child.pk, "private_fostering_decision"].due_on == D(2026, 6, 5)
    assert not [key for key in items if key[0] == hidden.pk]
