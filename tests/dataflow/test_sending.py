"""Sending the data flow to a real HTTP receiver started by the test: OAuth2 client credentials, batches, the
outbox, retries after a failure, changes-only runs and purges. Nothing here is a mocked response."""

import datetime as dt
import json

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from opencsc.audit.models import AuditEvent
from opencsc.dataflow.changes import payload_hash
from opencsc.dataflow.client import NotConfigured
from opencsc.dataflow.models import DataflowChild, DataflowRun, DataflowSend
from opencsc.dataflow.payload import build_payloads
from opencsc.dataflow.schema import SCHEMA_PATH
from opencsc.dataflow.services import dataflow_deliver, dataflow_queue, retry_delay
from opencsc.dataflow.tasks import dataflow_retry_task
from tests.dataflow.receiver import CLIENT_ID, CLIENT_SECRET, SCOPE, SUPPLIER_KEY
from tests.dataflow.ssd_rows import SsdTables

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 15)
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def _authority() -> tuple[SsdTables, dict]:
    ssd = SsdTables()
    ids = {}
    for name, dob in (("Ava", D(2015, 1, 1)), ("Ben", D(2012, 6, 1)), ("Cleo", D(2019, 3, 3))):
        person = ssd.person(dob=dob, forename=name)
        referral = ssd.referral(person, on=D(2025, 9, 1))
        ssd.assessment(person, referral, start=D(2025, 9, 2), authorised=D(2025, 10, 1))
        ids[name] = (person, referral)
    ssd.cin_plan(ids["Ben"][0], ids["Ben"][1], start=D(2025, 10, 2))
    return ssd, ids


def _statuses() -> list[str]:
    return list(DataflowSend.objects.order_by("pk").values_list("status", flat=True))


def test_a_full_send_posts_every_child_with_client_credentials(receiver, clock):
    ssd, ids = _authority()

    run = dataflow_queue(actor=None, mode="full", tables=ssd.tables, today=TODAY)
    delivery = dataflow_deliver(actor=None)

    assert (run.cohort, run.queued, run.held) == (3, 3, [])
    assert receiver.token_requests == [
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": SCOPE,
        }
    ]
    assert [len(post.body) for post in receiver.posts] == [2, 1]  # batches of two
    for post in receiver.posts:
        assert post.path == "/children_social_care_data/825/children"
        assert post.headers["SupplierKey"] == SUPPLIER_KEY
        assert post.headers["Authorization"].startswith("Bearer ")
    expected = build_payloads(ssd.tables, today=TODAY)
    assert {r["la_child_id"]: r for r in receiver.records} == expected
    for record in receiver.records:
        jsonschema.validate(record, SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert len(delivery.sent) == 2 and delivery.failed is None
    assert _statuses() == ["sent", "sent"]
    assert all(len(send.receipts) == len(send.records) for send in DataflowSend.objects.all())
    assert {c.la_child_id: c.sent_hash for c in DataflowChild.objects.all()} == {
        la_child_id: payload_hash(record) for la_child_id, record in expected.items()
    }
    verbs = list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))
    assert verbs == ["dataflow.queue", "dataflow.sent", "dataflow.sent"]


def test_changes_only_sends_what_changed_new_children_whole_and_purges_who_left(receiver, clock):
    ssd, ids = _authority()
    dataflow_queue(actor=None, mode="full", tables=ssd.tables, today=TODAY)
    dataflow_deliver(actor=None)
    receiver.posts.clear()

    ava, ava_referral = ids["Ava"]
    ssd.cin_plan(ava, ava_referral, start=D(2025, 10, 2))  # Ava's record changes
    cleo = ids["Cleo"][0]
    ssd.tables["ssd_cin_episodes"] = [
        r for r in ssd.tables["ssd_cin_episodes"] if r["cine_person_id"] != cleo
    ]
    dan = ssd.person(dob=D(2020, 2, 2), forename="Dan")  # a new child
    ssd.referral(dan, on=D(2026, 6, 1))

    run = dataflow_queue(actor=None, mode="changes", tables=ssd.tables, today=TODAY)
    dataflow_deliver(actor=None)

    assert (run.cohort, run.queued, run.unchanged, run.purged) == (3, 2, 1, 1)
    sent = {record["la_child_id"]: record for record in receiver.records}
    assert set(sent) == {ava, dan, cleo}  # Ben is unchanged
    assert sent[cleo] == {"la_child_id": cleo, "purge": True}
    current = build_payloads(ssd.tables, today=TODAY)
    assert sent[dan] == current[dan]
    (episode,) = sent[ava]["social_care_episodes"]
    assert set(episode) == {"social_care_episode_id", "child_in_need_plans", "purge"}
    assert sent[ava]["child_details"] == current[ava]["child_details"]
    for record in receiver.records:
        jsonschema.validate(record, SCHEMA)

    receiver.posts.clear()
    again = dataflow_queue(actor=None, mode="changes", tables=ssd.tables, today=TODAY)
    dataflow_deliver(actor=None)
    assert (again.queued, again.unchanged, again.purged) == (0, 3, 0)
    assert receiver.posts == []  # Cleo is purged once only


