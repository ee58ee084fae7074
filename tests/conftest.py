import os

os.environ.setdefault("OPENCSC_ENV", "test")

import pytest
from django.test import Client

from opencsc.accounts.middleware import TWO_FACTOR_SESSION_KEY
from opencsc.accounts.models import Role, Team, TeamKind, User


@pytest.fixture
def teams(db):
    return {
        "north": Team.objects.create(name="Assessment North", kind=TeamKind.ASSESSMENT),
        "south": Team.objects.create(name="Assessment South", kind=TeamKind.ASSESSMENT),
    }


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(role: str = Role.SOCIAL_WORKER, team: Team | None = None, **fields) -> User:
        number = next(counter)
        fields.setdefault("username", f"{role}{number}")
        fields.setdefault("first_name", role.replace("_", " ").title())
        fields.setdefault("last_name", f"Person{number}")
        return User.objects.create_user(password="a long test password", role=role, team=team, **fields)

    return make


def signed_in_client(user: User) -> Client:
    """A client past both sign-in steps (the two-factor journey itself is tested separately)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[TWO_FACTOR_SESSION_KEY] = True
    session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in_client
