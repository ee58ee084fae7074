"""Two sweeps at once (cron and a manual run), and a sweep racing someone who acknowledges, on real PostgreSQL
connections in real threads.

PostgreSQL only: what is tested is PostgreSQL's locking (the sweep's advisory lock, the row locks on the escalations
it climbs). On SQLite every transaction takes the database's single write lock when it begins
(`transaction_mode = IMMEDIATE` in settings), so two sweeps, or a sweep and an acknowledgement, already run one after
the other there; there is no overlap to test.

Each test pauses one transaction at a chosen point (inside the sweep after it has read the escalations that are due
to climb, or inside an acknowledgement before it commits), lets the other run until it finishes or waits on a
lock (read from pg_stat_activity, no timing), then lets the first go on.

The case is the missed visit of test_escalation_sweep: raised to the team manager on 9 April 2026, due to climb
to the head of service on the sweep of 14 April.
"""

import datetime as dt
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from opencsc.audit.models import AuditEvent
from opencsc.casework.models import CoreGroupMeeting
from opencsc.core.locks import job_lock_try
from opencsc.oversight import digest_services, services
from opencsc.oversight.models import Escalation, Level, StepKind
from opencsc.oversight.services import escalation_acknowledge, escalations_sweep

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's advisory and row locks; SQLite runs one writing transaction at a time",
    ),
]

D = dt.date
LONDON = ZoneInfo("Europe/London")
RAISED_ON, CLIMBS_ON = D(2026, 4, 9), D(2026, 4, 14)
SAFETY_LIMIT_SECONDS = 60  # only so that a broken lock cannot hang the suite; nothing waits this long


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(dt.datetime(2026, 4, 14, 9, tzinfo=LONDON), tick=True):
        yield


@pytest.fixture
def raised(cases, staff) -> Escalation:
    child = cases.child(first_name="Mia", last_name="Missed")
    cases.allocate(child, staff["worker"])
    plan = cases.cp_plan(child, D(2026, 3, 23))
    CoreGroupMeeting.objects.create(plan=plan, held_on=D(2026, 3, 30))
    escalations_sweep(today=RAISED_ON)
    [escalation] = Escalation.objects.all()
    assert (escalation.level, escalation.level_deadline) == (Level.TEAM_MANAGER, D(2026, 4, 13))
    return escalation


class Worker(threading.Thread):
    """Runs `work` on its own database connection, keeping its result or error and its backend's pid."""

    def __init__(self, name: str, work: Callable):
        super().__init__(name=name, daemon=True)
        self.work, self.result, self.error, self.pid = work, None, None, None
        self.connected = threading.Event()

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.connected.set()
            self.result = self.work()
        except BaseException as error:  # handed to the test by finish()
            self.error = error
        finally:
            self.connected.set()
            connections.close_all()


class Pause:
    """A point where the thread named `who` stops until `go()`; `reached` is set when it gets there."""

    def __init__(self, who: str):
        self.who, self.reached, self.released = who, threading.Event(), threading.Event()

    def here(self):
        if threading.current_thread().name == self.who:
            self.reached.set()
            assert self.released.wait(SAFETY_LIMIT_SECONDS), "the paused transaction was never let go"

    def go(self):
        self.released.set()


def start(worker: Worker) -> Worker:
    worker.start()
    assert worker.connected.wait(SAFETY_LIMIT_SECONDS)
    return worker


def waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def finished_or_waiting_on_a_lock(worker: Worker) -> str:
    """Poll until the worker has finished or its connection waits on a lock; which one happened."""
    deadline = threading.Event()
    timer = threading.Timer(SAFETY_LIMIT_SECONDS, deadline.set)
    timer.start()
    try:
        while not deadline.is_set():
            worker.join(0.05)
            if not worker.is_alive():
                return "finished"
            if waiting_on_a_lock(worker.pid):
                return "waiting"
        pytest.fail(f"{worker.name} neither finished nor waited on a lock")
    finally:
        timer.cancel()


def finish(*workers: Worker) -> None:
    for worker in workers:
        worker.join(SAFETY_LIMIT_SECONDS)
        assert not worker.is_alive(), f"{worker.name} did not finish"
        if worker.error is not None:
            raise worker.error


def pause_after_reading_the_due(monkeypatch, who: str) -> Pause:
    """The sweep builds its Holders once it has the escalations due to climb: pause there."""
    pause = Pause(who)

    class PausingHolders(services.Holders):
        def __init__(self):
            pause.here()
            super().__init__()

    monkeypatch.setattr(services, "Holders", PausingHolders)
    return pause


def kinds(escalation: Escalation) -> list[str]:
    return list(escalation.steps.order_by("at", "id").values_list("kind", flat=True))


def test_a_second_sweep_while_one_runs_does_nothing_and_the_escalation_climbs_once(raised, monkeypatch):
    pause = pause_after_reading_the_due(monkeypatch, "cron")
    cron = start(Worker("cron", lambda: escalations_sweep(today=CLIMBS_ON)))
    assert pause.reached.wait(SAFETY_LIMIT_SECONDS)

    manual = start(Worker("manual", lambda: escalations_sweep(today=CLIMBS_ON)))
    assert finished_or_waiting_on_a_lock(manual) == "finished"
    pause.go()
    finish(cron, manual)

    raised.refresh_from_db()
    assert raised.level == Level.HEAD_OF_SERVICE
    assert kinds(raised) == [StepKind.RAISED, StepKind.CLIMBED]
    assert AuditEvent.objects.filter(verb="escalation.climbed", object_id=str(raised.pk)).count() == 1
    assert cron.result.climbed == 1 and not cron.result.skipped
    assert manual.result.skipped and not manual.result.changed


