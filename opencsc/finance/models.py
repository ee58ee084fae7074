"""Providers, in-house carers' approvals, what each placement costs and who pays, budgets and saved scenarios.

A placement is a run of looked-after episodes with the same carers: it starts with an episode whose reason (RNE)
is S, P, B, T or U and continues through the episodes that change the legal status only (L). Its agreement hangs
on that first episode, so its dates are always the episodes' own (`opencsc/finance/accrual.py`). Money is held in
pounds and pence (Decimal); a weekly cost accrues by day at a seventh of the week.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from opencsc.core.models import TimestampedModel
from opencsc.finance.codes import CostChange, ProviderKind, PurchaseRoute, ScenarioKind
from opencsc.insight.forecast import CATEGORIES, CATEGORY_LABELS

CATEGORY_CHOICES = [(category, CATEGORY_LABELS[category]) for category in CATEGORIES]


class Provider(TimestampedModel):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    inside_authority = models.BooleanField(
        null=True, blank=True, help_text="Empty when the postcode is unknown"
    )
    purchase_route = models.CharField(max_length=10, choices=PurchaseRoute.choices)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name


class CarerApproval(TimestampedModel):
    """An in-house fostering household's approval: how many children, of what ages, from when (the fostering
    panel's recommendation and the agency decision maker's decision, Fostering Services Regulations 2011)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="approvals")
    places = models.PositiveSmallIntegerField()
    youngest = models.PositiveSmallIntegerField("Youngest age approved for")
    oldest = models.PositiveSmallIntegerField("Oldest age approved for")
    approved_on = models.DateField()
    ended_on = models.DateField("Approval ended (resigned or deregistered)", null=True, blank=True)

    class Meta:
        ordering = ["provider", "approved_on"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1) & Q(places__lte=6), name="approval_places_1_6"),
            models.CheckConstraint(condition=Q(oldest__gte=F("youngest")), name="approval_ages_in_order"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("approved_on")),
                name="approval_ends_after_start",
            ),
        ]


class PlacementAgreement(TimestampedModel):
    """Who provides a placement and at what cost: hung on the episode that started the placement."""

    first_episode = models.OneToOneField(
        "looked_after.Episode", on_delete=models.PROTECT, related_name="cost_agreement"
    )
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="placement_agreements")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="agreements")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["child", "first_episode"]


class WeeklyCost(TimestampedModel):
    """The weekly cost of a placement from a day on, and who pays which share of it (the shares sum to 100)."""

    agreement = models.ForeignKey(PlacementAgreement, on_delete=models.CASCADE, related_name="costs")
    effective_from = models.DateField()
    weekly_cost = models.DecimalField(max_digits=9, decimal_places=2)
    change = models.CharField(max_length=10, choices=CostChange.choices)
    social_care_share = models.DecimalField("Social care share (%)", max_digits=5, decimal_places=2)
    education_share = models.DecimalField("Education share (%)", max_digits=5, decimal_places=2)
    health_share = models.DecimalField("Health share (%)", max_digits=5, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "effective_from"], name="one_cost_per_placement_day"
            ),
            models.CheckConstraint(condition=Q(weekly_cost__gte=0), name="weekly_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(social_care_share__gte=0) & Q(education_share__gte=0) & Q(health_share__gte=0),
                name="cost_shares_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(social_care_share=100 - F("education_share") - F("health_share")),
                name="cost_shares_sum_to_100",
            ),
        ]


class Budget(TimestampedModel):
    """The placements budget of one financial year: `year` is the year it ends (1 April year-1 to 31 March
    year), as the KPIs' reporting years."""

    year = models.PositiveSmallIntegerField(unique=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]


class BudgetLine(models.Model):
    """One category's budget for one month: the money and the number of children it plans to pay for (the
    average placed through the month), from which the budgeted weekly price follows."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    month = models.DateField(help_text="The first day of the month")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    children = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["budget", "category", "month"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "category", "month"], name="one_budget_line_per_month"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(children__gte=0), name="budget_not_negative"
            ),
        ]


class Scenario(TimestampedModel):
    """A saved 'what if' on the forecast: fewer or more entries into a category a year, or children stepped
    down from one category to another each month."""

    name = models.CharField(max_length=120, unique=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ScenarioKind.choices)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    to_category = models.CharField(max_length=20, choices=CATEGORY_CHOICES, blank=True)
    number = models.DecimalField(max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def description(self) -> str:
        number = f"{self.number.normalize():f}"
        if self.kind == ScenarioKind.STEP_DOWN:
            return (
                f"{number} a month moved from {CATEGORY_LABELS[self.category].split(' (')[0].lower()} to "
                f"{CATEGORY_LABELS[self.to_category].split(' (')[0].lower()}"
            )
        more_or_fewer = "fewer" if self.kind == ScenarioKind.FEWER_ENTRIES else "more"
        return f"{number} {more_or_fewer} entries a year into {CATEGORY_LABELS[self.category].split(' (')[0].lower()}"
