"""Targets for the KPIs and red, amber or green against them.

A KPI is green when it is on the right side of its target or on it, amber when on the wrong side by no more than
the amber band (5 percentage points for a rate, 10% of the target for a count), and red beyond that. A KPI
without a value (an empty denominator) or without a target has no colour.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from opencsc.accounts.models import Role
from opencsc.audit.services import audit_event_record
from opencsc.insight.catalogue import AMBER_POINTS, AMBER_SHARE_OF_COUNT_TARGET, CATALOGUE, HIGHER, LOWER
from opencsc.insight.models import KpiTarget

TARGET_SETTING_ROLES = {Role.DIRECTOR, Role.PERFORMANCE_ANALYST}
RAG_LABELS = {"green": "Green: on or better than target", "amber": "Amber: just off target", "red": "Red"}


@dataclass(frozen=True)
class Target:
    kpi_id: str
    value: Decimal
    direction: str
    is_default: bool

    @property
    def amber_band(self) -> Decimal:
        if CATALOGUE[self.kpi_id].is_rate:
            return AMBER_POINTS
        return (self.value * AMBER_SHARE_OF_COUNT_TARGET).quantize(Decimal("0.1"))

    @property
    def direction_label(self) -> str:
        return "higher is better" if self.direction == HIGHER else "lower is better"

    def rag(self, value: float | int | None) -> str | None:
        if value is None:
            return None
        value = Decimal(str(value))
        shortfall = self.value - value if self.direction == HIGHER else value - self.value
        if shortfall <= 0:
            return "green"
        return "amber" if shortfall <= self.amber_band else "red"


def kpi_targets() -> dict[str, Target]:
    """The target of each KPI that has one: the authority's own where set, else the default."""
    targets = {
        kpi_id: Target(kpi_id, info.default_target, info.default_direction, True)
        for kpi_id, info in CATALOGUE.items()
        if info.default_target is not None
    }
    for row in KpiTarget.objects.filter(kpi_id__in=CATALOGUE):
        targets[row.kpi_id] = Target(row.kpi_id, row.target, row.direction, False)
    return targets


def can_set_targets(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in TARGET_SETTING_ROLES)


def _parsed_target(kpi_id: str, text) -> Decimal:
    try:
        value = Decimal(str(text).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"target": "Enter the target as a number, for example 85 or 12.5"}) from None
    if not value.is_finite() or value < 0:
        raise ValidationError({"target": "The target must be 0 or more"})
    if CATALOGUE[kpi_id].is_rate and value > 100:
        raise ValidationError({"target": "A target for a rate must be between 0 and 100"})
    if value >= Decimal("100000000"):
        raise ValidationError({"target": "The target is too large"})
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def kpi_target_set(*, actor, kpi_id: str, target, direction: str) -> KpiTarget:
    """Set a KPI's target and which way is better, replacing the default; audited."""
    if not can_set_targets(actor):
        raise PermissionDenied("Only the director and performance analysts set targets")
    if kpi_id not in CATALOGUE:
        raise ValidationError({"kpi_id": f"No KPI is called {kpi_id!r}"})
    if direction not in (HIGHER, LOWER):
        raise ValidationError({"direction": "Choose whether higher or lower is better"})
    value = _parsed_target(kpi_id, target)
    row, _ = KpiTarget.objects.update_or_create(
        kpi_id=kpi_id, defaults={"target": value, "direction": direction, "updated_by": actor}
    )
    audit_event_record(
        actor=actor,
        verb="kpi_target.set",
        target=row,
        payload={"kpi_id": kpi_id, "target": str(value), "direction": direction},
    )
    return row


@transaction.atomic
def kpi_target_reset(*, actor, kpi_id: str) -> None:
    """Go back to the default target; audited."""
    if not can_set_targets(actor):
        raise PermissionDenied("Only the director and performance analysts set targets")
    row = KpiTarget.objects.filter(kpi_id=kpi_id).first()
    if row is None:
        return
    audit_event_record(actor=actor, verb="kpi_target.reset", target=row, payload={"kpi_id": kpi_id})
    row.delete()
