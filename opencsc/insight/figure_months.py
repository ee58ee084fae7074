"""Which stored month-end figures a change to a record may make wrong: the one place that derives the months from
a record's dates (issue 16 point 1, ADR 0018).

Every KPI reads seven kinds of record (referrals, assessments, section 47 enquiries, initial conferences,
protection plans, looked-after episodes, allocations). For each, `CONTRIBUTIONS` says what one record gives the
figures at a month end M, from its dates and the fields the KPIs read (ADR 0005: a count over the 12 months to M,
or a snapshot on M):
- a record dated in the 12 months to M is counted there (with the fields that decide its place in a rate);
- a record open on M (started on or before M, not ended by M) is in that day's snapshot;
- a referral dated in the two years to M also decides whether a later referral of the same child is a
  re-referral (the family reads a year of history before the period);
- an episode overlapping the 12 months to M counts towards that child's placements in them.
A change marks each closed month end where the record's contribution before differs from after (a new record
has none before, a deleted one none after). So closing a referral today marks nothing (it was open, and stays
open, on every past month end), and recording last year's assessment today marks the months it was open and the
twelve after it was authorised. Two figures also depend on another record's dates: a conference's timing on its
enquiry's start, and a plan's "second or subsequent" on the child's earlier plans; `DEPENDENTS` adds their months.

Marks are written by model signals, in the change's own transaction, so every service and importer that saves
or deletes a record marks the months whatever path it took. Code that writes in bulk (bulk_create, update(),
raw SQL) bypasses signals and must call `mark_changed` itself, or `mark_records_changed` when it knows each
record's row before and after (the import framework's store, ADR 0023, at every flush); the synthetic generator
replaces everything and clears the store instead. A transaction that marks any month queues the refresh of the marked months when it
commits.
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import signals

from opencsc.core.working_days import anniversary

Row = dict  # the fields of one record that the KPIs read, by name


def _window_start(month_end: dt.date) -> dt.date:
    return anniversary(month_end + dt.timedelta(days=1), -1)


def _in_window(day: dt.date | None, month_end: dt.date, years: int = 1) -> bool:
    return day is not None and anniversary(month_end + dt.timedelta(days=1), -years) <= day <= month_end


def _open_on(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    return start is not None and start <= day and (end is None or end > day)


def _earliest(*days: dt.date | None) -> dt.date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def _referral(row: Row, month_end: dt.date):
    child = row["child_id"]
    return (
        (child, row["is_nfa"]) if _in_window(row["referral_date"], month_end) else None,
        child if _in_window(row["referral_date"], month_end, years=2) else None,
        child if _open_on(row["referral_date"], row["closed_on"], month_end) else None,
    )


def _assessment(row: Row, month_end: dt.date):
    child = row["child_id"]
    ended = _earliest(row["authorised_on"], row["closed_on"])
    return (
        (child, row["started_on"]) if _in_window(row["authorised_on"], month_end) else None,
        child if _open_on(row["started_on"], ended, month_end) else None,
    )


def _enquiry(row: Row, month_end: dt.date):
    child = row["child_id"]
    return (
        child if _in_window(row["started_on"], month_end) else None,
        child if _open_on(row["started_on"], row["completed_on"], month_end) else None,
    )


def _conference(row: Row, month_end: dt.date):
    if row["kind"] != "initial" or not _in_window(row["held_on"], month_end):
        return None
    return row["child_id"], row["section_47_id"]


def _plan(row: Row, month_end: dt.date):
    child = row["child_id"]
    return (
        (child, row["previous_plans"]) if _in_window(row["started_on"], month_end) else None,
        (child, row["started_on"]) if _in_window(row["ended_on"], month_end) else None,
        child if _open_on(row["started_on"], row["ended_on"], month_end) else None,
    )


def _episode(row: Row, month_end: dt.date):
    start, end, window = row["started_on"], row["ended_on"], _window_start(month_end)
    if start is None or start > month_end or (end is not None and end < window):
        return None
    return (
        row["child_id"],
        row["legal_status"],
        row["reason_new_episode"],
        row["home_postcode"],
        row["placement_postcode"],
        start if start >= window else None,  # before the window: only "open on its first day" matters
        end if end is not None and end <= month_end else None,
    )


def _allocation(row: Row, month_end: dt.date):
    return row["child_id"] if _open_on(row["started_on"], row["ended_on"], month_end) else None


# model label: (fields read, contribution at a month end)
CONTRIBUTIONS: dict[str, tuple[tuple[str, ...], Callable[[Row, dt.date], object]]] = {
    "frontdoor.referral": (("child_id", "referral_date", "closed_on", "is_nfa"), _referral),
    "casework.assessment": (("child_id", "started_on", "authorised_on", "closed_on"), _assessment),
    "casework.section47enquiry": (("child_id", "started_on", "completed_on"), _enquiry),
    "casework.childprotectionconference": (("child_id", "kind", "held_on", "section_47_id"), _conference),
    "casework.childprotectionplan": (("child_id", "started_on", "ended_on", "previous_plans"), _plan),
    "looked_after.episode": (
        (
            "child_id",
            "started_on",
            "ended_on",
            "reason_new_episode",
            "legal_status",
            "home_postcode",
            "placement_postcode",
        ),
        _episode,
    ),
    "casework.allocation": (("child_id", "started_on", "ended_on"), _allocation),
}


def _dates(row: Row | None) -> list[dt.date]:
    return [value for value in (row or {}).values() if isinstance(value, dt.date)]


def months_changed(label: str, before: Row | None, after: Row | None, *, last: dt.date) -> list[dt.date]:
    """The month ends up to `last` whose figures differ with the record as `before` and as `after` (None: no
    record). Month ends before the record's earliest date, old or new, cannot differ."""
    from opencsc.insight.figures import month_ends_between

    _, contribution = CONTRIBUTIONS[label]
    first = min(_dates(before) + _dates(after), default=None)
    if first is None or first > last:
        return []

    def given(row: Row | None, day: dt.date):
        return None if row is None else contribution(row, day)

    return [day for day in month_ends_between(first, last) if given(before, day) != given(after, day)]


