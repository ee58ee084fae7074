"""Pre-proceedings (the Public Law Outline) and care proceedings: the legal gateway or planning meeting, the
letter before proceedings and the pre-proceedings meeting, the issue of proceedings, its hearings, extensions of
the 26-week timetable and the orders the court makes.

One open pre-proceedings and one open set of proceedings per child at a time (database constraints). An order
carries the SSDA903 legal status it confers (`ORDER_LEGAL_STATUS`): the services change a looked-after child's
legal status when the order is made, so the 903 LS codes come from the orders.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.core.models import TimestampedModel


class GatewayDecision(models.TextChoices):
    PRE_PROCEEDINGS = "pre_proceedings", "Start pre-proceedings (letter before proceedings)"
    ISSUE = "issue", "Issue care proceedings"
    NOT_MET = "not_met", "Threshold not met: continue with the current plan"


class PreProceedingsOutcome(models.TextChoices):
    STEPPED_DOWN = "stepped_down", "Concerns reduced: pre-proceedings ended"
    PROCEEDINGS = "proceedings", "Care proceedings issued"
    OTHER = "other", "Ended for another reason"


class HearingKind(models.TextChoices):
    CMH = "cmh", "Case management hearing"
    FURTHER_CMH = "further_cmh", "Further case management hearing"
    INTERIM = "interim", "Interim order hearing"
    IRH = "irh", "Issues resolution hearing"
    FINAL = "final", "Final hearing"
    OTHER = "other", "Other hearing"


class OrderKind(models.TextChoices):
    INTERIM_CARE = "interim_care", "Interim care order"
    CARE = "care", "Care order"
    INTERIM_SUPERVISION = "interim_supervision", "Interim supervision order"
    SUPERVISION = "supervision", "Supervision order"
    PLACEMENT = "placement", "Placement order"
    INTERIM_CHILD_ARRANGEMENTS = "interim_child_arrangements", "Interim child arrangements order"
    CHILD_ARRANGEMENTS = "child_arrangements", "Child arrangements order"
    SPECIAL_GUARDIANSHIP = "special_guardianship", "Special guardianship order"


# The SSDA903 legal status an order confers on a looked-after child (the 903 guide's LS list). The other orders
# do not make a child looked after.
ORDER_LEGAL_STATUS = {OrderKind.INTERIM_CARE: "C1", OrderKind.CARE: "C2", OrderKind.PLACEMENT: "E1"}
INTERIM_ORDERS = {
    OrderKind.INTERIM_CARE,
    OrderKind.INTERIM_SUPERVISION,
    OrderKind.INTERIM_CHILD_ARRANGEMENTS,
}
# A final order ends the interim orders it replaces.
REPLACES = {
    OrderKind.CARE: INTERIM_ORDERS,
    OrderKind.SUPERVISION: INTERIM_ORDERS,
    OrderKind.SPECIAL_GUARDIANSHIP: INTERIM_ORDERS,
    OrderKind.CHILD_ARRANGEMENTS: INTERIM_ORDERS,
    OrderKind.PLACEMENT: INTERIM_ORDERS,
}


class LegalGatewayMeeting(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="legal_gateway_meetings")
    held_on = models.DateField("Date of the legal gateway or planning meeting")
    decision = models.CharField(max_length=20, choices=GatewayDecision.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["child", "held_on", "id"]


class PreProceedings(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="pre_proceedings")
    gateway = models.OneToOneField(
        LegalGatewayMeeting, on_delete=models.PROTECT, related_name="pre_proceedings"
    )
    started_on = models.DateField()
    letter_sent_on = models.DateField("Letter before proceedings sent", null=True, blank=True)
    meeting_held_on = models.DateField("Pre-proceedings meeting held", null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=PreProceedingsOutcome.choices, blank=True)

    class Meta:
        ordering = ["child", "started_on", "id"]
        verbose_name_plural = "pre-proceedings"
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(ended_on__isnull=True),
                name="one_open_pre_proceedings_per_child",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(outcome__gt=""), name="pre_proceedings_end_has_outcome"
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class CareProceedings(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="care_proceedings")
    gateway = models.ForeignKey(
        LegalGatewayMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="proceedings"
    )
    issued_on = models.DateField("Date proceedings were issued")
    case_number = models.CharField("Court case number", max_length=40, blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["child", "issued_on", "id"]
        verbose_name_plural = "care proceedings"
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(concluded_on__isnull=True),
                name="one_open_proceedings_per_child",
            ),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=models.F("issued_on")),
                name="proceedings_conclude_after_issue",
            ),
        ]
        indexes = [models.Index(fields=["concluded_on"])]

    @property
    def is_open(self) -> bool:
        return self.concluded_on is None


class TimetableExtension(TimestampedModel):
    """An extension of the 26-week timetable: up to 8 weeks each, with the court's reasons (Children Act 1989
    s32(5) to (8))."""

    proceedings = models.ForeignKey(CareProceedings, on_delete=models.CASCADE, related_name="extensions")
    granted_on = models.DateField()
    weeks = models.PositiveSmallIntegerField()
    reason = models.TextField()

    class Meta:
        ordering = ["proceedings", "granted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks__gte=1) & Q(weeks__lte=8), name="extension_up_to_8_weeks"
            ),
        ]


class Hearing(TimestampedModel):
    proceedings = models.ForeignKey(CareProceedings, on_delete=models.CASCADE, related_name="hearings")
    kind = models.CharField(max_length=20, choices=HearingKind.choices)
    listed_for = models.DateField("Date the hearing is listed for")
    outcome = models.TextField(blank=True)
    outcome_recorded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["proceedings", "listed_for", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proceedings", "kind", "listed_for"], name="one_hearing_of_a_kind_per_day"
            ),
        ]


class CourtOrder(TimestampedModel):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="court_orders")
    proceedings = models.ForeignKey(
        CareProceedings, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    kind = models.CharField(max_length=30, choices=OrderKind.choices)
    made_on = models.DateField("Date the order was made")
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["child", "made_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "kind", "made_on"], name="one_order_of_a_kind_per_day"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("made_on")),
                name="order_ends_after_it_is_made",
            ),
        ]

    @property
    def legal_status(self) -> str:
        return ORDER_LEGAL_STATUS.get(self.kind, "")
