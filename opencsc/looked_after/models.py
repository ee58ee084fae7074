"""Children looked after, shaped like the SSDA903 return so that the return is a projection of these rows.

An Episode is the 903's unit: a stretch in which legal status and placement are both unchanged. A new episode
starts (with its reason, RNE) whenever either changes; a period of care is the run of episodes from one that
starts with S to one that ends with a reason other than X1.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.core.models import TimestampedModel
from opencsc.looked_after.codes import (
    Accommodation,
    Activity,
    CategoryOfNeed,
    InTouch,
    LegalStatus,
    MissingKind,
    PlacementProvider,
    PlacementType,
    PreviousPermanence,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    ReasonPlacedForAdoptionCeased,
    ReasonPlacementChange,
    ReviewParticipation,
    SdqReason,
)


class EpisodeManager(models.Manager):
    def care_summary(self):
        """For templates given only the child: `child.care_episodes.care_summary()` is the selector's
        `care_summary(child)` (this works on the related manager, which knows its child)."""
        from opencsc.looked_after.selectors import care_summary

        return care_summary(self.instance)


class Episode(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="care_episodes")
    started_on = models.DateField("Date episode commenced (DECOM)")
    reason_new_episode = models.CharField("RNE", max_length=1, choices=ReasonNewEpisode.choices)
    legal_status = models.CharField("LS", max_length=2, choices=LegalStatus.choices)
    category_of_need = models.CharField("CIN", max_length=2, choices=CategoryOfNeed.choices)
    placement_type = models.CharField("PLACE", max_length=3, choices=PlacementType.choices)
    placement_provider = models.CharField(
        "PLACE_PROVIDER", max_length=3, choices=PlacementProvider.choices, blank=True
    )
    urn = models.CharField("URN of the provider", max_length=8, blank=True)
    carer_name = models.CharField("Carer or provider name", max_length=200, blank=True)
    home_postcode = models.CharField("HOME_POST", max_length=8, blank=True)
    placement_postcode = models.CharField("PL_POST", max_length=8, blank=True)
    placement_la_code = models.CharField("PL_LA", max_length=9, blank=True)
    placement_inside_authority = models.BooleanField(
        null=True, blank=True, help_text="Empty when a postcode is unknown"
    )
    distance_miles = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    ended_on = models.DateField("Date episode ceased (DEC)", null=True, blank=True)
    reason_ceased = models.CharField("REC", max_length=3, choices=ReasonEpisodeCeased.choices, blank=True)
    reason_placement_changed = models.CharField(
        "REASON_PLACE_CHANGE", max_length=6, choices=ReasonPlacementChange.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = EpisodeManager()

    class Meta:
        ordering = ["child", "started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="episode_ends_after_start",
            ),
            # REC only with DEC. Staff record both together (services check it); an imported episode that
            # ceased without its REC keeps its DEC with the reason blank, flagged on the worklist (ADR 0011).
            models.CheckConstraint(
                condition=Q(ended_on__isnull=False) | Q(reason_ceased=""),
                name="episode_reason_only_with_end_date",
            ),
            models.UniqueConstraint(
                fields=["child", "started_on", "reason_new_episode"], name="one_episode_per_child_start"
            ),
            models.UniqueConstraint(
                fields=["child"], condition=Q(ended_on__isnull=True), name="one_open_episode_per_child"
            ),
        ]
        indexes = [models.Index(fields=["started_on"]), models.Index(fields=["ended_on"])]

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def changes_placement(self) -> bool:
        return self.reason_new_episode in {"S", "P", "B", "T", "U"}


class UnaccompaniedAsylumSeeker(TimestampedModel):
    child = models.OneToOneField("people.Child", on_delete=models.CASCADE, related_name="uasc")
    ceased_on = models.DateField("Date UASC status ceased (DUC)", null=True, blank=True)


class PreviousPermanenceRecord(TimestampedModel):
    child = models.OneToOneField("people.Child", on_delete=models.CASCADE, related_name="previous_permanence")
    kind = models.CharField("PREV_PERM", max_length=2, choices=PreviousPermanence.choices)
    la_code = models.CharField("LA_PERM", max_length=3, blank=True)
    order_date = models.CharField(
        "DATE_PERM",
        max_length=10,
        blank=True,
        help_text="dd/mm/yyyy, or with zeros for an unknown day or month",
    )


class CareReview(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="care_reviews")
    held_on = models.DateField()
    participation = models.CharField("REVIEW_CODE", max_length=3, choices=ReviewParticipation.choices)
    reviewing_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["child", "held_on"]
        constraints = [models.UniqueConstraint(fields=["child", "held_on"], name="one_care_review_per_day")]


class MissingEpisode(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="missing_episodes")
    kind = models.CharField("MISSING", max_length=1, choices=MissingKind.choices)
    started_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    interview_offered_at = models.DateTimeField("Return home interview offered", null=True, blank=True)
    interview_done_at = models.DateTimeField("Return home interview done", null=True, blank=True)
    interview_declined = models.BooleanField(default=False)

    class Meta:
        ordering = ["child", "started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=models.F("started_at")),
                name="missing_returns_after_start",
            ),
        ]


class HealthCheckKind(models.TextChoices):
    INITIAL_HEALTH_ASSESSMENT = "initial_health", "Initial health assessment"
    REVIEW_HEALTH_ASSESSMENT = "review_health", "Review health assessment"
    DENTAL = "dental", "Dental check"
    IMMUNISATIONS = "immunisations", "Immunisations up to date"
    SDQ = "sdq", "Strengths and difficulties questionnaire"
    PERSONAL_EDUCATION_PLAN = "pep", "Personal education plan"
    # The rest of the 903 OC2 items: each is recorded when it happens, and the return reports 0 for a year
    # with none recorded.
    DEVELOPMENT = "development", "Development assessment (under 5)"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse problem identified"
    SUBSTANCE_INTERVENTION_OFFERED = "substance_offered", "Substance misuse intervention offered"
    SUBSTANCE_INTERVENTION_RECEIVED = "substance_received", "Substance misuse intervention received"
    CONVICTION = "conviction", "Convicted, or given a final warning or reprimand"


class HealthAndEducationCheck(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="care_checks")
    kind = models.CharField(max_length=20, choices=HealthCheckKind.choices)
    done_on = models.DateField()
    sdq_score = models.PositiveSmallIntegerField(null=True, blank=True)
    sdq_reason = models.CharField(max_length=4, choices=SdqReason.choices, blank=True)

    class Meta:
        ordering = ["child", "-done_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sdq_score__isnull=True) | Q(sdq_score__lte=40), name="sdq_score_0_40"
            )
        ]


class AdoptionMilestones(TimestampedModel):
    """One child's route to adoption: each date recorded as it happens."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="adoption_plans")
    decided_on = models.DateField("Decision that the child should be placed for adoption (DATE_INT)")
    placement_order_on = models.DateField(null=True, blank=True)
    matched_on = models.DateField("Matched with adopters (DATE_MATCH)", null=True, blank=True)
    placed_on = models.DateField("Placed for adoption", null=True, blank=True)
    adoption_order_on = models.DateField(null=True, blank=True)
    ceased_on = models.DateField("Decision no longer the plan (DATE_PLACED_CEASED)", null=True, blank=True)
    reason_ceased = models.CharField(max_length=3, choices=ReasonPlacedForAdoptionCeased.choices, blank=True)
    foster_carer_adopting = models.BooleanField(null=True)
    number_of_adopters = models.PositiveSmallIntegerField(null=True, blank=True)
    adopters_sex = models.CharField(max_length=2, blank=True, help_text="M1, F1, MM, FF or MF")
    adopters_legal_status = models.CharField(max_length=3, blank=True, help_text="L0, L11, L12, L2, L3 or L4")

    class Meta:
        ordering = ["child", "decided_on"]


