"""Allegations against people who work with children: the designated officer's (LADO's) records under Working
Together to Safeguard Children 2023 (ch. 2, "Local authority designated officer") and Keeping Children Safe in
Education, Part 4.

An allegation is about an adult (a member of staff, a volunteer, a foster carer), never a child record: the
person is named on the allegation with their employer, role and sector. The children concerned are listed by
name as the referrer gave them and, where the child has a record here, linked to it.

Each allegation moves through: referral received, initial consideration (the harm test, within one working day),
a strategy discussion where the threshold for one is met (linked to the child's own strategy discussion, which
runs the child protection route), the outcome with the date concluded, and any referral to the Disclosure and
Barring Service or a regulator. The records are restricted (ADR 0037): only the designated officer's team and
people granted access to one allegation see it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from opencsc.core.models import TimestampedModel


class Sector(models.TextChoices):
    EDUCATION = "education", "Education"
    EARLY_YEARS = "early_years", "Early years"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    SOCIAL_CARE = "social_care", "Social care"
    FOSTER_CARER = "foster_carer", "Foster carer"
    FAITH = "faith", "Faith organisation"
    SPORT = "sport", "Sport and leisure"
    VOLUNTARY = "voluntary", "Voluntary and community"
    OTHER = "other", "Other"


class HarmTest(models.TextChoices):
    """The four limbs of the harm test (Working Together 2023 ch. 2; KCSIE Part 4)."""

    HARMED = "harmed", "Behaved in a way that has harmed a child, or may have harmed a child"
    OFFENCE = "offence", "Possibly committed a criminal offence against or related to a child"
    RISK_OF_HARM = (
        "risk_of_harm",
        "Behaved towards a child in a way that indicates they may pose a risk of harm",
    )
    UNSUITABLE = (
        "unsuitable",
        "Behaved in a way that indicates they may not be suitable to work with children",
    )


class HarmCategory(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    EMOTIONAL = "emotional", "Emotional"
    SEXUAL = "sexual", "Sexual"
    NEGLECT = "neglect", "Neglect"
    CONDUCT = "conduct", "Conduct or suitability (no abuse category)"


class InitialDecision(models.TextChoices):
    STRATEGY = "strategy", "Threshold met: strategy discussion (police and children's social care)"
    EMPLOYER = "employer", "Threshold met: the employer investigates, with the designated officer's oversight"
    NOT_MET = "not_met", "Harm threshold not met: back to the employer as a low-level concern"


class Outcome(models.TextChoices):
    """The five outcomes and their definitions (KCSIE Part 4, "Outcome definitions")."""

    SUBSTANTIATED = "substantiated", "Substantiated"
    FALSE = "false", "False"
    MALICIOUS = "malicious", "Malicious"
    UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"
    UNFOUNDED = "unfounded", "Unfounded"


OUTCOME_DEFINITIONS = {
    Outcome.SUBSTANTIATED: "There is sufficient evidence to prove the allegation",
    Outcome.FALSE: "There is sufficient evidence to disprove the allegation",
    Outcome.MALICIOUS: "There is sufficient evidence to disprove the allegation and there has been a deliberate "
    "act to deceive",
    Outcome.UNSUBSTANTIATED: "There is insufficient evidence either to prove or disprove the allegation; the term "
    "does not imply guilt or innocence",
    Outcome.UNFOUNDED: "There is no evidence or proper basis which supports the allegation being made",
}


class RegulatorBody(models.TextChoices):
    DBS = "dbs", "Disclosure and Barring Service"
    TRA = "tra", "Teaching Regulation Agency"
    SOCIAL_WORK_ENGLAND = "swe", "Social Work England"
    OFSTED = "ofsted", "Ofsted"
    NMC = "nmc", "Nursing and Midwifery Council"
    GMC = "gmc", "General Medical Council"
    HCPC = "hcpc", "Health and Care Professions Council"
    OTHER = "other", "Another regulator"


class Allegation(TimestampedModel):
    received_on = models.DateField(db_index=True)
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200)
    subject_name = models.CharField("Person the allegation is about", max_length=200)
    subject_role = models.CharField("Their role", max_length=200)
    subject_employer = models.CharField("Their employer or organisation", max_length=200)
    subject_is_volunteer = models.BooleanField(default=False)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    harm_test = models.CharField(max_length=20, choices=HarmTest.choices)
    harm_category = models.CharField(max_length=20, choices=HarmCategory.choices)
    details = models.TextField("What is alleged")
    considered_on = models.DateField("Initial consideration", null=True, blank=True)
    initial_decision = models.CharField(max_length=20, choices=InitialDecision.choices, blank=True)
    strategy_held_on = models.DateField(null=True, blank=True)
    strategy_discussion = models.ForeignKey(
        "casework.StrategyDiscussion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concluded_on = models.DateField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(considered_on__isnull=True) | Q(considered_on__gte=F("received_on")),
                name="allegation_considered_after_receipt",
            ),
            models.CheckConstraint(
                condition=(Q(considered_on__isnull=True) & Q(initial_decision=""))
                | (Q(considered_on__isnull=False) & ~Q(initial_decision="")),
                name="allegation_consideration_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=F("received_on")),
                name="allegation_concluded_after_receipt",
            ),
            models.CheckConstraint(
                condition=(Q(concluded_on__isnull=True) & Q(outcome=""))
                | (Q(concluded_on__isnull=False) & ~Q(outcome="")),
                name="allegation_conclusion_has_outcome",
            ),
        ]

    @property
    def reference(self) -> str:
        return f"LADO-{self.pk:05d}"

    def __str__(self) -> str:
        return self.reference


class AllegationChild(models.Model):
    """A child the allegation concerns: the name the referrer gave and, where the child has a record, the link."""

    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.PROTECT, related_name="allegations_naming"
    )
    name_given = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(child__isnull=False) | ~Q(name_given=""), name="allegation_child_named_or_linked"
            ),
            models.UniqueConstraint(
                fields=["allegation", "child"], condition=Q(child__isnull=False), name="allegation_child_once"
            ),
        ]


class RegulatorReferral(TimestampedModel):
    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="regulator_referrals")
    body = models.CharField(max_length=10, choices=RegulatorBody.choices)
    referred_on = models.DateField()

    class Meta:
        ordering = ["referred_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["allegation", "body"], name="one_referral_per_regulator"),
        ]


class AllegationAccessGrant(models.Model):
    """Someone outside the designated officer's team allowed to read one allegation."""

    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["allegation", "user"], name="one_allegation_grant_per_user")
        ]


class AllegationAccess(models.Model):
    """Every read of an allegation, kept here rather than in a child's access log: a child's access log would
    tell its readers that the child is named in an allegation."""

    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