def test_the_sweep_after_the_other_finished_runs_and_finds_nothing_new(raised):
    first = escalations_sweep(today=CLIMBS_ON)
    second = start(Worker("second", lambda: escalations_sweep(today=CLIMBS_ON)))
    finish(second)
    assert first.climbed == 1
    assert not second.result.skipped and not second.result.changed


def test_an_acknowledgement_made_while_the_sweep_climbs_waits_for_it_and_lands_on_the_new_holder(
    raised, staff, monkeypatch
):
    pause = pause_after_reading_the_due(monkeypatch, "sweep")
    sweep = start(Worker("sweep", lambda: escalations_sweep(today=CLIMBS_ON)))
    assert pause.reached.wait(SAFETY_LIMIT_SECONDS)

    head = staff["head"]
    acknowledging = start(
        Worker("acknowledge", lambda: escalation_acknowledge(actor=head, escalation=raised))
    )
    assert finished_or_waiting_on_a_lock(acknowledging) == "waiting"
    pause.go()
    finish(sweep, acknowledging)

    raised.refresh_from_db()
    assert kinds(raised) == [StepKind.RAISED, StepKind.CLIMBED, StepKind.ACKNOWLEDGED]
    assert (raised.level, raised.assigned_to, raised.acknowledged_by) == (Level.HEAD_OF_SERVICE, head, head)


def test_an_escalation_acknowledged_while_the_sweep_waits_for_it_is_not_climbed(raised, staff, monkeypatch):
    pause = Pause("acknowledge")
    recorded = services.audit_event_record

    def record_then_pause(**fields):
        event = recorded(**fields)
        pause.here()  # acknowledged and audited, not yet committed
        return event

    monkeypatch.setattr(services, "audit_event_record", record_then_pause)
    manager = staff["manager"]
    acknowledging = start(
        Worker("acknowledge", lambda: escalation_acknowledge(actor=manager, escalation=raised))
    )
    assert pause.reached.wait(SAFETY_LIMIT_SECONDS)

    sweep = start(Worker("sweep", lambda: escalations_sweep(today=CLIMBS_ON)))
    assert finished_or_waiting_on_a_lock(sweep) == "waiting"
    pause.go()
    finish(acknowledging, sweep)

    assert sweep.result.climbed == 0
    raised.refresh_from_db()
    assert kinds(raised) == [StepKind.RAISED, StepKind.ACKNOWLEDGED]
    assert (raised.level, raised.acknowledged_by) == (Level.TEAM_MANAGER, manager)
    assert not AuditEvent.objects.filter(verb="escalation.climbed").exists()


def test_the_command_started_while_a_sweep_holds_the_lock_says_so_and_changes_nothing(raised):
    holding = Pause("holder")

    def hold_the_sweep_lock():
        with transaction.atomic():
            assert job_lock_try(name=services.SWEEP_LOCK)
            holding.here()

    holder = start(Worker("holder", hold_the_sweep_lock))
    assert holding.reached.wait(SAFETY_LIMIT_SECONDS)
    try:
        with pytest.raises(CommandError, match="Another sweep is running"):
            call_command("sweep", date=CLIMBS_ON.isoformat())
    finally:
        holding.go()
        finish(holder)
    raised.refresh_from_db()
    assert raised.level == Level.TEAM_MANAGER and kinds(raised) == [StepKind.RAISED]


def test_a_digest_line_answered_while_the_sweep_waits_for_it_is_not_climbed(raised, staff, monkeypatch):
    escalations_sweep(today=D(2026, 4, 16))  # past the head of service: the director's, until 17 April
    raised.refresh_from_db()
    assert raised.level == Level.DIRECTOR
    pause = Pause("answer")
    recorded = digest_services.audit_event_record

    def record_then_pause(**fields):
        event = recorded(**fields)
        pause.here()  # the line answered and audited, not yet committed
        return event

    monkeypatch.setattr(digest_services, "audit_event_record", record_then_pause)
    director = staff["director"]
    answering = start(
        Worker(
            "answer",
            lambda: digest_services.escalation_group_answer(
                actor=director,
                rule_id=raised.rule_id,
                team_id=raised.team_id,
                escalation_ids=[raised.pk],
                response="Visits booked for Friday",
            ),
        )
    )
    assert pause.reached.wait(SAFETY_LIMIT_SECONDS)

    sweep = start(Worker("sweep", lambda: escalations_sweep(today=D(2026, 4, 20))))
    assert finished_or_waiting_on_a_lock(sweep) == "waiting"
    pause.go()
    finish(answering, sweep)

    assert sweep.result.climbed == 0 and answering.result.answered == [raised.pk]
    raised.refresh_from_db()
    assert (raised.level, raised.closed_by, raised.response) == (
        Level.DIRECTOR,
        director,
        "Visits booked for Friday",
    )
    assert kinds(raised)[-1] == StepKind.CLOSED
