"""Reads of children: search, one record, likely duplicates. Every read is filtered by who is asking."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from opencsc.accounts.access import can_change_child, can_view_child, child_visibility_filter
from opencsc.audit.models import AccessKind, RecordAccess
from opencsc.audit.services import record_access_log, record_access_log_list
from opencsc.people.identifiers import name_key, normalise_nhs_number, postcode_problem
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

    @property
    def compact(self) -> str:
        return self.text.strip().replace(" ", "").upper()

    @property
    def digits(self) -> str:
        return normalise_nhs_number(self.text.strip())

    @property
    def kind(self) -> str:
        text, compact = self.text.strip(), self.compact
        if self.as_date:
            return "date"
        if re.fullmatch(r"\d{10}", self.digits):
            return "ten digits"
        if _UPN.match(compact):
            return "UPN"
        if _POSTCODE_PREFIX.match(text) and any(ch.isdigit() for ch in text):
            return "postcode"
        if _LA_ID.match(compact):
            return "LA child ID"
        return "name"


def children_visible_to(user) -> QuerySet[Child]:
    return Child.objects.filter(child_visibility_filter(user))


def _current_address_prefetch() -> Prefetch:
    return Prefetch(
        "addresses",
        queryset=ChildAddress.objects.filter(moved_out_on__isnull=True),
        to_attr="current_addresses",
    )


def prefix_filter(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, written so an index answers it on both databases.

    PostgreSQL answers LIKE 'abc%' from the varchar_pattern_ops indexes declared on the key fields. SQLite
    cannot use an index for LIKE here, but can for a range, and its default BINARY collation orders the keys
    (upper- or lower-case letters, digits, spaces) by code point, so [prefix, prefix with its last character
    incremented) holds exactly the keys that start with it.
    """
    if connection.vendor != "sqlite" or not prefix:
        return Q(**{f"{field}__startswith": prefix})
    successor = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": successor})


ALIAS_ID_LIMIT = 1000
# How many matches are sorted here rather than found by walking the name index in order. A name's matches sit
# together in name order, so the walk would pass every child before them: up to 5,000 are sorted here. Matches
# on a postcode or a date are spread through name order, so the walk meets them early once there are a few
# hundred.
SORT_HERE_LIMIT = 5000
SORT_HERE_LIMIT_SPREAD = 500


def _children_with_alias_starting(word: str) -> Q:
    """Children with an alias whose first or last name starts with `word`: their ids when few (so the
    database can combine them with the name indexes), else a subquery."""
    aliases = ChildAlias.objects.filter(
        prefix_filter("first_name_key", word) | prefix_filter("last_name_key", word)
    ).values_list("child_id", flat=True)
    ids = set(aliases[: ALIAS_ID_LIMIT + 1])
    if len(ids) > ALIAS_ID_LIMIT:
        return Q(pk__in=aliases)
    return Q(pk__in=sorted(ids)) if ids else Q()


def _word_filter(word: str) -> Q:
    own = prefix_filter("first_name_key", word) | prefix_filter("last_name_key", word)
    by_alias = _children_with_alias_starting(word)
    return own | by_alias if by_alias else own


def _name_filter(words: list[str]) -> Q:
    """Every word must start a first or last name, on the record or an alias. One query: each word is an OR
    of index lookups, so PostgreSQL intersects the words' bitmaps instead of scanning every child."""
    condition = Q()
    for word in words:
        condition &= _word_filter(word)
    return condition


def _postcode_filter(postcode: str, *, walking_names: bool) -> Q:
    """Children who have lived at a postcode starting with `postcode` (or at exactly it, if it is whole).

    Found from the postcode index (a list of children to look up), or, when the search walks children in name
    order, checked child by child (EXISTS), so that SQLite walks the name index instead of looking up and
    sorting every child at the postcode."""
    full_postcode = postcode_problem(postcode) is None
    matching = Q(postcode_key=postcode) if full_postcode else prefix_filter("postcode_key", postcode)
    if walking_names:
        return Q(Exists(ChildAddress.objects.filter(matching, child_id=OuterRef("pk"))))
    return Q(pk__in=ChildAddress.objects.filter(matching).values("child_id"))