def test_a_failed_send_is_kept_and_sent_by_a_later_run_in_order(receiver, clock):
    ssd, _ = _authority()
    dataflow_queue(actor=None, mode="full", tables=ssd.tables, today=TODAY)
    receiver.fail_posts = 1

    first = dataflow_deliver(actor=None)

    failed = DataflowSend.objects.order_by("pk").first()
    assert first.failed == failed and first.sent == []
    assert _statuses() == ["failed", "pending"]  # the second batch waits behind the first
    assert (failed.attempts, failed.next_attempt_at) == (1, failed.last_attempt_at + dt.timedelta(seconds=60))
    assert failed.last_error == "HTTP 503 (unexpected answer): the service is unavailable, try later"
    assert receiver.posts == []

    too_soon = dataflow_deliver(actor=None)
    assert too_soon.waiting == failed and too_soon.sent == []
    assert DataflowSend.objects.get(pk=failed.pk).attempts == 1

    clock.shift(dt.timedelta(seconds=61))
    later = dataflow_deliver(actor=None)

    assert len(later.sent) == 2 and later.failed is None
    assert _statuses() == ["sent", "sent"]
    assert DataflowSend.objects.get(pk=failed.pk).attempts == 2
    assert len(receiver.records) == 3
    assert AuditEvent.objects.filter(verb="dataflow.send_failed").count() == 1
    assert AuditEvent.objects.filter(verb="dataflow.sent").count() == 2


def test_the_back_off_doubles_up_to_its_ceiling(receiver):
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8)] == [60, 120, 240, 3600, 3600]


def test_retry_sends_at_once_without_waiting_out_the_back_off(receiver, clock):
    ssd, _ = _authority()
    dataflow_queue(actor=None, mode="full", tables=ssd.tables, today=TODAY)
    receiver.fail_posts = 1
    with pytest.raises(CommandError, match="stays in the outbox"):
        call_command("dataflow", "retry")
    call_command("dataflow", "retry")
    assert _statuses() == ["sent", "sent"]


def test_a_token_refused_is_a_failed_send_and_the_secret_is_not_in_the_error(receiver, clock):
    ssd, _ = _authority()
    dataflow_queue(actor=None, mode="full", tables=ssd.tables, today=TODAY)
    receiver.fail_tokens = 1

    failed = dataflow_deliver(actor=None).failed

    assert failed.last_error.startswith(f"No token from {receiver.url}/token")
    assert CLIENT_SECRET not in failed.last_error
    assert dataflow_retry_task.enqueue().return_value["sent"] == list(
        DataflowSend.objects.order_by("pk").values_list("pk", flat=True)
    )


def test_an_unreachable_receiver_is_a_failed_send(receiver, clock, settings):
    ssd, _ = _authority()
    dataflow_queue(actor=None, mode="full", tables=ssd.tables, today=TODAY)
    settings.DATAFLOW = {**settings.DATAFLOW, "ENDPOINT": "http://127.0.0.1:9"}  # the discard port: refused
    failed = dataflow_deliver(actor=None).failed
    assert failed.last_error.startswith(
        "No answer from http://127.0.0.1:9/children_social_care_data/825/children"
    )
    assert _statuses() == ["failed", "pending"]


def test_nothing_is_tried_or_marked_when_the_receiver_is_not_configured(receiver, clock, settings):
    ssd, _ = _authority()
    dataflow_queue(actor=None, mode="full", tables=ssd.tables, today=TODAY)
    settings.DATAFLOW = {**settings.DATAFLOW, "ENDPOINT": "", "CLIENT_SECRET": ""}
    with pytest.raises(NotConfigured, match="OPENCSC_DATAFLOW_ENDPOINT, OPENCSC_DATAFLOW_CLIENT_SECRET"):
        dataflow_deliver(actor=None)
    with pytest.raises(CommandError, match="Nothing was sent; the outbox keeps 2 sends"):
        call_command("dataflow", "retry")
    assert _statuses() == ["pending", "pending"]
    assert DataflowSend.objects.filter(attempts=0).count() == 2
    assert receiver.token_requests == []


def test_a_record_that_breaks_the_schema_is_held_back_and_named(receiver, clock):
    ssd, ids = _authority()
    ava = ids["Ava"][0]
    ssd.address(ava, postcode="FAR TOO LONG", start=D(2024, 1, 1))

    run = dataflow_queue(actor=None, mode="changes", tables=ssd.tables, today=TODAY)
    dataflow_deliver(actor=None)

    assert run.held == [{"la_child_id": ava, "problem": "child_details/postcode: longer than 8 characters"}]
    assert ava not in {record["la_child_id"] for record in receiver.records}
    assert not DataflowChild.objects.filter(la_child_id=ava).exists()

    ssd.tables["ssd_address"].clear()
    fixed = dataflow_queue(actor=None, mode="changes", tables=ssd.tables, today=TODAY)
    dataflow_deliver(actor=None)
    assert (fixed.queued, fixed.unchanged, fixed.held) == (1, 2, [])
    assert receiver.records[-1]["la_child_id"] == ava


def test_the_command_sends_an_extract_and_reports_a_failure(receiver, clock, tmp_path, capsys):
    from tests.dataflow.test_payload import _write_extract

    ssd, _ = _authority()
    _write_extract(ssd.tables, tmp_path)
    receiver.fail_posts = 1

    with pytest.raises(CommandError, match=r"Send \d+ \(run \d+ batch 1\) failed on attempt 1: HTTP 503"):
        call_command("dataflow", "send", "--full", "--ssd-dir", str(tmp_path))
    out = capsys.readouterr().out
    assert "3 children in the cohort, 3 queued, 0 unchanged, 0 purged, 0 held back" in out

    call_command("dataflow", "status")
    assert "Waiting to send: 1, Failed, to be retried: 1, Sent: 0" in capsys.readouterr().out

    clock.shift(dt.timedelta(minutes=2))
    call_command("dataflow", "send", "--changes", "--ssd-dir", str(tmp_path))
    assert "0 queued, 3 unchanged" in capsys.readouterr().out
    assert _statuses() == ["sent", "sent"]
    assert DataflowRun.objects.count() == 2
