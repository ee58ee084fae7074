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
