import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from opencsc.accounts.models import Role, TeamKind, User
from opencsc.accounts.two_factor import totp_verify
from opencsc.casework.models import Allocation
from opencsc.oversight.models import Escalation
from opencsc.people.models import Child
from opencsc.synthetic.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import signed_in_client


def run(command: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_demo_without_serving_generates_the_authority_and_prints_working_logins():
    printed = run("demo", "--no-serve", children=150, seed=3)

    assert Child.objects.count() == 150
    assert "http://127.0.0.1:8000" in printed
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.has_two_factor and user.totp_secret == account.totp_secret
        assert re.search(rf"^{re.escape(account.username)}\s.*{account.totp_secret}$", printed, re.M)
    assert {account.role for account in DEMO_ACCOUNTS} == set(Role.values)
    social_worker = User.objects.get(username="sw.demo")
    assert Allocation.objects.filter(worker=social_worker, ended_on=None).exists()
    assert "Running the daily sweep for the 28 days" in printed
    assert Escalation.objects.filter(raised_on__lt=timezone.localdate()).exists()
    code = run("totp", "sw.demo").strip()
    assert re.fullmatch(r"\d{6}", code)
    assert totp_verify(user=social_worker, code=code)


@pytest.mark.django_db(transaction=True)
def test_demo_keeps_an_existing_authority_and_resets_the_demo_logins():
    run("demo", "--no-serve", children=120, seed=3)
    User.objects.filter(username="tm.demo").update(password="!")
    first_child = Child.objects.order_by("pk").first()

    run("demo", "--no-serve", children=999, port=8123)

    assert Child.objects.count() == 120 and Child.objects.order_by("pk").first() == first_child
    assert User.objects.get(username="tm.demo").check_password(DEMO_PASSWORD)


def _login_table(printed: str) -> list[str]:
    lines = printed.splitlines()
    start = next(number for number, line in enumerate(lines) if line.startswith("username"))
    return lines[start : start + len(DEMO_ACCOUNTS) + 1]


@pytest.mark.django_db(transaction=True)
def test_the_printed_logins_line_up_and_name_a_command_that_works_from_a_fresh_shell():
    printed = run("demo", "--no-serve", children=60, seed=5)
    table = _login_table(printed)
    header = table[0]
    for heading in ("role", "team", "secret"):
        column = header.index(heading)
        for row in table[1:]:
            assert row[column - 2 : column] == "  " and row[column] != " ", (heading, row)
    command = re.search(r"^\s+(OPENCSC_ENV=development (\S+) totp) <username>$", printed, re.M)
    assert command, printed
    script = Path(command[2])
    assert script.is_absolute() and script.is_file() and os.access(script, os.X_OK)


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_a_front_door_worker_who_works_the_front_door_queue():
    printed = run("demo", "--no-serve", children=60, seed=5)
    worker = User.objects.get(username="fd.demo")
    assert worker.role == Role.SOCIAL_WORKER and worker.team.kind == TeamKind.FRONT_DOOR
    assert re.search(r"^fd\.demo\s+Social worker\s+" + re.escape(worker.team.name), printed, re.M)
    response = signed_in_client(worker).get(reverse("frontdoor:queue"))
    assert response.status_code == 200


def test_stopping_the_demo_with_a_signal_stops_its_background_worker(tmp_path):
    """`kill` (SIGTERM) on the demo, as a terminal closing or a service manager sends, leaves no worker behind."""
    port = 18000 + os.getpid() % 1000
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    demo = subprocess.Popen(
        [
            Path(sys.prefix) / "bin" / "opencsc",
            "demo",
            "--children",
            "40",
            "--seed",
            "5",
            "--port",
            str(port),
        ],
        cwd=Path(__file__).resolve().parents[2],
        env={**environment, "OPENCSC_ENV": "development", "OPENCSC_DATA_DIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    workers: list[int] = []
    try:
        for line in demo.stdout:
            if "Starting development server" in line:
                break
        workers = _children_of(demo.pid)
        assert workers, "the demo started no background worker"
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
        assert _gone_within(workers, seconds=60) == []
    finally:
        if demo.poll() is None:
            demo.kill()
        for worker in workers:
            if _is_running(worker):
                os.kill(worker, signal.SIGKILL)


def _gone_within(pids: list[int], *, seconds: int) -> list[int]:
    """The processes still running after waiting up to `seconds` for them to exit (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while (running := [pid for pid in pids if _is_running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return running


def _children_of(pid: int) -> list[int]:
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in listed]


def _is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
