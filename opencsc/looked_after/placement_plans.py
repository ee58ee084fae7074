"""The placement plan's agreement: the date that stops the placement plan clock.

Care Planning, Placement and Case Review (England) Regulations 2010 reg 9: the placement plan is agreed before
the child is placed or, where that is not reasonably practicable, within 5 working days of the placement's start
(the `placement_plan` clock in `opencsc.core.clocks`, started by every placement, so every move restarts it).

`placement_plan_agree` records that the plan for the child's current placement was agreed on a day: not in the
future, not before the child's birth, at most once per placement (a placement is the run of episodes from one that
changes the placement, as in `selectors.placements_from`). A plan agreed before the placement started is on time.
The placement plan document's authorisation calls it with the authorisation date, as an authorised assessment
closes its clock.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from opencsc.accounts.access import can_change_child
from opencsc.audit.changes import record_change
from opencsc.core.dates import long_date
from opencsc.core.event_dates import check_date_given
from opencsc.looked_after import chronology_lines as lines
from opencsc.looked_after.models import Episode, PlacementPlanAgreement
from opencsc.looked_after.selectors import current_placement
from opencsc.people.models import Child


def current_placement_start(child: Child) -> dt.date | None:
    placement = current_placement(list(Episode.objects.filter(child=child).order_by("started_on", "id")))
    return placement.started_on if placement else None


@transaction.atomic
def placement_plan_agree(*, actor, child: Child, agreed_on: dt.date) -> PlacementPlanAgreement:
    """The placement plan for the child's current placement was agreed on `agreed_on`."""
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot change this child's record")
    child = Child.objects.select_for_update().get(pk=child.pk)
    errors: dict[str, str] = {}
    check_date_given(errors, "agreed_on", agreed_on, "date the placement plan was agreed", child)
    started_on = current_placement_start(child)
    if started_on is None:
        errors["agreed_on"] = f"{child.full_name} has no current placement"
    else:
        done = PlacementPlanAgreement.objects.filter(child=child, placement_started_on=started_on).first()
        if done is not None:
            errors["agreed_on"] = (
                f"The plan for the placement from {long_date(started_on)} was agreed on {long_date(done.agreed_on)}"
            )
    if errors:
        raise ValidationError(errors)
    agreement = PlacementPlanAgreement.objects.create(
        child=child, placement_started_on=started_on, agreed_on=agreed_on, recorded_by=actor
    )
    record_change(
        actor=actor,
        verb="care.placement_plan_agreed",
        target=agreement,
        child=child,
        payload={"placement_started_on": started_on.isoformat(), "agreed_on": agreed_on.isoformat()},
        chronology=lines.placement_plan_agreed(agreement),
    )
    return agreement
