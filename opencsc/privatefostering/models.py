"""Private fostering (Children Act 1989 Part 9; the Children (Private Arrangements for Fostering) Regulations
2005): a child under 16 (18 if disabled) cared for and housed for 28 days or more by someone who is not a parent,
a person with parental responsibility or a relative. One `PrivateFosteringArrangement` runs from the notification
to the end of the arrangement: who notified, the carer and household, the proposed or actual start (an
arrangement notified after it began was notified late), the assessment's decision (suitable; suitable with
requirements, Sch 8 para 6; unsuitable, a prohibition under s69) and the end (date and reason). Each visit of an
officer (the first under reg 4 or 7, the statutory visits under reg 8) is a `PrivateFosteringVisit`.

A privately fostered child is not looked after (Sch 8 para 1): nothing here writes a period of care.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from opencsc.core.models import TimestampedModel


class Notifier(models.TextChoices):
    PARENT = "parent", "A parent or person with parental responsibility"
    CARER = "carer", "The private foster carer"
    SCHOOL = "school", "School or college"
    HEALTH = "health", "Health"
    OTHER_AGENCY = "other_agency", "Another agency"
    OTHER = "other", "Someone else"


class Decision(models.TextChoices):
    SUITABLE = "suitable", "Suitable"
    SUITABLE_WITH_REQUIREMENTS = "requirements", "Suitable with requirements (Sch 8 para 6)"
    UNSUITABLE = "prohibited", "Unsuitable: prohibition imposed (s69)"


class ArrangementEnd(models.TextChoices):
    RETURNED_HOME = "returned_home", "Returned to a parent or person with parental responsibility"
    TO_RELATIVE = "to_relative", "Moved to live with a relative"
    LOOKED_AFTER = "looked_after", "Became looked after"
    AGED_OUT = "aged_out", "Reached 16 (18 if disabled)"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    PROHIBITED = "prohibited", "Ended by the prohibition"
    NEVER_STARTED = "never_started", "The proposed arrangement did not go ahead"
    OTHER = "other", "Other"


class VisitKind(models.TextChoices):
    FIRST = "first", "First visit (reg 4 or 7)"
    STATUTORY = "statutory", "Statutory visit (reg 8(1))"
    REQUESTED = "requested", "Visit on request (reg 8(2))"


class PrivateFosteringArrangement(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="private_fostering")
    notified_on = models.DateField("Date the notification was received", db_index=True)
    notified_by = models.CharField(max_length=20, choices=Notifier.choices)
    notifier_name = models.CharField("Who notified", max_length=200)
    carer_name = models.CharField("Private foster carer", max_length=200)
    carer_address = models.CharField("Carer's address", max_length=300)
    household = models.TextField("Others in the carer's household", blank=True)
    starts_on = models.DateField("Date the arrangement began or is to begin")
    child_is_disabled = models.BooleanField(default=False)
    decided_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_detail = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=ArrangementEnd.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-notified_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("notified_on")),
                name="private_fostering_ends_after_notification",
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(end_reason=""))
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="private_fostering_end_has_reason",
            ),
            models.CheckConstraint(
                condition=(Q(decided_on__isnull=True) & Q(decision=""))
                | (Q(decided_on__isnull=False) & ~Q(decision="")),
                name="private_fostering_decision_is_dated",
            ),
            models.UniqueConstraint(
                fields=["child"], condition=Q(ended_on__isnull=True), name="one_open_private_fostering"
            ),
        ]

    def __str__(self) -> str:
        return f"Private fostering with {self.carer_name}, notified {self.notified_on:%d/%m/%Y}"

    @property
    def notified_late(self) -> bool:
        """Notified after the arrangement began (reg 3 asks for notice before it begins)."""
        return self.starts_on < self.notified_on

    @property
    def deemed_start(self):
        """The day the arrangement counts from for the reg 8 visits: when it began, or, if the authority
        learned of it later, the notification (reg 8(6))."""
        return max(self.starts_on, self.notified_on)


class PrivateFosteringVisit(TimestampedModel):
    arrangement = models.ForeignKey(
        PrivateFosteringArrangement, on_delete=models.CASCADE, related_name="visits"
    )
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField()
    kind = models.CharField(max_length=20, choices=VisitKind.choices)
    seen_alone = models.BooleanField("The child was seen alone")
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "visited_on"], name="one_private_fostering_visit_a_day"
            )
        ]
