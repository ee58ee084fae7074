"""Emails to referrers are background tasks: a mail server that is down never changes what the partner or the
front-door worker sees, the partner still gets their reference, and the email goes once the server is back.

The outage is real: the SMTP backend pointed at a local port nothing listens on. The tests commit for real
(transaction=True), because the failure being guarded against happened at commit time, inside the request."""

import datetime as dt
import logging
import socket

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from opencsc.accounts.models import Role, Team, TeamKind
from opencsc.frontdoor.models import Contact, ContactChild, ContactStatus, Decision
from opencsc.frontdoor.partner import partner_referral_submit
from opencsc.frontdoor.tasks import EMAIL_ATTEMPTS, RETRY_DELAYS
from tests.conftest import signed_in_client
from tests.frontdoor.builders import partner_referral_form
from tests.frontdoor.test_partner_form import URL, _client

NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)  # a Tuesday


def _closed_port() -> int:
    """A local port that was free a moment ago and that nothing listens on: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


MAIL_SERVER_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": _closed_port(),
    "EMAIL_USE_TLS": False,
    "EMAIL_TIMEOUT": 5,
}
MAIL_SERVER_BACK = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def _email_tasks() -> list[DBTaskResult]:
    """The referrer-email tasks in the queue, in the order of their attempts."""
    tasks = DBTaskResult.objects.filter(task_path="opencsc.frontdoor.tasks.email_send")
    return sorted(tasks, key=lambda task: task.args_kwargs["kwargs"].get("attempt", 1))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@override_settings(**MAIL_SERVER_DOWN)
@pytest.mark.django_db(transaction=True)
def test_a_referral_sent_while_the_mail_server_is_down_gets_its_reference(frozen, caplog):
    client = _client()
    with caplog.at_level(logging.WARNING, logger="opencsc.frontdoor.tasks"):
        response = client.post(URL, partner_referral_form())
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/refer/done/{contact.reference}/"
    done = client.get(response["Location"])
    assert done.status_code == 200 and contact.reference in done.content.decode()
    # The page does not claim an email has gone that has not.
    assert (
        "We have sent" not in done.content.decode() and "We will email the reference" in done.content.decode()
    )
    assert contact.referrer_acknowledged_at is None and mail.outbox == []
    # Every attempt was made and failed on the real connection, the last one reported for an operator.
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == EMAIL_ATTEMPTS
    assert failures[-1].levelno == logging.ERROR and "Connection refused" in failures[-1].getMessage()


@override_settings(**MAIL_SERVER_DOWN)
@pytest.mark.django_db(transaction=True)
def test_a_decision_recorded_while_the_mail_server_is_down_is_recorded(frozen, make_user):
    front_door = Team.objects.create(name="MASH", kind=TeamKind.FRONT_DOOR)
    manager = make_user(Role.TEAM_MANAGER, front_door)
    _client().post(URL, partner_referral_form())
    contact = Contact.objects.get()
    response = signed_in_client(manager).post(
        f"/front-door/contacts/{contact.pk}/decision/",
        {"decision": Decision.ADVICE, "decision_reason": "Advice given to the officer and the school"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.status == ContactStatus.DECIDED and contact.decision == Decision.ADVICE
    assert contact.referrer_told_decision_at is None
    # The worker can see that the referrer has not had the emails, and phone them.
    page = signed_in_client(manager).get(f"/front-door/contacts/{contact.pk}/").content.decode()
    emails = page[page.index('data-testid="referrer-emails"') :]
    assert "Reference not sent yet" in emails and "Decision not sent yet" in emails


@override_settings(TASKS=DATABASE_QUEUE, **MAIL_SERVER_DOWN)
@pytest.mark.django_db(transaction=True)
def test_the_email_waits_in_the_queue_and_goes_when_the_mail_server_is_back(frozen):
    response = _client().post(URL, partner_referral_form())
    assert response.status_code == 302
    contact = Contact.objects.get()
    # The email was queued in the transaction that saved the referral, not sent inside the request.
    (queued,) = _email_tasks()
    assert queued.status == "READY" and queued.args_kwargs["kwargs"] == {
        "kind": "acknowledgement",
        "object_id": contact.pk,
    }

    _run_worker()  # the server is still down: the attempt fails and the next one is queued for later
    first, retry = _email_tasks()
    assert first.return_value == "failed attempt 1, retry queued"
    assert retry.status == "READY" and retry.run_after == NOW + RETRY_DELAYS[0]
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    contact.refresh_from_db()
    assert contact.referrer_acknowledged_at is None

    frozen.shift(RETRY_DELAYS[0])
    with override_settings(**MAIL_SERVER_BACK):
        _run_worker()
        assert [email.to for email in mail.outbox] == [["sam.dale@police.example"]]
        assert contact.reference in mail.outbox[0].subject
    contact.refresh_from_db()
    assert contact.referrer_acknowledged_at == NOW + RETRY_DELAYS[0]
    assert _email_tasks()[-1].return_value == "sent"


@override_settings(TASKS=DATABASE_QUEUE, **MAIL_SERVER_DOWN)
@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_the_failure_is_left_in_the_queue(frozen):
    _client().post(URL, partner_referral_form())
    for delay in (dt.timedelta(0), *RETRY_DELAYS):
        frozen.shift(delay)
        _run_worker()
    statuses = [task.status for task in _email_tasks()]
    assert statuses == ["SUCCESSFUL"] * (EMAIL_ATTEMPTS - 1) + ["FAILED"]
    assert _email_tasks()[-1].exception_class_path == "builtins.ConnectionRefusedError"
    assert Contact.objects.get().referrer_acknowledged_at is None


@override_settings(TASKS=DATABASE_QUEUE, **MAIL_SERVER_BACK)
@pytest.mark.django_db(transaction=True)
def test_a_referral_that_is_not_saved_queues_no_email(frozen):
    data = {
        "agency_type": "police",
        "concerns": "Officers attended a domestic incident at the home.",
        "immediate_danger": "no",
        "parents_aware": "yes",
        "consent": "yes",
        "referrer_name": "Sam Dale",
        "referrer_role": "Police constable",
        "referrer_organisation": "Shire Police",
        "referrer_email": "sam.dale@police.example",
        "referrer_phone": "",
        "children": [
            _child("Leo", date_of_birth=None),
            _child("Mia", date_of_birth="not a date"),  # cannot be saved, after Leo has been written
        ],
    }
    with pytest.raises(ValidationError):
        partner_referral_submit(ip_address="203.0.113.7", data=data)
    assert not Contact.objects.exists() and not ContactChild.objects.exists()
    assert _email_tasks() == []
    _run_worker()
    assert mail.outbox == []


def _child(first_name: str, **given) -> dict:
    return {
        "first_name": first_name,
        "last_name": "Hart",
        "age_note": "",
        "address": "",
        "postcode": "",
    } | given


@override_settings(**MAIL_SERVER_BACK)
@pytest.mark.django_db(transaction=True)
def test_an_email_is_sent_once_even_if_its_task_runs_twice(frozen):
    from opencsc.frontdoor.tasks import email_send

    _client().post(URL, partner_referral_form())
    contact = Contact.objects.get()
    assert len(mail.outbox) == 1
    again = email_send.enqueue(kind="acknowledgement", object_id=contact.pk)
    assert again.return_value == "already sent" and len(mail.outbox) == 1
    assert timezone.localtime(Contact.objects.get().referrer_acknowledged_at) == timezone.localtime(NOW)
