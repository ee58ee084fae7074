import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from opencsc.accounts.models import Role, User
from opencsc.accounts.two_factor import totp_verify
from opencsc.casework.models import Allocation
from opencsc.oversight.models import Escalation
from opencsc.people.models import Child
from opencsc.synthetic.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD


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
        assert re.search(
            rf"{re.escape(account.username)}\s.*{DEMO_PASSWORD}.*opencsc totp {account.username}", printed
        )
        assert account.totp_secret in printed
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
