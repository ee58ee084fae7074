"""Queueing and delivering the DfE children's social care data flow.

`dataflow_queue` turns the SSD tables into the outbox's batches, in one transaction:
- full: every child in the cohort, whole; changes: only a child whose record's hash differs from the record last
  queued for it (a new child whole, a changed one as a changes-only record; opencsc/dataflow/changes.py).
- A child queued before and no longer in the cohort gets a purge record, once.
- A record that breaks the schema is held back, named by la_child_id with the field and rule on the run; it is not
  queued and its baseline is not moved, so the next run tries it again.
- Batches hold settings.DATAFLOW["BATCH_SIZE"] records. The run and its counts are audited.

`dataflow_deliver` posts the outbox, oldest first:
- Strictly in order: the first send that fails stops the run, so the receiver never gets a newer record of a child
  before an older one. A failed send keeps its records, counts the attempt, keeps the error and waits
  RETRY_BASE_SECONDS x 2^(attempts-1) (at most RETRY_MAX_SECONDS) before a scheduled run tries it again;
  `retry` (an operator's explicit run) tries it at once. Nothing deletes a send.
- A send is claimed before it is posted (a short conditional update, not a lock held over the network), so two
  runs at once never post one batch twice; a claim left by a crashed run lapses after twice the timeout.
- Every attempt, sent or failed, is an audit event and a log line; a failure is logged as a warning.
- Nothing is tried, and nothing marked, when the receiver is not configured.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opencsc.audit.services import audit_event_record
from opencsc.dataflow.changes import changes_only, payload_hash, purge_record
from opencsc.dataflow.client import Connection, DeliveryFailed, receiver_from_settings
from opencsc.dataflow.models import DataflowChild, DataflowRun, DataflowSend
from opencsc.dataflow.payload import Tables, build_payloads
from opencsc.dataflow.schema import schema_problems

logger = logging.getLogger(__name__)

UNSENT = (DataflowSend.Status.PENDING, DataflowSend.Status.FAILED)


@dataclass
class Delivery:
    sent: list[DataflowSend] = field(default_factory=list)
    failed: DataflowSend | None = None
    waiting: DataflowSend | None = None  # the oldest unsent send, not yet due (back-off) or claimed elsewhere

    @property
    def records_sent(self) -> int:
        return sum(len(send.records) for send in self.sent)


@transaction.atomic
def dataflow_queue(*, actor, mode: str, tables: Tables, today: dt.date | None = None) -> DataflowRun:
    """Queue the cohort's records (mode "full" or "changes") in the outbox."""
    if mode not in DataflowRun.Mode.values:
        raise ValueError(f"mode must be full or changes, not {mode!r}")
    started = time.perf_counter()
    now = timezone.now()
    payloads = build_payloads(tables, today=today or timezone.localdate())
    run = DataflowRun.objects.create(mode=mode, started_at=now, actor=actor, cohort=len(payloads))
    baselines = {child.la_child_id: child for child in DataflowChild.objects.all()}
    records, hashes, changed = [], [], []
    for la_child_id, payload in payloads.items():
        record, digest = _record_to_send(mode, payload, baselines.get(la_child_id))
        if record is None:  # the same record as the one last queued, which was checked then
            run.unchanged += 1
            continue
        problems = schema_problems(payload)
        if problems:
            run.held.append({"la_child_id": la_child_id, "problem": "; ".join(problems)})
            continue
        records.append(record)
        hashes.append((la_child_id, digest))
        changed.append(_baseline(baselines.get(la_child_id), la_child_id, payload, digest, now))
    held = {entry["la_child_id"] for entry in run.held}
    for la_child_id, baseline in baselines.items():
        if la_child_id not in payloads and la_child_id not in held and not baseline.purged:
            records.append(purge_record(baseline.payload))
            hashes.append((la_child_id, ""))
            baseline.purged, baseline.queued_at = True, now
            changed.append(baseline)
            run.purged += 1
    run.queued = len(records) - run.purged
    _save_baselines(changed)
    sends = _batch(run, records, hashes, now)
    run.save()
    audit_event_record(
        actor=actor,
        verb="dataflow.queue",
        target=run,
        payload={
            "mode": mode,
            "cohort": run.cohort,
            "queued": run.queued,
            "unchanged": run.unchanged,
            "purged": run.purged,
            "held": sorted(held),
            "batches": [send.pk for send in sends],
        },
    )
    logger.info(
        "dataflow %s run %s: %s in the cohort, %s queued, %s unchanged, %s purged, %s held, %s batches in %.1f s",
        mode, run.pk, run.cohort, run.queued, run.unchanged, run.purged, len(held), len(sends),
        time.perf_counter() - started,
    )  # fmt: skip
    if held:
        logger.warning("dataflow run %s held back %s records that break the schema", run.pk, len(held))
    return run


def _record_to_send(mode: str, payload: dict, baseline: DataflowChild | None) -> tuple[dict | None, str]:
    digest = payload_hash(payload)
    if mode == DataflowRun.Mode.FULL or baseline is None or baseline.purged:
        return payload, digest
    if baseline.payload_hash == digest:
        return None, digest
    return changes_only(payload, baseline.payload), digest


