"""The sweep: raising, idempotence, climbing past each level's deadline, acknowledging, closing with a response,
and a breach that is put right staying open until someone answers for it.

A child on a protection plan from Monday 23 March 2026 with no visit: 10 working days (Good Friday and Easter
Monday skipped) make the visit due Wednesday 8 April, late from Thursday 9 April. Each level has 2 working days
to acknowledge: the team manager until Monday 13 April, the head of service until Wednesday 15 April, the
director until Friday 17 April, the chief executive until Tuesday 21 April."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import CoreGroupMeeting
from opencsc.oversight.models import Escalation, Level, StepKind
from opencsc.oversight.services import (
    escalation_acknowledge,
    escalation_close,
    escalations_sweep,
    level_working_days,
)
from opencsc.oversight.tasks import sweep_task

D = dt.date
LONDON = ZoneInfo("Europe/London")
PLAN_START = D(2026, 3, 23)


@pytest.fixture
def missed_visit(cases, staff):
    child = cases.child(first_name="Mia", last_name="Missed")
    cases.allocate(child, staff["worker"])
    plan = cases.cp_plan(child, PLAN_START)
    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 3, 30))
    return child, plan


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


def sweep(day: dt.date):
    with time_machine.travel(at_noon(day), tick=False):
        return escalations_sweep(today=day)


def the_escalation() -> Escalation:
    [escalation] = Escalation.objects.filter(rule_id="cp_visit")
    return escalation


def test_a_missed_visit_is_raised_to_the_workers_team_manager_once(missed_visit, staff):
    child, plan = missed_visit
    assert sweep(D(2026, 4, 8)).raised == 0
    first = sweep(D(2026, 4, 9))
    assert (first.raised, first.raised_by_rule) == (1, {"cp_visit": 1})
    escalation = the_escalation()
    assert escalation.child == child and escalation.team == staff["worker"].team
    assert escalation.subject_key == f"cp_plan:{plan.pk}:2026-03-23"
    assert (escalation.level, escalation.assigned_to) == (Level.TEAM_MANAGER, staff["manager"])
    assert (escalation.due_on, escalation.raised_on, escalation.level_deadline) == (
        D(2026, 4, 8),
        D(2026, 4, 9),
        D(2026, 4, 13),
    )
    second = sweep(D(2026, 4, 9))
    assert not second.changed and second.raised == 0 and second.climbed == 0
    assert Escalation.objects.count() == 1 and escalation.steps.count() == 1
    assert AuditEvent.objects.filter(verb="escalation.raised", object_id=str(escalation.pk)).count() == 1


def test_unacknowledged_it_climbs_to_head_of_service_then_director_and_closes_with_a_response(
    missed_visit, staff
):
    sweep(D(2026, 4, 9))
    assert sweep(D(2026, 4, 13)).climbed == 0  # the team manager's last day
    assert sweep(D(2026, 4, 14)).climbed_to == {Level.HEAD_OF_SERVICE: 1}
    escalation = the_escalation()
    assert (escalation.level, escalation.assigned_to, escalation.level_deadline) == (
        Level.HEAD_OF_SERVICE,
        staff["head"],
        D(2026, 4, 15),
    )
    assert not sweep(D(2026, 4, 14)).changed  # climbing is idempotent per day
    assert sweep(D(2026, 4, 16)).climbed_to == {Level.DIRECTOR: 1}
    escalation.refresh_from_db()
    assert (escalation.level, escalation.assigned_to) == (Level.DIRECTOR, staff["director"])

    # The team manager it has climbed past can no longer act on it; the director can.
    with pytest.raises(PermissionDenied):
        escalation_acknowledge(actor=staff["manager"], escalation=escalation)
    with time_machine.travel(at_noon(D(2026, 4, 17)), tick=False):
        escalation_acknowledge(actor=staff["director"], escalation=escalation)
    assert not sweep(D(2026, 4, 20)).changed  # acknowledged: past the director's deadline, it stays
    escalation.refresh_from_db()
    assert escalation.level == Level.DIRECTOR and escalation.is_open

    with pytest.raises(ValidationError) as missing:
        escalation_close(actor=staff["director"], escalation=escalation, response="   ")
    assert "what was done" in str(missing.value)
    escalation.refresh_from_db()
    assert escalation.is_open
    with time_machine.travel(at_noon(D(2026, 4, 20)), tick=False):
        escalation_close(
            actor=staff["director"],
            escalation=escalation,
            response="Tina Manager visited and saw Mia alone on 20 April; visits are booked fortnightly.",
        )
    escalation.refresh_from_db()
    assert not escalation.is_open and escalation.closed_by == staff["director"]
    assert escalation.response.startswith("Tina Manager visited")
    steps = list(escalation.steps.values_list("kind", "level", "assigned_to", "actor", "on"))
    assert steps == [
        (StepKind.RAISED, Level.TEAM_MANAGER, staff["manager"].pk, None, D(2026, 4, 9)),
        (StepKind.CLIMBED, Level.HEAD_OF_SERVICE, staff["head"].pk, None, D(2026, 4, 14)),
        (StepKind.CLIMBED, Level.DIRECTOR, staff["director"].pk, None, D(2026, 4, 16)),
        (StepKind.ACKNOWLEDGED, Level.DIRECTOR, staff["director"].pk, staff["director"].pk, D(2026, 4, 17)),
        (StepKind.CLOSED, Level.DIRECTOR, staff["director"].pk, staff["director"].pk, D(2026, 4, 20)),
    ]
    verbs = set(AuditEvent.objects.filter(object_type="Escalation").values_list("verb", flat=True))
    assert verbs == {
        "escalation.raised",
        "escalation.climbed",
        "escalation.acknowledged",
        "escalation.closed",
    }
    with pytest.raises(ValidationError):
        escalation_close(actor=staff["director"], escalation=escalation, response="again")


def test_a_missed_sweep_climbs_one_level_per_elapsed_deadline_and_stops_at_the_chief_executive(
    missed_visit, staff
):
    sweep(D(2026, 4, 9))
    summary = sweep(D(2026, 4, 20))
    assert summary.climbed == 3
    escalation = the_escalation()
    assert (escalation.level, escalation.assigned_to, escalation.level_deadline) == (
        Level.CHIEF_EXECUTIVE,
        staff["chief"],
        D(2026, 4, 21),
    )
    assert [s.on for s in escalation.steps.all()] == [D(2026, 4, 9)] + [D(2026, 4, 20)] * 3
    assert sweep(D(2026, 5, 29)).climbed == 0


def test_acknowledging_at_the_team_manager_stops_the_climb(missed_visit, staff):
    sweep(D(2026, 4, 9))
    escalation = the_escalation()
    with pytest.raises(PermissionDenied):
        escalation_acknowledge(actor=staff["south_manager"], escalation=escalation)
    with pytest.raises(PermissionDenied):
        escalation_acknowledge(actor=staff["worker"], escalation=escalation)
    with pytest.raises(PermissionDenied):
        escalation_acknowledge(actor=staff["board"], escalation=escalation)
    escalation_acknowledge(actor=staff["manager"], escalation=escalation)
    with pytest.raises(ValidationError):
        escalation_acknowledge(actor=staff["manager"], escalation=escalation)
    assert sweep(D(2026, 4, 30)).climbed == 0
    escalation.refresh_from_db()
    assert (
        escalation.level == Level.TEAM_MANAGER
        and escalation.is_open
        and escalation.acknowledged_by == staff["manager"]
    )


def test_someone_above_the_level_may_act_before_it_climbs(missed_visit, staff):
    sweep(D(2026, 4, 9))
    escalation_close(
        actor=staff["head"], escalation=the_escalation(), response="Hana Head asked Tina to visit today."
    )
    escalation = the_escalation()
    assert escalation.closed_by == staff["head"] and escalation.acknowledged_by == staff["head"]


def test_a_visit_resolves_the_breach_but_the_escalation_stays_open_until_a_response(
    missed_visit, cases, staff
):
    child, plan = missed_visit
    sweep(D(2026, 4, 9))
    cases.visit(staff["worker"], child, D(2026, 4, 10))
    summary = sweep(D(2026, 4, 10))
    assert (summary.resolved, summary.raised) == (1, 0)
    escalation = the_escalation()
    assert escalation.is_open and escalation.breach_resolved_on == D(2026, 4, 10)
    assert not sweep(D(2026, 4, 10)).changed
    # Still unanswered, it still climbs: the question is why it was late, and no one has said.
    assert sweep(D(2026, 4, 14)).climbed == 1
    escalation_close(
        actor=staff["head"], escalation=the_escalation(), response="Seen on 10 April by Sam Worker."
    )
    assert not the_escalation().is_open
    # The next missed visit (10 working days from 10 April: due 24 April) is a new breach.
    assert sweep(D(2026, 4, 24)).raised == 0
    summary = sweep(D(2026, 4, 27))
    assert summary.raised == 1
    newest = Escalation.objects.filter(closed_at__isnull=True).get()
    assert newest.subject_key == f"cp_plan:{plan.pk}:2026-04-10"


def test_closing_while_still_late_raises_it_again_only_after_the_reopen_window(missed_visit, staff):
    sweep(D(2026, 4, 9))
    with time_machine.travel(at_noon(D(2026, 4, 9)), tick=False):
        escalation_close(
            actor=staff["manager"], escalation=the_escalation(), response="Visit booked for Tuesday."
        )
    assert sweep(D(2026, 4, 9)).raised == 0
    assert sweep(D(2026, 4, 23)).raised == 0  # 10 working days after closing on 9 April
    assert sweep(D(2026, 4, 24)).raised == 1
    assert Escalation.objects.filter(rule_id="cp_visit").count() == 2


def test_with_no_team_manager_it_goes_to_the_head_of_service(cases, staff):
    child = cases.child(team=staff["south_worker"].team)
    staff["south_manager"].is_active = False
    staff["south_manager"].save()
    plan = cases.cp_plan(child, PLAN_START)
    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 3, 30))
    sweep(D(2026, 4, 9))
    escalation = the_escalation()
    assert (escalation.level, escalation.assigned_to, escalation.level_deadline) == (
        Level.HEAD_OF_SERVICE,
        staff["head"],
        D(2026, 4, 13),
    )
    assert "no team manager" in escalation.steps.get().note


def test_an_undecided_contact_goes_to_the_front_door_manager(cases, staff):
    cases.contact(D(2026, 4, 8))
    sweep(D(2026, 4, 9))
    escalation = Escalation.objects.get(rule_id="referral_decision")
    assert escalation.assigned_to == staff["front_door_manager"] and escalation.child is None


def test_one_open_escalation_per_subject_in_the_database(missed_visit):
    sweep(D(2026, 4, 9))
    escalation = the_escalation()
    escalation.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        escalation.save()


def test_level_deadlines_are_configurable(missed_visit, staff, settings):
    settings.OPENCSC_ESCALATION_WORKING_DAYS = {"team_manager": 1, "head_of_service": 3}
    assert level_working_days() == {
        "team_manager": 1,
        "head_of_service": 3,
        "director": 2,
        "chief_executive": 2,
    }
    sweep(D(2026, 4, 9))
    assert the_escalation().level_deadline == D(2026, 4, 10)
    sweep(D(2026, 4, 13))
    assert (the_escalation().level, the_escalation().level_deadline) == (
        Level.HEAD_OF_SERVICE,
        D(2026, 4, 15),
    )
    settings.OPENCSC_ESCALATION_WORKING_DAYS = "team_manager=2,nobody=1"
    with pytest.raises(ValueError, match="unknown level"):
        level_working_days()


def test_the_command_twice_prints_nothing_new_the_second_time(missed_visit, capsys):
    with time_machine.travel(at_noon(D(2026, 4, 9)), tick=False):
        call_command("sweep", "--date", "2026-04-09")
        first = capsys.readouterr().out
        call_command("sweep", "--date", "2026-04-09")
        second = capsys.readouterr().out
    assert "1 escalations raised" in first and "Child protection visit" in first
    assert "0 escalations raised" in second and "Nothing new." in second


def test_the_background_task_runs_the_sweep(missed_visit):
    with time_machine.travel(at_noon(D(2026, 4, 9)), tick=False):
        result = sweep_task.enqueue(date="2026-04-09")
    assert result.return_value["raised"] == 1
    assert Escalation.objects.count() == 1
