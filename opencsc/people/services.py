"""Every write to a child's record. Each service runs in one transaction and writes its audit event in it."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone

from opencsc.accounts.access import can_change_child, can_create_child
from opencsc.audit.changes import record_change
from opencsc.audit.services import audit_event_record
from opencsc.core.errors import ConcurrentEditError
from opencsc.core.event_dates import check_possible_date, require_possible_date
from opencsc.people import chronology_lines as lines
from opencsc.people.identifiers import (
    format_postcode,
    name_key,
    nhs_number_problem,
    postcode_key,
    postcode_problem,
    upn_problem,
)
from opencsc.people.models import (
    SIBLING_TYPES,
    Alert,
    Child,
    ChildAccessGrant,
    ChildAddress,
    ChildAlias,
    ChildDisability,
    Person,
    Relationship,
)

CHILD_DETAIL_FIELDS = (
    "first_name",
    "middle_names",
    "last_name",
    "date_of_birth",
    "expected_date_of_birth",
    "date_of_death",
    "sex",
    "ethnicity",
    "first_language",
    "upn",
    "former_upn",
    "upn_unknown_reason",
    "nhs_number",
)


def _require_change(actor, child: Child) -> None:
    if not can_change_child(actor, child):
        raise PermissionDenied("You cannot change this child's record")


def _check_child_rules(details: dict, today: dt.date) -> None:
    """The rules a child's details must meet, whichever path they arrive by."""
    errors: dict[str, str] = {}
    born, expected = details.get("date_of_birth"), details.get("expected_date_of_birth")
    if not born and not expected:
        errors["date_of_birth"] = "Enter a date of birth, or an expected date of birth for an unborn child"
    if born and born > today:
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    if born and born < today.replace(year=today.year - 26):
        errors["date_of_birth"] = "Date of birth must be within the last 26 years"
    if not born and expected and details.get("sex") not in ("U", None, ""):
        errors["sex"] = "Sex must be 'Unknown' for an unborn child"
    check_possible_date(
        errors,
        details.get("date_of_death"),
        child=Child(first_name=details.get("first_name") or "the child", date_of_birth=born),
        field="date_of_death",
        label="Date of death",
    )
    for field, check in (
        ("upn", upn_problem),
        ("former_upn", upn_problem),
        ("nhs_number", nhs_number_problem),
    ):
        value = details.get(field)
        if value and (problem := check(value)):
            errors[field] = problem
    if details.get("upn") and details.get("upn_unknown_reason"):
        errors["upn_unknown_reason"] = "Leave the reason blank when the UPN is known"
    if errors:
        raise ValidationError(errors)


def _next_la_child_id() -> str:
    """One more than the highest C-number; compared by length first, so C1000000 follows C999999."""
    highest = (
        Child.objects.filter(la_child_id__regex=r"^C[0-9]+$")
        .order_by(Length("la_child_id").desc(), "-la_child_id")
        .values_list("la_child_id", flat=True)
        .first()
    )
    return f"C{int(highest[1:]) + 1 if highest else 100001}"


@transaction.atomic
def child_create(*, actor, team=None, la_child_id: str = "", **details) -> Child:
    if not can_create_child(actor):
        raise PermissionDenied("You cannot create children's records")
    _check_child_rules(details, timezone.localdate())
    child = Child(
        la_child_id=la_child_id or _next_la_child_id(),
        responsible_team=team or actor.team,
        first_name_key=name_key(details["first_name"]),
        last_name_key=name_key(details["last_name"]),
        **{field: details.get(field) or _blank_for(field) for field in CHILD_DETAIL_FIELDS},
    )
    child.full_clean()
    child.save()
    record_change(
        actor=actor,
        verb="child.created",
        target=child,
        child=child,
        chronology=lines.child_created(child, timezone.localdate(), actor),
    )
    return child


def _blank_for(field: str):
    """The value an omitted detail takes: the model's default (NOBT for ethnicity, None for dates, "" else)."""
    return Child._meta.get_field(field).get_default()


@transaction.atomic
def child_update(*, actor, child: Child, expected_version: int, **details) -> Child:
    """Change a child's details. Refuses if someone saved the record since `expected_version` was read."""
    _require_change(actor, child)
    _check_child_rules(details, timezone.localdate())
    changed = {
        field: [str(getattr(child, field) or ""), str(details.get(field) or "")]
        for field in CHILD_DETAIL_FIELDS
        if (getattr(child, field) or None) != (details.get(field) or None)
    }
    for field in CHILD_DETAIL_FIELDS:
        setattr(child, field, details.get(field) or _blank_for(field))
    child.first_name_key = name_key(child.first_name)
    child.last_name_key = name_key(child.last_name)
    child.full_clean(exclude=["version"])
    updated = Child.objects.filter(pk=child.pk, version=expected_version).update(
        version=F("version") + 1,
        first_name_key=child.first_name_key,
        last_name_key=child.last_name_key,
        **{field: getattr(child, field) for field in CHILD_DETAIL_FIELDS},
    )
    if not updated:
        raise ConcurrentEditError("child's record")
    child.refresh_from_db()
    audit_event_record(
        actor=actor, verb="child.updated", target=child, child=child, payload={"changed": changed}
    )
    return child


