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
    # Why the case came to this worker, as the SSDA903's SW_REASON code, when it was recorded that way (an
    # imported return); blank means it is read from how the previous allocation ended.
    change_reason = models.CharField(max_length=6, blank=True)

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
    OVERSIGHT = "oversight", "Management oversight"
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


class AssessmentFactor(models.TextChoices):
    """Factors identified at assessment (CIN census, rule 8897Q)."""

    F1A = "1A", "Alcohol misuse: concern about the child"
    F1B = "1B", "Alcohol misuse: concern about a parent or carer"
    F1C = "1C", "Alcohol misuse: concern about another person in the household"
    F2A = "2A", "Drug misuse: concern about the child"
    F2B = "2B", "Drug misuse: concern about a parent or carer"
    F2C = "2C", "Drug misuse: concern about another person in the household"
    F3A = "3A", "Domestic abuse: concern about the child"
    F3B = "3B", "Domestic abuse: concern about a parent or carer"
    F3C = "3C", "Domestic abuse: concern about another person in the household"
    F4A = "4A", "Mental health: concern about the child"
    F4B = "4B", "Mental health: concern about a parent or carer"
    F4C = "4C", "Mental health: concern about another person in the household"
    F5A = "5A", "Learning disability: concern about the child"
    F5B = "5B", "Learning disability: concern about a parent or carer"
    F5C = "5C", "Learning disability: concern about another person in the household"
    F6A = "6A", "Physical disability or illness: concern about the child"
    F6B = "6B", "Physical disability or illness: concern about a parent or carer"
    F6C = "6C", "Physical disability or illness: concern about another person in the household"
    F7A = "7A", "Young carer"
    F8B = "8B", "Privately fostered: overseas, intends to return"
    F8C = "8C", "Privately fostered: overseas, intends to stay"
    F8D = "8D", "Privately fostered: UK, educational placement"
    F8E = "8E", "Privately fostered: UK, alternative family arrangements"
    F8F = "8F", "Privately fostered: other"
    F9A = "9A", "Unaccompanied asylum-seeking child"
    F10A = "10A", "Going or being missing"
    F11A = "11A", "Child sexual exploitation"
    F12A = "12A", "Trafficking"
    F13A = "13A", "Gangs"
    F14A = "14A", "Socially unacceptable behaviour"
    F15A = "15A", "Self-harm"
    F16A = "16A", "Neglect"
    F17A = "17A", "Emotional abuse"
    F18B = "18B", "Physical abuse: child on child"
    F18C = "18C", "Physical abuse: adult on child"
    F19B = "19B", "Sexual abuse: child on child"
    F19C = "19C", "Sexual abuse: adult on child"
    F20 = "20", "Other"
    F21 = "21", "No factors identified"
    F22A = "22A", "Female genital mutilation"
    F23A = "23A", "Abuse linked to faith or belief"
    F24A = "24A", "Child criminal exploitation"


class AssessmentOutcome(models.TextChoices):
    SUPPORT_REQUIRED = "support", "Children's social care support required"
    NO_FURTHER_ACTION = "nfa", "No further action"
    EARLY_HELP = "early_help", "Step down to early help"


class Assessment(TimestampedModel):
    """A child and family assessment. The clock runs 45 working days from the referral."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="assessments")
    referral = models.ForeignKey(
        "frontdoor.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField()
    child_seen_on = models.DateField(null=True, blank=True)
    factors = models.JSONField(default=list, blank=True, help_text="DfE assessment factor codes")
    outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices, blank=True)
    completed_on = models.DateField(
        null=True, blank=True, help_text="When the worker submitted it for sign-off"
    )
    authorised_on = models.DateField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

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


class StrategyDiscussion(TimestampedModel):
    """A strategy discussion (meeting or calls) with police and health about possible significant harm."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="strategy_discussions")
    referral = models.ForeignKey(
        "frontdoor.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="strategy_discussions",
    )
    held_on = models.DateField()
    attendees = models.CharField(max_length=500, blank=True)
    section_47_agreed = models.BooleanField()
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]


class Section47Outcome(models.TextChoices):
    CONCERNS_SUBSTANTIATED_ICPC = "icpc", "Concerns substantiated: initial conference needed"
    CONCERNS_SUBSTANTIATED_NO_ICPC = (
        "no_icpc",
        "Concerns substantiated, child not at continuing risk: no conference",
    )
    NOT_SUBSTANTIATED = "not_substantiated", "Concerns not substantiated"


class Section47Enquiry(TimestampedModel):
    """A section 47 enquiry, started by the strategy discussion that starts the initial-conference clock."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="section_47s")
    referral = models.ForeignKey(
        "frontdoor.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="section_47s"
    )
    strategy_discussion = models.ForeignKey(
        StrategyDiscussion, null=True, blank=True, on_delete=models.PROTECT, related_name="section_47s"
    )
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Section47Outcome.choices, blank=True)
    icpc_not_required = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=models.F("started_on")),
                name="s47_completed_after_start",
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.completed_on is None


class CategoryOfAbuse(models.TextChoices):
    NEGLECT = "NEG", "Neglect"
    PHYSICAL = "PHY", "Physical abuse"
    SEXUAL = "SAB", "Sexual abuse"
    EMOTIONAL = "EMO", "Emotional abuse"
    MULTIPLE = "MUL", "Multiple"


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial child protection conference"
    REVIEW = "review", "Review child protection conference"


class ChildProtectionConference(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="conferences")
    kind = models.CharField(max_length=10, choices=ConferenceKind.choices)
    section_47 = models.ForeignKey(
        Section47Enquiry, null=True, blank=True, on_delete=models.PROTECT, related_name="conferences"
    )
    plan = models.ForeignKey(
        "ChildProtectionPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    held_on = models.DateField()
    plan_decided = models.BooleanField(help_text="Initial: a plan was made. Review: the plan continues.")
    category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices, blank=True)
    chair = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]


class ChildProtectionPlan(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="protection_plans")
    referral = models.ForeignKey(
        "frontdoor.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="protection_plans"
    )
    initial_conference = models.ForeignKey(
        ChildProtectionConference, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    initial_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    latest_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    previous_plans = models.PositiveSmallIntegerField(default=0, help_text="Plans before this one, anywhere")

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="cp_plan_ends_after_start",
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class CoreGroupMeeting(TimestampedModel):
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.PROTECT, related_name="core_groups")
    held_on = models.DateField()

    class Meta:
        ordering = ["held_on"]


class ChildInNeedPlan(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="cin_plans")
    referral = models.ForeignKey(
        "frontdoor.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="cin_plans"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="cin_plan_ends_after_start",
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class ChildInNeedReview(TimestampedModel):
    plan = models.ForeignKey(ChildInNeedPlan, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField()

    class Meta:
        ordering = ["held_on"]


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
