"""Private fostering services: every write about an arrangement, from its notification to its end. Each is
keyword-only, checks that the actor may change the child, runs in one transaction with the child's row locked,
and writes its audit event and chronology line through `record_change`.

Rules (each refusal names its field):
- a child has at most one open arrangement; a new one is notified no earlier than the end of the last;
- the notification is dated (not in the future, not before birth) and names who notified, the carer and the
  carer's address; the arrangement's start may be before the notification (notified late, recorded as such) or
  after it (proposed), but not before the child's birth nor more than a year ahead;
- a privately fostered child is under 16, or under 18 if disabled (Children Act 1989 s66(1) and (4)), and is not
  looked after (Sch 8 para 1) on the day the arrangement begins or is notified;
- visits fall on or after the notification (the first visit of reg 4 may come before a proposed arrangement
  begins) and never in the future; one a day; the first visit recorded is the reg 4/7 visit, the later ones are
  statutory visits (reg 8(1)) or visits on request (reg 8(2));
- the decision comes after the first visit (the officer's visit and report inform it), once, and a decision
  with requirements or a prohibition says what they are;
- the arrangement ends on or after its last recorded event; "did not go ahead" only for an arrangement that had
  not begun by then, "ended by the prohibition" only after a prohibition, and every other reason only for one
  that had begun.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from opencsc.accounts.access import can_change_child
from opencsc.audit.changes import record_change
from opencsc.core.dates import long_date
from opencsc.core.event_dates import check_date_given
from opencsc.core.working_days import anniversary
from opencsc.looked_after.models import Episode
from opencsc.people.models import Child
from opencsc.privatefostering import chronology_lines as lines
from opencsc.privatefostering.models import (
    ArrangementEnd,
    Decision,
    Notifier,
    PrivateFosteringArrangement,
    PrivateFosteringVisit,
    VisitKind,
)

DETAIL_NEEDED = {
    Decision.SUITABLE_WITH_REQUIREMENTS: "Say what the requirements are and by when they must be met",
    Decision.UNSUITABLE: "Say what the prohibition covers and why it was imposed",
}
LONGEST_NOTICE = 1  # years: a proposed arrangement begins within a year of its notification


def _lock_child(actor, child: Child) -> Child:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot record private fostering for this child")
    return Child.objects.select_for_update().get(pk=child.pk)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _open_arrangement(arrangement: PrivateFosteringArrangement) -> PrivateFosteringArrangement:
    arrangement = PrivateFosteringArrangement.objects.select_for_update().get(pk=arrangement.pk)
    if arrangement.ended_on:
        raise ValidationError(
            f"This private fostering arrangement ended on {long_date(arrangement.ended_on)}"
        )
    return arrangement


def _age_on(child: Child, day: dt.date) -> int | None:
    born = child.date_of_birth
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _check_child_may_be_privately_fostered(errors: dict, child: Child, day: dt.date, disabled: bool) -> None:
    age = _age_on(child, day)
    if age is not None and (age >= 18 or (age >= 16 and not disabled)):
        errors["starts_on"] = (
            f"{child.first_name} is {age} on {long_date(day)}: only a child under 16, or under 18 if "
            "disabled, is privately fostered"
        )
    looked_after = Episode.objects.filter(child=child, started_on__lte=day).exclude(ended_on__lt=day)
    if "starts_on" not in errors and looked_after.exists():
        errors["starts_on"] = (
            f"{child.first_name} is looked after on {long_date(day)}: a looked-after child is not privately "
            "fostered"
        )


def _check_no_open_arrangement(errors: dict, child: Child, notified_on: dt.date | None) -> None:
    arrangements = child.private_fostering.all()
    current = arrangements.filter(ended_on__isnull=True).first()
    if current:
        errors["notified_on"] = (
            f"{child.first_name} already has a private fostering arrangement open since "
            f"{long_date(current.notified_on)}: end it first"
        )
        return
    last = arrangements.order_by("-ended_on").values_list("ended_on", flat=True).first()
    if "notified_on" not in errors and notified_on and last and notified_on < last:
        errors["notified_on"] = (
            f"The notification cannot be before the last arrangement ended on {long_date(last)}"
        )


def _check_start(errors: dict, child: Child, notified_on, starts_on) -> bool:
    if starts_on is None:
        errors["starts_on"] = "Enter the date the arrangement began or is to begin"
        return False
    born = child.date_of_birth
    if born and starts_on < born:
        errors["starts_on"] = (
            f"The date the arrangement began cannot be before {child.first_name}'s date of birth, "
            f"{long_date(born)}"
        )
    elif notified_on and starts_on > anniversary(notified_on, LONGEST_NOTICE):
        errors["starts_on"] = "A proposed arrangement must begin within a year of its notification"
    return "starts_on" not in errors


@transaction.atomic
def private_fostering_notify(
    *,
    actor,
    child: Child,
    notified_on: dt.date | None,
    notified_by: str,
    notifier_name: str,
    carer_name: str,
    carer_address: str,
    starts_on: dt.date | None,
    household: str = "",
    child_is_disabled: bool = False,
) -> PrivateFosteringArrangement:
    """Record the notification of a private fostering arrangement, proposed or already begun."""
    child = _lock_child(actor, child)
    errors: dict = {}
    check_date_given(errors, "notified_on", notified_on, "date the notification was received", child)
    _check_no_open_arrangement(errors, child, notified_on)
    if notified_by not in Notifier.values:
        errors["notified_by"] = "Select who notified the arrangement"
    if not notifier_name.strip():
        errors["notifier_name"] = "Enter the name of the person who notified the arrangement"
    if not carer_name.strip():
        errors["carer_name"] = "Enter the private foster carer's name"
    if not carer_address.strip():
        errors["carer_address"] = "Enter the address where the child is, or will be, living"
    if _check_start(errors, child, notified_on, starts_on) and "notified_on" not in errors:
        _check_child_may_be_privately_fostered(errors, child, max(starts_on, notified_on), child_is_disabled)
    _raise(errors)
    arrangement = PrivateFosteringArrangement.objects.create(
        child=child,
        notified_on=notified_on,
        notified_by=notified_by,
        notifier_name=notifier_name.strip(),
        carer_name=carer_name.strip(),
        carer_address=carer_address.strip(),
        household=household.strip(),
        starts_on=starts_on,
        child_is_disabled=child_is_disabled,
        recorded_by=actor,
    )
    record_change(
        actor=actor,
        verb="private_fostering.notified",
        target=arrangement,
        child=child,
        payload={
            "on": notified_on.isoformat(),
            "by": notified_by,
            "starts_on": starts_on.isoformat(),
            "late": arrangement.notified_late,
        },
        chronology=lines.notified(arrangement),
    )
    return arrangement


def _check_within(errors: dict, field: str, day, what: str, arrangement, child: Child) -> bool:
    check_date_given(errors, field, day, what, child)
    if field in errors:
        return False
    if day < arrangement.notified_on:
        errors[field] = (
            f"The {what} cannot be before the notification on {long_date(arrangement.notified_on)}"
        )
    return field not in errors


@transaction.atomic
def private_fostering_visit_record(
    *,
    actor,
    arrangement: PrivateFosteringArrangement,
    visited_on: dt.date | None,
    seen_alone: bool,
    on_request: bool = False,
    summary: str = "",
) -> PrivateFosteringVisit:
    """Record an officer's visit: the first is the reg 4/7 visit; each later one restarts the reg 8 clock."""
    child = _lock_child(actor, arrangement.child)
    arrangement = _open_arrangement(arrangement)
    errors: dict = {}
    if (
        _check_within(errors, "visited_on", visited_on, "date of the visit", arrangement, child)
        and arrangement.visits.filter(visited_on=visited_on).exists()
    ):
        errors["visited_on"] = f"A visit on {long_date(visited_on)} is already recorded"
    _raise(errors)
    earlier = arrangement.visits.filter(visited_on__lt=visited_on).exists()
    if not earlier:
        kind = VisitKind.FIRST
        arrangement.visits.filter(kind=VisitKind.FIRST).update(kind=VisitKind.STATUTORY)
    else:
        kind = VisitKind.REQUESTED if on_request else VisitKind.STATUTORY
    visit = PrivateFosteringVisit.objects.create(
        arrangement=arrangement,
        child=child,
        visited_on=visited_on,
        kind=kind,
        seen_alone=seen_alone,
        summary=summary.strip(),
        recorded_by=actor,
    )
    record_change(
        actor=actor,
        verb="private_fostering.visited",
        target=visit,
        child=child,
        payload={"on": visited_on.isoformat(), "kind": kind, "seen_alone": seen_alone},
        chronology=lines.visited(visit),
    )
    return visit


