"""Early help: an episode of help for a child below the threshold of children's social care, its assessment,
the lead professional who coordinates it (often at a school or in health, not the council) and the meetings of
the team around the family that review it. An episode is opened directly, from the front door, or by a step-down
from social care (`stepped_down_from`, the CIN episode closed to early help); it closes with an outcome, one of
which is a step-up to social care (`stepped_up_contact`, the front-door contact it made).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from opencsc.core.models import TimestampedModel


class LeadOrganisation(models.TextChoices):
    SCHOOL = "school", "School or college"
    EARLY_YEARS = "early_years", "Nursery or children's centre"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SCHOOL_NURSING = "school_nursing", "School nursing"
    OTHER_HEALTH = "other_health", "Other health service"
    COUNCIL_EARLY_HELP = "council_early_help", "The council's early help service"
    VOLUNTARY = "voluntary", "Voluntary or community organisation"
    OTHER = "other", "Other"


class EpisodeStart(models.TextChoices):
    REQUEST = "request", "Request for early help (family or a partner)"
    FRONT_DOOR = "front_door", "Front door decision"
    STEP_DOWN = "step_down", "Step-down from children's social care"


class EpisodeEnd(models.TextChoices):
    OUTCOMES_MET = "outcomes_met", "Outcomes met"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    FAMILY_WITHDREW = "family_withdrew", "Family withdrew consent"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    OTHER_SERVICE = "other_service", "Needs met by another service"


class EarlyHelpEpisode(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="early_help_episodes")
    started_on = models.DateField(db_index=True)
    started_by = models.CharField(max_length=20, choices=EpisodeStart.choices)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EpisodeEnd.choices, blank=True)
    lead_name = models.CharField("Lead professional", max_length=200)
    lead_role = models.CharField("Lead professional's role", max_length=200, blank=True)
    lead_organisation_kind = models.CharField(max_length=30, choices=LeadOrganisation.choices)
    lead_organisation = models.CharField("Lead professional's organisation", max_length=200)
    lead_email = models.EmailField("Lead professional's email", blank=True)
    lead_phone = models.CharField("Lead professional's phone", max_length=40, blank=True)
    stepped_down_from = models.OneToOneField(
        "frontdoor.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="step_down"
    )
    stepped_up_contact = models.OneToOneField(
        "frontdoor.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="step_up"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="early_help_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(end_reason=""))
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="early_help_end_has_reason",
            ),
            models.UniqueConstraint(
                fields=["child"], condition=Q(ended_on__isnull=True), name="one_open_early_help_episode"
            ),
        ]

    def __str__(self) -> str:
        return f"Early help from {self.started_on:%d/%m/%Y}"


class EarlyHelpAssessment(TimestampedModel):
    """The early help assessment of an episode (Ofsted Annex A list 2)."""

    episode = models.OneToOneField(EarlyHelpEpisode, on_delete=models.CASCADE, related_name="assessment")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="early_help_assessments")
    started_on = models.DateField(db_index=True)
    completed_on = models.DateField(null=True, blank=True)
    organisation = models.CharField("Organisation completing the assessment", max_length=200)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                name="early_help_assessment_completes_after_start",
            )
        ]


class TeamAroundFamilyReview(TimestampedModel):
    """A meeting of the team around the family that reviews the plan."""

    episode = models.ForeignKey(EarlyHelpEpisode, on_delete=models.CASCADE, related_name="reviews")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "held_on"], name="one_family_review_per_day")
        ]