# Figures that depend on another record's dates ---------------------------------------------------------------


Change = tuple[str, object, Row | None, Row | None]  # model label, primary key, row before, row after
LOOKUP_CHUNK = 900  # keys an IN (...) lookup reads at once


def _chunks(keys: Iterable) -> Iterable[list]:
    keys = sorted(keys)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        yield keys[start : start + LOOKUP_CHUNK]


def _conferences_of_enquiries(changes: list[tuple[Row | None, Row | None, object]]) -> list[Row]:
    """A conference is timed from its enquiry's start: when that moves, the conference's months change too."""
    from opencsc.casework.models import ChildProtectionConference

    moved = {
        pk
        for before, after, pk in changes
        if not (before and after and before["started_on"] == after["started_on"])
    }
    fields, _ = CONTRIBUTIONS["casework.childprotectionconference"]
    rows: list[Row] = []
    for chunk in _chunks(moved):
        rows += ChildProtectionConference.objects.filter(section_47_id__in=chunk).values(*fields)
    return rows


def _later_plans_of_children(changes: list[tuple[Row | None, Row | None, object]]) -> list[Row]:
    """A plan is a second or subsequent one when the child had a plan starting earlier: adding, removing or
    moving a plan's start changes that for the child's plans starting after it."""
    from opencsc.casework.models import ChildProtectionPlan

    earliest: dict[int, dt.date] = {}  # child: the earliest start moved (its later plans include the others')
    for before, after, _ in changes:
        if (
            before
            and after
            and (before["started_on"], before["child_id"]) == (after["started_on"], after["child_id"])
        ):
            continue
        for row in (before, after):
            if row and row["started_on"]:
                child = row["child_id"]
                earliest[child] = min(earliest.get(child, row["started_on"]), row["started_on"])
    fields, _ = CONTRIBUTIONS["casework.childprotectionplan"]
    rows: list[Row] = []
    for chunk in _chunks(earliest):
        plans = ChildProtectionPlan.objects.filter(child_id__in=chunk).values(*fields)
        rows += [
            {name: plan[name] for name in fields}
            for plan in plans
            if plan["started_on"] and plan["started_on"] > earliest[plan["child_id"]]
        ]
    return rows


DEPENDENTS: dict[str, tuple[str, Callable]] = {
    "casework.section47enquiry": ("casework.childprotectionconference", _conferences_of_enquiries),
    "casework.childprotectionplan": ("casework.childprotectionplan", _later_plans_of_children),
}


def months_for_changes(changes: Iterable[Change], *, last: dt.date) -> set[dt.date]:
    """The month ends up to `last` whose figures the changes make differ: each record's own, and those of the
    records whose figures read its dates (found a few queries per kind, however many records changed)."""
    months: set[dt.date] = set()
    dependents: dict[str, list[tuple[Row | None, Row | None, object]]] = defaultdict(list)
    for label, pk, before, after in changes:
        months |= set(months_changed(label, before, after, last=last))
        if label in DEPENDENTS and before != after:
            dependents[label].append((before, after, pk))
    for label, changed in dependents.items():
        dependent_label, find = DEPENDENTS[label]
        for row in find(changed):
            # The dependent's own figures, as it stands: the months it counts in could read the change.
            months |= set(months_changed(dependent_label, row, None, last=last))
    return months


def months_for_change(
    label: str, before: Row | None, after: Row | None, pk, *, last: dt.date
) -> set[dt.date]:
    return months_for_changes([(label, pk, before, after)], last=last)


# Marks -------------------------------------------------------------------------------------------------------

_TOKEN_ATTRIBUTE = "_opencsc_figure_mark_token"