@transaction.atomic
def private_fostering_decide(
    *,
    actor,
    arrangement: PrivateFosteringArrangement,
    decided_on: dt.date | None,
    decision: str,
    decision_detail: str = "",
) -> PrivateFosteringArrangement:
    """Record the assessment's decision on the arrangement's suitability."""
    child = _lock_child(actor, arrangement.child)
    arrangement = _open_arrangement(arrangement)
    errors: dict = {}
    first_visit = arrangement.visits.order_by("visited_on").values_list("visited_on", flat=True).first()
    if arrangement.decided_on:
        errors["decided_on"] = f"The decision was recorded on {long_date(arrangement.decided_on)}"
    elif first_visit is None:
        errors["decided_on"] = "Record the first visit before the decision on the arrangement"
    elif (
        _check_within(errors, "decided_on", decided_on, "date of the decision", arrangement, child)
        and decided_on < first_visit
    ):
        errors["decided_on"] = f"The decision cannot be before the first visit on {long_date(first_visit)}"
    if decision not in Decision.values:
        errors["decision"] = "Select the decision on the arrangement"
    elif decision in DETAIL_NEEDED and not decision_detail.strip():
        errors["decision_detail"] = DETAIL_NEEDED[decision]
    _raise(errors)
    arrangement.decided_on = decided_on
    arrangement.decision = decision
    arrangement.decision_detail = decision_detail.strip()
    arrangement.save(update_fields=["decided_on", "decision", "decision_detail", "updated_at"])
    record_change(
        actor=actor,
        verb="private_fostering.decided",
        target=arrangement,
        child=child,
        payload={"on": decided_on.isoformat(), "decision": decision},
        chronology=lines.decided(arrangement),
    )
    return arrangement


