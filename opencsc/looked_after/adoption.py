"""A child's route to adoption: the services that record each milestone in order, and the selectors that read
the milestones back with the timeliness figures adopters and the adoption scorecard use.

The milestones, in the only order they may be recorded:

1. the decision that the child should be placed for adoption (903 AD1 DATE_INT), made while looked after;
2. the placement order (the court's authority to place);
3. the match with adopters (DATE_MATCH, with the AD1 details of the adopters);
4. placement for adoption (DATE_PLACED);
5. the adoption order.

A plan may instead cease before the order (DATE_PLACED_CEASED, with REASON_PLACED_CEASED RD1 to RD4); a new
decision then starts a new plan. Every date must be today or in the past, and on or after the milestone before it.

Timeliness:

- *becoming looked after to placement for adoption*: days from the start of the current period of care (the
  latest episode starting with RNE S on or before the placement) to the date placed for adoption;
- *placement order to match*: days from the court's authority to place (the placement order) to the match.

A figure not yet reached is shown as the days elapsed so far.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.audit.changes import record_change
from opencsc.core.dates import long_date
from opencsc.core.event_dates import check_possible_date
from opencsc.looked_after import chronology_lines as lines
from opencsc.looked_after.codes import ReasonPlacedForAdoptionCeased
from opencsc.looked_after.models import AdoptionMilestones, Episode
from opencsc.people.models import Child

# (model field, short name, words used in messages and on the page), in the order they must happen.
MILESTONES = [
    ("decided_on", "decision", "decision that the child should be placed for adoption"),
    ("placement_order_on", "placement_order", "placement order"),
    ("matched_on", "match", "match with adopters"),
    ("placed_on", "placed", "placement for adoption"),
    ("adoption_order_on", "adoption_order", "adoption order"),
]
MILESTONE_FIELDS = [name for name, _, _ in MILESTONES]
WORDS = {name: words for name, _, words in MILESTONES}
SINGLE_ADOPTER_SEXES = {"M1", "F1"}
COUPLE_SEXES = {"MM", "FF", "MF"}
COUPLE_LEGAL_STATUSES = {"L11", "L12", "L2", "L3", "L4"}


# Selectors -------------------------------------------------------------------------------------------------


def adoption_plans(child: Child) -> list[AdoptionMilestones]:
    return list(AdoptionMilestones.objects.filter(child=child).order_by("decided_on", "id"))


def is_open(plan: AdoptionMilestones | None) -> bool:
    return plan is not None and plan.ceased_on is None and plan.adoption_order_on is None


def current_adoption_plan(child: Child) -> AdoptionMilestones | None:
    """The latest plan, open or finished (None if adoption was never the plan)."""
    plans = adoption_plans(child)
    return plans[-1] if plans else None


def next_milestone(plan: AdoptionMilestones | None) -> str:
    """The model field of the milestone to record next: a new decision when no plan is open."""
    if not is_open(plan):
        return "decided_on"
    return next(name for name in MILESTONE_FIELDS if getattr(plan, name) is None)


def milestone_words(field: str) -> str:
    return WORDS[field]


def period_of_care_start_before(child: Child, day: dt.date) -> dt.date | None:
    """The start of the period of care running on `day`: the latest episode with RNE S starting on or before
    it (None if the child had not started to be looked after by then)."""
    return (
        Episode.objects.filter(child=child, reason_new_episode="S", started_on__lte=day)
        .order_by("-started_on")
        .values_list("started_on", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Interval:
    label: str
    start: dt.date | None
    end: dt.date | None
    today: dt.date

    @property
    def days(self) -> int | None:
        """Days from start to end; None until both are known."""
        return (self.end - self.start).days if self.start and self.end else None

    @property
    def days_so_far(self) -> int | None:
        """For a figure not yet reached: days from the start to today."""
        return (self.today - self.start).days if self.start and not self.end else None


@dataclass(frozen=True)
class AdoptionTimeline:
    plan: AdoptionMilestones
    steps: list[tuple[str, str, dt.date | None]]  # (field, words, date)
    care_to_placed: Interval
    order_to_match: Interval
    next_field: str | None

    @property
    def is_open(self) -> bool:
        return is_open(self.plan)


def adoption_timeline(plan: AdoptionMilestones, today: dt.date | None = None) -> AdoptionTimeline:
    today = today or timezone.localdate()
    care_start = period_of_care_start_before(plan.child, plan.placed_on or today)
    return AdoptionTimeline(
        plan=plan,
        steps=[(name, words, getattr(plan, name)) for name, _, words in MILESTONES],
        care_to_placed=Interval(
            "Becoming looked after to placement for adoption", care_start, plan.placed_on, today
        ),
        order_to_match=Interval(
            "Placement order to match with adopters", plan.placement_order_on, plan.matched_on, today
        ),
        next_field=next_milestone(plan) if is_open(plan) else None,
    )


def adoption_timelines(child: Child, today: dt.date | None = None) -> list[AdoptionTimeline]:
    """Every plan the child has had, newest first."""
    return [adoption_timeline(plan, today) for plan in reversed(adoption_plans(child))]


# Services --------------------------------------------------------------------------------------------------


def _require_change(actor, child: Child) -> None:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot change this child's record")


def _lock(child: Child) -> Child:
    return Child.objects.select_for_update().get(pk=child.pk)


def _latest_date(plan: AdoptionMilestones) -> tuple[str, dt.date]:
    recorded = [(name, getattr(plan, name)) for name in MILESTONE_FIELDS if getattr(plan, name)]
    return recorded[-1]


def _check_day(errors: dict, field: str, on: dt.date | None, what: str, child: Child) -> None:
    if on is None:
        errors[field] = f"Enter the date of the {what}"
    else:
        check_possible_date(errors, on, child=child, field=field, label=f"The date of the {what}")


def _check_order(errors: dict, field: str, on: dt.date | None, plan: AdoptionMilestones | None) -> None:
    """The milestone must be the next one, dated on or after the one before it."""
    expected = next_milestone(plan)
    what = WORDS[field]
    if field == expected:
        if field != "decided_on" and on is not None and field not in errors:
            before, before_on = _latest_date(plan)
            if on < before_on:
                errors[field] = (
                    f"The date of the {what} must be on or after the {WORDS[before]} ({long_date(before_on)})"
                )
        return
    if field == "decided_on":
        errors[field] = "An adoption plan is already open: record its next step, or record that it ceased"
    elif not is_open(plan):
        errors[field] = f"Record the {WORDS['decided_on']} before the {what}"
    elif getattr(plan, field) is not None:
        errors[field] = f"The {what} is already recorded ({long_date(getattr(plan, field))})"
    else:
        errors[field] = f"Record the {WORDS[expected]} before the {what}"


def _check_adopters(errors: dict, number: int | None, sex: str, legal_status: str) -> None:
    """The AD1 details, when given, must agree with each other (903 rules on NB_ADOPTR, SEX_ADOPTR, LS_ADOPTR)."""
    if number is None:
        if sex or legal_status:
            errors["number_of_adopters"] = "Enter the number of adopters"
        return
    if number not in (1, 2):
        errors["number_of_adopters"] = "The number of adopters must be 1 or 2"
        return
    sexes = SINGLE_ADOPTER_SEXES if number == 1 else COUPLE_SEXES
    if sex and sex not in sexes:
        errors["adopters_sex"] = f"For {number} adopter{'s' if number == 2 else ''} the sex must be " + (
            " or ".join(sorted(sexes))
        )
    statuses = {"L0"} if number == 1 else COUPLE_LEGAL_STATUSES
    if legal_status and legal_status not in statuses:
        errors["adopters_legal_status"] = (
            "A single adopter's legal status must be L0"
            if number == 1
            else "A couple's legal status must be L11, L12, L2, L3 or L4"
        )
    elif legal_status == "L11" and sex and sex != "MF":
        errors["adopters_legal_status"] = "L11 (married, different gender) needs adopters of sex MF"
    elif legal_status == "L12" and sex == "MF":
        errors["adopters_legal_status"] = "L12 (married, same gender) needs adopters of sex MM or FF"


@transaction.atomic
def adoption_milestone_record(
    *,
    actor,
    child: Child,
    milestone: str,
    on: dt.date | None,
    foster_carer_adopting: bool | None = None,
    number_of_adopters: int | None = None,
    adopters_sex: str = "",
    adopters_legal_status: str = "",
) -> AdoptionMilestones:
    """Record one milestone (`milestone` is its model field, such as "matched_on"). A decision opens a new plan;
    the others fill in the open plan, strictly in order. Adopters' details are kept only with the match."""
    if milestone not in MILESTONE_FIELDS:
        raise ValidationError(
            {"milestone": "Choose a milestone: decision, placement order, match, placed or order"}
        )
    _require_change(actor, child)
    child = _lock(child)
    plan = current_adoption_plan(child)
    what = WORDS[milestone]
    errors: dict[str, str] = {}
    _check_day(errors, milestone, on, what, child)
    _check_order(errors, milestone, on, plan)
    if milestone == "decided_on" and milestone not in errors:
        if plan is not None and plan.ceased_on and on < plan.ceased_on:
            errors[milestone] = (
                f"The date of the new {what} must be on or after {long_date(plan.ceased_on)}, when the last plan ceased"
            )
        elif not Episode.objects.filter(child=child, started_on__lte=on).exclude(ended_on__lt=on).exists():
            errors[milestone] = f"The child must be looked after on the date of the {what}"
    if milestone == "matched_on":
        _check_adopters(errors, number_of_adopters, adopters_sex, adopters_legal_status)
    if errors:
        raise ValidationError(errors)
    if milestone == "decided_on":
        plan = AdoptionMilestones(child=child, decided_on=on)
    else:
        setattr(plan, milestone, on)
    if milestone == "matched_on":
        plan.foster_carer_adopting = foster_carer_adopting
        plan.number_of_adopters = number_of_adopters
        plan.adopters_sex = adopters_sex
        plan.adopters_legal_status = adopters_legal_status
    plan.save()
    record_change(
        actor=actor,
        verb=f"adoption.{milestone.removesuffix('_on')}",
        target=plan,
        child=child,
        payload={"on": on.isoformat()},
        chronology=lines.adoption_milestone(plan, milestone),
    )
    return plan


