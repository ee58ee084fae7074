"""API clients made by the administrator, on the page and by the command: the token shown once, bad input refused
naming the field with nothing written, a second sending of the form making nothing new."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from opencsc.accounts.models import Role
from opencsc.api.credentials import hash_secret
from opencsc.api.models import ApiClient
from opencsc.audit.models import AuditEvent
from tests.api.builders import bearer

FORM = {
    "name": "Shire Hospitals CP-IS",
    "organisation": "Shire Hospitals NHS Trust",
    "contact_email": "interop@hospitals.example",
    "scopes": ["cpis.lookup", "reporting.aggregates"],
    "rate_limit_per_minute": "30",
}


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR, username="admin")


def _token(page: str) -> str:
    found = re.search(r"<code>(ocsc_[0-9a-f]{16}\.[A-Za-z0-9_-]+)</code>", page)
    assert found, "no token on the page"
    return found.group(1)


def _form_token(client) -> str:
    page = client.get(reverse("api_clients:new")).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def test_the_token_is_shown_once_works_and_only_its_hash_is_kept(admin, client_for):
    web = client_for(admin)
    token = _form_token(web)
    first = web.post(reverse("api_clients:new"), {**FORM, "form_token": token}, follow=True)
    secret = _token(first.content.decode())
    client = ApiClient.objects.get()
    assert client.secret_hash == hash_secret(secret.split(".", 1)[1]) and secret.split(".", 1)[1] not in str(
        ApiClient.objects.values().get()
    )
    assert (client.scopes, client.rate_limit_per_minute) == (["cpis.lookup", "reporting.aggregates"], 30)
    again = web.get(reverse("api_clients:detail", args=[client.pk])).content.decode()
    assert secret not in again and "ocsc_" in again
    assert Client().get("/api/v1/reporting/counts", **bearer(secret)).status_code == 200
    resent = web.post(reverse("api_clients:new"), {**FORM, "form_token": token})
    assert resent.status_code == 302 and ApiClient.objects.count() == 1
    assert AuditEvent.objects.filter(verb="api_client.create").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"scopes": []}, "scopes", "Choose at least one scope"),
        ({"scopes": ["everything"]}, "scopes", "Choose scopes from the list"),
        ({"rate_limit_per_minute": "0"}, "rate_limit_per_minute", "from 1 to 10,000"),
        ({"contact_email": "not an address"}, "contact_email", "Enter an email address"),
        ({"name": "x" * 121}, "name", "Too long"),
    ],
)
def test_bad_input_is_refused_naming_the_field_keeping_what_was_typed(
    admin, client_for, change, field, message
):
    response = client_for(admin).post(reverse("api_clients:new"), {**FORM, **change})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert f'href="#id_{field}"' in page
    assert "Shire Hospitals NHS Trust" in page
    assert ApiClient.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_a_name_already_taken_is_refused(admin, client_for):
    client_for(admin).post(reverse("api_clients:new"), FORM)
    response = client_for(admin).post(reverse("api_clients:new"), {**FORM, "name": FORM["name"].upper()})
    assert "already exists" in response.content.decode() and ApiClient.objects.count() == 1


def test_the_command_makes_lists_and_revokes(admin, capsys):
    call_command(
        "api_client", "create", "--name", "Police", "--organisation", "Shire Constabulary",
        "--email", "it@police.example", "--scope", "reporting.aggregates", "--as", "admin",
    )  # fmt: skip
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert Client().get("/api/v1/reporting/counts", **bearer(token)).status_code == 200
    call_command("api_client", "list")
    assert "Police  reporting.aggregates  60/min  active" in capsys.readouterr().out
    call_command("api_client", "revoke", token.split(".")[0], "--as", "admin")
    assert Client().get("/api/v1/reporting/counts", **bearer(token)).status_code == 401
    with pytest.raises(CommandError, match="already revoked"):
        call_command("api_client", "revoke", token.split(".")[0], "--as", "admin")


def test_the_command_refuses_someone_who_is_not_an_administrator(make_user):
    make_user(Role.DIRECTOR, username="dcs")
    with pytest.raises(CommandError, match="Only a system administrator"):
        call_command(
            "api_client", "create", "--name", "P", "--organisation", "O", "--email", "a@b.example",
            "--scope", "cpis.lookup", "--as", "dcs",
        )  # fmt: skip
    assert ApiClient.objects.count() == 0
