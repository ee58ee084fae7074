from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.core.codes import PrimaryNeed, ReasonForClosure, ReferralSource
from opencsc.core.models import TimestampedModel


class Channel(models.TextChoices):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    PARTNER_FORM = "partner_form", "Online referral form"
    POLICE_NOTIFICATION = "police_notification", "Police protection notice"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"
    EARLY_HELP = "early_help", "Step-up from early help"


class Rag(models.TextChoices):
    RED = "red", "Red: immediate risk, decide today"
    AMBER = "amber", "Amber: decide within the working day"
    GREEN = "green", "Green: no immediate risk"


class Decision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE = "advice", "Advice and information"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Referral to children's social care for assessment"
    STRATEGY_DISCUSSION = "strategy", "Strategy discussion (possible significant harm)"


REFERRAL_DECISIONS = {Decision.ASSESSMENT, Decision.STRATEGY_DISCUSSION}
REFERRAL_ROUTE_CHOICES = [(d.value, d.label) for d in (Decision.ASSESSMENT, Decision.STRATEGY_DISCUSSION)]


class ContactStatus(models.TextChoices):
    AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
    AWAITING_DECISION = "awaiting_decision", "Triaged, awaiting decision"
    DECIDED = "decided", "Decided"


class Contact(TimestampedModel):
    """Anything that reaches the front door about one or more children: a call, an email, a partner's form."""

    reference = models.CharField(max_length=20, unique=True)
    received_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=30, choices=Channel.choices)
    source = models.CharField("Referral source", max_length=2, choices=ReferralSource.choices, db_index=True)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    concerns = models.TextField()
    parents_aware = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=ContactStatus.choices, default=ContactStatus.AWAITING_TRIAGE
    )
    decision_due_on = models.DateField(db_index=True)
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    referrer_acknowledged_at = models.DateTimeField(null=True, blank=True)
    referrer_told_decision_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["decision_due_on", "received_at"]
        indexes = [
            models.Index(fields=["status", "decision_due_on"]),
            models.Index(fields=["received_at", "source"], name="contact_received_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="decided") | (Q(decided_at__isnull=False) & ~Q(decision="")),
                name="decided_contact_has_decision",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class ContactChild(models.Model):
    """A child named in a contact: matched to a record, or as the referrer described them until matched."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="subjects")
    child = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    given_first_name = models.CharField(max_length=100, blank=True)
    given_last_name = models.CharField(max_length=100, blank=True)
    given_date_of_birth = models.DateField(null=True, blank=True)
    given_address = models.CharField(max_length=300, blank=True)
    given_postcode = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "child"], condition=Q(child__isnull=False), name="child_once_per_contact"
            )
        ]

    @property
    def given_name(self) -> str:
        return f"{self.given_first_name} {self.given_last_name}".strip()


class Agency(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    OTHER = "other", "Other"


class PartnerCheck(TimestampedModel):
    """A request for information to a partner agency during triage, and its answer."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="checks")
    agency = models.CharField(max_length=30, choices=Agency.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)


class Referral(TimestampedModel):
    """A contact accepted by children's social care for a child: the CIN census referral."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="referrals")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    referral_date = models.DateField(db_index=True)
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    route = models.CharField(max_length=20, choices=REFERRAL_ROUTE_CHOICES)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    is_nfa = models.BooleanField("No further action", default=False)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ReasonForClosure.choices, blank=True)

    class Meta:
        ordering = ["-referral_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "referral_date"], name="one_referral_per_child_per_day"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("referral_date")),
                name="referral_closes_after_it_starts",
            ),
        ]


class PartnerSubmission(models.Model):
    """One accepted submission of the public partner form, kept to refuse floods from one address or referrer.
    Spam-trap hits are not kept one row each: they are counted by day (SpamTrapDay)."""

    ip_address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    accepted = models.BooleanField()
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


class SpamTrapDay(models.Model):
    """How many submissions of the partner form filled the hidden spam trap on one day."""

    day = models.DateField(unique=True)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]


class DemandAlert(TimestampedModel):
    """A source's contacts ran well above the same months a year earlier. Raised to the head of service and
    open until someone records what is being done about it."""

    source_group = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    recent_count = models.PositiveIntegerField()
    baseline_count = models.PositiveIntegerField()
    increase_percent = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, help_text="Empty when the same months last year had none"
    )
    raised_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_end", "source_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_group", "period_end"], name="one_alert_per_source_per_period"
            )
        ]
