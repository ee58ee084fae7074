"""The one rule for the date of an event about a child (design.md, Habits): no event is dated in the future or
before the child's birth.

Every service that records a dated event about a child calls it, and the importers may call it too: it is a plain
function of the date, the child and the words for the field, with no database access.

- A date after today, or a date and time later than now (give or take a few minutes of clock difference between
  machines), is in the future.
- A date, or the local date of a date and time, before the child's date of birth is before their birth. An unborn
  child (an expected date of birth and no date of birth yet) has no birth to be before: work with the family
  starts before the birth, so only the future is refused.
- The messages name the field in the words the form uses: "The date of the move must be today or in the past",
  "The date of the move cannot be before Jo's date of birth, 3 May 2019".

`event_date_problem` returns the message or None; `require_possible_date` raises `ImpossibleDateError`, a
`ValidationError` keyed by the field (an importer catches it and flags the row with `field` and `reason`);
`check_possible_date` adds the message to a dict of errors, for services that gather every problem at once.
"""

import datetime as dt
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils import timezone

from opencsc.core.dates import long_date

# The contact service has always allowed a time a few minutes ahead, for a clock that runs fast.
CLOCK_DIFFERENCE = dt.timedelta(minutes=5)


class Born(Protocol):
    """What the rule reads of a child: a Child, or anything with the same two attributes."""

    first_name: str
    date_of_birth: dt.date | None


class ImpossibleDateError(ValidationError):
    """A date that cannot be true: `field` is the field it was given for, `reason` the message."""

    def __init__(self, field: str, reason: str):
        super().__init__({field: reason}, code="impossible_date")
        self.field = field
        self.reason = reason


def _in_future(on: dt.date | dt.datetime) -> bool:
    if isinstance(on, dt.datetime):
        return on > timezone.now() + CLOCK_DIFFERENCE
    return on > timezone.localdate()


def _local_date(on: dt.date | dt.datetime) -> dt.date:
    if isinstance(on, dt.datetime):
        return timezone.localtime(on).date() if timezone.is_aware(on) else on.date()
    return on


def event_date_problem(on: dt.date | dt.datetime, *, child: Born, label: str) -> str | None:
    """Why an event about `child` cannot be dated `on` (`label` names the field: "The date of the move"),
    or None if it can."""
    if _in_future(on):
        return f"{label} must be {'in the past' if isinstance(on, dt.datetime) else 'today or in the past'}"
    born = child.date_of_birth
    if born is not None and _local_date(on) < born:
        return f"{label} cannot be before {child.first_name}'s date of birth, {long_date(born)}"
    return None


def require_possible_date(on: dt.date | dt.datetime | None, *, child: Born, field: str, label: str) -> None:
    """Raise ImpossibleDateError on `field` if an event about `child` cannot be dated `on` (None is left to the
    caller: whether a date is required differs from field to field)."""
    if on is not None and (problem := event_date_problem(on, child=child, label=label)):
        raise ImpossibleDateError(field, problem)


def check_possible_date(
    errors: dict, on: dt.date | dt.datetime | None, *, child: Born, field: str, label: str
) -> bool:
    """Add the problem with `on` to `errors` (unless the field already has one); True if `on` is a date that
    can be checked further (given, and possible)."""
    if on is None:
        return False
    problem = event_date_problem(on, child=child, label=label)
    if problem:
        errors.setdefault(field, problem)
        return False
    return True


def check_date_given(
    errors: dict, field: str, on: dt.date | dt.datetime | None, what: str, child: Born
) -> None:
    """'Enter the {what}' when no date was given, else the possible-date rule with 'The {what}'."""
    if on is None:
        errors[field] = f"Enter the {what}"
    else:
        check_possible_date(errors, on, child=child, field=field, label=f"The {what}")
