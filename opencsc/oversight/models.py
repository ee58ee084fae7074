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


class OverdueFindings(models.Model):
    """What the daily sweep found overdue on its date, by clock (`opencsc.oversight.findings`, ADR 0032): for
    each rule id, the child of each overdue item (None for a contact not yet matched to a child), in the order
    the finders gave them. One row a day; a second sweep on the same day replaces it."""

    on = models.DateField(unique=True)
    overdue = models.JSONField()
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["on"]

    def __str__(self) -> str:
        return f"Overdue on {self.on}"


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


# The improvement plan ---------------------------------------------------------------------------------------


class Judgement(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


class Theme(models.TextChoices):
    """What a recommendation is about, so the board can see progress by area."""

    ALLOCATION = "allocation", "Allocation of children in need of protection"
    RECORDS = "records", "Quality of case records and assessments"
    TIMELINESS = "timeliness", "Timeliness"
    FRONT_DOOR = "front_door", "Front door demand"
    WORKFORCE = "workforce", "Workforce stability"
    PLACEMENTS = "placements", "Placements and sufficiency"
    LEADERSHIP = "leadership", "Leadership and management oversight"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"


class Inspection(TimestampedModel):
    """An Ofsted inspection whose recommendations the improvement plan answers."""

    title = models.CharField(max_length=200)
    inspected_from = models.DateField()
    inspected_to = models.DateField()
    published_on = models.DateField()
    overall_judgement = models.CharField(max_length=30, choices=Judgement.choices)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspected_to__gte=models.F("inspected_from")), name="inspection_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(published_on__gte=models.F("inspected_to")), name="inspection_published_after"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Recommendation(TimestampedModel):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    theme = models.CharField(max_length=20, choices=Theme.choices)
    kpi_ids = models.JSONField(
        default=list, blank=True, help_text="The ids of the KPIs (design.md) that show progress"
    )

    class Meta:
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="one_recommendation_number"),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class ImprovementAction(TimestampedModel):
    """One action in the plan. Its status history is kept in ActionStatusChange, so the plan can be shown as
    it stood on the day of any board meeting; `status` is the latest."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["recommendation", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=ActionStatus.COMPLETE) & Q(completed_on__isnull=False))
                | (~Q(status=ActionStatus.COMPLETE) & Q(completed_on__isnull=True)),
                name="action_completed_on_iff_complete",
            ),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_known"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due")]

    def __str__(self) -> str:
        return self.description[:60]


class ActionStatusChange(models.Model):
    """A status the action took on a day (the first row is its status when added)."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["action", "on"], name="action_status_on")]


class ActionEvidence(models.Model):
    """What shows the action is happening: a note, the day it refers to and who wrote it."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="evidence")
    note = models.TextField()
    recorded_on = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_on", "id"]