@transaction.atomic
def child_set_disabilities(*, actor, child: Child, codes: list[str]) -> None:
    _require_change(actor, child)
    if "NONE" in codes and len(codes) > 1:
        raise ValidationError({"disabilities": "'No disability' cannot be chosen with a disability"})
    child.disabilities.all().delete()
    ChildDisability.objects.bulk_create(
        [ChildDisability(child=child, code=code) for code in sorted(set(codes))]
    )
    audit_event_record(
        actor=actor, verb="child.disabilities_set", target=child, child=child, payload={"codes": codes}
    )


@transaction.atomic
def alias_add(*, actor, child: Child, first_name: str, last_name: str, kind: str) -> ChildAlias:
    _require_change(actor, child)
    alias = ChildAlias.objects.create(
        child=child,
        first_name=first_name,
        last_name=last_name,
        first_name_key=name_key(first_name),
        last_name_key=name_key(last_name),
        kind=kind or "Also known as",
    )
    audit_event_record(
        actor=actor,
        verb="alias.added",
        target=alias,
        child=child,
        payload={"name": f"{first_name} {last_name}"},
    )
    return alias


@transaction.atomic
def address_move_in(
    *, actor, child: Child, line_1: str, line_2: str = "", town: str, postcode: str, moved_in_on: dt.date
) -> ChildAddress:
    """Record a new current address; the previous one closes the day before, so postcode history is kept."""
    _require_change(actor, child)
    if problem := postcode_problem(postcode):
        raise ValidationError({"postcode": problem})
    require_possible_date(moved_in_on, child=child, field="moved_in_on", label="The date they moved in")
    current = child.addresses.filter(moved_out_on__isnull=True).first()
    if current:
        if moved_in_on <= current.moved_in_on:
            raise ValidationError(
                {
                    "moved_in_on": f"The date they moved in must be after {current.moved_in_on:%-d %B %Y}, "
                    "when they moved to the current address"
                }
            )
        current.moved_out_on = moved_in_on - dt.timedelta(days=1)
        current.save(update_fields=["moved_out_on", "updated_at"])
    address = ChildAddress.objects.create(
        child=child,
        line_1=line_1,
        line_2=line_2,
        town=town,
        postcode=format_postcode(postcode),
        postcode_key=postcode_key(postcode),
        moved_in_on=moved_in_on,
    )
    record_change(
        actor=actor,
        verb="address.moved_in",
        target=address,
        child=child,
        payload={"postcode": address.postcode},
        chronology=lines.address_moved_in(address, is_move=current is not None),
    )
    return address


@transaction.atomic
def relationship_add(
    *,
    actor,
    child: Child,
    kind: str,
    related_child: Child | None = None,
    person: Person | None = None,
    has_parental_responsibility: bool = False,
    lives_with_child: bool = False,
    notes: str = "",
) -> Relationship:
    """Link a child to another child or a person. A sibling tie is written both ways."""
    _require_change(actor, child)
    if related_child is not None and related_child.pk == child.pk:
        raise ValidationError({"related_child": "A child cannot be related to themselves"})
    relationship = Relationship.objects.create(
        child=child,
        related_child=related_child,
        related_person=person,
        kind=kind,
        has_parental_responsibility=has_parental_responsibility,
        lives_with_child=lives_with_child,
        notes=notes,
    )
    if related_child is not None and kind in SIBLING_TYPES:
        Relationship.objects.get_or_create(
            child=related_child,
            related_child=child,
            kind=kind,
            defaults={"lives_with_child": lives_with_child},
        )
    audit_event_record(
        actor=actor,
        verb="relationship.added",
        target=relationship,
        child=child,
        payload={"kind": kind, "with": relationship.other_party_name},
    )
    return relationship


@transaction.atomic
def person_create(*, actor, **fields) -> Person:
    person = Person(**fields)
    person.full_clean()
    person.save()
    audit_event_record(actor=actor, verb="person.created", target=person)
    return person


@transaction.atomic
def alert_raise(
    *, actor, child: Child, category: str, text: str, review_on: dt.date, raised_on: dt.date | None = None
) -> Alert:
    _require_change(actor, child)
    raised_on = raised_on or timezone.localdate()
    require_possible_date(raised_on, child=child, field="raised_on", label="The date the alert was raised")
    if review_on < raised_on:
        raise ValidationError(
            {"review_on": "The review date must be on or after the date the alert is raised"}
        )
    alert = Alert.objects.create(
        child=child, category=category, text=text, raised_on=raised_on, review_on=review_on, raised_by=actor
    )
    record_change(
        actor=actor,
        verb="alert.raised",
        target=alert,
        child=child,
        payload={"category": category},
        chronology=lines.alert_raised(alert),
    )
    return alert


@transaction.atomic
def alert_end(*, actor, alert: Alert) -> Alert:
    _require_change(actor, alert.child)
    alert.ended_on = timezone.localdate()
    alert.save(update_fields=["ended_on", "updated_at"])
    audit_event_record(actor=actor, verb="alert.ended", target=alert, child=alert.child)
    return alert


@transaction.atomic
def child_restrict(*, actor, child: Child, named_users: list) -> None:
    """Make a record restricted to the named people. The person restricting it is always named."""
    _require_change(actor, child)
    people = {user.pk: user for user in [*named_users, actor]}
    for user in people.values():
        ChildAccessGrant.objects.get_or_create(child=child, user=user, defaults={"granted_by": actor})
    Child.objects.filter(pk=child.pk).update(is_restricted=True, version=F("version") + 1)
    child.refresh_from_db()
    audit_event_record(
        actor=actor,
        verb="child.restricted",
        target=child,
        child=child,
        payload={"named": sorted(user.username for user in people.values())},
    )
