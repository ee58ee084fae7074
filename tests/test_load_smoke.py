"""The load test's locustfile (benchmarks/load/locustfile.py), run by locust itself for a few seconds against the
test live server with two staff and no pauses: both sign in past two-factor with a code from their key, the social
worker searches, opens records, writes and finalises notes through the real form (CSRF field and one-time token)
and opens the work views; the head of service opens the dashboard and the service's work. No request may fail,
and every note locust was told was finalised must be in the database, final, by its author.

Locust runs in its own process (it patches the standard library with gevent, which this process must not have).
"""

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyotp
import pytest
from django.db import connection

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.casework.models import CaseNote, NoteStatus
from opencsc.people import services as people_services

ROOT = Path(__file__).resolve().parent.parent
LOCUST = Path(sys.executable).parent / "locust"
PASSWORD = "a long test password"  # as make_user sets it


def _account(user, **extra) -> dict:
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    return {"username": user.username, "password": PASSWORD, "totp_secret": user.totp_secret, **extra}


@pytest.fixture
def accounts(transactional_db, make_user, teams, tmp_path) -> Path:
    worker = make_user(Role.SOCIAL_WORKER, teams["north"])
    children = [
        people_services.child_create(
            actor=worker, first_name=first, last_name="Okafor", date_of_birth=dt.date(2016, 4, 9), sex="F"
        )
        for first in ("Amara", "Chidi")
    ]
    leadership = Team.objects.create(name="Leadership", kind=TeamKind.MANAGEMENT)
    head = make_user(Role.HEAD_OF_SERVICE, leadership)
    caseload = [{"id": c.pk, "first_name": c.first_name, "surname": c.last_name} for c in children]
    path = tmp_path / "accounts.json"
    path.write_text(
        json.dumps(
            {
                "social_worker": [_account(worker, children=caseload)],
                "leader": [_account(head, surnames=["Okafor"])],
            }
        )
    )
    return path


@pytest.fixture
def one_request_at_a_time(live_server):
    """On SQLite the live server's threads share one in-memory connection, which cannot hold two transactions
    at once (two browsers in the e2e journeys never overlap on it; two locust users do): there, the server
    answers one request at a time. PostgreSQL needs nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    server = live_server.thread.httpd
    application, lock = server.get_app(), threading.Lock()

    def serially(environ, start_response):
        with lock:
            response = application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()

    server.set_app(serially)
    yield
    server.set_app(application)


@pytest.mark.usefixtures("one_request_at_a_time")
def test_the_locustfile_runs_a_short_day_without_an_error_or_a_lost_note(accounts, live_server, tmp_path):
    notes = tmp_path / "notes.jsonl"
    environment = {
        **os.environ,
        "OPENCSC_LOAD_ACCOUNTS": str(accounts),
        "OPENCSC_LOAD_NOTES": str(notes),
        "OPENCSC_LOAD_THINK": "0,0.05",
        "OPENCSC_LOAD_TYPING": "0,0.05",
        "OPENCSC_LOAD_SERVER_CLOCK": str(time.time()),  # the travelled clock of this run (tests/conftest.py)
    }
    command = [
        str(LOCUST), "-f", str(ROOT / "benchmarks" / "load" / "locustfile.py"), "SocialWorker", "Leader",
        "--config-users", json.dumps([{"user_class_name": c, "fixed_count": 1} for c in ("SocialWorker", "Leader")]),
        "--headless", "--only-summary", "-u", "2", "-r", "2", "--run-time", "20s", "--stop-timeout", "10",
        "--host", live_server.url, "--csv", str(tmp_path / "locust"),
    ]  # fmt: skip
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=90)

    stats = {row["Name"]: row for row in csv.DictReader((tmp_path / "locust_stats.csv").open())}
    failures = (tmp_path / "locust_failures.csv").read_text()
    assert finished.returncode == 0, failures + finished.stderr[-3000:]
    for page in (
        "sign in (code)",
        "search",
        "child record",
        "note (finalise)",
        "work: my caseload",
        "dashboard",
    ):
        assert int(stats[page]["Request Count"]) > 0, f"no request for {page}"
    assert stats["Aggregated"]["Failure Count"] == "0"
    reported = [json.loads(line) for line in notes.read_text().splitlines()]
    assert reported, "no note was finalised"
    stored = CaseNote.objects.filter(pk__in=[note["note_id"] for note in reported], status=NoteStatus.FINAL)
    assert sorted((n.pk, n.title, n.author.username) for n in stored) == sorted(
        (note["note_id"], note["title"], note["author"]) for note in reported
    )
