from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """A change made through a service: who did what to which record, from where."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    child = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    payload = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class AccessKind(models.TextChoices):
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    REFUSED = "refused", "Refused"
    LISTED = "listed", "Listed"


class RecordAccess(models.Model):
    """Every look at (or attempt to look at) a child's record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="accesses")
    kind = models.CharField(max_length=10, choices=AccessKind.choices)
    # A partner system's call through the API (opencsc/api), when it was not a member of staff.
    api_client = models.ForeignKey(
        "api.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "-at"])]


class ApiCall(models.Model):
    """Every call to the API, answered or refused: which client (None when no credentials were recognised), what
    it asked for and what it was told."""

    client = models.ForeignKey("api.ApiClient", null=True, on_delete=models.PROTECT, related_name="calls")
    key_id = models.CharField(max_length=24, blank=True)  # what was presented, when no client matched
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    query = models.CharField(max_length=300, blank=True)
    status = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=60)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"])]
