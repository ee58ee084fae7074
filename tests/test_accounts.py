"""The sign-in journey: password, then a TOTP code; enrolment, replay, throttling, sign-out, redirects."""

import datetime as dt
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY
from opencsc.accounts.models import LoginAttempt, Role
from opencsc.accounts.two_factor import current_code
from opencsc.accounts.views import THROTTLED_MESSAGE
from opencsc.audit.models import AuditEvent

PASSWORD = "a long test password"
LOGIN = reverse("accounts:login")
TWO_FACTOR = reverse("accounts:two_factor")
HOME = reverse("ui:home")


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"])


def _password_step(client, user, password=PASSWORD, url=LOGIN):
    return client.post(url, {"username": user.username, "password": password})


def _wrong_code(user) -> str:
    right = current_code(user)
    return f"{(int(right) + 500_000) % 1_000_000:06d}"


def test_first_sign_in_enrols_then_signs_in(worker):
    client = Client()
    response = _password_step(client, worker)
    assert response.status_code == 302 and response["Location"] == TWO_FACTOR
    assert "_auth_user_id" not in client.session  # not signed in after the password alone
    assert client.get(HOME).status_code == 302

    page = client.get(TWO_FACTOR).content.decode()
    worker.refresh_from_db()
    assert worker.totp_secret and worker.totp_confirmed_at is None
    assert worker.totp_secret in page and "<svg" in page

    response = client.post(TWO_FACTOR, {"code": current_code(worker)})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.session[TWO_FACTOR_SESSION_KEY] is True
    assert client.get(HOME).status_code == 200
    worker.refresh_from_db()
    assert worker.has_two_factor
    assert LoginAttempt.objects.filter(username=worker.username, succeeded=True, stage="totp").exists()


def test_later_sign_ins_do_not_show_the_secret(worker):
    first = Client()
    _password_step(first, worker)
    first.get(TWO_FACTOR)
    worker.refresh_from_db()
    first.post(TWO_FACTOR, {"code": current_code(worker)})
    worker.refresh_from_db()

    second = Client()
    _password_step(second, worker)
    page = second.get(TWO_FACTOR).content.decode()
    assert worker.totp_secret not in page and "<svg" not in page


def test_a_wrong_code_is_refused(worker):
    client = Client()
    _password_step(client, worker)
    client.get(TWO_FACTOR)
    worker.refresh_from_db()
    response = client.post(TWO_FACTOR, {"code": _wrong_code(worker)})
    assert response.status_code == 200
    assert "The code is not right or has already been used" in response.content.decode()
    assert TWO_FACTOR_SESSION_KEY not in client.session
    assert client.get(HOME).status_code == 302
    assert LoginAttempt.objects.filter(succeeded=False, stage="totp").count() == 1


def test_a_code_cannot_be_used_twice(worker):
    client = Client()
    _password_step(client, worker)
    client.get(TWO_FACTOR)
    worker.refresh_from_db()
    code = current_code(worker)
    assert client.post(TWO_FACTOR, {"code": code}).status_code == 302

    replay = Client()
    _password_step(replay, worker)
    response = replay.post(TWO_FACTOR, {"code": code})
    assert response.status_code == 200
    assert "has already been used" in response.content.decode()
    assert replay.get(HOME).status_code == 302


def test_two_factor_page_needs_the_password_step_first(worker):
    client = Client()
    assert client.get(TWO_FACTOR)["Location"] == LOGIN


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_password_failures_are_throttled(worker):
    client = Client()
    for _ in range(3):
        response = _password_step(client, worker, password="wrong password each time")
        assert "The username or password is not right" in response.content.decode()
    response = _password_step(client, worker)  # even the right password is refused now
    assert response.status_code == 200
    assert THROTTLED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(username=worker.username, succeeded=False).count() == 3


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_repeated_code_failures_are_throttled(worker):
    client = Client()
    _password_step(client, worker)
    client.get(TWO_FACTOR)
    worker.refresh_from_db()
    for _ in range(2):
        client.post(TWO_FACTOR, {"code": _wrong_code(worker)})
    response = client.post(TWO_FACTOR, {"code": current_code(worker)})
    assert response.status_code == 200 and THROTTLED_MESSAGE in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_throttling_counts_the_username_in_any_case(worker):
    with override_settings(LOGIN_FAILURE_LIMIT=2):
        client = Client()
        for name in (worker.username.upper(), worker.username):
            client.post(LOGIN, {"username": name, "password": "wrong"})
        response = _password_step(client, worker)
        assert THROTTLED_MESSAGE in response.content.decode()