class CareLeaverEligibility(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible (aged 16-17, still looked after)"
    RELEVANT = "relevant", "Relevant (aged 16-17, left care)"
    FORMER_RELEVANT = "former_relevant", "Former relevant (aged 18-25)"
    QUALIFYING = "qualifying", "Qualifying"


class CareLeaverContact(TimestampedModel):
    """A care leaver's situation as found at a contact: the 903 OC3 data is the one nearest their birthday."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="care_leaver_contacts")
    contacted_on = models.DateField()
    eligibility = models.CharField(max_length=20, choices=CareLeaverEligibility.choices)
    in_touch = models.CharField("IN_TOUCH", max_length=4, choices=InTouch.choices)
    accommodation = models.CharField(max_length=1, choices=Accommodation.choices, blank=True)
    accommodation_suitable = models.BooleanField(null=True)
    activity = models.CharField("ACTIV", max_length=2, choices=Activity.choices, blank=True)
    personal_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["child", "-contacted_on"]


class PathwayPlanReview(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="pathway_plan_reviews")
    reviewed_on = models.DateField()

    class Meta:
        ordering = ["child", "-reviewed_on"]


class IroAssignment(TimestampedModel):
    """The child's independent reviewing officer (Children Act 1989 s25A) from `started_on` until `ended_on`;
    assigning another IRO ends this one the day the next starts, so the history is kept."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="iro_assignments")
    iro = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="iro_assignments"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["child", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(ended_on__isnull=True), name="one_current_iro_per_child"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="iro_assignment_ends_after_it_starts",
            ),
        ]


class RecommendationAnswer(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DONE = "done", "Done"
    DISAGREED = "disagreed", "Disagreed"


class ReviewRecommendation(TimestampedModel):
    """A recommendation the IRO who chaired a looked-after review made, due by `due_on`, and the social worker's
    answer: accepted (still to do), done, or disagreed with the reason. `version` detects concurrent answers."""

    review = models.ForeignKey(CareReview, on_delete=models.PROTECT, related_name="recommendations")
    text = models.TextField()
    due_on = models.DateField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=RecommendationAnswer.choices, blank=True)
    reason = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["review", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(answer="disagreed") | ~Q(reason=""), name="disagreement_gives_its_reason"
            )
        ]

    @property
    def is_outstanding(self) -> bool:
        """Unanswered, or accepted and not yet done."""
        return self.answer in ("", RecommendationAnswer.ACCEPTED)


class PlacementPlanAgreement(TimestampedModel):
    """The placement plan for the placement that started on `placement_started_on` was agreed on `agreed_on`
    (Care Planning, Placement and Case Review Regulations 2010 reg 9): the date that stops its clock."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="placement_plans")
    placement_started_on = models.DateField()
    agreed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["child", "placement_started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "placement_started_on"], name="one_placement_plan_per_placement"
            )
        ]
