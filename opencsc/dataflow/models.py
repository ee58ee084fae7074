"""The data flow's memory: what each child's record last looked like when queued, the outbox of sends, and each
run that filled it.

- `DataflowChild` is the baseline a changes-only run compares with: the record last queued for the child. The
  outbox is delivered strictly in order and a send is never dropped, so once the outbox drains the receiver holds
  exactly this baseline; `sent_hash` and `sent_at` say what the receiver has confirmed so far.
- `DataflowSend` is one batch, as posted: its records, the children and hashes in it, its status, attempts, last
  error and when it may next be tried. A failed send stays; nothing deletes a send.
- `DataflowRun` is one `send --full|--changes`: how many children were in the cohort, queued, unchanged or purged,
  and the children held back because their record broke the schema (named by la_child_id only).
"""

from django.conf import settings
from django.db import models


class DataflowRun(models.Model):
    class Mode(models.TextChoices):
        FULL = "full", "Full"
        CHANGES = "changes", "Changes only"

    mode = models.CharField(max_length=10, choices=Mode.choices)
    started_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    cohort = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    purged = models.PositiveIntegerField(default=0)
    held = models.JSONField(default=list, blank=True)  # [{"la_child_id": ..., "problem": ...}]

    class Meta:
        ordering = ["-pk"]


class DataflowChild(models.Model):
    la_child_id = models.CharField(max_length=36, unique=True)
    payload = models.JSONField()
    payload_hash = models.CharField(max_length=64)
    purged = models.BooleanField(default=False)
    queued_at = models.DateTimeField()
    sent_hash = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)


class DataflowSend(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        FAILED = "failed", "Failed, to be retried"
        SENT = "sent", "Sent"

    run = models.ForeignKey(DataflowRun, on_delete=models.PROTECT, related_name="sends")
    batch = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    records = models.JSONField()  # the list posted, as posted
    hashes = models.JSONField()  # {la_child_id: hash of the full record, "" for a purge}
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)  # a delivery run is posting it
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    receipts = models.JSONField(default=list, blank=True)  # the receiver's reference for each record

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "id"])]

    @property
    def children(self) -> int:
        return len(self.hashes)