def search_filter(query: SearchQuery, *, walking_names: bool = False) -> Q:
    """The filter for what the text is: a date, an identifier, a postcode or a name."""
    kind, compact = query.kind, query.compact
    if kind == "date":
        return Q(date_of_birth=query.as_date) | Q(expected_date_of_birth=query.as_date)
    if kind == "ten digits":
        return Q(nhs_number=query.digits) | Q(la_child_id=query.digits)
    if kind == "UPN":
        return Q(upn=compact) | Q(former_upn=compact)
    if kind == "postcode":
        by_postcode = _postcode_filter(compact, walking_names=walking_names)
        return by_postcode | Q(la_child_id=compact) if _LA_ID.match(compact) else by_postcode
    if kind == "LA child ID":
        return Q(la_child_id=compact)
    return _name_filter([name_key(word) for word in query.text.split() if word])


def child_search(*, user, text: str, limit: int = SEARCH_RESULT_LIMIT) -> list[Child]:
    if not text.strip():
        return []
    query, visible = SearchQuery(text), child_visibility_filter(user)
    matches = Child.objects.filter(visible, search_filter(query))
    if connection.vendor == "postgresql" and query.kind != "name":
        # PostgreSQL estimates how many children a postcode, date or identifier matches, and plans the page in
        # one query: the name index walked for a broad postcode, the few matches sorted for a narrow one.
        return _page_of(matches, limit)
    # A narrow search is sorted here: ORDER BY ... LIMIT would tempt the database to walk the whole name index
    # instead of starting from the search's own selective index. A broad one is cheap to walk in name order.
    # order_by() drops the model's ordering, which would make the database sort every match to count them.
    sort_here_limit = SORT_HERE_LIMIT if query.kind == "name" else SORT_HERE_LIMIT_SPREAD
    unordered_keys = matches.order_by().values_list("last_name_key", "first_name_key", "id")
    keys = list(unordered_keys[: sort_here_limit + 1])
    if len(keys) <= sort_here_limit:
        chosen = [child_id for _, _, child_id in sorted(keys)[:limit]]
        matches = Child.objects.filter(pk__in=chosen)
    else:
        matches = Child.objects.filter(visible, search_filter(query, walking_names=True))
    return _page_of(matches, limit)


def _page_of(matches: QuerySet[Child], limit: int) -> list[Child]:
    page = (
        matches.select_related("responsible_team")
        .prefetch_related(_current_address_prefetch())
        .order_by("last_name_key", "first_name_key", "id")[:limit]
    )
    return list(page)


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


def child_of_record_for(
    *, user, child_id: int, path: str, change: bool = False, kind: str = AccessKind.VIEW
) -> Child:
    """The child a record (a document, an attached file) belongs to, for a user opening that record: refused and
    logged as `child_get_for` refuses; with `change=True` also refused, and logged, to a user who may read the
    child's record but not change it; otherwise the opening is logged as `kind`."""
    child = child_get_for(user=user, pk=child_id, path=path, log=False)
    if change and not can_change_child(user, child):
        record_access_log(user=user, child=child, kind=AccessKind.REFUSED, path=path)
        raise PermissionDenied("You can read this record but not change it")
    record_access_log(user=user, child=child, kind=kind, path=path)
    return child


def child_current_address(child: Child) -> ChildAddress | None:
    return child.addresses.filter(moved_out_on__isnull=True).first()


def child_open_alerts(child: Child) -> QuerySet[Alert]:
    return child.alerts.filter(ended_on__isnull=True)


def child_access_log(child: Child, limit: int = 200) -> QuerySet[RecordAccess]:
    return child.accesses.select_related("user", "api_client")[:limit]


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