@transaction.atomic
def adoption_plan_cease(
    *, actor, child: Child, ceased_on: dt.date | None, reason_ceased: str
) -> AdoptionMilestones:
    """Record that adoption is no longer the plan (903 PlacedAdoption DATE_PLACED_CEASED, REASON_PLACED_CEASED)."""
    _require_change(actor, child)
    child = _lock(child)
    plan = current_adoption_plan(child)
    errors: dict[str, str] = {}
    if not is_open(plan):
        raise ValidationError({"ceased_on": "There is no open adoption plan to cease"})
    _check_day(errors, "ceased_on", ceased_on, "decision that adoption is no longer the plan", child)
    if "ceased_on" not in errors:
        before, before_on = _latest_date(plan)
        if ceased_on < before_on:
            errors["ceased_on"] = (
                f"The date the plan ceased must be on or after the {WORDS[before]} ({long_date(before_on)})"
            )
    if reason_ceased not in ReasonPlacedForAdoptionCeased.values:
        errors["reason_ceased"] = "Select why adoption is no longer the plan (RD1 to RD4)"
    elif reason_ceased == "RD2" and plan.placement_order_on:
        errors["reason_ceased"] = (
            f"The court made a placement order on {long_date(plan.placement_order_on)}: choose another reason"
        )
    if errors:
        raise ValidationError(errors)
    plan.ceased_on = ceased_on
    plan.reason_ceased = reason_ceased
    plan.save(update_fields=["ceased_on", "reason_ceased", "updated_at"])
    record_change(
        actor=actor,
        verb="adoption.ceased",
        target=plan,
        child=child,
        payload={"on": ceased_on.isoformat(), "reason": reason_ceased},
        chronology=lines.adoption_ceased(plan),
    )
    return plan
