"""Which children have open casework, of which kind, and since when.

Statutory work is an open assessment, section 47 enquiry, child protection plan or looked-after episode
(design.md, `unallocated_statutory`). Each kind of open work registers here, so the unallocated list, the KPI
and caseload weighting always cover every kind that exists; a child-in-need plan weighs on a caseload but is
not statutory work for the unallocated list.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from opencsc.casework.models import (
    Assessment,
    CaseType,
    ChildInNeedPlan,
    ChildProtectionPlan,
    Section47Enquiry,
)


@dataclass(frozen=True)
class OpenWorkKind:
    case_type: str
    label: str
    open_records: Callable[[], QuerySet]  # open records with a child_id
    start_field: str
    is_statutory: bool = True


OPEN_WORK_KINDS: list[OpenWorkKind] = [
    OpenWorkKind(
        CaseType.ASSESSMENT,
        "Assessment",
        lambda: Assessment.objects.filter(authorised_on__isnull=True, closed_on__isnull=True),
        "started_on",
    ),
    OpenWorkKind(
        CaseType.CHILD_PROTECTION,
        "Section 47 enquiry",
        lambda: Section47Enquiry.objects.filter(completed_on__isnull=True),
        "started_on",
    ),
    OpenWorkKind(
        CaseType.CHILD_PROTECTION,
        "Child protection plan",
        lambda: ChildProtectionPlan.objects.filter(ended_on__isnull=True),
        "started_on",
    ),
    OpenWorkKind(
        CaseType.CHILD_IN_NEED,
        "Child in need plan",
        lambda: ChildInNeedPlan.objects.filter(ended_on__isnull=True),
        "started_on",
        is_statutory=False,
    ),
]


def register_open_work_kind(kind: OpenWorkKind) -> None:
    OPEN_WORK_KINDS.append(kind)


def _statutory_kinds() -> list[OpenWorkKind]:
    return [kind for kind in OPEN_WORK_KINDS if kind.is_statutory]


def has_open_statutory_work() -> Q:
    condition = Q(pk__in=[])
    for kind in _statutory_kinds():
        condition |= Q(Exists(kind.open_records().filter(child_id=OuterRef("pk"))))
    return condition


def children_with_open_statutory_work() -> set[int]:
    """Ids of every child with open statutory work, read from the open-work tables themselves (a few thousand
    rows) rather than by testing each of the authority's children."""
    ids: set[int] = set()
    for kind in _statutory_kinds():
        ids.update(kind.open_records().values_list("child_id", flat=True))
    return ids


def statutory_work_started(child_ids: list[int]) -> dict[int, dt.date]:
    """The earliest start of each child's open statutory work."""
    started: dict[int, dt.date] = {}
    for kind in _statutory_kinds():
        rows = (
            kind.open_records()
            .filter(child_id__in=child_ids)
            .values("child_id")
            .annotate(first=Min(kind.start_field))
        )
        for row in rows:
            current = started.get(row["child_id"])
            started[row["child_id"]] = row["first"] if current is None else min(current, row["first"])
    return started


CASE_TYPE_PRECEDENCE = [
    CaseType.LOOKED_AFTER,
    CaseType.CHILD_PROTECTION,
    CaseType.CHILD_IN_NEED,
    CaseType.ASSESSMENT,
    CaseType.CARE_LEAVER,
]


def case_types(child_ids: list[int]) -> dict[int, str]:
    """Each child's case type for caseload weighting: the weightiest open work, else 'other'."""
    found: dict[int, set[str]] = {child_id: set() for child_id in child_ids}
    for kind in OPEN_WORK_KINDS:
        for child_id in kind.open_records().filter(child_id__in=child_ids).values_list("child_id", flat=True):
            found[child_id].add(kind.case_type)
    return {
        child_id: next((t for t in CASE_TYPE_PRECEDENCE if t in kinds), CaseType.OTHER)
        for child_id, kinds in found.items()
    }


def open_statutory_work_labels(child) -> list[str]:
    """Plain words for each kind of work open for the child, for the record's status line."""
    return [kind.label for kind in OPEN_WORK_KINDS if kind.open_records().filter(child_id=child.pk).exists()]
