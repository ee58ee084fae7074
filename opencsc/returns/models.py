from django.conf import settings
from django.db import models


class Severity(models.TextChoices):
    ERROR = "error", "Error"
    QUERY = "query", "Query"


class ValidationRun(models.Model):
    """One check of a return against the DfE rules: what was checked, when, by whom, and the counts."""

    kind = models.CharField(max_length=20)  # "cin", "903", ...
    year = models.PositiveSmallIntegerField(help_text="Collection year Y: 1 April Y-1 to 31 March Y")
    source = models.CharField(max_length=300, help_text="The file checked")
    run_at = models.DateTimeField(auto_now_add=True, db_index=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error_count = models.PositiveIntegerField(default=0)
    query_count = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-run_at", "-id"]
        indexes = [models.Index(fields=["kind", "-run_at"])]


class ValidationFinding(models.Model):
    """A rule a child's record (or the whole return) breaks: one line of the data-quality worklist."""

    run = models.ForeignKey(ValidationRun, on_delete=models.CASCADE, related_name="findings")
    child = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="return_findings"
    )
    la_child_id = models.CharField("LA child ID", max_length=40, blank=True)
    rule = models.CharField(max_length=20)
    severity = models.CharField(max_length=5, choices=Severity.choices)
    message = models.TextField()
    fields = models.TextField(blank=True, help_text="The fields the rule names, with their values")

    class Meta:
        ordering = ["severity", "rule", "la_child_id", "id"]
        indexes = [models.Index(fields=["run", "severity", "rule"])]
