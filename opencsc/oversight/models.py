"""Escalations: a breach of a statutory or local timescale, raised to a named person and climbing until someone
answers for it. See `opencsc.oversight.services` for the rules; these models hold the data and its constraints."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.core.models import TimestampedModel


class Level(models.TextChoices):
    """Who holds an escalation, in the order it climbs."""

    TEAM_MANAGER = "team_manager", "Team manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    DIRECTOR = "director", "Director of children's services"
    CHIEF_EXECUTIVE = "chief_executive", "Chief executive"


LEVEL_ORDER = [Level.TEAM_MANAGER, Level.HEAD_OF_SERVICE, Level.DIRECTOR, Level.CHIEF_EXECUTIVE]


class Escalation(TimestampedModel):
    """One breach, held by one person at a time. Acknowledging stops the climb; only a recorded response
    closes it. At most one open escalation per breach subject."""

    rule_id = models.CharField(max_length=60)
    subject_key = models.CharField(
        max_length=120, help_text="Identifies the late item, for example 'cp_visit:plan:45:2026-03-02'"
    )
    child = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="escalations"
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The team holding the child (or the front door) when raised",
    )
    due_on = models.DateField()
    explanation = models.CharField(max_length=500)
    raised_on = models.DateField()
    level = models.CharField(max_length=20, choices=Level.choices)
    level_started_on = models.DateField()
    level_deadline = models.DateField(help_text="The last day to acknowledge before it climbs")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    breach_resolved_on = models.DateField(
        null=True, blank=True, help_text="The sweep date on which the late item was first found done"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.TextField(blank=True, help_text="What was done, and by whom")

    class Meta:
        ordering = ["raised_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_id", "subject_key"],
                condition=Q(closed_at__isnull=True),
                name="one_open_escalation_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | (Q(closed_by__isnull=False) & ~Q(response="")),
                name="closed_escalation_has_response",
            ),
            models.CheckConstraint(
                condition=Q(level__in=[level.value for level in LEVEL_ORDER]), name="escalation_level_known"
            ),
        ]
        indexes = [
            models.Index(fields=["closed_at", "level"], name="escalation_open_level"),
            models.Index(fields=["assigned_to", "closed_at"], name="escalation_assigned_open"),
            models.Index(fields=["rule_id", "subject_key"], name="escalation_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject_key}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class StepKind(models.TextChoices):
    RAISED = "raised", "Raised"
    CLIMBED = "climbed", "Climbed"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    BREACH_RESOLVED = "breach_resolved", "Late item done"
    BREACH_PRESENT_AGAIN = "breach_present_again", "Late item found outstanding again"
    CLOSED = "closed", "Closed with a response"


class EscalationStep(models.Model):
    """The history of an escalation: every raise, climb, acknowledgement, change in the breach and close."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=30, choices=StepKind.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the daily sweep took the step",
    )
    on = models.DateField(help_text="The sweep date, or the day the person acted")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
