"""opencsc dataflow send [--full|--changes] [--ssd-dir DIR] | retry | status

send     builds the cohort's records from the SSD tables (OpenCSC's SSD export, or an SSD extract's CSV files in
         --ssd-dir), queues them (full, or only what changed: the default) and posts the outbox in order.
retry    posts what is waiting now, failed sends included, without waiting out their back-off.
status   counts the outbox and lists what failed, with the last error.
Exits 1 when a send failed (it stays in the outbox for the next run) or the receiver is not configured.
"""

from django.core.management.base import BaseCommand, CommandError

from opencsc.dataflow.client import NotConfigured
from opencsc.dataflow.extract import ExtractUnreadable, read_ssd_extract
from opencsc.dataflow.models import DataflowRun, DataflowSend
from opencsc.dataflow.selectors import outbox_counts, unsent_sends
from opencsc.dataflow.services import Delivery, dataflow_deliver, dataflow_queue
from opencsc.dataflow.source import SourceUnavailable, ssd_source_tables


class Command(BaseCommand):
    help = "The DfE children's social care data flow: send [--full|--changes] [--ssd-dir DIR], retry, status"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        send = actions.add_parser("send", help="Queue the cohort's records and post the outbox")
        mode = send.add_mutually_exclusive_group()
        mode.add_argument(
            "--full", dest="mode", action="store_const", const="full", help="Every child, whole"
        )
        mode.add_argument(
            "--changes",
            dest="mode",
            action="store_const",
            const="changes",
            help="Only what changed (default)",
        )
        send.add_argument("--ssd-dir", help="Read the SSD tables from this extract's CSV files (ssd_*.csv)")
        actions.add_parser("retry", help="Post what is waiting now, failed sends included")
        actions.add_parser("status", help="Count the outbox and list what failed")

    def handle(self, *args, action: str, **options):
        if action == "status":
            return self._status()
        if action == "send":
            self._queue(options.get("mode") or DataflowRun.Mode.CHANGES, options.get("ssd_dir"))
        self._deliver(retry_now=action == "retry")

    def _queue(self, mode: str, ssd_dir: str | None) -> None:
        try:
            tables = read_ssd_extract(ssd_dir) if ssd_dir else ssd_source_tables()
        except (ExtractUnreadable, SourceUnavailable) as error:
            raise CommandError(str(error)) from None
        run = dataflow_queue(actor=None, mode=mode, tables=tables)
        self.stdout.write(
            f"Run {run.pk} ({run.get_mode_display().lower()}): {run.cohort} children in the cohort, "
            f"{run.queued} queued, {run.unchanged} unchanged, {run.purged} purged, {len(run.held)} held back"
        )
        for held in run.held:
            self.stdout.write(f"  held back {held['la_child_id']}: {held['problem']}")

    def _deliver(self, *, retry_now: bool) -> None:
        try:
            delivery = dataflow_deliver(actor=None, retry_now=retry_now)
        except NotConfigured as error:
            raise CommandError(
                f"{error}. Nothing was sent; the outbox keeps {len(unsent_sends())} sends."
            ) from None
        self._report(delivery)

    def _report(self, delivery: Delivery) -> None:
        self.stdout.write(f"Sent {len(delivery.sent)} batches ({delivery.records_sent} records)")
        if delivery.waiting is not None:
            send = delivery.waiting
            if send.next_attempt_at is None:
                self.stdout.write(f"Send {send.pk} is being posted by another run")
            else:
                self.stdout.write(f"Send {send.pk} waits until {send.next_attempt_at:%Y-%m-%d %H:%M:%S %Z}")
        if delivery.failed is not None:
            send = delivery.failed
            raise CommandError(
                f"Send {send.pk} (run {send.run_id} batch {send.batch}) failed on attempt {send.attempts}: "
                f"{send.last_error}. It stays in the outbox; the next run tries it after "
                f"{send.next_attempt_at:%Y-%m-%d %H:%M:%S %Z} (or now: opencsc dataflow retry)."
            )

    def _status(self) -> None:
        counts = outbox_counts()
        self.stdout.write(
            ", ".join(f"{DataflowSend.Status(status).label}: {n}" for status, n in counts.items())
        )
        for send in unsent_sends():
            self.stdout.write(
                f"  send {send.pk} run {send.run_id} batch {send.batch} {send.get_status_display().lower()}, "
                f"{len(send.records)} records, attempts {send.attempts}"
                + (f", last error: {send.last_error}" if send.last_error else "")
            )
