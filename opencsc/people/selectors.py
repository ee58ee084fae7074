"""Reads of children: search, one record, likely duplicates. Every read is filtered by who is asking."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from opencsc.accounts.access import can_view_child, child_visibility_filter
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.audit.services import record_access_log
from opencsc.people.identifiers import name_key, normalise_nhs_number
from opencsc.people.models import Alert, Child, ChildAddress, ChildAlias

SEARCH_RESULT_LIMIT = 50
_LA_ID = re.compile(r"^[A-Z]{0,3}\d{3,}$", re.IGNORECASE)
_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$", re.IGNORECASE)
_POSTCODE_PREFIX = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?(\s*\d[A-Z]{0,2})?$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


@dataclass(frozen=True)
class SearchQuery:
    text: str

    @property
    def as_date(self) -> dt.date | None:
        match = _DATE.match(self.text.strip())
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None


def children_visible_to(user) -> QuerySet[Child]:
    return Child.objects.filter(child_visibility_filter(user))


def _current_address_prefetch() -> Prefetch:
    return Prefetch(
        "addresses",
        queryset=ChildAddress.objects.filter(moved_out_on__isnull=True),
        to_attr="current_addresses",
    )


def _name_filter(words: list[str]) -> Q:
    """Every word must start a first or last name, on the record or an alias."""
    condition = Q()
    for word in words:
        own = Q(first_name_key__startswith=word) | Q(last_name_key__startswith=word)
        alias = Exists(
            ChildAlias.objects.filter(child=OuterRef("pk")).filter(
                Q(first_name_key__startswith=word) | Q(last_name_key__startswith=word)
            )
        )
        condition &= own | Q(alias)
    return condition


def _postcode_filter(prefix: str) -> Q:
    return Q(Exists(ChildAddress.objects.filter(child=OuterRef("pk"), postcode_key__startswith=prefix)))


def search_filter(query: SearchQuery) -> Q:
    """Decide what the text is (date, identifier, postcode or name) and build the matching filter."""
    text = query.text.strip()
    compact = text.replace(" ", "").upper()
    if query.as_date:
        return Q(date_of_birth=query.as_date) | Q(expected_date_of_birth=query.as_date)
    digits = normalise_nhs_number(text)
    if re.fullmatch(r"\d{10}", digits):
        return Q(nhs_number=digits) | Q(la_child_id__iexact=digits)
    if _UPN.match(compact):
        return Q(upn=compact) | Q(former_upn=compact)
    if _POSTCODE_PREFIX.match(text) and any(ch.isdigit() for ch in text):
        by_postcode = _postcode_filter(compact)
        return by_postcode | Q(la_child_id__iexact=compact) if _LA_ID.match(compact) else by_postcode
    if _LA_ID.match(compact):
        return Q(la_child_id__iexact=compact)
    words = [name_key(word) for word in text.split() if word]
    return _name_filter(words)


def child_search(*, user, text: str, limit: int = SEARCH_RESULT_LIMIT) -> list[Child]:
    if not text.strip():
        return []
    return list(
        children_visible_to(user)
        .filter(search_filter(SearchQuery(text)))
        .select_related("responsible_team")
        .prefetch_related(_current_address_prefetch())
        .order_by("last_name_key", "first_name_key", "id")[:limit]
    )


def child_get_for(*, user, pk: int, path: str, log: bool = True) -> Child:
    """One child's record, or PermissionDenied; both the view and the refusal are logged."""
    try:
        child = Child.objects.select_related("responsible_team").get(pk=pk)
    except Child.DoesNotExist as missing:
        raise Http404("No child with that ID") from missing
    if not can_view_child(user, child):
        record_access_log(user=user, child=child, kind=AccessKind.REFUSED, path=path)
        raise PermissionDenied("You do not have access to this child's record")
    if log:
        record_access_log(user=user, child=child, kind=AccessKind.VIEW, path=path)
    return child


def child_current_address(child: Child) -> ChildAddress | None:
    return child.addresses.filter(moved_out_on__isnull=True).first()


def child_open_alerts(child: Child) -> QuerySet[Alert]:
    return child.alerts.filter(ended_on__isnull=True)


def child_access_log(child: Child, limit: int = 200) -> QuerySet[RecordAccess]:
    return child.accesses.select_related("user")[:limit]


@dataclass(frozen=True)
class DuplicateCandidates:
    visible: list[Child]
    hidden_count: int


def likely_duplicates(
    *,
    user,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    nhs_number: str = "",
    upn: str = "",
) -> DuplicateCandidates:
    """Children who are probably the same person: same identifier, or same surname and birth date,
    or same first name and birth date. Records the user cannot open are counted but not shown."""
    condition = Q(pk__in=[])
    if nhs_number:
        condition |= Q(nhs_number=nhs_number)
    if upn:
        condition |= Q(upn=upn)
    if date_of_birth:
        condition |= Q(date_of_birth=date_of_birth, last_name_key=name_key(last_name))
        condition |= Q(date_of_birth=date_of_birth, first_name_key=name_key(first_name))
        condition |= Q(
            date_of_birth=date_of_birth,
            aliases__last_name_key=name_key(last_name),
        )
    matches = Child.objects.filter(condition).distinct()
    visible = list(matches.filter(child_visibility_filter(user))[:20])
    return DuplicateCandidates(visible=visible, hidden_count=matches.count() - len(visible))


@dataclass(frozen=True)
class DueItem:
    what: str
    due_on: dt.date
    explanation: str

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.due_on < timezone.localdate()


def child_due_items(child: Child) -> list[DueItem]:
    """What is due on this child's record, soonest first, each date from the clock engine."""
    from opencsc.core.clocks import due_date
    from opencsc.core.working_days import authority_calendar

    items = [
        DueItem(
            what=f"Review alert: {alert.get_category_display()}",
            due_on=alert.review_on,
            explanation=f"Review date set when the alert was raised on {alert.raised_on:%-d %B %Y}",
        )
        for alert in child_open_alerts(child)
    ]
    calendar = authority_calendar()
    for assessment in child.assessments.filter(
        authorised_on__isnull=True, closed_on__isnull=True
    ).select_related("referral"):
        start = assessment.referral.referral_date if assessment.referral else assessment.started_on
        clock = due_date("assessment", start, calendar=calendar)
        items.append(DueItem(what="Complete the assessment", due_on=clock.due, explanation=clock.explanation))
    return sorted(items, key=lambda item: item.due_on)


def staff_who_could_be_named():
    """Staff whose role can read children's records: the people a restricted record may name."""
    from opencsc.accounts.access import LA_WIDE_READ_ROLES, TEAM_ROLES
    from opencsc.accounts.models import User

    return User.objects.filter(is_active=True, role__in=[*LA_WIDE_READ_ROLES, *TEAM_ROLES]).order_by(
        "last_name", "first_name"
    )
