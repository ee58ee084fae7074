from django.conf import settings
from django.db import models
from django.db.models import Q

from opencsc.core.models import TimestampedModel


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class KpiTarget(TimestampedModel):
    """The authority's target for a KPI, replacing the default in `opencsc.insight.catalogue`."""

    kpi_id = models.CharField(max_length=60, unique=True)
    target = models.DecimalField(max_digits=9, decimal_places=1)
    direction = models.CharField(max_length=6, choices=Direction.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kpi_id"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=0), name="kpi_target_not_negative"),
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="kpi_target_direction_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.target} ({self.direction})"


class MonthEndFigure(models.Model):
    """One KPI at one closed month end, stored once (opencsc.insight.figures, ADR 0018): its value, numerator
    and denominator as the KPI defines them, and the records behind it (`records`: zlib-compressed JSON of
    [record id, child id, counts in the numerator] rows, the same rows the live computation counted)."""

    month_end = models.DateField()
    kpi_id = models.CharField(max_length=60)
    value = models.FloatField(null=True)
    numerator = models.PositiveIntegerField(null=True)
    denominator = models.PositiveIntegerField(null=True)
    missed_children = models.PositiveIntegerField(default=0)  # rates: children with a record not counted
    records = models.BinaryField()
    definitions = models.PositiveSmallIntegerField()  # figures.DEFINITIONS when computed
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month_end", "kpi_id"], name="month_end_figure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} at {self.month_end}: {self.value}"


class MonthToRefresh(models.Model):
    """A closed month end whose stored figures a change to a record may have made wrong (written in the same
    transaction as the change, by opencsc.insight.figure_months). Readers compute such a month afresh; the
    refresh deletes exactly the marks it read before computing."""

    month_end = models.DateField()
    token = models.CharField(max_length=32)  # the marking transaction's: it marks a month once
    marked_at = models.DateTimeField(auto_now_add=True)
    cause = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month_end", "token"], name="month_to_refresh_once_a_transaction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month_end} ({self.cause})"
