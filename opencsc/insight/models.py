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


class ComparatorLoad(models.Model):
    """One load of the DfE's published files (opencsc.insight.comparators, ADR 0022): who loaded which files for
    which year, and what each file held. The figures it stored replace those of an earlier load of the same
    data set and year; the load itself stays as the history."""

    year = models.PositiveSmallIntegerField()
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    loaded_from = models.CharField(
        max_length=200
    )  # the page, or the command line and the account that ran it
    files = models.JSONField(default=list)  # [{"name", "data_set", "rows"}]
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year}: {', '.join(item['name'] for item in self.files)}"


class PublishedFigure(models.Model):
    """A published figure for one area (England, a region or a local authority) for one measure and year, as the
    DfE's file gives it (None where the file suppresses or lacks it). `area_code`: E92000001 for England, the
    region's E12 code, or the authority's 3-digit DfE code."""

    class Level(models.TextChoices):
        NATIONAL = "national", "England"
        REGIONAL = "regional", "Region"
        LOCAL_AUTHORITY = "la", "Local authority"

    load = models.ForeignKey(ComparatorLoad, on_delete=models.PROTECT, related_name="figures")
    year = models.PositiveSmallIntegerField()
    measure = models.CharField(max_length=60)
    level = models.CharField(max_length=8, choices=Level.choices)
    area_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=120)
    region_code = models.CharField(max_length=9, blank=True)
    value = models.DecimalField(max_digits=9, decimal_places=1, null=True)
    data_set = models.CharField(max_length=20)  # which published data set it came from (published.DATA_SETS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "measure", "level", "area_code"], name="published_figure_once"
            ),
        ]
        indexes = [models.Index(fields=["measure", "year"])]

    def __str__(self) -> str:
        return f"{self.measure} {self.year} {self.area_name}: {self.value}"


class StatisticalNeighbour(models.Model):
    """One of an authority's ten statistical neighbours (the DfE's Children's Services Statistical Neighbour
    Benchmarking Tool), closest first."""

    load = models.ForeignKey(ComparatorLoad, on_delete=models.PROTECT, related_name="neighbours")
    la_code = models.CharField(max_length=3)
    la_name = models.CharField(max_length=120)
    region_name = models.CharField(max_length=60, blank=True)
    rank = models.PositiveSmallIntegerField()
    neighbour_code = models.CharField(max_length=3)
    neighbour_name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["la_code", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["la_code", "rank"], name="statistical_neighbour_once"),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=10), name="statistical_neighbour_rank_1_to_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.la_code} #{self.rank}: {self.neighbour_code}"
