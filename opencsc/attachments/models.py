"""Files attached to a child's record or to one of the child's practice documents: reports from other agencies,
court papers, letters received and sent, photographs.

An attachment always belongs to a child (whose access rules decide who may see it); `document` says which practice
document it belongs to, if any. The file itself is in the "attachments" storage under a random name; the name it
was given, its checked type, size and SHA-256 are kept here. Attachments are not edited: a wrong file is removed
(with the reason), and the removal keeps the row for the record while the file stops being served.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.attachments.storage import attachment_storage, stored_name


class AttachmentCategory(models.TextChoices):
    REPORT = "report", "Report from another agency"
    COURT = "court", "Court papers"
    LETTER_RECEIVED = "letter_received", "Letter or email received"
    LETTER_SENT = "letter_sent", "Letter sent"
    PHOTO = "photo", "Photograph"
    HEALTH = "health", "Health record"
    EDUCATION = "education", "Education record"
    CONSENT = "consent", "Consent or agreement"
    OTHER = "other", "Other"


DESCRIPTION_MAX_CHARACTERS = 300
NAME_MAX_CHARACTERS = 200


class Attachment(models.Model):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="attachments")
    document = models.ForeignKey(
        "documents.PracticeDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    category = models.CharField(max_length=20, choices=AttachmentCategory.choices)
    description = models.CharField(max_length=DESCRIPTION_MAX_CHARACTERS)
    file = models.FileField(storage=attachment_storage, upload_to=stored_name, max_length=200)
    original_name = models.CharField(max_length=NAME_MAX_CHARACTERS)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_reason = models.CharField(max_length=DESCRIPTION_MAX_CHARACTERS, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["child", "-uploaded_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removal_reason=""),
                name="attachment_removal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_category_display()})"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def size_in_words(self) -> str:
        if self.size < 1024:
            return f"{self.size} bytes"
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.0f} KB"
        return f"{self.size / (1024 * 1024):.1f} MB"