def test_a_session_without_the_two_factor_flag_is_signed_out(worker):
    client = Client()
    client.force_login(worker)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_sign_out(worker, client_for):
    client = client_for(worker)
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("accounts:logout")).status_code == 200  # the confirmation page
    response = client.post(reverse("accounts:logout_confirm"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(HOME).status_code == 302
    assert client.get(reverse("accounts:logout_confirm")).status_code == 405  # only a POST signs out


def _full_sign_in(client, user, url):
    _password_step(client, user, url=url)
    client.get(TWO_FACTOR)
    user.refresh_from_db()
    return client.post(TWO_FACTOR, {"code": current_code(user)})


@pytest.mark.parametrize("target", ["http://evil.example", "//evil.example/path", "https://evil.example/"])
def test_an_off_site_next_is_ignored(worker, target):
    response = _full_sign_in(Client(), worker, f"{LOGIN}?next={target}")
    assert response.status_code == 302 and response["Location"] == HOME


def test_an_on_site_next_is_followed(worker):
    target = reverse("people:search")
    response = _full_sign_in(Client(), worker, f"{LOGIN}?next={target}")
    assert response["Location"] == target


def test_an_inactive_user_cannot_sign_in(worker):
    worker.is_active = False
    worker.save()
    response = _password_step(Client(), worker)
    assert response.status_code == 200
    assert "The username or password is not right" in response.content.decode()


MORNING = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _sign_in_page(client, username, password, address="198.51.100.1") -> str:
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    ).content.decode()


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_BACKOFF_SECONDS=30, LOGIN_BACKOFF_MAX_SECONDS=300)
def test_the_back_off_doubles_and_then_lets_the_right_password_through(worker):
    client = Client()
    with time_machine.travel(MORNING, tick=False) as clock:
        for _ in range(3):
            assert "not right" in _sign_in_page(client, worker.username, "wrong password")
        assert "Wait 30 seconds" in _sign_in_page(client, worker.username, PASSWORD)
        clock.shift(31)
        assert "not right" in _sign_in_page(client, worker.username, "wrong password")  # the fourth failure
        assert "Wait 60 seconds" in _sign_in_page(client, worker.username, PASSWORD)
        clock.shift(61)
        response = _password_step(client, worker)
        assert response.status_code == 302 and response["Location"] == TWO_FACTOR


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_BACKOFF_SECONDS=30, LOGIN_BACKOFF_MAX_SECONDS=120)
def test_someone_hammering_a_colleagues_account_keeps_them_out_no_longer_than_the_longest_back_off(worker):
    attacker, colleague = Client(), Client()
    with time_machine.travel(MORNING, tick=False) as clock:
        for attempt in range(60):  # a guess every 10 seconds for ten minutes, from many addresses
            _sign_in_page(attacker, worker.username, "guess", address=f"203.0.113.{attempt + 1}")
            clock.shift(10)
        page = _sign_in_page(colleague, worker.username, PASSWORD, address="192.0.2.50")
        wait = re.search(r"Wait (\d+) (seconds|minutes)", page)
        if wait:
            seconds = int(wait[1]) * (60 if wait[2] == "minutes" else 1)
            assert seconds <= 120
            clock.shift(seconds)
            page = _sign_in_page(colleague, worker.username, PASSWORD, address="192.0.2.50")
        assert THROTTLED_MESSAGE not in page and "not right" not in page


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_one_address_trying_many_accounts_backs_off_while_other_addresses_sign_in(worker):
    with time_machine.travel(MORNING, tick=False):
        for number in range(8):  # four times the per-account allowance, one failure per account
            _sign_in_page(Client(), f"someone{number}", "guess", address="198.51.100.66")
        assert THROTTLED_MESSAGE in _sign_in_page(
            Client(), worker.username, PASSWORD, address="198.51.100.66"
        )
        response = Client().post(
            LOGIN, {"username": worker.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.67"
        )
        assert response.status_code == 302


@override_settings(
    LOGIN_FAILURE_LIMIT=3,
    PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],  # a real, slow check
)
@pytest.mark.django_db(transaction=True)
def test_twelve_concurrent_wrong_passwords_are_counted_one_by_one(make_user, teams):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory test database is not shared between threads: the file-database test below")
    target = make_user(Role.SOCIAL_WORKER, teams["north"])
    start = threading.Barrier(12)
    pages = []

    def try_once():
        client = Client()
        start.wait()
        pages.append(_sign_in_page(client, target.username, "wrong password"))
        connection.close()

    with time_machine.travel(MORNING, tick=False):
        threads = [threading.Thread(target=try_once) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    checked = [page for page in pages if "The username or password is not right" in page]
    assert len(pages) == 12
    assert len(checked) == 3
    assert LoginAttempt.objects.filter(username=target.username).count() == 3


def test_an_account_an_administrator_creates_changes_its_temporary_password_first(make_user, client_for):
    from opencsc.accounts.services import user_create

    admin = make_user(Role.ADMINISTRATOR)
    temporary = "a temporary passphrase"
    worker = user_create(
        actor=admin,
        username="nia.new",
        password=temporary,
        first_name="Nia",
        last_name="New",
        role=Role.AUDITOR,
    )
    worker.is_active = True  # the auditor role's approval is tested with staff administration
    worker.save()
    client = client_for(worker)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    assert client.get(reverse("people:search"))["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "temporary password" in page

    new = "my own long passphrase"
    response = client.post(
        reverse("accounts:password_change"),
        {"current_password": temporary, "new_password": new, "new_password_again": new},
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.check_password(new) and not worker.password_change_required
    assert client.get(HOME).status_code == 200  # still signed in after the change
    assert AuditEvent.objects.filter(verb="user.password_changed", actor=worker).exists()


@pytest.mark.parametrize(
    "current, new, again, field_message",
    [
        (
            "not my password",
            "my own long passphrase",
            "my own long passphrase",
            "current password is not right",
        ),
        (PASSWORD, "my own long passphrase", "my own long passphrase!", "are not the same"),
        (PASSWORD, "short", "short", "too short"),
        (PASSWORD, PASSWORD, PASSWORD, "must be different"),
    ],
)
def test_a_password_change_is_refused_with_the_reason(worker, client_for, current, new, again, field_message):
    response = client_for(worker).post(
        reverse("accounts:password_change"),
        {"current_password": current, "new_password": new, "new_password_again": again},
    )
    assert response.status_code == 200 and field_message in response.content.decode()
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


CONCURRENT_TRIES_ON_A_SQLITE_FILE = """
import os, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
call_command("migrate", verbosity=0)
from opencsc.accounts.models import LoginAttempt, User
with override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"], LOGIN_FAILURE_LIMIT=3
):
    User.objects.create_user(username="target", password="the right long password")
    start, pages = threading.Barrier(12), []
    def try_once():
        client = Client()
        start.wait()
        pages.append(client.post("/accounts/sign-in/", {"username": "target", "password": "wrong"}).content.decode())
        connection.close()
    threads = [threading.Thread(target=try_once) for _ in range(12)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    checked = sum("The username or password is not right" in page for page in pages)
    print(len(pages), checked, LoginAttempt.objects.count())
"""


def test_twelve_concurrent_wrong_passwords_are_counted_one_by_one_on_a_sqlite_file(tmp_path):
    """The demo's database: SQLite in a file, one connection per thread, transactions taking the write lock
    at their start."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file database is tested on the SQLite pass")
    environment = {
        **{name: value for name, value in os.environ.items() if name != "DATABASE_URL"},
        "OPENCSC_ENV": "test",
        "OPENCSC_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    run = subprocess.run(
        [sys.executable, "-c", CONCURRENT_TRIES_ON_A_SQLITE_FILE],
        env=environment,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == ["12", "3", "3"], run.stdout + run.stderr[-3000:]