def _latest_event(arrangement: PrivateFosteringArrangement) -> tuple[dt.date, str]:
    events = [(arrangement.notified_on, "the notification")]
    if arrangement.decided_on:
        events.append((arrangement.decided_on, "the decision"))
    events.extend((day, "the last visit") for day in arrangement.visits.values_list("visited_on", flat=True))
    return max(events)


def _check_end_reason(errors: dict, arrangement, ended_on: dt.date, end_reason: str) -> None:
    if end_reason not in ArrangementEnd.values:
        errors["end_reason"] = "Select why the arrangement ended"
    elif end_reason == ArrangementEnd.PROHIBITED and arrangement.decision != Decision.UNSUITABLE:
        errors["end_reason"] = "No prohibition is recorded on this arrangement"
    elif "ended_on" in errors:
        return
    elif end_reason == ArrangementEnd.NEVER_STARTED and ended_on >= arrangement.starts_on:
        errors["end_reason"] = (
            f"The arrangement began on {long_date(arrangement.starts_on)}: select why it ended"
        )
    elif end_reason != ArrangementEnd.NEVER_STARTED and ended_on < arrangement.starts_on:
        errors["end_reason"] = (
            f"The arrangement was to begin on {long_date(arrangement.starts_on)}: select that it did not "
            "go ahead"
        )


@transaction.atomic
def private_fostering_end(
    *, actor, arrangement: PrivateFosteringArrangement, ended_on: dt.date | None, end_reason: str
) -> PrivateFosteringArrangement:
    """Record the end of the arrangement (reg 10 notification, or the authority learning of it)."""
    child = _lock_child(actor, arrangement.child)
    arrangement = _open_arrangement(arrangement)
    errors: dict = {}
    check_date_given(errors, "ended_on", ended_on, "date the arrangement ended", child)
    if "ended_on" not in errors:
        latest, what = _latest_event(arrangement)
        if ended_on < latest:
            errors["ended_on"] = f"The arrangement cannot end before {what} on {long_date(latest)}"
    _check_end_reason(errors, arrangement, ended_on, end_reason)
    _raise(errors)
    arrangement.ended_on = ended_on
    arrangement.end_reason = end_reason
    arrangement.save(update_fields=["ended_on", "end_reason", "updated_at"])
    record_change(
        actor=actor,
        verb="private_fostering.ended",
        target=arrangement,
        child=child,
        payload={"on": ended_on.isoformat(), "reason": end_reason},
        chronology=lines.ended(arrangement),
    )
    return arrangement