def _baseline(
    baseline: DataflowChild | None, la_child_id: str, payload: dict, digest: str, now
) -> DataflowChild:
    baseline = baseline or DataflowChild(la_child_id=la_child_id)
    baseline.payload, baseline.payload_hash, baseline.purged, baseline.queued_at = payload, digest, False, now
    return baseline


def _save_baselines(baselines: list[DataflowChild]) -> None:
    DataflowChild.objects.bulk_create([b for b in baselines if b.pk is None], batch_size=500)
    DataflowChild.objects.bulk_update(
        [b for b in baselines if b.pk is not None],
        ["payload", "payload_hash", "purged", "queued_at"],
        batch_size=500,
    )


def _batch(run: DataflowRun, records: list[dict], hashes: list[tuple[str, str]], now) -> list[DataflowSend]:
    size = max(1, settings.DATAFLOW["BATCH_SIZE"])
    sends = [
        DataflowSend(
            run=run,
            batch=number,
            records=records[start : start + size],
            hashes=dict(hashes[start : start + size]),
            created_at=now,
        )
        for number, start in enumerate(range(0, len(records), size), start=1)
    ]
    return DataflowSend.objects.bulk_create(sends)


def dataflow_deliver(
    *, actor, retry_now: bool = False, connect: Callable = Connection, limit: int | None = None
) -> Delivery:
    """Post the outbox in order until it is empty, a send fails, or the next send is not yet due."""
    receiver = receiver_from_settings()  # NotConfigured: nothing tried, nothing marked
    connection = connect(receiver)
    delivery = Delivery()
    while limit is None or len(delivery.sent) < limit:
        send = DataflowSend.objects.filter(status__in=UNSENT).order_by("pk").first()
        if send is None:
            break
        now = timezone.now()
        if (not retry_now and send.next_attempt_at and send.next_attempt_at > now) or not _claim(send, now):
            delivery.waiting = send
            break
        if not _attempt(actor, send, connection):
            delivery.failed = send
            break
        delivery.sent.append(send)
    return delivery


def _claim(send: DataflowSend, now) -> bool:
    lapse = now + dt.timedelta(seconds=2 * settings.DATAFLOW["TIMEOUT_SECONDS"])
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return bool(DataflowSend.objects.filter(free, pk=send.pk, status__in=UNSENT).update(claimed_until=lapse))


def _attempt(actor, send: DataflowSend, connection) -> bool:
    started = time.perf_counter()
    try:
        receipts = connection.post(send.records)
    except DeliveryFailed as error:
        _record_failure(actor, send, str(error))
        logger.warning(
            "dataflow send %s (run %s batch %s, %s records) failed, attempt %s, next try after %s: %s",
            send.pk, send.run_id, send.batch, len(send.records), send.attempts, send.next_attempt_at, error,
        )  # fmt: skip
        return False
    _record_success(actor, send, receipts)
    logger.info(
        "dataflow send %s (run %s batch %s): %s records sent in %.2f s, attempt %s",
        send.pk, send.run_id, send.batch, len(send.records), time.perf_counter() - started, send.attempts,
    )  # fmt: skip
    return True


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the n-th failed attempt: base x 2^(n-1), capped."""
    config = settings.DATAFLOW
    seconds = config["RETRY_BASE_SECONDS"] * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, config["RETRY_MAX_SECONDS"]))


@transaction.atomic
def _record_failure(actor, send: DataflowSend, error: str) -> None:
    now = timezone.now()
    send.attempts += 1
    send.status = DataflowSend.Status.FAILED
    send.last_attempt_at, send.last_error = now, error
    send.next_attempt_at = now + retry_delay(send.attempts)
    send.claimed_until = None
    send.save(
        update_fields=[
            "attempts",
            "status",
            "last_attempt_at",
            "last_error",
            "next_attempt_at",
            "claimed_until",
        ]
    )
    audit_event_record(
        actor=actor, verb="dataflow.send_failed", target=send, payload=_about(send, error=error)
    )


@transaction.atomic
def _record_success(actor, send: DataflowSend, receipts: list[str]) -> None:
    now = timezone.now()
    send.attempts += 1
    send.status = DataflowSend.Status.SENT
    send.last_attempt_at = send.sent_at = now
    send.receipts, send.claimed_until, send.next_attempt_at = receipts, None, None
    send.save(
        update_fields=[
            "attempts", "status", "last_attempt_at", "sent_at", "receipts", "claimed_until", "next_attempt_at"
        ]
    )  # fmt: skip
    for la_child_id, digest in send.hashes.items():
        DataflowChild.objects.filter(la_child_id=la_child_id).update(sent_hash=digest, sent_at=now)
    audit_event_record(actor=actor, verb="dataflow.sent", target=send, payload=_about(send))


def _about(send: DataflowSend, **extra) -> dict:
    return {
        "run": send.run_id,
        "batch": send.batch,
        "attempt": send.attempts,
        "children": sorted(send.hashes),
        **extra,
    }