def _transaction_token() -> str:
    """One token per transaction: marks are unique by (month, token), so a transaction marks a month once however
    many records it changes, and a refresh that deletes the marks it read never deletes a later transaction's. The
    token lives as long as its commit hook: forgotten at commit, and replaced when a rollback (of the transaction
    or of the savepoint that set it) took the hook and the marks away."""
    token = getattr(connection, _TOKEN_ATTRIBUTE, None)
    hooked = any(hook is _transaction_committed for _, hook, *_ in connection.run_on_commit)
    if token is None or not hooked:
        token = uuid.uuid4().hex
        setattr(connection, _TOKEN_ATTRIBUTE, token)
        transaction.on_commit(_transaction_committed)
    return token


def _transaction_committed() -> None:
    setattr(connection, _TOKEN_ATTRIBUTE, None)
    from opencsc.insight.tasks import figures_refresh_marked_task

    figures_refresh_marked_task.enqueue()


def mark_months(months: Iterable[dt.date], *, cause: str) -> int:
    """Mark closed month ends for refresh in the current transaction; returns how many."""
    from opencsc.insight.models import MonthToRefresh

    months = sorted(set(months))
    if not months:
        return 0
    with transaction.atomic():  # outside a transaction too, the refresh is queued only once the marks are in
        token = _transaction_token()
        MonthToRefresh.objects.bulk_create(
            [MonthToRefresh(month_end=day, token=token, cause=cause[:80]) for day in months],
            ignore_conflicts=True,
        )
    return len(months)


def mark_changed(label: str, before: Iterable[Row], after: Iterable[Row], *, cause: str) -> int:
    """For code that writes records in bulk: mark the months the rows' contributions change ("before" rows as
    they were, "after" rows as written, each a dict of CONTRIBUTIONS[label]'s fields). Conservative: every month
    each row's contribution touches, before and after."""
    from opencsc.insight.figures import last_closed_month_end

    last = last_closed_month_end()
    months: set[dt.date] = set()
    for row in [*before, *after]:
        months |= set(months_changed(label, row, None, last=last))
    return mark_months(months, cause=cause)


def mark_records_changed(changes: Iterable[Change], *, cause: str) -> int:
    """For code that writes records in bulk and knows each record's row before and after (the import framework's
    store): mark exactly the months where some record's contribution differs, as the signals would have, each
    change `(label, primary key, row before or None, row after or None)`. Returns how many months."""
    from opencsc.insight.figures import last_closed_month_end

    return mark_months(months_for_changes(changes, last=last_closed_month_end()), cause=cause)


# Signals -----------------------------------------------------------------------------------------------------


def _label(sender) -> str:
    return f"{sender._meta.app_label}.{sender._meta.model_name}"


def _row(instance, fields: tuple[str, ...]) -> Row:
    return {name: getattr(instance, name) for name in fields}


def _remember_before(sender, instance, raw=False, **kwargs) -> None:
    fields, _ = CONTRIBUTIONS[_label(sender)]
    before = None
    if not raw and instance.pk is not None and not instance._state.adding:
        before = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    instance._figures_before = before


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    label = _label(sender)
    fields, _ = CONTRIBUTIONS[label]
    _mark(label, getattr(instance, "_figures_before", None), _row(instance, fields), instance.pk, "changed")


def _deleted(sender, instance, **kwargs) -> None:
    label = _label(sender)
    fields, _ = CONTRIBUTIONS[label]
    _mark(label, _row(instance, fields), None, instance.pk, "deleted")


def _mark(label: str, before: Row | None, after: Row | None, pk, verb: str) -> None:
    from opencsc.insight.figures import last_closed_month_end

    months = months_for_change(label, before, after, pk, last=last_closed_month_end())
    if months:
        mark_months(months, cause=f"{label} {pk} {verb}")


def connect_signals() -> None:
    from django.apps import apps

    for label in CONTRIBUTIONS:
        model = apps.get_model(label)
        uid = f"figure-months-{label}"
        signals.pre_save.connect(_remember_before, sender=model, dispatch_uid=f"{uid}-before")
        signals.post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-saved")
        signals.post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-deleted")


def disconnect_signals() -> None:
    from django.apps import apps

    for label in CONTRIBUTIONS:
        model = apps.get_model(label)
        uid = f"figure-months-{label}"
        signals.pre_save.disconnect(sender=model, dispatch_uid=f"{uid}-before")
        signals.post_save.disconnect(sender=model, dispatch_uid=f"{uid}-saved")
        signals.post_delete.disconnect(sender=model, dispatch_uid=f"{uid}-deleted")


@contextmanager
def wholesale_change():
    """For a change to the whole authority (the synthetic generator replacing every record): no marks while it
    runs (deletes stay single statements), and every stored figure and mark forgotten after, so each month is
    computed afresh from the new records."""
    from opencsc.insight.models import MonthEndFigure, MonthToRefresh

    disconnect_signals()
    try:
        yield
    finally:
        connect_signals()
        MonthToRefresh.objects.all().delete()
        MonthEndFigure.objects.all().delete()
