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


class Assessment(TimestampedModel):
    """A child and family assessment. The clock runs 45 working days from the referral."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="assessments")
    referral = models.ForeignKey(
        "frontdoor.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    started_on = models.DateField()
    authorised_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(authorised_on__isnull=True) | Q(authorised_on__gte=models.F("started_on")),
                name="assessment_authorised_after_start",
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.authorised_on is None and self.closed_on is None


class CaseType(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    LOOKED_AFTER = "looked_after", "Looked after"
    CARE_LEAVER = "care_leaver", "Care leaver"
    OTHER = "other", "Other"


DEFAULT_CASE_WEIGHTS = {
    CaseType.ASSESSMENT: 1.0,
    CaseType.CHILD_IN_NEED: 1.0,
    CaseType.CHILD_PROTECTION: 1.5,
    CaseType.LOOKED_AFTER: 1.5,
    CaseType.CARE_LEAVER: 0.75,
    CaseType.OTHER: 0.5,
}
DEFAULT_WEIGHTED_LIMIT_PER_FTE = 18.0


class CaseloadPolicy(models.Model):
    """How heavy each kind of case counts and how much weighted load one full-time worker should carry.
    One row; absent means the defaults above."""

    weights = models.JSONField(default=dict, help_text="Case type to weight; missing types take the default")
    weighted_limit_per_fte = models.DecimalField(
        max_digits=5, decimal_places=2, default=DEFAULT_WEIGHTED_LIMIT_PER_FTE
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    def weight_for(self, case_type: str) -> float:
        return float(self.weights.get(case_type, DEFAULT_CASE_WEIGHTS.get(case_type, 1.0)))