def child_due_items(child: Child, *, care_clocks: list | None = None) -> list[DueItem]:
    """What is due on this child's record, soonest first, each date from the clock engine: alert reviews and
    every casework clock (assessment, initial conference, first core group, review conference, visits) and
    every looked-after clock (visits, reviews, health, education, return home interviews), every clock of
    pre-proceedings and care proceedings (letter, meeting, hearings, the 26 weeks), the early help clocks
    (assessment, team around the family review) and the private fostering clocks (visits, decision). A page that has
    worked out the looked-after clocks already (the record's care summary) passes them as `care_clocks`."""
    from opencsc.casework.protection_selectors import child_open_clocks

    items = [
        DueItem(
            what=f"Review alert: {alert.get_category_display()}",
            due_on=alert.review_on,
            explanation=f"Review date set when the alert was raised on {alert.raised_on:%-d %B %Y}",
        )
        for alert in child_open_alerts(child)
    ]
    items.extend(
        DueItem(what=clock.what, due_on=clock.due_on, explanation=clock.explanation)
        for clock in child_open_clocks(child)
    )
    if care_clocks is None:
        from opencsc.looked_after.clocks import child_care_clocks

        care_clocks = child_care_clocks(child)
    items.extend(
        DueItem(what=clock.what, due_on=clock.due_on, explanation=clock.explanation) for clock in care_clocks
    )
    from opencsc.legal.clocks import legal_clocks

    items.extend(
        DueItem(what=clock.what, due_on=clock.due_on, explanation=clock.explanation)
        for clock in legal_clocks(child_ids=[child.pk])
    )
    from opencsc.earlyhelp.selectors import child_early_help_clocks

    items.extend(
        DueItem(what=clock.what, due_on=clock.due_on, explanation=clock.due.explanation)
        for clock in child_early_help_clocks(child)
    )
    from opencsc.privatefostering.selectors import child_private_fostering_clocks

    items.extend(
        DueItem(what=clock.what, due_on=clock.due_on, explanation=clock.due.explanation)
        for clock in child_private_fostering_clocks(child)
    )
    return sorted(items, key=lambda item: item.due_on)


def staff_who_could_be_named():
    """Staff whose role can read children's records: the people a restricted record may name."""
    from opencsc.accounts.access import LA_WIDE_READ_ROLES, TEAM_ROLES
    from opencsc.accounts.models import User

    return User.objects.filter(is_active=True, role__in=[*LA_WIDE_READ_ROLES, *TEAM_ROLES]).order_by(
        "last_name", "first_name"
    )


RESTRICTED_RECORD = "a restricted record"


def child_ids_user_may_open(user, child_ids) -> set[int]:
    """Which of these children the user may open: one query, the same rule as can_view_child."""
    ids = sorted({child_id for child_id in child_ids if child_id is not None})
    if not ids:
        return set()
    return set(children_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def log_children_named(*, user, shown_ids, withheld_ids, path: str) -> None:
    """A page that names children logs each one it named as listed, and each one it showed only as "a
    restricted record" as a refusal."""
    record_access_log_list(user=user, child_ids=shown_ids, path=path)
    record_access_log_list(user=user, child_ids=withheld_ids, path=path, kind=AccessKind.REFUSED)


def relationships_shown_to(*, user, child: Child, path: str) -> list:
    """The child's relationships, each related child the user may not open marked `withheld` (shown as "a
    restricted record", without a name or a link) and the refusal logged against that child; the related
    children named are logged as listed."""
    relationships = list(child.relationships.select_related("related_child", "related_person"))
    related_ids = [r.related_child_id for r in relationships if r.related_child_id]
    may_open = child_ids_user_may_open(user, related_ids)
    for relationship in relationships:
        relationship.withheld = (
            bool(relationship.related_child_id) and relationship.related_child_id not in may_open
        )
    withheld = [child_id for child_id in related_ids if child_id not in may_open]
    log_children_named(user=user, shown_ids=may_open, withheld_ids=withheld, path=path)
    return relationships
