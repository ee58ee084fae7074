"""Which children have open statutory work, and since when.

Statutory work is an open assessment, section 47 enquiry, child protection plan or looked-after episode
(design.md, `unallocated_statutory`). Each kind registers a subquery here as its models arrive, so the
unallocated list and the KPI always cover every kind that exists.
"""

import datetime as dt
from collections.abc import Callable

from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from opencsc.casework.models import Assessment, CaseType

# (case type, queryset of open records with a `child_id` and a start-date field, name of that field)
StatutoryKind = tuple[str, Callable[[], QuerySet], str]


def _open_assessments() -> QuerySet:
    return Assessment.objects.filter(authorised_on__isnull=True, closed_on__isnull=True)


STATUTORY_KINDS: list[StatutoryKind] = [
    (CaseType.ASSESSMENT, _open_assessments, "started_on"),
]


def register_statutory_kind(case_type: str, open_records: Callable[[], QuerySet], start_field: str) -> None:
    STATUTORY_KINDS.append((case_type, open_records, start_field))


def has_open_statutory_work() -> Q:
    condition = Q(pk__in=[])
    for _, open_records, _ in STATUTORY_KINDS:
        condition |= Q(Exists(open_records().filter(child_id=OuterRef("pk"))))
    return condition


def statutory_work_started(child_ids: list[int]) -> dict[int, dt.date]:
    """The earliest start of each child's open statutory work."""
    started: dict[int, dt.date] = {}
    for _, open_records, start_field in STATUTORY_KINDS:
        rows = (
            open_records().filter(child_id__in=child_ids).values("child_id").annotate(first=Min(start_field))
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
    """Each child's case type for caseload weighting: the weightiest open statutory work, else 'other'."""
    found: dict[int, set[str]] = {child_id: set() for child_id in child_ids}
    for case_type, open_records, _ in STATUTORY_KINDS:
        for child_id in open_records().filter(child_id__in=child_ids).values_list("child_id", flat=True):
            found[child_id].add(case_type)
    return {
        child_id: next((t for t in CASE_TYPE_PRECEDENCE if t in kinds), CaseType.OTHER)
        for child_id, kinds in found.items()
    }


def open_statutory_work_labels(child) -> list[str]:
    """Plain words for each kind of statutory work open for the child, for the record's status line."""
    return [
        CaseType(case_type).label
        for case_type, open_records, _ in STATUTORY_KINDS
        if open_records().filter(child_id=child.pk).exists()
    ]
