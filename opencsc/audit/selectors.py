"""The audit trail across the service: every look at a child's record (the access log) and every change (audit
events), searched by person, child, dates and action, for a data-protection complaint or a misuse
investigation. Only auditors search it (information governance officers hold the auditor role).

The changes to allegations against staff (opencsc/allegations) are left out: they are restricted to the
designated officer's team, who read each allegation's history on its own page (ADR 0037)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from opencsc.accounts.models import Role, User
from opencsc.audit.models import AccessKind, AuditEvent, RecordAccess
from opencsc.people.models import Child

AUDIT_SEARCH_ROLES = {Role.AUDITOR}
RESTRICTED_OBJECT_TYPES = ("Allegation",)
CHANGE = "change"  # the action that selects audit events rather than access-log rows
ACTIONS = [(kind.value, kind.label) for kind in AccessKind] + [(CHANGE, "Changed (an audit event)")]


def can_search_audit_trail(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in AUDIT_SEARCH_ROLES)


@dataclass(frozen=True)
class TrailQuery:
    people: list[int] | None = None  # user ids; None for anyone
    child_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    action: str = ""  # an AccessKind value, CHANGE, or "" for any


def people_matching(text: str) -> list[int]:
    """Staff whose username is `text`, or whose name contains it."""
    text = text.strip()
    exact = list(User.objects.filter(username__iexact=text).values_list("pk", flat=True))
    if exact:
        return exact
    words = text.split()
    users = User.objects.all()
    for word in words:
        users = users.filter(first_name__icontains=word) | users.filter(last_name__icontains=word)
    return list(users.values_list("pk", flat=True))


def child_by_la_id(la_child_id: str) -> Child | None:
    return Child.objects.filter(la_child_id__iexact=la_child_id.strip()).first()


def _filtered(rows: QuerySet, query: TrailQuery, *, person: str) -> QuerySet:
    if query.people is not None:
        rows = rows.filter(**{f"{person}__in": query.people})
    if query.child_id is not None:
        rows = rows.filter(child_id=query.child_id)
    # Days are the authority's days: from local midnight to the next, as a range the index on `at` serves.
    if query.date_from is not None:
        rows = rows.filter(at__gte=_local_midnight(query.date_from))
    if query.date_to is not None:
        rows = rows.filter(at__lt=_local_midnight(query.date_to + dt.timedelta(days=1)))
    return rows


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


COLUMNS = ("row_source", "row_id", "row_at", "row_user", "row_child", "row_action", "row_what", "row_from")


def audit_trail(query: TrailQuery) -> QuerySet:
    """Access-log rows and audit events matching the query, newest first, as dicts of COLUMNS."""
    text = CharField()
    accesses = _filtered(RecordAccess.objects.all(), query, person="user_id")
    if query.action and query.action != CHANGE:
        accesses = accesses.filter(kind=query.action)
    accesses = accesses.annotate(
        row_source=Value("access", output_field=text),
        row_id=F("id"),
        row_at=F("at"),
        row_user=F("user_id"),
        row_child=F("child_id"),
        row_action=F("kind"),
        row_what=F("path"),
        row_from=Cast("ip_address", text),
    ).values(*COLUMNS)
    events = _filtered(
        AuditEvent.objects.exclude(object_type__in=RESTRICTED_OBJECT_TYPES), query, person="actor_id"
    )
    events = events.annotate(
        row_source=Value("event", output_field=text),
        row_id=F("id"),
        row_at=F("at"),
        row_user=F("actor_id"),
        row_child=F("child_id"),
        row_action=F("verb"),
        row_what=Concat("object_type", Value(" "), "object_id", output_field=text),
        row_from=Cast("ip_address", text),
    ).values(*COLUMNS)
    if query.action == CHANGE:
        return events.order_by("-row_at", "-row_id")
    if query.action:
        return accesses.order_by("-row_at", "-row_id")
    # The models' default ordering is cleared: SQLite allows no ORDER BY inside a compound statement.
    return accesses.order_by().union(events.order_by(), all=True).order_by("-row_at", "-row_id")


def trail_people(rows: list[dict]) -> dict[int, User]:
    ids = {row["row_user"] for row in rows if row["row_user"] is not None}
    return User.objects.in_bulk(ids)


def trail_children(rows: list[dict]) -> dict[int, Child]:
    ids = {row["row_child"] for row in rows if row["row_child"] is not None}
    return Child.objects.in_bulk(ids)
