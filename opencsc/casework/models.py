from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.core.models import TimestampedModel


class Allocation(TimestampedModel):
    """A period in which a worker holds a child's case. One open allocation per child at a time."""

    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="allocations")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(ended_on__isnull=True), name="one_open_allocation_per_child"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="allocation_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["worker", "ended_on"])]


class NoteType(models.TextChoices):
    VISIT = "visit", "Visit"
    PHONE_CALL = "phone_call", "Phone call"
    MEETING = "meeting", "Meeting"
    OFFICE_VISIT = "office_visit", "Office visit"
    SUPERVISION = "supervision", "Supervision"
    MANAGEMENT_OVERSIGHT = "management_oversight", "Management oversight"
    CORRESPONDENCE = "correspondence", "Letter or email"
    DIRECT_WORK = "direct_work", "Direct work with the child"
    CASE_NOTE = "case_note", "Other case note"


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class CaseNote(TimestampedModel):
    note_type = models.CharField(max_length=30, choices=NoteType.choices)
    children = models.ManyToManyField("people.Child", related_name="case_notes")
    title = models.CharField(max_length=200)
    body = models.TextField()
    event_on = models.DateField(help_text="When the visit, call or meeting happened")
    event_time = models.TimeField(null=True, blank=True)
    child_seen = models.BooleanField(null=True)
    child_seen_alone = models.BooleanField(null=True)
    bedroom_seen = models.BooleanField(null=True)
    not_seen_alone_reason = models.CharField(max_length=300, blank=True)
    is_significant = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_notes")
    finalised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-event_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(finalised_at__isnull=False),
                name="final_note_has_finalised_at",
            )
        ]

    @property
    def is_final(self) -> bool:
        return self.status == NoteStatus.FINAL

    @property
    def recording_lag_days(self) -> int | None:
        """Calendar days between the event and the note being finalised."""
        if not self.finalised_at:
            return None
        from django.utils import timezone

        return (timezone.localtime(self.finalised_at).date() - self.event_on).days


class CaseNoteAmendment(models.Model):
    """A change to a finalised note. Keeps the text as it stood before, so history is never lost."""

    note = models.ForeignKey(CaseNote, on_delete=models.CASCADE, related_name="amendments")
    revision = models.PositiveIntegerField()
    reason = models.CharField(max_length=500)
    previous = models.JSONField(help_text="The note's fields as they stood before this amendment")
    changed_fields = models.JSONField(default=list)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revision"]
        constraints = [
            models.UniqueConstraint(fields=["note", "revision"], name="one_amendment_per_revision")
        ]


class ChronologyCategory(models.TextChoices):
    RECORD = "record", "Record"
    CONTACT = "contact", "Contact or referral"
    ASSESSMENT = "assessment", "Assessment"
    PROTECTION = "protection", "Child protection"
    CARE = "care", "Care and placements"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    FAMILY = "family", "Family and household"
    POLICE = "police", "Police or offending"
    ALLOCATION = "allocation", "Allocation"
    CASE_NOTE = "case_note", "Case note"
    ALERT = "alert", "Alert"
    OTHER = "other", "Other"


class ChronologyEntry(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="chronology")
    occurred_on = models.DateField()
    category = models.CharField(max_length=20, choices=ChronologyCategory.choices)
    summary = models.CharField(max_length=500)
    is_significant = models.BooleanField(default=True)
    is_manual = models.BooleanField(default=False)
    source_key = models.CharField(
        max_length=80, blank=True, help_text="Identifies the system event that wrote this entry"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "source_key"], condition=~Q(source_key=""), name="one_entry_per_source_event"
            )
        ]
