"""The clocks of pre-proceedings and care proceedings, every due date from the one engine
(`opencsc.core.clocks.due_date`) with the authority's calendar and local limits:

- `plo_letter`: the letter before proceedings, 5 working days (local) after the legal gateway meeting that
  started pre-proceedings, until the letter is sent;
- `plo_meeting`: the pre-proceedings meeting, 10 working days (local) after the letter, until it is held;
- `plo_decision`: pre-proceedings end (concerns reduced, or proceedings issued) within 16 weeks (local) of their
  start;
- `case_management_hearing`: a case management hearing held (its outcome recorded) by day 18 after issue;
- `care_proceedings`: the proceedings concluded within 26 weeks of issue, plus the weeks of every extension the
  court granted (each up to 8 weeks); the explanation names the extensions;
- `hearing_outcome`: each listed hearing's outcome on the record 1 working day (local) after the day it was
  listed for.

Only open pre-proceedings and open proceedings have clocks. `legal_clocks` reads them for any number of children
in a fixed number of queries (one per kind of record, plus one per local limit unless the caller's clock context
has read it already), so the sweep, the service page, the child's page and the work pages cost the same whatever
the size of the authority. The children are either listed (`child_ids`) or a work page's scope (`children`, any
object whose `condition(field)` gives the Q of the children on a record's child field, such as
`opencsc.casework.work.Scope`), which already leaves out the children the user may not see.

The week of the timetable counts from the day of issue: the day of issue and the six days after it are week 1,
so on the day the 26 weeks run out (issue + 182 days) the proceedings are in week 27.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Exists, OuterRef, Q, Sum

from opencsc.core.clocks import RULES, due_date, effective_limit
from opencsc.core.working_days import Calendar, authority_calendar
from opencsc.legal.models import CareProceedings, Hearing, HearingKind, PreProceedings

LEGAL_RULES = (
    "plo_letter",
    "plo_meeting",
    "plo_decision",
    "case_management_hearing",
    "care_proceedings",
    "hearing_outcome",
)
STATUTORY_WEEKS = 26
CASE_MANAGEMENT = (HearingKind.CMH, HearingKind.FURTHER_CMH)


@dataclass(frozen=True)
class LegalClock:
    rule_id: str
    child_id: int
    record_id: int  # the pre-proceedings, proceedings or hearing the clock belongs to
    subject_key: str
    what: str
    start: dt.date
    due_on: dt.date
    explanation: str

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_on < today


def timetable_week(issued_on: dt.date, today: dt.date) -> int:
    """The week of the 26-week timetable `today` falls in (the day of issue is in week 1)."""
    return (today - issued_on).days // 7 + 1


class ChildScope(Protocol):
    def condition(self, field: str = "child") -> Q: ...


class _Limits:
    def __init__(self, calendar: Calendar, limit_of: Callable[[str], int] | None = None):
        self.calendar = calendar
        self._limit_of = limit_of or (lambda rule_id: effective_limit(RULES[rule_id]))
        self._limits: dict[str, int] = {}

    def due(self, rule_id: str, start: dt.date, *, extra: int = 0):
        if rule_id not in self._limits:
            self._limits[rule_id] = self._limit_of(rule_id)
        return due_date(rule_id, start, calendar=self.calendar, limit=self._limits[rule_id] + extra)


def _clock(
    limits: _Limits,
    rule_id: str,
    child_id: int,
    record_id: int,
    key: str,
    what: str,
    start: dt.date,
    extra=0,
    note="",
):
    due = limits.due(rule_id, start, extra=extra)
    return LegalClock(rule_id, child_id, record_id, key, what, start, due.due_on, due.explanation + note)


def _filtered(queryset, child_ids: list[int] | None, children: ChildScope | None, field: str = "child"):
    if child_ids is not None:
        queryset = queryset.filter(**{f"{field}_id__in": child_ids})
    if children is not None:
        queryset = queryset.filter(children.condition(field))
    return queryset


def _pre_proceedings_clocks(limits: _Limits, child_ids, children, rules: set[str]) -> list[LegalClock]:
    if not rules & {"plo_letter", "plo_meeting", "plo_decision"}:
        return []
    clocks = []
    rows = _filtered(PreProceedings.objects.filter(ended_on__isnull=True), child_ids, children).values_list(
        "pk", "child_id", "started_on", "letter_sent_on", "meeting_held_on"
    )
    for pk, child_id, started_on, letter_sent_on, meeting_held_on in rows.order_by("pk"):
        key = f"pre_proceedings:{pk}"
        if letter_sent_on is None and "plo_letter" in rules:
            clocks.append(
                _clock(
                    limits,
                    "plo_letter",
                    child_id,
                    pk,
                    f"{key}:letter",
                    "Send the letter before proceedings",
                    started_on,
                )
            )
        if letter_sent_on is not None and meeting_held_on is None and "plo_meeting" in rules:
            clocks.append(
                _clock(
                    limits,
                    "plo_meeting",
                    child_id,
                    pk,
                    f"{key}:meeting",
                    "Hold the pre-proceedings meeting",
                    letter_sent_on,
                )
            )
        if "plo_decision" in rules:
            clocks.append(
                _clock(
                    limits,
                    "plo_decision",
                    child_id,
                    pk,
                    key,
                    "Decide the outcome of pre-proceedings",
                    started_on,
                )
            )
    return clocks


def _extension_note(extension_weeks: int) -> str:
    if not extension_weeks:
        return ""
    return f" ({STATUTORY_WEEKS} weeks and extensions of {extension_weeks} weeks)"


def _proceedings_clocks(limits: _Limits, child_ids, children, rules: set[str]) -> list[LegalClock]:
    if not rules & {"case_management_hearing", "care_proceedings"}:
        return []
    clocks = []
    cmh_held = Hearing.objects.filter(
        proceedings=OuterRef("pk"), kind__in=CASE_MANAGEMENT, outcome_recorded_on__isnull=False
    )
    rows = (
        _filtered(CareProceedings.objects.filter(concluded_on__isnull=True), child_ids, children)
        .annotate(extension_weeks=Sum("extensions__weeks"), cmh_held=Exists(cmh_held))
        .values_list("pk", "child_id", "issued_on", "extension_weeks", "cmh_held")
    )
    for pk, child_id, issued_on, extension_weeks, held in rows.order_by("pk"):
        extension_weeks = extension_weeks or 0
        if "case_management_hearing" in rules and not held:
            clocks.append(
                _clock(
                    limits,
                    "case_management_hearing",
                    child_id,
                    pk,
                    f"proceedings:{pk}:cmh",
                    "Hold the case management hearing",
                    issued_on,
                )
            )
        if "care_proceedings" in rules:
            clock = _clock(
                limits,
                "care_proceedings",
                child_id,
                pk,
                f"proceedings:{pk}",
                "Conclude the care proceedings",
                issued_on,
                extra=extension_weeks,
                note=_extension_note(extension_weeks),
            )
            # An extension moves the due date: a breach of the old timetable is resolved, and a new one opens
            # if the extended timetable runs out too.
            clocks.append(
                LegalClock(
                    **{**clock.__dict__, "subject_key": f"{clock.subject_key}:{clock.due_on.isoformat()}"}
                )
            )
    return clocks


def _hearing_clocks(limits: _Limits, child_ids, children, rules: set[str]) -> list[LegalClock]:
    if "hearing_outcome" not in rules:
        return []
    hearings = _filtered(
        Hearing.objects.filter(proceedings__concluded_on__isnull=True, outcome_recorded_on__isnull=True),
        child_ids,
        children,
        field="proceedings__child",
    )
    rows = hearings.values_list("pk", "proceedings__child_id", "kind", "listed_for").order_by(
        "listed_for", "pk"
    )
    return [
        _clock(
            limits,
            "hearing_outcome",
            child_id,
            pk,
            f"hearing:{pk}",
            f"Record the outcome of the {HearingKind(kind).label.lower()}",
            listed_for,
        )
        for pk, child_id, kind, listed_for in rows
    ]


def legal_clocks(
    *,
    child_ids: Iterable[int] | None = None,
    children: ChildScope | None = None,
    rules: Iterable[str] = LEGAL_RULES,
    calendar: Calendar | None = None,
    limit_of: Callable[[str], int] | None = None,
) -> list[LegalClock]:
    """Every running clock of open pre-proceedings and proceedings (of `child_ids` and/or the scope
    `children`, or of every child), in a fixed number of queries. `limit_of` gives each rule's limit when the
    caller has read the authority's local limits already."""
    rules = set(rules)
    child_ids = None if child_ids is None else list(child_ids)
    limits = _Limits(calendar if calendar is not None else authority_calendar(), limit_of)
    return [
        *_pre_proceedings_clocks(limits, child_ids, children, rules),
        *_proceedings_clocks(limits, child_ids, children, rules),
        *_hearing_clocks(limits, child_ids, children, rules),
    ]
