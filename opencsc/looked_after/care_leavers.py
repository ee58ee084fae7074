"""Care leavers: their eligibility, what each contact found (in touch, accommodation and whether it is suitable,
activity), their pathway plan reviews and their personal adviser; the services that record them and the
selectors behind the young person's page and the managers' list.

Definitions (the list page states them too):

- *care leavers on a date*: young people with a care leaver contact recorded on or before the date, under 25 on
  it (a personal adviser is offered to 25), whose latest contact does not record that they died;
- each young person's situation is their latest contact on or before the date; their eligibility is that
  contact's, and their personal adviser the one named on their latest contact that names one;
- *in touch rate*: % of care leavers whose latest contact is IN_TOUCH YES;
- *suitable accommodation rate*: % of those whose accommodation suitability is recorded who are in suitable
  accommodation (unknown excluded from both sides);
- *EET rate*: % of those whose activity is known (not blank, not 0) in education, employment or training
  (ACTIV F1, P1, F2, P2, F4 or P4);
- *pathway plan*: reviewed at least every 6 months: the next review is due 6 months after the last
  (`due_date("pathway_plan_review", last)`) and is overdue on the day after that; a young person with no review
  recorded is counted separately as having none.

Rates are rounded to one decimal place; a rate with an empty denominator is None, never 0.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from opencsc.accounts.access import can_change_child
from opencsc.audit.changes import record_change
from opencsc.core.clocks import DueDate, due_date
from opencsc.core.dates import long_date
from opencsc.core.event_dates import check_date_given
from opencsc.core.rates import rate
from opencsc.core.working_days import anniversary
from opencsc.looked_after import chronology_lines as lines
from opencsc.looked_after.codes import Accommodation, Activity, InTouch
from opencsc.looked_after.models import CareLeaverContact, CareLeaverEligibility, PathwayPlanReview
from opencsc.people.models import Child
from opencsc.people.selectors import children_visible_to, staff_who_could_be_named

EET_ACTIVITIES = {"F1", "P1", "F2", "P2", "F4", "P4"}
UNKNOWN_ACTIVITIES = {"", "0"}
YOUNGEST = 16
OLDEST = 25


def personal_advisers():
    """The staff who may be named as a personal adviser."""
    return staff_who_could_be_named()


# Selectors for one young person ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PathwayPlan:
    reviews: list[PathwayPlanReview]
    next_due: DueDate | None
    today: dt.date

    @property
    def last_reviewed_on(self) -> dt.date | None:
        return self.reviews[0].reviewed_on if self.reviews else None

    @property
    def is_overdue(self) -> bool:
        return self.next_due is not None and self.next_due.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return self.next_due.days_overdue(self.today) if self.next_due else 0


def pathway_plan(child: Child, today: dt.date | None = None) -> PathwayPlan:
    today = today or timezone.localdate()
    reviews = list(
        PathwayPlanReview.objects.filter(child=child, reviewed_on__lte=today).order_by("-reviewed_on")
    )
    next_due = due_date("pathway_plan_review", reviews[0].reviewed_on) if reviews else None
    return PathwayPlan(reviews, next_due, today)


@dataclass(frozen=True)
class CareLeaverRecord:
    child: Child
    contacts: list[CareLeaverContact]
    plan: PathwayPlan

    @property
    def latest(self) -> CareLeaverContact | None:
        return self.contacts[0] if self.contacts else None

    @property
    def is_care_leaver(self) -> bool:
        return bool(self.contacts)

    @property
    def personal_adviser(self):
        return next((c.personal_adviser for c in self.contacts if c.personal_adviser_id), None)


def care_leaver_record(child: Child, today: dt.date | None = None) -> CareLeaverRecord:
    today = today or timezone.localdate()
    contacts = list(
        CareLeaverContact.objects.filter(child=child, contacted_on__lte=today)
        .select_related("personal_adviser")
        .order_by("-contacted_on", "-id")
    )
    return CareLeaverRecord(child, contacts, pathway_plan(child, today))


# Selectors for the list ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CareLeaverRow:
    child: Child
    latest: CareLeaverContact
    personal_adviser: object
    last_review_on: dt.date | None
    next_review: DueDate | None
    on: dt.date

    @property
    def in_touch(self) -> bool:
        return self.latest.in_touch == InTouch.YES

    @property
    def accommodation_suitable(self) -> bool | None:
        return self.latest.accommodation_suitable

    @property
    def eet(self) -> bool | None:
        if self.latest.activity in UNKNOWN_ACTIVITIES:
            return None
        return self.latest.activity in EET_ACTIVITIES

    @property
    def plan_overdue(self) -> bool:
        return self.next_review is not None and self.next_review.due_on < self.on

    @property
    def no_plan(self) -> bool:
        return self.last_review_on is None

    def matches(self, show: str) -> bool:
        return {
            "all": True,
            "in_touch": self.in_touch,
            "not_in_touch": not self.in_touch,
            "suitable": self.accommodation_suitable is True,
            "unsuitable": self.accommodation_suitable is False,
            "eet": self.eet is True,
            "not_eet": self.eet is False,
            "overdue": self.plan_overdue,
            "no_plan": self.no_plan,
        }.get(show, True)


FILTERS = {
    "all": "All care leavers",
    "in_touch": "In touch",
    "not_in_touch": "Not in touch",
    "suitable": "In suitable accommodation",
    "unsuitable": "In unsuitable accommodation",
    "eet": "In education, employment or training",
    "not_eet": "Not in education, employment or training",
    "overdue": "Pathway plan review overdue",
    "no_plan": "No pathway plan review recorded",
}


@dataclass(frozen=True)
class CareLeaversOverview:
    on: dt.date
    rows: list[CareLeaverRow]  # every care leaver: the counts are over all of them
    visible_ids: set[int]

    def count(self, show: str) -> int:
        return sum(1 for row in self.rows if row.matches(show))

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def in_touch_rate(self) -> float | None:
        return rate(self.count("in_touch"), self.total)

    @property
    def suitable_rate(self) -> float | None:
        return rate(self.count("suitable"), self.count("suitable") + self.count("unsuitable"))

    @property
    def eet_rate(self) -> float | None:
        return rate(self.count("eet"), self.count("eet") + self.count("not_eet"))

    def listed(self, show: str) -> list[CareLeaverRow]:
        """The young people behind a count that the user may open."""
        return [row for row in self.rows if row.matches(show) and row.child.pk in self.visible_ids]

    def hidden(self, show: str) -> int:
        return self.count(show) - len(self.listed(show))


def _under_oldest(child: Child, on: dt.date) -> bool:
    return child.date_of_birth is None or anniversary(child.date_of_birth, OLDEST) > on


def care_leavers_on(user, on: dt.date) -> CareLeaversOverview:
    latest: dict[int, CareLeaverContact] = {}
    advisers: dict[int, object] = {}
    contacts = (
        CareLeaverContact.objects.filter(contacted_on__lte=on)
        .select_related("child", "personal_adviser")
        .order_by("-contacted_on", "-id")
    )
    for contact in contacts:
        latest.setdefault(contact.child_id, contact)
        if contact.personal_adviser_id:
            advisers.setdefault(contact.child_id, contact.personal_adviser)
    last_reviews: dict[int, dt.date] = {}
    for child_id, reviewed_on in PathwayPlanReview.objects.filter(
        child_id__in=latest, reviewed_on__lte=on
    ).values_list("child_id", "reviewed_on"):
        last_reviews[child_id] = max(reviewed_on, last_reviews.get(child_id, reviewed_on))
    rows = []
    for child_id, contact in latest.items():
        if contact.in_touch == InTouch.DIED or not _under_oldest(contact.child, on):
            continue
        last = last_reviews.get(child_id)
        rows.append(
            CareLeaverRow(
                child=contact.child,
                latest=contact,
                personal_adviser=advisers.get(child_id),
                last_review_on=last,
                next_review=due_date("pathway_plan_review", last) if last else None,
                on=on,
            )
        )
    rows.sort(key=lambda row: (row.child.last_name, row.child.first_name, row.child.pk))
    visible = set(
        children_visible_to(user).filter(pk__in=[row.child.pk for row in rows]).values_list("pk", flat=True)
    )
    return CareLeaversOverview(on, rows, visible)


# Services --------------------------------------------------------------------------------------------------


def _require_change(actor, child: Child) -> None:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot change this child's record")


def _check_age(errors: dict, field: str, on: dt.date, what: str, child: Child) -> None:
    born = child.date_of_birth
    if born is None or field in errors:
        return
    if on < anniversary(born, YOUNGEST):
        errors[field] = f"The {what} must be on or after the young person's {YOUNGEST}th birthday"
    elif on >= anniversary(born, OLDEST):
        errors[field] = f"The {what} must be before the young person's {OLDEST}th birthday"


@transaction.atomic
def care_leaver_contact_record(
    *,
    actor,
    child: Child,
    contacted_on: dt.date | None,
    eligibility: str,
    in_touch: str,
    accommodation: str = "",
    accommodation_suitable: bool | None = None,
    activity: str = "",
    personal_adviser=None,
) -> CareLeaverContact:
    """Record what a contact with a care leaver found (the 903 OC3 figures come from the one nearest their
    birthday). Accommodation and its suitability go together; when in touch, both and the activity are needed."""
    _require_change(actor, child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    errors: dict[str, str] = {}
    check_date_given(errors, "contacted_on", contacted_on, "date of the contact", child)
    if contacted_on is not None:
        _check_age(errors, "contacted_on", contacted_on, "date of the contact", child)
        if (
            "contacted_on" not in errors
            and CareLeaverContact.objects.filter(child=child, contacted_on=contacted_on).exists()
        ):
            errors["contacted_on"] = f"A contact on {long_date(contacted_on)} is already recorded"
    if eligibility not in CareLeaverEligibility.values:
        errors["eligibility"] = "Select the young person's eligibility category"
    if in_touch not in InTouch.values:
        errors["in_touch"] = "Select whether the authority is in touch with the young person"
    if accommodation and accommodation not in Accommodation.values:
        errors["accommodation"] = "Select the type of accommodation"
    if activity and activity not in Activity.values:
        errors["activity"] = "Select the young person's main activity"
    if in_touch == InTouch.YES:
        if not accommodation:
            errors.setdefault(
                "accommodation", "Select the type of accommodation: the young person is in touch"
            )
        if not activity:
            errors.setdefault("activity", "Select the young person's main activity: they are in touch")
    if accommodation and accommodation_suitable is None:
        errors["accommodation_suitable"] = "Say whether the accommodation is suitable"
    if not accommodation and accommodation_suitable is not None:
        errors["accommodation_suitable"] = "Leave suitability blank when the accommodation is not known"
    if personal_adviser is not None and not personal_advisers().filter(pk=personal_adviser.pk).exists():
        errors["personal_adviser"] = "Choose a member of staff who is still active as personal adviser"
    if errors:
        raise ValidationError(errors)
    contact = CareLeaverContact.objects.create(
        child=child,
        contacted_on=contacted_on,
        eligibility=eligibility,
        in_touch=in_touch,
        accommodation=accommodation,
        accommodation_suitable=accommodation_suitable,
        activity=activity,
        personal_adviser=personal_adviser,
    )
    record_change(
        actor=actor,
        verb="care_leaver.contact_recorded",
        target=contact,
        child=child,
        payload={"on": contacted_on.isoformat(), "in_touch": in_touch, "eligibility": eligibility},
        chronology=lines.care_leaver_contact(contact),
    )
    return contact


@transaction.atomic
def pathway_plan_review_record(*, actor, child: Child, reviewed_on: dt.date | None) -> PathwayPlanReview:
    """Record a pathway plan review; the next is due 6 months later."""
    _require_change(actor, child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    errors: dict[str, str] = {}
    check_date_given(errors, "reviewed_on", reviewed_on, "date of the pathway plan review", child)
    if reviewed_on is not None:
        _check_age(errors, "reviewed_on", reviewed_on, "date of the pathway plan review", child)
        if (
            "reviewed_on" not in errors
            and PathwayPlanReview.objects.filter(child=child, reviewed_on=reviewed_on).exists()
        ):
            errors["reviewed_on"] = f"A pathway plan review on {long_date(reviewed_on)} is already recorded"
    if errors:
        raise ValidationError(errors)
    review = PathwayPlanReview.objects.create(child=child, reviewed_on=reviewed_on)
    next_due = due_date("pathway_plan_review", reviewed_on)
    record_change(
        actor=actor,
        verb="care_leaver.pathway_plan_reviewed",
        target=review,
        child=child,
        payload={"on": reviewed_on.isoformat(), "next_due": next_due.due_on.isoformat()},
        chronology=lines.pathway_plan_reviewed(review),
    )
    return review
