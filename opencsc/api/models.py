"""API clients: one per partner system or reporting tool, with its own hashed secret, scopes and rate limit."""

from django.conf import settings
from django.db import models

from opencsc.core.models import TimestampedModel


class Scope(models.TextChoices):
    CPIS_LOOKUP = "cpis.lookup", "Child protection information sharing lookup by NHS number"
    REPORTING_AGGREGATES = "reporting.aggregates", "Reporting: KPIs and counts"
    REPORTING_RECORDS = "reporting.records", "Reporting: child-level records"


class ApiClient(TimestampedModel):
    """A partner system's credentials. The secret is shown once, when made, and only its hash is kept."""

    name = models.CharField(max_length=120, unique=True)
    organisation = models.CharField(max_length=200)
    contact_email = models.EmailField(max_length=254)
    key_id = models.CharField(max_length=24, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    rate_limit_per_minute = models.PositiveIntegerField(default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> list[str]:
        return [Scope(scope).label for scope in self.scopes if scope in Scope.values]


class RateWindow(models.Model):
    """Calls one client made in one fixed window (a minute): the row is locked while a call is counted, so two
    processes count one by one."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "window_start"], name="api_rate_window_unique")
        ]
