from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ClosureDay(models.Model):
    """A day the authority's offices are closed beyond weekends and bank holidays (for example a local
    closure between Christmas and New Year). Working-day clocks skip it."""

    day = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%-d %B %Y}: {self.reason}"


class ClockSetting(models.Model):
    """The authority's own limit for a clock the law leaves to local procedure (for example how often a child
    on a protection plan is visited)."""

    rule_id = models.CharField(max_length=60, unique=True)
    limit = models.PositiveIntegerField()
    changed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.limit}"
