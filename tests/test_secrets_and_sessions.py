"""Two-factor secrets encrypted at rest (with rotation and the migration of plain secrets), sessions that end
with the browser and after an absolute limit, and signed-in pages no browser keeps."""

import datetime as dt
import importlib
import io

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from opencsc.accounts.models import Role, User
from opencsc.accounts.two_factor import current_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "a long test password"
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _stored(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT totp_secret FROM {User._meta.db_table} WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def _store_raw(user: User, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {User._meta.db_table} SET totp_secret = %s WHERE id = %s", [value, user.pk])


@pytest.fixture
def worker(make_user, teams):
    return make_user(Role.SOCIAL_WORKER, teams["north"], totp_secret=SECRET)


def test_a_two_factor_secret_is_stored_encrypted_and_read_back(worker):
    stored = _stored(worker)
    assert SECRET not in stored and stored.startswith("gAAAAA")
    assert User.objects.get(pk=worker.pk).totp_secret == SECRET


def test_a_database_read_without_the_key_gives_no_secret(worker):
    with override_settings(TOTP_KEYS=[Fernet.generate_key().decode()]), pytest.raises(ImproperlyConfigured):
        User.objects.get(pk=worker.pk)


def test_rotation_re_encrypts_with_the_new_key_so_the_old_one_can_go(make_user, teams):
    with override_settings(TOTP_KEYS=[OLD_KEY]):
        user = make_user(Role.SOCIAL_WORKER, teams["north"], totp_secret=SECRET)
    with override_settings(TOTP_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_totp_key", stdout=io.StringIO())
    assert Fernet(NEW_KEY).decrypt(_stored(user).encode()).decode() == SECRET
    with override_settings(TOTP_KEYS=[NEW_KEY]):
        assert User.objects.get(pk=user.pk).totp_secret == SECRET


def test_the_migration_encrypts_secrets_stored_in_plain_text(worker):
    migration = importlib.import_module("opencsc.accounts.migrations.0005_totp_secret_encrypted")
    _store_raw(worker, SECRET)  # as every secret was stored before the migration

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    from django.apps import apps

    migration.encrypt_existing_secrets(apps, editor)
    assert _stored(worker).startswith("gAAAAA")
    assert User.objects.get(pk=worker.pk).totp_secret == SECRET
    migration.encrypt_existing_secrets(apps, editor)  # twice changes nothing
    assert User.objects.get(pk=worker.pk).totp_secret == SECRET


def _signed_in(user) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("accounts:two_factor"), {"code": current_code(user)})
    return client


def test_the_session_cookie_ends_with_the_browser(worker):
    client = Client()
    client.post(reverse("accounts:login"), {"username": worker.username, "password": PASSWORD})
    response = client.post(reverse("accounts:two_factor"), {"code": current_code(worker)})
    cookie = response.cookies["sessionid"]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]


@override_settings(SESSION_ABSOLUTE_SECONDS=10 * 60 * 60, SESSION_COOKIE_AGE=8 * 60 * 60)
def test_a_busy_session_still_ends_ten_hours_after_signing_in(worker):
    home = reverse("ui:home")
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), tick=False) as clock:
        client = _signed_in(worker)
        for _ in range(19):  # a request every half hour keeps the idle limit away
            clock.shift(30 * 60)
            assert client.get(home).status_code == 200
        clock.shift(31 * 60)  # 10 hours and 1 minute after signing in
        response = client.get(home)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
        assert "_auth_user_id" not in client.session


def test_signed_in_pages_are_not_stored_by_the_browser(worker, client_for):
    response = client_for(worker).get(reverse("people:search"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_sign_in_page_may_be_cached_normally():
    response = Client().get(reverse("accounts:login"))
    assert "no-store" not in response.get("Cache-Control", "")
